import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import type { Job } from '../../../pipelines/jobs/types.js';
import type { JobRunner } from '../../../pipelines/core/job-runner.js';
import { Scheduler, startScheduler } from '../../../pipelines/scheduler/scheduler.js';
import { deferred, fakeCron, fakeTimers, settle, until } from './fakes.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type Run = {
  run_id: string;
  status: string;
  jobs: string;
  trigger: string;
  attempt: number;
  error: string | null;
};

async function setup(schedule: Record<string, unknown>, jobs: Job[]) {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-sched-'));
  const config = resolveConfig({ sources: { customers: { path: 'c.csv' } }, warehouse: 'wh.duckdb', schedule }, dir);
  const warehouse = await Warehouse.open(config.warehouse);
  await migrate(warehouse);
  const clock = fixedClock('2026-11-24T02:00:00Z');
  const cron = fakeCron();
  const timers = fakeTimers(clock);
  const scheduler: Scheduler = startScheduler({ config, warehouse, clock, cron, timers, jobs });
  cleanup.push(async () => {
    await scheduler.stop({ timeoutMs: 100 });
    warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const runs = () => warehouse.all<Run>('select run_id, status, jobs, trigger, attempt, error from pipeline_runs order by rowid');
  return { scheduler, cron, timers, clock, runs, warehouse };
}

/** A job that counts how many runs are inside it at once, and can be held open. */
function gatedJob(name: string, state: { inside: number; max: number; calls: number }, gate?: () => Promise<void>, fail?: (call: number) => boolean): Job {
  return {
    name,
    description: name,
    async run() {
      state.calls++;
      const call = state.calls;
      state.inside++;
      state.max = Math.max(state.max, state.inside);
      try {
        if (gate) await gate();
        if (fail?.(call)) throw new Error(`${name} broke on call ${call}`);
        return { call };
      } finally {
        state.inside--;
      }
    },
  };
}

describe('Scheduler', () => {
  it('schedules the configured runs plus the delivery sweep (defaults: hourly ingest, nightly pipeline)', async () => {
    const s = await setup({}, [gatedJob('ingest', { inside: 0, max: 0, calls: 0 })]);
    expect(s.cron.names().sort()).toEqual(['delivery-sweep', 'ingest-hourly', 'nightly']);
    expect(s.scheduler.status().schedules.map((x) => [x.name, x.cron])).toEqual([
      ['ingest-hourly', '0 * * * *'],
      ['nightly', '30 2 * * *'],
    ]);
  });

  it('never overlaps: a tick while a run is in progress is skipped and recorded', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    const gate = deferred();
    const s = await setup({}, [gatedJob('ingest', state, () => gate.promise), gatedJob('transform', state)]);
    s.cron.fire('nightly');
    await until(() => state.inside === 1);
    s.cron.fire('ingest-hourly');
    s.cron.fire('nightly');
    await settle();
    gate.resolve();
    await settle();
    await s.scheduler.idle();
    expect(state.max).toBe(1);
    let runs = await s.runs();
    for (let i = 0; i < 200 && runs.length < 3; i++) runs = await settle(10).then(s.runs);
    expect(runs[0]).toMatchObject({ jobs: 'ingest,transform', status: 'succeeded' });
    // The two skips are recorded concurrently: their order is not defined.
    const skipped = runs.slice(1).sort((a, b) => a.jobs.localeCompare(b.jobs));
    expect(skipped.map((r) => [r.jobs, r.status, r.trigger])).toEqual([
      ['ingest', 'skipped', 'schedule'],
      ['ingest,transform', 'skipped', 'schedule'],
    ]);
    for (const r of skipped) expect(r.error).toContain(`run ${runs[0].run_id} (ingest,transform) is still running`);
  });

  it('a webhook sweep or replay holding the lock delays a scheduled run instead of skipping it', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    const s = await setup({}, [gatedJob('ingest', state), gatedJob('transform', state)]);
    const sweep = deferred();
    // Stand-in for a slow delivery sweep: the same exclusive lock the sweep and replay take.
    const held = (s.scheduler as unknown as { exclusive(fn: () => Promise<void>): Promise<void> }).exclusive(() => sweep.promise);
    s.cron.fire('nightly');
    await settle();
    expect(state.calls).toBe(0);
    sweep.resolve();
    await held;
    await until(() => state.calls === 2);
    await s.scheduler.idle();
    const runs = await s.runs();
    expect(runs.map((r) => [r.jobs, r.status, r.trigger])).toEqual([['ingest,transform', 'succeeded', 'schedule']]);
  });

  it('runs of a job that is up to date skip it; force (the API\'s ?force=true) runs it, queued apart from an unforced request', async () => {
    let calls = 0;
    const score: Job = { name: 'score', description: '', upToDate: { after: [] }, run: async () => ({ call: ++calls }) };
    const s = await setup({ runs: {} }, [score]);
    await s.scheduler.runNow(['score'], 'api').done;
    const again = await s.scheduler.runNow(['score'], 'api').done;
    expect(calls).toBe(1);
    expect((again as { results: Record<string, unknown> }).results.score).toMatchObject({ up_to_date: {} });
    const forced = s.scheduler.asJobRunner().start(['score'], 'api', { force: true });
    const plain = s.scheduler.runNow(['score'], 'api');
    expect(plain.runId).not.toBe(forced.runId);
    await Promise.all([forced.done, plain.done]);
    expect(calls).toBe(2);
  });

  it('runNow queues behind the running run, dedupes identical queued requests, and rejects unknown jobs', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    const gate = deferred();
    const s = await setup({}, [gatedJob('ingest', state, () => gate.promise), gatedJob('score', state)]);
    const a = s.scheduler.runNow(['ingest'], 'api');
    expect(a.status).toBe('running');
    const b = s.scheduler.runNow(['score'], 'api');
    const c = s.scheduler.runNow(['score'], 'api');
    expect(b.status).toBe('queued');
    expect(c.runId).toBe(b.runId);
    expect(s.scheduler.status().queued.map((q) => q.jobs)).toEqual([['score']]);
    expect(() => s.scheduler.runNow(['nope'])).toThrow(expect.objectContaining({ code: 'CXP_ERR_JOB_UNKNOWN' }));
    gate.resolve();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.status).toBe('succeeded');
    expect(rb.status).toBe('succeeded');
    expect(state.max).toBe(1);
    expect((await s.runs()).map((r) => [r.jobs, r.trigger, r.status])).toEqual([
      ['ingest', 'api', 'succeeded'],
      ['score', 'api', 'succeeded'],
    ]);
  });

  it('retries a failed run with exponential backoff on the injected clock, then succeeds', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    const s = await setup({ retry: { maxAttempts: 3, initialDelaySeconds: 60, factor: 2 } }, [gatedJob('ingest', state, undefined, (call) => call <= 2)]);
    const t = s.scheduler.runNow(['ingest'], 'api');
    await until(() => s.timers.pending().length === 1);
    expect(state.calls).toBe(1);
    expect(s.timers.pending()).toEqual([60_000]);
    s.timers.advance(59_999);
    await settle();
    expect(state.calls).toBe(1);
    s.timers.advance(1);
    await until(() => s.timers.pending().length === 1);
    expect(state.calls).toBe(2);
    expect(s.timers.pending()).toEqual([120_000]);
    s.timers.advance(120_000);
    const out = await t.done;
    expect(out.status).toBe('succeeded');
    const runs = await s.runs();
    expect(runs.map((r) => [r.run_id, r.attempt, r.status])).toEqual([
      [t.runId, 1, 'retrying'],
      [`${t.runId}.2`, 2, 'retrying'],
      [`${t.runId}.3`, 3, 'succeeded'],
    ]);
    expect(runs[0].error).toMatch(/ingest broke on call 1.*attempt 1 of 3; retry at 2026-11-24T02:01:00.000Z/);
  });

  it('gives up after maxAttempts with the error recorded, and later runs continue', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    let broken = true;
    const s = await setup({ retry: { maxAttempts: 2, initialDelaySeconds: 5 } }, [gatedJob('ingest', state, undefined, () => broken)]);
    s.cron.fire('ingest-hourly');
    await until(() => s.timers.pending().length === 1);
    s.timers.advance(5_000);
    await until(() => state.calls === 2);
    await s.scheduler.idle();
    let runs = await s.runs();
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'retrying'],
      [2, 'failed'],
    ]);
    expect(runs[1].error).toMatch(/^CXP_ERR_JOB_FAILED: ingest broke on call 2/);
    expect(s.timers.pending()).toEqual([]);
    broken = false;
    s.clock.advance(3_600_000);
    s.cron.fire('ingest-hourly');
    await settle();
    await s.scheduler.idle();
    runs = await s.runs();
    expect(runs.at(-1)).toMatchObject({ attempt: 1, status: 'succeeded', trigger: 'schedule' });
  });

  it('graceful shutdown waits for the running job and records queued runs and pending retries as skipped', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    const gate = deferred();
    const s = await setup({}, [gatedJob('ingest', state, () => gate.promise), gatedJob('export', state)]);
    const running = s.scheduler.runNow(['ingest']);
    await until(() => state.inside === 1);
    const queued = s.scheduler.runNow(['export']);
    let stopped = false;
    const stopping = s.scheduler.stop({ timeoutMs: 10_000 }).then(() => (stopped = true));
    await settle(50);
    expect(stopped).toBe(false);
    expect(await queued.done).toMatchObject({ status: 'skipped', reason: 'skipped: shutting down' });
    gate.resolve();
    await stopping;
    expect(stopped).toBe(true);
    expect((await running.done).status).toBe('succeeded');
    expect(() => s.scheduler.runNow(['ingest'])).toThrow(/shutting down/);
    expect((await s.runs()).map((r) => [r.jobs, r.status])).toEqual([
      ['ingest', 'succeeded'],
      ['export', 'skipped'],
    ]);
  });

  it('after the shutdown timeout the run is stopped between jobs, keeping the previous state', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    const gate = deferred();
    const second = { inside: 0, max: 0, calls: 0 };
    const s = await setup({}, [gatedJob('ingest', state, () => gate.promise), gatedJob('transform', second)]);
    const t = s.scheduler.runNow([]);
    await until(() => state.inside === 1);
    const stopping = s.scheduler.stop({ timeoutMs: 20 });
    await settle(60);
    gate.resolve();
    await stopping;
    const out = await t.done;
    expect(out.status).toBe('failed');
    expect(second.calls).toBe(0);
    expect((await s.runs())[0].error).toMatch(/run stopped before job transform: shutting down/);
  });

  it('asJobRunner gives the API the same lock: busy while a run is in progress, outcome when done', async () => {
    const state = { inside: 0, max: 0, calls: 0 };
    const gate = deferred();
    const s = await setup({}, [gatedJob('ingest', state, () => gate.promise)]);
    // Typed as the dashboards' interface: this line fails typecheck if the two drift apart.
    const runner: JobRunner = s.scheduler.asJobRunner();
    expect(runner.isRunning()).toBe(false);
    const { runId, done } = runner.start(['ingest'], 'api');
    expect(runner.isRunning()).toBe(true);
    s.cron.fire('ingest-hourly');
    gate.resolve();
    const out = await done;
    expect(out).toMatchObject({ runId, status: 'succeeded' });
    expect(runner.isRunning()).toBe(false);
    expect(state.max).toBe(1);
  });
});
