/**
 * Datasets the export job writes as Parquet. Each module adds its own entries.
 * `piiColumns` are dropped unless exports.includePii is true.
 */
export interface ExportDataset {
  name: string;
  /** The warehouse table it is read from; skipped (and reported) when the table does not exist yet. */
  table: string;
  piiColumns?: string[];
  /** Columns never exported (internal bookkeeping). */
  internalColumns?: string[];
}

const LOAD_BOOKKEEPING = ['loaded_run_id', 'updated_run_id'];

export const EXPORT_DATASETS: ExportDataset[] = [
  { name: 'customers', table: 'customers', piiColumns: ['email'], internalColumns: LOAD_BOOKKEEPING },
  { name: 'purchases', table: 'purchases', internalColumns: LOAD_BOOKKEEPING },
  { name: 'interactions', table: 'interactions', internalColumns: LOAD_BOOKKEEPING },
  { name: 'surveys', table: 'surveys', internalColumns: LOAD_BOOKKEEPING },
  { name: 'survey_answers', table: 'survey_answers' },
  // Satisfaction (marts built by the transform job, drivers by the score job).
  { name: 'satisfaction_daily', table: 'satisfaction_daily' },
  { name: 'service_kpis_daily', table: 'service_kpis_daily' },
  { name: 'satisfaction_drivers', table: 'satisfaction_drivers' },
  { name: 'complaints_daily', table: 'complaints_daily' },
  // One row per customer with everything known about them (built at the end of the score job).
  { name: 'customer_360', table: 'customer_360', piiColumns: ['email'] },
  { name: 'rfm_history', table: 'rfm_history' },
  { name: 'value_model_runs', table: 'value_model_runs' },
  { name: 'churn_models', table: 'churn_models_export' },
  // Every rule's actions and whether each customer is still a member (the view GET /api/actions reads).
  { name: 'retention_actions', table: 'action_members', piiColumns: ['email'] },
];
