/**
 * The job-runner contract between the pipeline (which runs jobs) and dashboards/ (whose API starts
 * runs): dashboards receive a JobRunner through buildApp options and never import the jobs themselves.
 */
import type { CxpError } from './errors.js';

export type RunTrigger = 'cli' | 'schedule' | 'api' | 'start';

/** A job's printable outcome: counts, durations, model metrics. JSON-serialisable. */
export type JobSummary = Record<string, unknown>;

export interface RunOutcome {
  runId: string;
  status: 'succeeded' | 'failed';
  startedAt: Date;
  finishedAt: Date;
  asOf?: string;
  results: Record<string, JobSummary>;
  error?: CxpError;
}

/**
 * Runs jobs inside the process that holds the warehouse. The API and the schedules share one runner,
 * so a run never overlaps another; `start` returns the run id at once and the outcome as a promise.
 */
export interface JobRunner {
  isRunning(): boolean;
  /** `force`: run every job even when its inputs are unchanged since it last succeeded (otherwise skipped as up to date). */
  start(names: string[], trigger: RunTrigger, opts?: { force?: boolean }): { runId: string; done: Promise<RunOutcome> };
}
