import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Warehouse } from '../core/warehouse.js';
import type { Config } from '../config/types.js';

/** What every job receives. The clock, logger and warehouse are passed in so tests pin them. */
export interface JobContext {
  config: Config;
  warehouse: Warehouse;
  runId: string;
  clock: Clock;
  logger: Logger;
  /** Explicit as-of date (CLI --as-of or config asOf); when absent, resolveAsOf() derives it from the data. */
  asOfOverride?: Date;
  /** Set when the run should stop early (shutdown); jobs check it between steps. */
  signal?: AbortSignal;
  /** Results of the jobs that ran before in the same run, by job name. */
  results: Record<string, JobSummary>;
}

/** A job's printable outcome: counts, durations, model metrics. JSON-serialisable. */
export type JobSummary = Record<string, unknown>;

export interface Job {
  name: string;
  description: string;
  /** false: runs only when named or scheduled on its own (e.g. the weekly digest), not in the full pipeline. */
  pipeline?: boolean;
  run(ctx: JobContext): Promise<JobSummary>;
}
