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

/** A step of the score job. Steps run after the transform, in module-list order. */
export type ScoreStep = (ctx: StepContext, asOf: Date) => Promise<StepSummary>;

/** A dataset the export job writes as Parquet. */
export interface ExportDataset {
  name: string;
  /** The warehouse table it is read from; skipped (and reported) when the table does not exist yet. */
  table: string;
  /** Dropped unless exports.includePii is true. */
  piiColumns?: string[];
  /** Columns never exported (internal bookkeeping). */
  internalColumns?: string[];
}

/**
 * Columns a module adds to customer_360 (one row per customer), read from one of its tables by
 * customer_id. Columns of a table that does not exist yet appear as typed NULLs.
 */
export interface Customer360Columns {
  table: string;
  columns: [name: string, sqlType: string][];
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
