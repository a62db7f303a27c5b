/**
 * The in-process scheduler `cxpulse serve`/`start` runs (pipelines/scheduler).
 *
 * API contract (POST /api/jobs/:name/run calls this):
 *
 *   const scheduler = startScheduler({ config, warehouse, logger });
 *   const ticket = scheduler.runNow(['score'], 'api');   // [] = full pipeline; throws CXP_ERR_JOB_UNKNOWN (404)
 *   reply.code(202).send({ run_id: ticket.runId, status: ticket.status });  // 'running' | 'queued'
 *   // ticket.done resolves with the final RunOutcome (after retries) or a SkippedRun; it never rejects.
 *   scheduler.status();                                   // running, queued, schedules with next run, retries
 *   serveWarehouse(ctx, { jobRunner: scheduler.asJobRunner() }); // pipelines/core/job-runner.ts JobRunner
 *   await scheduler.replay({ actionId } | { dead: true }); // POST /api/actions/:id/replay: re-queue + deliver now,
 *                                                         // in turn with runs (never concurrent with a triggers job)
 *   await scheduler.stop();                               // graceful: waits for the running job
 *
 * One run at a time for the whole warehouse. A scheduled tick arriving while busy is skipped and
 * recorded in pipeline_runs (status 'skipped'); runNow() while busy queues (one entry per job list).
 * A failed run is retried with exponential backoff up to schedule.retry.maxAttempts (each attempt is a
 * pipeline_runs row: earlier ones 'retrying', the last 'failed' with its error); later runs go on.
 */
import { countDueAlerts, deliverAlerts } from '../alerts/alert-outbox.js';
import type { Config } from '../config/types.js';
import { systemClock, type Clock } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Warehouse } from '../core/warehouse.js';
import { JOBS } from '../jobs/registry.js';
import { newRunId, runPipeline, type RunOutcome, type RunTrigger } from '../jobs/run-pipeline.js';
import type { JobRunner } from '../core/job-runner.js';
import type { Job } from '../jobs/types.js';
import { countDue, deliverPending, deliveryConfig, type DeliverySummary } from '../triggers/deliver.js';
import { replayActions } from '../triggers/replay.js';
import { resolveRules, triggersConfig } from '../triggers/rules.js';
import { backoffMs } from '../core/backoff.js';
import { nodeCronFactory, scheduleConfig, type CronFactory, type CronHandle, type ScheduleConfig } from './schedule-config.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SkippedRun {
  runId: string;
  status: 'skipped';
  reason: string;
}

export interface RunTicket {
  runId: string;
  jobs: string[];
  trigger: RunTrigger;
  status: 'running' | 'queued';
  done: Promise<RunOutcome | SkippedRun>;
}

export interface SchedulerDeps {
  config: Config;
  warehouse: Warehouse;
  clock?: Clock;
  logger?: Logger;
  cron?: CronFactory;
  timers?: Timers;
  jobs?: readonly Job[];
  /** Defaults to runPipeline; tests may wrap it. */
  runJobs?: typeof runPipeline;
  asOfOverride?: Date;
}

interface Pending {
  runId: string;
  jobs: Job[];
  trigger: RunTrigger;
  attempt: number;
  baseRunId: string;
  /** Run every job even when up to date (POST /api/jobs/:name/run?force=true; pipelines/jobs/up-to-date.ts). */
  force: boolean;
  resolve: (r: RunOutcome | SkippedRun) => void;
  done: Promise<RunOutcome | SkippedRun>;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class Scheduler {
  readonly schedule: ScheduleConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timers: Timers;
  private readonly jobs: readonly Job[];
  private readonly runJobs: typeof runPipeline;
  private readonly handles = new Map<string, CronHandle>();
  private readonly queue: Pending[] = [];
  private readonly retryTimers = new Map<string, { handle: unknown; at: Date; pending: Pending }>();
  private current: { pending: Pending | null; promise: Promise<void> } | null = null;
  private abort = new AbortController();
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.timers = deps.timers ?? realTimers;
    this.jobs = deps.jobs ?? JOBS;
    this.runJobs = deps.runJobs ?? runPipeline;
    this.schedule = scheduleConfig(deps.config, this.jobs.map((j) => j.name));
    // Fail at startup, not at 02:30, on a bad rule or a webhook rule without an endpoint.
    if (triggersConfig(deps.config).enabled) resolveRules(deps.config);
  }

