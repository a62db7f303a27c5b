import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { CxpError } from '../../../pipelines/core/errors.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import type { Warehouse } from '../../../pipelines/core/warehouse.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import type { Job, JobContext } from '../../../pipelines/jobs/types.js';
import { CANONICAL_TABLES, canonicalContent } from '../../../pipelines/jobs/up-to-date.js';
import { transformJob } from '../../../pipelines/jobs/transform-job.js';
import { scoreJob } from '../../../pipelines/jobs/score-job.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function warehouse(): Promise<Warehouse> {
  const { wh, cleanup } = await tempWarehouse();
  cleanups.push(cleanup);
  return wh;
}

/** Two SQL literals of a column type that differ (the test's own values, not the code's). */
function twoValues(type: string): [string, string] {
  if (type === 'VARCHAR') return ["'a'", "'b'"];
  if (type === 'TIMESTAMP') return ["timestamp '2026-01-01 10:00:00'", "timestamp '2026-02-01 11:30:00'"];
  if (type.startsWith('DECIMAL')) return ['1.50', '2.25'];
  if (type === 'BOOLEAN') return ['true', 'false'];
  if (type === 'INTEGER') return ['3', '9'];
  if (type === 'DOUBLE') return ['0.5', '4.0'];
  if (type === 'JSON') return [`'{"plan": "basic"}'::json`, `'{"plan": "pro"}'::json`];
  if (type === 'DATE') return ["date '2026-01-01'", "date '2026-03-01'"];
  if (type === 'BIGINT') return ['1', '2'];
  throw new Error(`test has no values for type ${type}`);
}

type Cols = { name: string; type: string }[];

