import type { ExportDataset } from '../core/module.js';
import { MODULES } from '../../models/modules.js';

export type { ExportDataset };

const LOAD_BOOKKEEPING = ['loaded_run_id', 'updated_run_id'];

/**
 * Datasets the export job writes as Parquet: the canonical tables, each module's, and customer_360.
 * `piiColumns` are dropped unless exports.includePii is true.
 */
export const EXPORT_DATASETS: ExportDataset[] = [
  { name: 'customers', table: 'customers', piiColumns: ['email'], internalColumns: LOAD_BOOKKEEPING },
  { name: 'purchases', table: 'purchases', internalColumns: LOAD_BOOKKEEPING },
  { name: 'interactions', table: 'interactions', internalColumns: LOAD_BOOKKEEPING },
  { name: 'surveys', table: 'surveys', internalColumns: LOAD_BOOKKEEPING },
  { name: 'survey_answers', table: 'survey_answers' },
  // Each module's tables (AnalyticsModule.exportDatasets), in module-list order.
  ...MODULES.flatMap((m) => m.exportDatasets ?? []),
  // One row per customer with everything known about them (built at the end of the score job).
  { name: 'customer_360', table: 'customer_360', piiColumns: ['email'] },
  // Every rule's actions and whether each customer is still a member (the view GET /api/actions reads).
  { name: 'retention_actions', table: 'action_members', piiColumns: ['email'] },
];