  /** Starts the cron schedules (nothing when schedule.enabled is false; runNow still works). */
  start(): this {
    if (!this.schedule.enabled || this.stopped) return this;
    const factory = this.deps.cron ?? nodeCronFactory;
    for (const r of this.schedule.runs) {
      this.handles.set(r.name, factory(r.cron, this.schedule.timezone, () => void this.onTick(r.name, r.jobs), r.name));
    }
    if (this.schedule.deliverySweepCron) {
      this.handles.set('(delivery sweep)', factory(this.schedule.deliverySweepCron, this.schedule.timezone, () => void this.sweep(), 'delivery-sweep'));
    }
    this.logger.info('scheduler started', { timezone: this.schedule.timezone, runs: this.schedule.runs.map((r) => `${r.name}: ${r.cron}`) });
    return this;
  }

  private resolveJobs(names: string[]): Job[] {
    if (names.length === 0) return this.jobs.filter((j) => j.pipeline !== false);
    return names.map((n) => {
      const job = this.jobs.find((j) => j.name === n);
      if (!job) {
        throw new CxpError('CXP_ERR_JOB_UNKNOWN', `unknown job "${n}"`, { where: 'job name', hint: `jobs are: ${this.jobs.map((j) => j.name).join(', ')}` });
      }
      return job;
    });
  }

  private busy(): boolean {
    return this.current !== null || this.queue.length > 0;
  }

  private makePending(jobs: Job[], trigger: RunTrigger, attempt = 1, baseRunId?: string, force = false): Pending {
    const base = baseRunId ?? newRunId(this.clock);
    let resolve!: (r: RunOutcome | SkippedRun) => void;
    const done = new Promise<RunOutcome | SkippedRun>((r) => (resolve = r));
    return { runId: attempt === 1 ? base : `${base}.${attempt}`, jobs, trigger, attempt, baseRunId: base, force, resolve, done };
  }

  /** Runs jobs now, or after the current run (queued). A queued identical job list is reused. */
  runNow(jobNames: string[], trigger: RunTrigger = 'api', opts: { force?: boolean } = {}): RunTicket {
    const force = opts.force ?? false;
    if (this.stopped) throw new CxpError('CXP_ERR_JOB_RUNNING', 'the scheduler is shutting down', { hint: 'retry after the restart' });
    const jobs = this.resolveJobs(jobNames);
    const key = jobs.map((j) => j.name).join(',');
    const same = this.queue.find((p) => p.attempt === 1 && p.force === force && p.jobs.map((j) => j.name).join(',') === key);
    const p = same ?? this.makePending(jobs, trigger, 1, undefined, force);
    if (!same) this.queue.push(p);
    const status = this.current ? 'queued' : 'running';
    this.pump();
    return { runId: p.runId, jobs: jobs.map((j) => j.name), trigger: p.trigger, status, done: p.done };
  }

  /**
   * A cron tick: runs when no pipeline run is running or queued, otherwise is skipped and recorded
   * (never overlaps). A webhook sweep or replay holding the lock only delays it: it is queued behind.
   */
  private async onTick(name: string, jobNames: string[]): Promise<void> {
    if (this.stopped) return;
    const jobs = this.resolveJobs(jobNames);
    if (this.current?.pending || this.queue.length > 0) {
      const running = this.current?.pending;
      const reason = `skipped: ${running ? `run ${running.runId} (${running.jobs.map((j) => j.name).join(',')}) is still running` : 'another run is in progress'}; schedule ${name}`;
      await this.recordSkipped(this.makePending(jobs, 'schedule'), reason);
      this.logger.warn(`scheduled run ${name} skipped`, { reason });
      return;
    }
    this.queue.push(this.makePending(jobs, 'schedule'));
    this.pump();
  }