async function columnsOf(wh: Warehouse, table: string): Promise<Cols> {
  const rows = await wh.all<{ column_name: string; data_type: string }>(
    `select column_name, data_type from information_schema.columns where table_name = $1 order by ordinal_position`,
    [table],
  );
  return rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

/** Replaces the table's rows with `rows` (one array of SQL literals per row). */
async function load(wh: Warehouse, table: string, rows: string[][]): Promise<void> {
  await wh.run(`delete from ${table}`);
  for (const r of rows) await wh.run(`insert into ${table} values (${r.join(', ')})`);
}

describe('canonical content digest', () => {
  it('is what sql/core/010_canonical.sql creates, every table of it', () => {
    const ddl = readFileSync(fromRoot('sql', 'core', '010_canonical.sql'), 'utf8');
    const created = [...ddl.matchAll(/create table if not exists (\w+)/g)].map((m) => m[1]);
    expect([...CANONICAL_TABLES].sort()).toEqual(created.sort());
  });

  it('changes when any one value of any canonical table changes, or two rows swap a value; not with row order', async () => {
    const wh = await warehouse();
    for (const table of CANONICAL_TABLES) {
      const cols = await columnsOf(wh, table);
      const pairs = cols.map((c) => twoValues(c.type));
      const rowA = pairs.map((p) => p[0]);
      const rowB = pairs.map((p) => p[1]);
      await load(wh, table, [rowA, rowB]);
      const base = await canonicalContent(wh);
      await load(wh, table, [rowB, rowA]);
      expect(await canonicalContent(wh), `${table}: the same rows in another order`).toBe(base);
      for (const [j, col] of cols.entries()) {
        const copied = [...rowA];
        copied[j] = rowB[j];
        await load(wh, table, [copied, rowB]);
        expect(await canonicalContent(wh), `${table}.${col.name}: one value changed`).not.toBe(base);
        const swappedA = [...rowA];
        const swappedB = [...rowB];
        swappedA[j] = rowB[j];
        swappedB[j] = rowA[j];
        await load(wh, table, [swappedA, swappedB]);
        expect(await canonicalContent(wh), `${table}.${col.name}: two rows swap their values`).not.toBe(base);
      }
      await load(wh, table, [rowA, rowB, rowB]);
      expect(await canonicalContent(wh), `${table}: a duplicate row`).not.toBe(base);
      await load(wh, table, [rowA, rowB]);
      expect(await canonicalContent(wh)).toBe(base);
      await wh.run(`delete from ${table}`);
    }
  });
});

/** Fake jobs with the real jobs' dependencies, counting their runs. */
function pipeline(opts: { failScore?: () => boolean; modelId?: () => string; exportsInPlace?: () => boolean } = {}) {
  const runs: string[] = [];
  const job = (name: string, extra: Partial<Job>): Job => ({
    name,
    description: '',
    run: async () => {
      if (name === 'score' && opts.failScore?.()) throw new CxpError('CXP_ERR_JOB_FAILED', 'score broke');
      runs.push(name);
      return { ran: true };
    },
    ...extra,
  });
  const jobs: Job[] = [
    job('ingest', {}),
    job('transform', { upToDate: { after: [] } }),
    job('score', { upToDate: { after: ['transform'], state: async () => `model ${opts.modelId?.() ?? 'm1'}` } }),
    job('export', { upToDate: { after: ['transform', 'score'], inPlace: () => opts.exportsInPlace?.() ?? true } }),
    job('triggers', {}),
  ];
  return { jobs, runs };
}

const baseConfig = resolveConfig({ sources: { purchases: { path: 'x.csv' } }, asOf: '2026-06-30' }, '/tmp');

async function run(wh: Warehouse, jobs: Job[], extra: Partial<JobContext> = {}) {
  return runPipeline(jobs, { config: baseConfig, warehouse: wh, clock: fixedClock('2026-07-01T02:00:00Z'), logger: silentLogger, ...extra }, { trigger: 'cli' });
}

const purchase = (id: string, amount: string) => `insert into purchases (order_id, customer_id, ordered_at, amount, status, channel) values ('${id}', 'C1', timestamp '2026-06-01 10:00:00', ${amount}, 'completed', 'web')`;

describe('up-to-date jobs', () => {
  it('skips transform, score and export when nothing they read changed, and says since which run', async () => {
    const wh = await warehouse();
    await wh.run(purchase('O1', '10.00'));
    const p = pipeline();
    const first = await run(wh, p.jobs);
    expect(p.runs).toEqual(['ingest', 'transform', 'score', 'export', 'triggers']);
    p.runs.length = 0;
    const second = await run(wh, p.jobs);
    expect(second.status).toBe('succeeded');
    // ingest and triggers always run: ingest finds what is new, triggers deliver and expire actions.
    expect(p.runs).toEqual(['ingest', 'triggers']);
    for (const j of ['transform', 'score', 'export']) expect(second.results[j]).toMatchObject({ up_to_date: { since_run_id: first.runId } });
    const row = await wh.one<{ job_results: string }>('select job_results from pipeline_runs where run_id = $1', [second.runId]);
    expect(JSON.parse(row!.job_results).score).toMatchObject({ status: 'succeeded', summary: { up_to_date: { since_run_id: first.runId } } });
  });

  it('runs them again after a change to the data, the as-of or the configuration, and with force', async () => {
    const wh = await warehouse();
    await wh.run(purchase('O1', '10.00'));
    const p = pipeline();
    await run(wh, p.jobs);
    const again = async (extra: Partial<JobContext> = {}) => {
      p.runs.length = 0;
      await run(wh, p.jobs, extra);
      return [...p.runs];
    };
    const all = ['ingest', 'transform', 'score', 'export', 'triggers'];
    await wh.run(`update purchases set amount = 10.01 where order_id = 'O1'`);
    expect(await again()).toEqual(all);
    expect(await again()).toEqual(['ingest', 'triggers']);
    await wh.run(`delete from purchases`);
    expect(await again(), 'an erasure').toEqual(all);
    expect(await again({ asOfOverride: new Date('2026-06-29T00:00:00Z') }), 'another as-of').toEqual(all);
    expect(await again({ asOfOverride: new Date('2026-06-29T00:00:00Z') })).toEqual(['ingest', 'triggers']);
    const otherConfig = resolveConfig({ sources: { purchases: { path: 'x.csv' } }, asOf: '2026-06-29', churn: { horizonDays: 60 } }, '/tmp');
    expect(await again({ config: otherConfig }), 'a configuration change').toEqual(all);
    expect(await again({ config: otherConfig, force: true }), 'forced').toEqual(all);
    // --full also marks the sources for a full reload: that alone changes no result.
    const reload = resolveConfig({ sources: { purchases: { path: 'x.csv' } }, asOf: '2026-06-29', churn: { horizonDays: 60 } }, '/tmp');
    reload.sources.purchases!.fullReload = true;
    expect(await again({ config: reload })).toEqual(['ingest', 'triggers']);
  });

  it('runs score again when transform has run on other inputs since score last ran', async () => {
    const wh = await warehouse();
    await wh.run(purchase('O1', '10.00'));
    const p = pipeline();
    await run(wh, p.jobs);
    await wh.run(purchase('O2', '20.00'));
    // score alone, on the old marts (transform not run): it records what it ran after.
    p.runs.length = 0;
    await run(wh, p.jobs.filter((j) => j.name === 'score'));
    expect(p.runs).toEqual(['score']);
    p.runs.length = 0;
    await run(wh, p.jobs);
    expect(p.runs).toEqual(['ingest', 'transform', 'score', 'export', 'triggers']);
  });

  it('runs a job again after it failed, even on the same inputs; the jobs before it stay skipped', async () => {
    const wh = await warehouse();
    await wh.run(purchase('O1', '10.00'));
    let fail = false;
    const p = pipeline({ failScore: () => fail });
    await run(wh, p.jobs);
    fail = true;
    p.runs.length = 0;
    // score alone, forced, fails half-way on the same inputs: the record of its earlier success must not survive.
    const failed = await run(wh, p.jobs.filter((j) => j.name === 'score'), { force: true });
    expect(failed.status).toBe('failed');
    expect(p.runs).toEqual([]);
    fail = false;
    p.runs.length = 0;
    await run(wh, p.jobs);
    expect(p.runs).toEqual(['ingest', 'score', 'export', 'triggers']);
  });

  it('runs score when its own state changed (another active model), and export when its files are gone', async () => {
    const wh = await warehouse();
    await wh.run(purchase('O1', '10.00'));
    let model = 'm1';
    let inPlace = true;
    const p = pipeline({ modelId: () => model, exportsInPlace: () => inPlace });
    await run(wh, p.jobs);
    model = 'm2';
    p.runs.length = 0;
    await run(wh, p.jobs);
    expect(p.runs).toEqual(['ingest', 'score', 'export', 'triggers']);
    inPlace = false;
    p.runs.length = 0;
    await run(wh, p.jobs);
    expect(p.runs).toEqual(['ingest', 'export', 'triggers']);
  });
});

describe('the real jobs', () => {
  it('transform and score are not up to date while a table they build is missing (dropped by hand)', async () => {
    const wh = await warehouse();
    const ctx = { config: baseConfig, warehouse: wh, runId: 'r', clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger, results: {} } as JobContext;
    const sqlModels = readdirSync(fromRoot('sql', 'marts')).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, ''));
    const intermediate = readdirSync(fromRoot('sql', 'intermediate')).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, ''));
    expect(await transformJob.upToDate!.inPlace!(ctx)).toBe(false);
    for (const m of [...sqlModels, ...intermediate]) await wh.run(`create table ${m} (x integer)`);
    expect(await transformJob.upToDate!.inPlace!(ctx)).toBe(true);
    await wh.run(`drop table ${sqlModels[0]}`);
    expect(await transformJob.upToDate!.inPlace!(ctx)).toBe(false);
    expect(await scoreJob.upToDate!.inPlace!(ctx)).toBe(false);
    await wh.run('create table at_risk_list (x integer)');
    await wh.run('create table customer_360 (x integer)');
    expect(await scoreJob.upToDate!.inPlace!(ctx)).toBe(true);
    expect(scoreJob.upToDate!.after).toEqual(['transform']);
  });
});
