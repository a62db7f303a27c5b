import { randomUUID } from 'node:crypto';
import { isoDate } from '../core/clock.js';
import { sqlDate } from '../core/sql-date.js';
import { CxpError, toCxpError, type ErrorDetails } from '../core/errors.js';
import type { Job, JobContext } from './types.js';
import { resolveAsOf } from '../core/as-of.js';
import { forgetInputs, jobKey, readRecorded, recordInputs, runInputs, type RecordedInputs } from './up-to-date.js';

import type { RunOutcome, RunTrigger } from '../core/job-runner.js';

export type { RunOutcome, RunTrigger };

export function newRunId(clock: { now(): Date }): string {
  // Sortable by time, unique across processes.
  return `${clock.now().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
}

/**
 * Runs jobs in order and records the run in pipeline_runs. The record is written outside the jobs'
 * own transactions, so a failed run is visible while the warehouse keeps its previous good state.
 */
export async function runPipeline(
  jobs: Job[],
  base: Omit<JobContext, 'runId' | 'results'> & { runId?: string },
  opts: { trigger: RunTrigger; attempt?: number } = { trigger: 'cli' },
): Promise<RunOutcome> {
  const runId = base.runId ?? newRunId(base.clock);
  const ctx: JobContext = { ...base, runId, results: {} };
  const startedAt = ctx.clock.now();
  const wh = ctx.warehouse;
  await wh.run(
    `insert into pipeline_runs (run_id, started_at, status, jobs, trigger, attempt) values ($1, $2, 'running', $3, $4, $5)`,
    [runId, startedAt, jobs.map((j) => j.name).join(','), opts.trigger, opts.attempt ?? 1],
  );
  const jobResults: Record<string, unknown> = {};
  let error: CxpError | undefined;
  // The as-of is looked up at most once per run; `undefined` after the lookup means the warehouse holds no
  // events yet, and the first job that needs a date fails with requireAsOf's error (no retries per job).
  let asOfLookedUp = ctx.asOf !== undefined;
  const lookUpAsOf = async (): Promise<void> => {
    if (asOfLookedUp) return;
    asOfLookedUp = true;
    ctx.asOf = await resolveAsOf(ctx).catch(() => undefined);
  };
  // What the skippable jobs' keys share (up-to-date.ts): read once, before the first of them (after ingest,
  // which is the only job that changes the canonical tables).
  let shared: string | undefined;
  const keyOf = async (job: Job, recorded: Map<string, RecordedInputs>): Promise<string> => {
    shared ??= await runInputs(wh, ctx.config, ctx.asOf);
    return jobKey(job.name, shared, job.upToDate!.after.map((j) => recorded.get(j)), (await job.upToDate!.state?.(ctx)) ?? '');
  };
  // A job's failure, recorded and logged once whichever part of it failed (the up-to-date check or the job).
  const failed = (job: Job, t0: number, e: CxpError): CxpError => {
    jobResults[job.name] = { status: 'failed', duration_ms: Math.round(performance.now() - t0), error: e.toJSON() };
    ctx.logger.error(`job ${job.name} failed`, { run_id: runId, error: e.toLine() });
    return e;
  };
  for (const job of jobs) {
    if (ctx.signal?.aborted) {
      error = new CxpError('CXP_ERR_JOB_FAILED', `run stopped before job ${job.name}: shutting down`);
      break;
    }
    const t0 = performance.now();
    // Before the first job that needs it: after ingest, so a date derived from the data sees what this run loaded.
    if (job.name !== 'ingest') await lookUpAsOf();
    try {
      if (job.upToDate && !ctx.force) {
        const recorded = await readRecorded(wh);
        const key = await keyOf(job, recorded);
        const last = recorded.get(job.name);
        if (last?.key === key && ((await job.upToDate.inPlace?.(ctx)) ?? true)) {
          const summary = { up_to_date: { since_run_id: last.runId, reason: 'nothing it reads has changed since that run: canonical tables, as-of, configuration, code and the jobs before it' } };
          ctx.results[job.name] = summary;
          jobResults[job.name] = { status: 'succeeded', duration_ms: Math.round(performance.now() - t0), summary };
          ctx.logger.info(`job ${job.name} up to date`, { run_id: runId, since_run_id: last.runId });
          continue;
        }
      }
    } catch (err) {
      error = failed(job, t0, toCxpError(err, 'CXP_ERR_JOB_FAILED'));
      break;
    }
    ctx.logger.info(`job ${job.name} started`, { run_id: runId });
    try {
      // Forgotten before it runs: a job that fails half-way leaves no record, so the next run runs it.
      if (job.upToDate) await forgetInputs(wh, job.name);
      const summary = await job.run(ctx);
      // A job that is not skippable (ingest) may change the canonical tables: read them again for the next.
      if (!job.upToDate) shared = undefined;
      // Recorded after the job: its own state (e.g. the model it trained) is part of the key it leaves.
      if (job.upToDate) await recordInputs(wh, job.name, { key: await keyOf(job, await readRecorded(wh)), runId, recordedAt: ctx.clock.now() });
      ctx.results[job.name] = summary;
      jobResults[job.name] = { status: 'succeeded', duration_ms: Math.round(performance.now() - t0), summary };
      ctx.logger.info(`job ${job.name} succeeded`, { run_id: runId, ms: Math.round(performance.now() - t0) });
    } catch (err) {
      error = failed(job, t0, toCxpError(err, 'CXP_ERR_JOB_FAILED', failureDetails(err)));
      break;
    }
  }
  const finishedAt = ctx.clock.now();
  await lookUpAsOf();
  const asOfDate = ctx.asOf;
  const counts = (ctx.results.ingest as { sources?: unknown } | undefined)?.sources ?? null;
  await wh.run(
    `update pipeline_runs set finished_at = $2, status = $3, as_of = $4, counts = $5::json, job_results = $6::json, error = $7
     where run_id = $1`,
    [
      runId,
      finishedAt,
      error ? 'failed' : 'succeeded',
      asOfDate ? sqlDate(asOfDate) : null,
      counts === null ? null : json(counts),
      json(jobResults),
      error ? error.toLine() : null,
    ],
  );
  return {
    runId,
    status: error ? 'failed' : 'succeeded',
    startedAt,
    finishedAt,
    asOf: asOfDate ? isoDate(asOfDate) : undefined,
    results: ctx.results,
    error,
  };
}

/** A job DuckDB refused memory: the setting that decides it, and where it is explained. */
export function failureDetails(err: unknown): ErrorDetails {
  let outOfMemory = false;
  // DuckDB's error itself, or the cause of one a step wrapped it in.
  for (let e = err, depth = 0; e instanceof Error && depth < 5 && !outOfMemory; e = (e as Error & { cause?: unknown }).cause, depth++) {
    outOfMemory = /Out of Memory Error/i.test(e.message);
  }
  if (!outOfMemory) return {};
  return {
    where: 'duckdb.memoryLimit',
    hint: 'raise duckdb.memoryLimit in the config file (or remove it: DuckDB then takes up to 80% of RAM); docs/operations.md "Memory and threads" gives the peaks measured',
  };
}
