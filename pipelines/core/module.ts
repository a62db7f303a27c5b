/**
 * The contract of an analytics module (models/<name>/module.ts). models/modules.ts lists the modules;
 * the config schema, the transform's SQL variables, the score job's steps, the export datasets, the
 * customer_360 columns and the dashboards menu are all assembled from that list, so adding a module is
 * one folder and one line there (docs/architecture.md "How to add a module").
 */
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { SettingsSection } from './settings.js';
import type { SqlValue, Warehouse } from './warehouse.js';

/**
 * The loaded config as modules see it: top-level sections by key (`config.satisfaction`, ...).
 * The full type lives with the loader (pipelines/config); modules read only their sections.
 */
export type ModuleConfig = Readonly<Record<string, unknown>>;

/** What a score step receives from the score job. The as-of date is resolved once per run and passed in. */
export interface StepContext {
  config: ModuleConfig;
  warehouse: Warehouse;
  runId: string;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
}

/** A step's printable outcome (JSON-serialisable), shown by `cxpulse run` and kept in pipeline_runs. */
export type StepSummary = Record<string, unknown>;

/**
 * A step of the score job. Steps run after the transform, one after another (score-job.ts): a step
 * reads canonical tables, marts and its own module's tables, and writes only its own, never another
 * step's, so no step depends on the order.
 */
export type ScoreStep = (ctx: StepContext, asOf: Date) => Promise<StepSummary>;

/**
 * A dataset the export job writes as Parquet, and the layout that gives it a single meaning
 * (docs/exports.md). `piiColumns` are dropped unless exports.includePii is true.
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

/**
 * Columns a module adds to customer_360 (one row per customer), read from one of its tables by
 * customer_id. Columns of a table that does not exist yet appear as typed NULLs.
 */
export interface Customer360Columns {
  table: string;
  columns: [name: string, sqlType: string][];
  /** How the export types them for BI tools (money as DECIMAL, JSON as nested types, categories). */
  bi?: Pick<ExportDataset, 'money' | 'nested' | 'categories' | 'comments'>;
}

export interface AnalyticsModule<S = unknown> {
  /** Module name; also its config key and the name of its score step. */
  name: string;
  /** Its config section: schema with defaults and the typed reader. */
  settings: SettingsSection<S>;
  /** Values its SQL models read with getvariable('name') (set by the transform job). */
  transformVariables?(config: ModuleConfig): Record<string, SqlValue>;
  /** Its step of the score job. */
  scoreStep?: ScoreStep;
  /** Its tables written by the export job. */
  exportDatasets?: ExportDataset[];
  /** Its columns in customer_360. */
  customer360?: Customer360Columns[];
  /** Names of its dashboards, in menu order (implemented in dashboards/data/<name>.ts). */
  dashboards?: string[];
  /**
   * Checks a JSON schema cannot express, run by the config loader (so `cxpulse config` finds them):
   * each problem names its key, like `rfm.cutPoints.recency: is required when ...`.
   */
  problems?(config: ModuleConfig): string[];
}
