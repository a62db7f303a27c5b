import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Warehouse } from '../core/warehouse.js';
import type { Config } from '../config/types.js';
import type { JobSummary } from '../core/job-runner.js';

/** What every job receives. The clock, logger and warehouse are passed in so tests pin them. */
export interface JobContext {
  config: Config;
  warehouse: Warehouse;
  runId: string;
  clock: Clock;
  logger: Logger;
  /** Explicit as-of date (CLI --as-of); else config asOf; else derived from the data loaded. */
  asOfOverride?: Date;
  /**
   * The run's as-of date, resolved once per run by runPipeline (after ingest when derived from the
   * data) and read by every job through runAsOf(ctx).
   */
  asOf?: Date;
  /** Set when the run should stop early (shutdown); jobs check it between steps. */
  signal?: AbortSignal;
  /** Results of the jobs that ran before in the same run, by job name. */
  results: Record<string, JobSummary>;
  /** Run every job even when its inputs are unchanged (`cxpulse run --full`; pipelines/jobs/up-to-date.ts). */
  force?: boolean;
}

/**
 * A job that is a pure function of the canonical tables, the as-of, the configuration, the code and
 * the jobs in `after`: skipped when all of them are as they were at its last success (up-to-date.ts).
 */
export interface UpToDateCheck {
  /** Jobs whose results this one reads: it runs again once any of them has run again. */
  after: string[];
  /** Further state it depends on that the canonical tables do not hold (read before and after it runs). */
  state?: (ctx: JobContext) => Promise<string>;
  /** False when what it wrote is no longer in place (a table it builds dropped, export files deleted): it runs. */
  inPlace?: (ctx: JobContext) => boolean | Promise<boolean>;
}

export type { JobSummary };

export interface Job {
  name: string;
  description: string;
  /** false: runs only when named or scheduled on its own (e.g. the weekly digest), not in the full pipeline. */
  pipeline?: boolean;
  /** Skipped when its inputs are unchanged since its last success; absent: always runs. */
  upToDate?: UpToDateCheck;
  run(ctx: JobContext): Promise<JobSummary>;
}