  private async recordSkipped(p: Pending, reason: string): Promise<void> {
    const now = this.clock.now();
    try {
      await this.deps.warehouse.run(
        `insert into pipeline_runs (run_id, started_at, finished_at, status, jobs, trigger, attempt, error)
         values ($1, $2, $2, 'skipped', $3, $4, $5, $6)`,
        [p.runId, now, p.jobs.map((j) => j.name).join(','), p.trigger, p.attempt, reason],
      );
    } catch (err) {
      this.logger.error('cannot record a skipped run', { error: (err as Error).message });
    }
    p.resolve({ runId: p.runId, status: 'skipped', reason });
  }

  private pump(): void {
    if (this.current || this.stopped) return;
    const next = this.queue.shift();
    if (!next) return;
    const promise = this.execute(next).finally(() => {
      this.current = null;
      this.pump();
    });
    this.current = { pending: next, promise };
  }

  private async execute(p: Pending): Promise<void> {
    let outcome: RunOutcome;
    try {
      outcome = await this.runJobs(
        p.jobs,
        { config: this.deps.config, warehouse: this.deps.warehouse, clock: this.clock, logger: this.logger, asOfOverride: this.deps.asOfOverride, signal: this.abort.signal, runId: p.runId, force: p.force },
        { trigger: p.trigger, attempt: p.attempt },
      );
    } catch (err) {
      // runPipeline records its own failures; this is the warehouse itself failing (closed, disk full).
      const e = err instanceof CxpError ? err : new CxpError('CXP_ERR_JOB_FAILED', (err as Error).message, {}, { cause: err });
      const now = this.clock.now();
      outcome = { runId: p.runId, status: 'failed', startedAt: now, finishedAt: now, results: {}, error: e };
    }
    const max = this.schedule.retry.maxAttempts;
    if (outcome.status === 'failed' && p.attempt < max && !this.stopped) {
      const delay = backoffMs(this.schedule.retry, p.attempt);
      const at = new Date(this.clock.now().getTime() + delay);
      const note = ` (attempt ${p.attempt} of ${max}; retry at ${at.toISOString()})`;
      await this.deps.warehouse
        .run(`update pipeline_runs set status = 'retrying', error = coalesce(error, '') || $2 where run_id = $1`, [p.runId, note])
        .catch((err: Error) => this.logger.error('cannot mark a run retrying', { error: err.message }));
      const retry = this.makePending(p.jobs, p.trigger, p.attempt + 1, p.baseRunId, p.force);
      // The caller waits for the final attempt.
      void retry.done.then(p.resolve);
      const handle = this.timers.setTimeout(() => {
        this.retryTimers.delete(retry.runId);
        if (this.stopped) return void this.recordSkipped(retry, 'skipped: shutting down before the retry');
        this.queue.push(retry);
        this.pump();
      }, delay);
      this.retryTimers.set(retry.runId, { handle, at, pending: retry });
      this.logger.warn(`run ${p.runId} failed; retry ${p.attempt + 1} of ${max} in ${Math.round(delay / 1000)} s`, { error: outcome.error?.toLine() });
      return;
    }
    if (outcome.status === 'failed') this.logger.error(`run ${p.runId} failed after ${p.attempt} attempt(s)`, { error: outcome.error?.toLine() });
    p.resolve(outcome);
  }

  /**
   * Runs `fn` when no run is in progress (waiting for it and for queued runs), holding the lock meanwhile:
   * admin work the server does for a CLI command (`cxpulse train`) never overlaps a pipeline run.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.current) await this.current.promise.catch(() => undefined);
    let result!: Promise<T>;
    const promise = (async () => {
      result = fn();
      await result.catch(() => undefined);
    })().finally(() => {
      this.current = null;
      this.pump();
    });
    this.current = { pending: null, promise };
    return result;
  }

  /** Re-queues one action (or every dead one) and delivers it now, in turn with runs. */
  async replay(sel: { actionId?: string; dead?: boolean }): Promise<{ actionIds: string[]; delivery: DeliverySummary }> {
    return this.exclusive(async () => {
      const actionIds = await replayActions(this.deps.warehouse, sel);
      const delivery = await deliverPending(this.deps.warehouse, deliveryConfig(this.deps.config), { clock: this.clock, logger: this.logger, actionIds });
      return { actionIds, delivery };
    });
  }

