/**
 * Datasets the export job writes as Parquet, and the layout that gives each one a single meaning
 * (README "Exports"). `piiColumns` are dropped unless exports.includePii is true.
 *
 * - `events`: facts that happen once (orders, contacts, survey answers). Every row is written once, in
 *   the partition of its event month (`events/<name>/<month_key>=YYYY-MM/data.parquet`); a run rewrites
 *   only the months whose content changed. Event partitions are not tied to an as-of: they hold every
 *   row loaded, whatever as-of the run used.
 * - `snapshot`: a table the pipeline rebuilds for one as-of (customer_360, marts). Written to
 *   `history/<name>/as_of=YYYY-MM-DD/data.parquet` for the run's as-of, and to `latest/<name>/` when that
 *   as-of is the newest exported. Rows whose `notAfter` columns are later than the as-of are left out.
 * - `asof_history`: a table that already keeps one snapshot per as-of in a column (rfm_history): one
 *   `history/<name>/as_of=` partition per value, kept in step with the warehouse.
 * - `current`: a registry with no as-of of its own (churn_models): `latest/<name>/data.parquet` only.
 */
export type ExportLayout =
  | {
      kind: 'events';
      /**
       * The event time; partitions are its UTC month. `from` reads it from another table (survey answers),
       * with `carry`: columns of that table the file also gets (customer_id, so erasure finds the rows).
       */
      time: { column: string; from?: { table: string; key: string; carry?: { name: string; type: string }[] } };
    }
  | { kind: 'snapshot'; notAfter?: string[]; asOfColumn?: string }
  | { kind: 'asof_history'; asOfColumn: string }
  | { kind: 'current' };

export interface ExportDataset {
  name: string;
  /** The warehouse table it is read from; skipped (and reported) when the table does not exist yet. */
  table: string;
  layout: ExportLayout;
  description: string;
  piiColumns?: string[];
  /** Columns never exported (internal bookkeeping). */
  internalColumns?: string[];
  /** Amounts of money stored as DOUBLE in the warehouse: exported as DECIMAL(18,2). */
  money?: string[];
  /** JSON columns exported as typed nested values, e.g. a LIST of STRUCTs (DuckDB type). */
  nested?: Record<string, string>;
  /** Low-cardinality text columns (checked to be dictionary-encoded in the files). */
  categories?: string[];
  /** Column comments for the catalog beyond those in the table's DDL. */
  comments?: Record<string, string>;
}

const LOAD_BOOKKEEPING = ['loaded_run_id', 'updated_run_id'];

export const CHURN_REASONS_TYPE = 'STRUCT(feature VARCHAR, "text" VARCHAR, contribution DOUBLE)[]';

export const EXPORT_DATASETS: ExportDataset[] = [
  // Canonical tables: the customer dimension as of the run, and the events.
  {
    name: 'customers',
    table: 'customers',
    layout: { kind: 'snapshot', notAfter: ['signup_at'] },
    description: 'one row per customer known by the as-of (signed up by then, or with no sign-up date)',
    piiColumns: ['email'],
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['country'],
  },
  {
    name: 'purchases',
    table: 'purchases',
    layout: { kind: 'events', time: { column: 'ordered_at' } },
    description: 'one row per order, each written once, partitioned by the month it was placed',
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['status', 'channel'],
  },
  {
    name: 'interactions',
    table: 'interactions',
    layout: { kind: 'events', time: { column: 'opened_at' } },
    description: 'one row per support interaction, each written once, partitioned by the month it was opened',
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['channel', 'kind', 'category'],
  },
  {
    name: 'surveys',
    table: 'surveys',
    layout: { kind: 'events', time: { column: 'submitted_at' } },
    description: 'one row per survey response, each written once, partitioned by the month it was submitted',
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['survey_type'],
  },
  {
    name: 'survey_answers',
    table: 'survey_answers',
    layout: {
      kind: 'events',
      time: { column: 'submitted_at', from: { table: 'surveys', key: 'response_id', carry: [{ name: 'customer_id', type: 'VARCHAR' }] } },
    },
    description: 'one row per answered question of a survey response, partitioned by the month the response was submitted',
    categories: ['question'],
    comments: {
      question: 'the answer column of the survey source',
      score: 'the answer on its question scale',
      customer_id: 'the customer who answered (from surveys)',
    },
  },
  // Satisfaction marts (transform job) and key drivers (score job): rebuilt for each as-of.
  { name: 'satisfaction_daily', table: 'satisfaction_daily', layout: { kind: 'snapshot', notAfter: ['response_on'] }, description: 'survey metrics per UTC day, channel and survey type, as known at the as-of', categories: ['channel', 'survey_type'] },
  { name: 'service_kpis_daily', table: 'service_kpis_daily', layout: { kind: 'snapshot', notAfter: ['opened_on'] }, description: 'service KPIs per UTC day and channel, as known at the as-of', categories: ['channel'] },
  { name: 'satisfaction_drivers', table: 'satisfaction_drivers', layout: { kind: 'asof_history', asOfColumn: 'as_of' }, description: 'key drivers of satisfaction, one partition per as-of they were computed for', categories: ['target', 'kind'] },
  { name: 'complaints_daily', table: 'complaints_daily', layout: { kind: 'snapshot', notAfter: ['opened_on'] }, description: 'complaints per UTC day, as known at the as-of', categories: ['channel'] },
  // One row per customer with everything known about them at the as-of (built at the end of the score job).
  {
    name: 'customer_360',
    table: 'customer_360',
    layout: { kind: 'snapshot', notAfter: ['signup_at'], asOfColumn: 'as_of_on' },
    description: 'one row per customer with orders, satisfaction, RFM, value and churn risk as of the as-of',
    piiColumns: ['email'],
    money: ['net_revenue', 'monetary', 'expected_order_value', 'clv'],
    nested: { churn_reasons: CHURN_REASONS_TYPE },
    categories: ['country', 'rfm_segment', 'lifecycle_stage', 'churn_band'],
    comments: {
      as_of_on: 'the as-of date this row describes',
      net_revenue: 'completed minus refunded order amounts up to the as-of',
      churn_reasons: 'why the model rates this customer at risk, strongest first: feature, text, contribution to the risk',
    },
  },
  {
    name: 'rfm_history',
    table: 'rfm_history',
    layout: { kind: 'asof_history', asOfColumn: 'as_of' },
    description: 'RFM scores, segment and lifecycle stage of every customer, one partition per as-of',
    money: ['monetary', 'clv'],
    categories: ['rfm_segment', 'lifecycle_stage'],
  },
  {
    name: 'value_model_runs',
    table: 'value_model_runs',
    layout: { kind: 'asof_history', asOfColumn: 'as_of' },
    description: 'one row per value-model fit (BG/NBD, Gamma-Gamma), partitioned by the as-of it was fitted for',
  },
  {
    name: 'churn_models',
    table: 'churn_models_export',
    layout: { kind: 'current' },
    description: 'the churn model registry: every trained model, its validation and whether it is active',
  },
];
