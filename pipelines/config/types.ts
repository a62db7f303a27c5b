import type { SourceName } from './schema.js';
import type { SourceExtraOptions } from '../sources/source-options.js';

export interface SourceConfig extends SourceExtraOptions {
  /** File sources: absolute path or glob (resolved against the config file's folder). */
  path?: string;
  format?: 'csv' | 'tsv' | 'jsonl' | 'parquet';
  columns: Record<string, string>;
  delimiter?: string;
  header: boolean;
  names?: string[];
  timestampFormat?: string;
  /** The decimal mark of the file's numbers (default "."); "," reads 1.234,5 and 1 234,5 (stage.ts numberMacro). */
  decimalSeparator?: '.' | ',';
  quote?: string;
  encoding?: string;
  defaults: Record<string, string | number | boolean>;
  answerColumns?: string[];
  /** surveys only: answer ranges and no-answer codes (pipelines/sources/survey-scales.ts). */
  scales?: SurveyScalesConfig;
  /** IANA zone naive timestamps of this source are read in; defaults to the top-level `timezone`. */
  timezone?: string;
  maxAgeHours?: number;
  /** Canonical column -> plausibility rule overriding the defaults (pipelines/sources/plausibility.ts). */
  plausibility?: Record<string, import('../sources/plausibility.js').ColumnRule>;
  /** customers only: attribute name -> type and file column (docs/churn-features.md, "Customer attributes"). */
  attributes?: Record<string, { type: 'categorical' | 'numeric'; column?: string }>;
}

export interface SurveyScalesConfig {
  score?: { noAnswer?: (string | number)[] };
  answers?: { min?: number; max?: number; noAnswer?: (string | number)[] };
  questions?: Record<string, { min?: number; max?: number; noAnswer?: (string | number)[] }>;
}

export interface ExportsConfig {
  dir: string;
  includePii: boolean;
  datasets?: string[];
}

/**
 * The loaded config. A type alias (not an interface) so it is assignable to the module view
 * (pipelines/core/module.ts ModuleConfig) that analytics modules read their sections from.
 */
export type Config = {
  /** Absolute path of the config file, or undefined for the built-in demo config. */
  configPath?: string;
  /** Folder that relative paths were resolved against. */
  baseDir: string;
  warehouse: string;
  asOf?: string;
  timezone: string;
  sources: Partial<Record<SourceName, SourceConfig>>;
  exports: ExportsConfig;
  /** duckdb-settings.ts: how each maps to a DuckDB setting. */
  duckdb: { threads?: number; memoryLimit?: string; blockAllocatorMemory?: string };
  // Sections: each module narrows its own (models/<m>/settings.ts), the others pipelines/config/sections/.
  satisfaction: Record<string, unknown>;
  rfm: Record<string, unknown>;
  value: Record<string, unknown>;
  churn: Record<string, unknown>;
  server: Record<string, unknown>;
  display: Record<string, unknown>;
  schedule: Record<string, unknown>;
  triggers: Record<string, unknown>;
  delivery: Record<string, unknown>;
  alerts: Record<string, unknown>;
};