  /** Retries due webhook deliveries while idle; not a pipeline run, so not in pipeline_runs. */
  private async sweep(): Promise<void> {
    if (this.busy() || this.stopped) return;
    await this.exclusive(async () => {
      try {
        const now = this.clock.now();
        if ((await countDue(this.deps.warehouse, now)) > 0) {
          await deliverPending(this.deps.warehouse, deliveryConfig(this.deps.config), { clock: this.clock, logger: this.logger });
        }
        if ((await countDueAlerts(this.deps.warehouse, now)) > 0) {
          await deliverAlerts(this.deps.warehouse, this.deps.config, { clock: this.clock, logger: this.logger });
        }
      } catch (err) {
        this.logger.error('delivery sweep failed', { error: (err as Error).message });
      }
    });
  }

  status(): {
    running: { runId: string; jobs: string[]; trigger: RunTrigger; attempt: number } | { delivery: true } | null;
    queued: { runId: string; jobs: string[]; trigger: RunTrigger; attempt: number }[];
    retries: { runId: string; jobs: string[]; at: string }[];
    schedules: { name: string; cron: string; jobs: string[]; nextRunAt: string | null }[];
    timezone: string;
  } {
    const info = (p: Pending) => ({ runId: p.runId, jobs: p.jobs.map((j) => j.name), trigger: p.trigger, attempt: p.attempt });
    return {
      running: this.current ? (this.current.pending ? info(this.current.pending) : { delivery: true }) : null,
      queued: this.queue.map(info),
      retries: [...this.retryTimers.values()].map((r) => ({ runId: r.pending.runId, jobs: r.pending.jobs.map((j) => j.name), at: r.at.toISOString() })),
      schedules: this.schedule.runs.map((r) => ({
        name: r.name,
        cron: r.cron,
        jobs: r.jobs.length ? r.jobs : this.jobs.filter((j) => j.pipeline !== false).map((j) => j.name),
        nextRunAt: this.handles.get(r.name)?.nextRun()?.toISOString() ?? null,
      })),
      timezone: this.schedule.timezone,
    };
  }

  /**
   * The job runner (pipelines/core/job-runner.ts; the only implementation), so the API and the schedules share this lock:
   * isRunning() is true while a pipeline run is in progress or queued; done always resolves to a
   * RunOutcome (a run skipped at shutdown becomes a failed outcome saying so).
   */
  asJobRunner(): JobRunner {
    return {
      isRunning: () => Boolean(this.current?.pending) || this.queue.length > 0,
      start: (names, trigger, opts) => {
        const t = this.runNow(names, trigger, opts);
        const done = t.done.then((o): RunOutcome => {
          if (o.status !== 'skipped') return o;
          const now = this.clock.now();
          return { runId: o.runId, status: 'failed', startedAt: now, finishedAt: now, results: {}, error: new CxpError('CXP_ERR_JOB_RUNNING', o.reason) };
        });
        return { runId: t.runId, done };
      },
    };
  }

  /** Resolves when nothing runs or waits in the queue (retry timers aside). */
  async idle(): Promise<void> {
    while (this.current) await this.current.promise;
  }

  /**
   * Graceful shutdown: no new runs, queued runs and pending retries recorded as skipped, then waits
   * for the running job. After `timeoutMs` the run is asked to stop between jobs (AbortSignal), which
   * leaves the previous good state; stop() still waits for it to return.
   */
  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.stopped = true;
    for (const h of this.handles.values()) h.stop();
    this.handles.clear();
    for (const [, r] of this.retryTimers) {
      this.timers.clearTimeout(r.handle);
      await this.recordSkipped(r.pending, 'skipped: shutting down before the retry');
    }
    this.retryTimers.clear();
    for (const p of this.queue.splice(0)) await this.recordSkipped(p, 'skipped: shutting down');
    if (!this.current) return;
    const timeoutMs = opts.timeoutMs ?? this.schedule.shutdownTimeoutSeconds * 1000;
    const handle = setTimeout(() => this.abort.abort(), timeoutMs);
    try {
      await this.idle();
    } finally {
      clearTimeout(handle);
    }
  }
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  return new Scheduler(deps).start();
}
