import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { CxpError } from '../../../pipelines/core/errors.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import type { Job } from '../../../pipelines/jobs/types.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const config = resolveConfig({ sources: { purchases: { path: 'x.csv' } }, asOf: '2026-06-30' }, '/tmp');

/** Wraps a warehouse to count the as-of lookups (the latest-event query of pipelines/core/as-of.ts). */
function countAsOfLookups<T extends object>(wh: T): { counting: T; resolutions: () => number } {
  let n = 0;
  const counting = new Proxy(wh, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'one') {
        return (sql: string, params?: never) => {
          if (/max\(ordered_at\)/.test(sql) && /max\(submitted_at\)/.test(sql)) n++;
          return (v as (s: string, p?: never) => unknown).call(target, sql, params);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { counting, resolutions: () => n };
}

describe('runPipeline', () => {
  it('records a succeeded run with per-source counts and job results', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    const clock = fixedClock('2026-07-01T02:00:00Z');
    const jobs: Job[] = [
      { name: 'ingest', description: '', run: async () => ({ sources: { purchases: { read: 3, loaded: 2, updated: 0, duplicate: 1, rejected: 0 } } }) },
      { name: 'transform', description: '', run: async () => { clock.advance(1500); return { models: 0 }; } },
    ];
    const out = await runPipeline(jobs, { config, warehouse: wh, clock, logger: silentLogger }, { trigger: 'cli' });
    expect(out.status).toBe('succeeded');
    const row = await wh.one<{ status: string; jobs: string; as_of: Date; counts: string; job_results: string; finished_at: Date }>(
      'select status, jobs, as_of, counts, job_results, finished_at from pipeline_runs where run_id = $1',
      [out.runId],
    );
    expect(row?.status).toBe('succeeded');
    expect(row?.jobs).toBe('ingest,transform');
    expect(row?.as_of).toEqual(new Date('2026-06-30T00:00:00Z'));
    expect(row?.finished_at).toEqual(new Date('2026-07-01T02:00:01.500Z'));
    expect(JSON.parse(row!.counts)).toEqual({ purchases: { read: 3, loaded: 2, updated: 0, duplicate: 1, rejected: 0 } });
    expect(JSON.parse(row!.job_results).transform.status).toBe('succeeded');
  });

  it('stops at the first failing job and records its error', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    let ranAfter = false;
    const jobs: Job[] = [
      { name: 'ingest', description: '', run: async () => { throw new CxpError('CXP_ERR_SOURCE_MALFORMED', 'bad file', { where: 'in/x.csv' }); } },
      { name: 'transform', description: '', run: async () => { ranAfter = true; return {}; } },
    ];
    const out = await runPipeline(jobs, { config, warehouse: wh, clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger }, { trigger: 'api' });
    expect(out.status).toBe('failed');
    expect(ranAfter).toBe(false);
    expect(out.error?.code).toBe('CXP_ERR_SOURCE_MALFORMED');
    const row = await wh.one<{ status: string; error: string; trigger: string }>('select status, error, trigger from pipeline_runs');
    expect(row).toEqual({ status: 'failed', error: 'CXP_ERR_SOURCE_MALFORMED: bad file (at in/x.csv)', trigger: 'api' });
  });

  it('resolves the as-of once per run, after ingest, and every job reads that same date', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    const fromData = resolveConfig({ sources: { purchases: { path: 'x.csv' } } }, '/tmp');
    const { counting, resolutions } = countAsOfLookups(wh);
    const seen: (Date | undefined)[] = [];
    const read: Job = { name: 'score', description: '', run: async (ctx) => { seen.push(ctx.asOf); return {}; } };
    const jobs: Job[] = [
      {
        name: 'ingest',
        description: '',
        run: async (ctx) => {
          seen.push(ctx.asOf);
          await ctx.warehouse.run("insert into customers (customer_id) values ('c1')");
          await ctx.warehouse.run("insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('o1', 'c1', timestamp '2026-05-04 10:00:00', 10, 'completed')");
          return {};
        },
      },
      read,
      { ...read, name: 'export' },
    ];
    const out = await runPipeline(jobs, { config: fromData, warehouse: counting, clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger });
    expect(out.status).toBe('succeeded');
    expect(out.asOf).toBe('2026-05-04');
    expect(seen[0]).toBeUndefined(); // ingest runs before the date is known
    expect(seen[1]).toEqual(new Date('2026-05-04T00:00:00Z'));
    expect(seen[2]).toBe(seen[1]);
    expect(resolutions()).toBe(1);
  });

  it('looks the as-of up once on an empty warehouse too: the first job needing it fails, no lookup per job', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    const fromData = resolveConfig({ sources: { purchases: { path: 'x.csv' } } }, '/tmp');
    const { counting, resolutions } = countAsOfLookups(wh);
    const seen: (Date | undefined)[] = [];
    const jobs: Job[] = [
      { name: 'ingest', description: '', run: async () => ({}) },
      { name: 'transform', description: '', run: async (ctx) => { seen.push(ctx.asOf); return {}; } },
      { name: 'export', description: '', run: async (ctx) => { seen.push(ctx.asOf); return {}; } },
    ];
    const out = await runPipeline(jobs, { config: fromData, warehouse: counting, clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger });
    expect(out.status).toBe('succeeded');
    expect(out.asOf).toBeUndefined();
    expect(seen).toEqual([undefined, undefined]);
    // once before transform; not again before export, nor when the run is recorded
    expect(resolutions()).toBe(1);
  });
});
