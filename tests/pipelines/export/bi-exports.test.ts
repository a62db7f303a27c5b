/**
 * The exports as a BI analyst reads them, after two runs: as-of 2026-10-31, then an earlier as-of
 * 2026-09-30. Checked with DuckDB (globs, hive partitioning, the catalog) and with an independent
 * Parquet reader (hyparquet) for every file: counts and sums equal the warehouse, no double counting,
 * no row newer than its partition's as-of, partitions agree with the rows, and the BI types.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { SchemaTree } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { CATALOG_FILE } from '../../../pipelines/export/catalog.js';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { readManifest, type Manifest, type ManifestEntry } from '../../../pipelines/export/write-exports.js';
import { getJobs } from '../../../pipelines/jobs/registry.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';

vi.setConfig({ testTimeout: 120_000 });

const LATER = '2026-10-31';
const EARLIER = '2026-09-30';

// What a snapshot may hold at an as-of, stated here independently of the exporter: a customer who signed
// up later, or a mart day after the as-of, is not part of it.
const SNAPSHOT_DAY_COLUMN: Record<string, string> = {
  customers: 'signup_at',
  customer_360: 'signup_at',
  satisfaction_daily: 'response_on',
  service_kpis_daily: 'opened_on',
  service_kpis_tier_daily: 'opened_on',
  complaints_daily: 'opened_on',
  refunds_monthly: 'month_on',
};
const MONEY = new Set(['amount', 'net_revenue', 'gross_revenue', 'refunded_amount', 'monetary', 'expected_order_value', 'clv', 'value_at_stake']);
const COUNTS = new Set(['n', 'responses', 'promoters', 'passives', 'detractors', 'satisfied', 'interactions', 'complaints', 'frequency', 'recency_days', 'training_ms', 'holdout_days']);
// Wall-clock times (when a model was fitted), not data times: they may be later than the as-of.
const WALL_CLOCK = new Set(['created_at', 'trained_at']);

let dir: string;
let out: string;
let wh: Warehouse;
let manifest: Manifest;
/** Snapshot tables as the warehouse had them right after each run. */
const snapshots: Record<string, Record<string, Totals>> = { [LATER]: {}, [EARLIER]: {} };

type Totals = Record<string, number>;

function numericColumns(entry: ManifestEntry): string[] {
  return entry.columns.filter((c) => /^(DECIMAL|DOUBLE|FLOAT|INTEGER|BIGINT|SMALLINT|TINYINT)/.test(c.type)).map((c) => c.name);
}

/** count(*) and the sum of each numeric column of a relation, as plain numbers. */
async function totals(db: Warehouse, relation: string, cols: string[], where = 'true', params: (string | number)[] = []): Promise<Totals> {
  const sums = cols.map((c) => `coalesce(sum("${c}")::double, 0) as "${c}"`);
  const row = await db.one<Totals>(`select count(*)::bigint as __rows${sums.length ? ', ' + sums.join(', ') : ''} from ${relation} where ${where}`, params);
  return row!;
}

function expectTotalsClose(actual: Totals, expected: Totals, label: string): void {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  expect(actual.__rows, `${label} rows`).toBe(expected.__rows);
  for (const k of Object.keys(expected)) {
    // Money kept as DOUBLE in the warehouse is rounded to cents in the file.
    const tol = MONEY.has(k) ? 0.005 * expected.__rows + 1e-6 : Math.max(1e-9 * Math.abs(expected[k]), 1e-9);
    expect(Math.abs(actual[k] - expected[k]), `${label} sum(${k})`).toBeLessThanOrEqual(tol);
  }
}

function entriesOf(dataset: string, kind?: string): ManifestEntry[] {
  return manifest.datasets.filter((e) => e.dataset === dataset && (kind === undefined || e.kind === kind));
}

async function captureSnapshots(asOf: string): Promise<void> {
  for (const [name, dayCol] of Object.entries(SNAPSHOT_DAY_COLUMN)) {
    const ds = EXPORT_DATASETS.find((d) => d.name === name)!;
    const latest = readManifest(out).datasets.find((e) => e.dataset === name && e.kind === 'history' && e.as_of === asOf)!;
    snapshots[asOf][name] = await totals(wh, `"${ds.table}"`, numericColumns(latest), `"${dayCol}" is null or "${dayCol}" < $1::date + interval 1 day`, [asOf]);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-bi-'));
  out = join(dir, 'exports');
  const demo = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as Record<string, unknown>;
  const config = resolveConfig({ ...demo, warehouse: join(dir, 'warehouse.duckdb'), exports: { dir: out } }, fromRoot('data-samples'));
  wh = await Warehouse.open(config.warehouse);
  await migrate(wh);
  const jobs = getJobs(['ingest', 'transform', 'score', 'export']);
  const base = { config, warehouse: wh, logger: silentLogger };
  const first = await runPipeline(jobs, { ...base, clock: fixedClock('2026-11-01T03:00:00Z'), asOfOverride: new Date(`${LATER}T00:00:00Z`) }, { trigger: 'cli' });
  expect(first.error).toBeUndefined();
  await captureSnapshots(LATER);
  const second = await runPipeline(jobs, { ...base, clock: fixedClock('2026-11-02T03:00:00Z'), asOfOverride: new Date(`${EARLIER}T00:00:00Z`) }, { trigger: 'cli' });
  expect(second.error).toBeUndefined();
  await captureSnapshots(EARLIER);
  manifest = readManifest(out);
}, 900_000);

afterAll(() => {
  wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('exports after a run at a later as-of and then one at an earlier as-of', () => {
  it('latest/ stays on the newest as-of; both as-ofs have their history partition', () => {
    expect(manifest.latest_as_of).toBe(LATER);
    for (const name of Object.keys(SNAPSHOT_DAY_COLUMN)) {
      expect(entriesOf(name, 'latest').map((e) => e.as_of), name).toEqual([LATER]);
      expect(entriesOf(name, 'history').map((e) => e.as_of).sort(), name).toEqual([EARLIER, LATER]);
    }
    expect(entriesOf('rfm_history', 'history').map((e) => e.as_of).sort()).toEqual([EARLIER, LATER]);
  });

  it('sums over every dataset\'s glob equal the warehouse', async () => {
    for (const ds of EXPORT_DATASETS) {
      const files = entriesOf(ds.name);
      expect(files.length, ds.name).toBeGreaterThan(0);
      const cols = numericColumns(files[0]);
      if (ds.layout.kind === 'events' || ds.layout.kind === 'current') {
        const glob = join(out, ds.layout.kind === 'events' ? `events/${ds.name}/*/*.parquet` : `latest/${ds.name}/*.parquet`);
        const fromFiles = await totals(wh, `read_parquet('${glob}', hive_partitioning = false)`, cols);
        expectTotalsClose(fromFiles, await totals(wh, `"${ds.table}"`, cols), ds.name);
      } else if (ds.layout.kind === 'asof_history') {
        const asOfCol = ds.layout.asOfColumn;
        const glob = join(out, `history/${ds.name}/*/*.parquet`);
        const asOfs = await wh.all<{ d: string }>(`select distinct strftime("${asOfCol}", '%Y-%m-%d') as d from "${ds.table}" order by 1`);
        expect(entriesOf(ds.name).map((e) => e.as_of).sort(), ds.name).toEqual(asOfs.map((a) => a.d));
        for (const { d } of asOfs) {
          const fromFiles = await totals(wh, `read_parquet('${glob}', hive_partitioning = true)`, cols, 'as_of = $1::date', [d]);
          expectTotalsClose(fromFiles, await totals(wh, `"${ds.table}"`, cols, `"${asOfCol}" = $1::date`, [d]), `${ds.name}@${d}`);
        }
      } else {
        const histCols = numericColumns(entriesOf(ds.name, 'history')[0]);
        const latest = await totals(wh, `read_parquet('${join(out, `latest/${ds.name}/*.parquet`)}', hive_partitioning = false)`, histCols);
        expectTotalsClose(latest, snapshots[LATER][ds.name], `${ds.name} latest`);
        for (const asOf of [LATER, EARLIER]) {
          const glob = join(out, `history/${ds.name}/*/*.parquet`);
          const h = await totals(wh, `read_parquet('${glob}', hive_partitioning = true)`, histCols, 'as_of = $1::date', [asOf]);
          expectTotalsClose(h, snapshots[asOf][ds.name], `${ds.name}@${asOf}`);
        }
      }
    }
    // The issue's own example: revenue over purchases/** counted once.
    const revenue = await wh.one<{ files: number; warehouse: number }>(
      `select (select sum(amount) from read_parquet('${join(out, 'events/purchases/*/*.parquet')}'))::double as files,
              (select sum(amount) from purchases)::double as warehouse`,
    );
    expect(revenue!.files).toBe(revenue!.warehouse);
  });

  it('a glob over a dataset never double-counts a key', async () => {
    const keys: [string, string][] = [
      ['events/purchases', 'order_id'],
      ['events/interactions', 'interaction_id'],
      ['events/surveys', 'response_id'],
      ['events/survey_answers', 'response_id, question'],
      ['latest/customer_360', 'customer_id'],
      ['latest/customers', 'customer_id'],
      ['history/customer_360', 'as_of, customer_id'],
      ['history/rfm_history', 'as_of, customer_id'],
      ['latest/churn_models', 'model_id'],
    ];
    for (const [folder, key] of keys) {
      const glob = join(out, folder, folder.startsWith('latest') ? '*.parquet' : '*/*.parquet');
      const r = await wh.one<{ n: number; k: number }>(`select count(*) as n, count(distinct (${key})) as k from read_parquet('${glob}', hive_partitioning = ${folder.startsWith('history')})`);
      expect(r!.n, folder).toBeGreaterThan(0);
      expect(r!.k, folder).toBe(r!.n);
    }
  });

  it('no partition holds rows newer than its as-of', async () => {
    let checked = 0;
    for (const e of manifest.datasets) {
      if (e.as_of === null) continue;
      const file = join(out, e.path);
      for (const c of e.columns.filter((x) => /^(DATE|TIMESTAMP)/.test(x.type) && !WALL_CLOCK.has(x.name))) {
        const late = await wh.one<{ n: number }>(
          `select count(*) as n from read_parquet($1, hive_partitioning = false) where "${c.name}" >= $2::date + interval 1 day`,
          [file, e.as_of],
        );
        expect(late!.n, `${e.path} ${c.name}`).toBe(0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    // And the earlier snapshot really is an earlier one: it has fewer customers.
    const n = await wh.all<{ as_of: string; n: number }>(
      `select strftime(as_of, '%Y-%m-%d') as as_of, count(*) as n from read_parquet('${join(out, 'history/customer_360/*/*.parquet')}', hive_partitioning = true) group by 1 order by 1`,
    );
    expect(n[0].n).toBeLessThan(n[1].n);
  });

  it('partition columns and in-file columns never disagree', async () => {
    for (const e of manifest.datasets) {
      const inFile = e.columns.map((c) => c.name);
      for (const key of Object.keys(e.partition ?? {})) expect(inFile, `${e.path} holds its partition key ${key}`).not.toContain(key);
      // A reader using hive partitioning gets the partition value from the path, and it is the manifest's.
      if (e.partition) {
        const [[key, value]] = Object.entries(e.partition);
        expect(e.path).toContain(`/${key}=${value}/`);
      }
      if (e.kind === 'latest' && e.columns.some((c) => c.name === 'as_of_on')) {
        const r = await wh.one<{ bad: number }>(`select count(*) filter (where as_of_on <> $2::date) as bad from read_parquet($1)`, [join(out, e.path), e.as_of]);
        expect(r!.bad, e.path).toBe(0);
      }
    }
    // Event partitions: every row's event time falls in the month of its folder.
    for (const [name, col, key] of [['purchases', 'ordered_at', 'ordered_month'], ['interactions', 'opened_at', 'opened_month'], ['surveys', 'submitted_at', 'submitted_month']]) {
      const r = await wh.one<{ n: number; bad: number }>(
        `select count(*) as n, count(*) filter (where strftime(timezone('UTC', "${col}"), '%Y-%m') <> "${key}") as bad
         from read_parquet('${join(out, `events/${name}/*/*.parquet`)}', hive_partitioning = true, hive_types = {'${key}': VARCHAR})`,
      );
      expect(r!.n, name).toBeGreaterThan(0);
      expect(r!.bad, name).toBe(0);
    }
    // Survey answers sit in the month of their survey.
    const answers = await wh.one<{ n: number; bad: number }>(
      `select count(*) as n, count(*) filter (where a.submitted_month is distinct from s.submitted_month) as bad
       from read_parquet('${join(out, 'events/survey_answers/*/*.parquet')}', hive_partitioning = true, hive_types = {'submitted_month': VARCHAR}) a
       left join read_parquet('${join(out, 'events/surveys/*/*.parquet')}', hive_partitioning = true, hive_types = {'submitted_month': VARCHAR}) s using (response_id)`,
    );
    expect(answers!.n).toBeGreaterThan(0);
    expect(answers!.bad).toBe(0);
  });

  it('the manifest lists schema, rows, sha256, as-of and run id of every file, and exactly the files there are', async () => {
    const { createHash } = await import('node:crypto');
    const { readdirSync } = await import('node:fs');
    const onDisk = (readdirSync(out, { recursive: true }) as string[]).filter((p) => p.endsWith('.parquet')).sort();
    expect(manifest.datasets.map((e) => e.path).sort()).toEqual(onDisk);
    const runs = await wh.all<{ run_id: string }>('select run_id from pipeline_runs');
    for (const e of manifest.datasets) {
      expect(createHash('sha256').update(readFileSync(join(out, e.path))).digest('hex'), e.path).toBe(e.sha256);
      expect(runs.map((r) => r.run_id)).toContain(e.run_id);
      expect([LATER, EARLIER]).toContain(e.run_as_of);
      expect(e.columns.length).toBeGreaterThan(0);
      const layout = EXPORT_DATASETS.find((d) => d.name === e.dataset)!.layout.kind;
      if (layout !== 'events' && layout !== 'current') expect(e.as_of, e.path).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});

describe('an independent Parquet reader (hyparquet)', () => {
  function leaf(tree: SchemaTree, name: string): SchemaTree {
    const node = tree.children.find((c) => c.element.name === name);
    expect(node, name).toBeDefined();
    return node!;
  }

  it('reads every exported file, with the rows the manifest says and the BI types', async () => {
    let timestamps = 0;
    let money = 0;
    let dictionaries = 0;
    for (const e of manifest.datasets) {
      const buf = readFileSync(join(out, e.path));
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const meta = parquetMetadata(file);
      const rows = await parquetReadObjects({ file });
      expect(rows.length, e.path).toBe(e.rows);
      const tree = parquetSchema(meta);
      expect(tree.children.map((c) => c.element.name), e.path).toEqual(e.columns.map((c) => c.name));
      const ds = EXPORT_DATASETS.find((d) => d.name === e.dataset)!;
      for (const node of tree.children) {
        const el = node.element;
        const where = `${e.path} ${el.name}`;
        if (el.logical_type?.type === 'TIMESTAMP' || el.converted_type === 'TIMESTAMP_MICROS' || el.converted_type === 'TIMESTAMP_MILLIS') {
          expect(el.logical_type, where).toMatchObject({ type: 'TIMESTAMP', isAdjustedToUTC: true });
          timestamps++;
        }
        if (el.name.endsWith('_id')) {
          expect(el.type, where).toBe('BYTE_ARRAY');
          expect(el.logical_type?.type === 'STRING' || el.converted_type === 'UTF8', where).toBe(true);
        }
        if (MONEY.has(el.name)) {
          expect(el.logical_type, where).toMatchObject({ type: 'DECIMAL', scale: 2 });
          money++;
        }
        if (el.name.startsWith('count_') || COUNTS.has(el.name)) expect(['INT32', 'INT64'], where).toContain(el.type);
        if (el.type === 'DOUBLE') expect(el.name.startsWith('count_'), where).toBe(false);
      }
      if (e.dataset === 'customer_360') {
        // churn_reasons: LIST of STRUCT(feature, text, contribution), read back as objects.
        const list = leaf(tree, 'churn_reasons');
        expect(list.element.logical_type?.type ?? list.element.converted_type).toMatch(/LIST/);
        const element = list.children[0].children[0];
        expect(element.children.map((c) => c.element.name)).toEqual(['feature', 'text', 'contribution']);
        const withReasons = rows.find((r) => Array.isArray(r.churn_reasons) && (r.churn_reasons as unknown[]).length > 0);
        expect(withReasons, e.path).toBeDefined();
        const first = (withReasons!.churn_reasons as Record<string, unknown>[])[0];
        expect(typeof first.feature).toBe('string');
        expect(typeof first.text).toBe('string');
        expect(typeof first.contribution).toBe('number');
      }
      // Categories are dictionary-encoded, as BI tools expect for group-bys.
      if (e.rows > 0) {
        for (const cat of ds.categories ?? []) {
          const chunk = meta.row_groups[0].columns.find((c) => c.meta_data?.path_in_schema.join('.') === cat);
          expect(chunk, `${e.path} ${cat}`).toBeDefined();
          expect(chunk!.meta_data!.encodings.some((x) => /DICTIONARY/.test(x)), `${e.path} ${cat} encodings ${chunk!.meta_data!.encodings.join(',')}`).toBe(true);
          dictionaries++;
        }
      }
    }
    expect(timestamps).toBeGreaterThan(50);
    expect(money).toBeGreaterThan(20);
    expect(dictionaries).toBeGreaterThan(50);
  });

  it('sums the revenue of every purchases partition to the warehouse total, and counts every event once', async () => {
    for (const [name, table] of [['purchases', 'purchases'], ['interactions', 'interactions'], ['surveys', 'surveys'], ['survey_answers', 'survey_answers']]) {
      let n = 0;
      let cents = 0;
      for (const e of entriesOf(name)) {
        const buf = readFileSync(join(out, e.path));
        const rows = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
        n += rows.length;
        if (name === 'purchases') for (const r of rows) cents += Math.round(Number(r.amount) * 100);
      }
      const w = await wh.one<{ n: number; cents: number }>(`select count(*) as n, coalesce(sum(amount * 100), 0)::bigint as cents from (select ${name === 'purchases' ? 'amount' : '0 as amount'} from "${table}")`);
      expect(n, name).toBe(w!.n);
      if (name === 'purchases') expect(cents).toBe(w!.cents);
    }
  });
});

describe('the catalog exports/cxpulse.duckdb', () => {
  async function viewCounts(catalog: string, searchPath: string): Promise<Record<string, number>> {
    const db = await Warehouse.open(catalog, { readOnly: true, settings: { file_search_path: searchPath } });
    try {
      const views = await db.all<{ view_name: string }>("select view_name from duckdb_views() where not internal order by 1");
      const outCounts: Record<string, number> = {};
      for (const v of views) outCounts[v.view_name] = (await db.one<{ n: number }>(`select count(*) as n from "${v.view_name}"`))!.n;
      return outCounts;
    } finally {
      db.close();
    }
  }

  it('has a view per dataset with the same rows as the files, with column comments', async () => {
    const counts = await viewCounts(join(out, CATALOG_FILE), out);
    for (const ds of EXPORT_DATASETS) {
      const glob = ds.layout.kind === 'events' ? `events/${ds.name}/*/*.parquet` : ds.layout.kind === 'asof_history' ? `history/${ds.name}/*/*.parquet` : `latest/${ds.name}/*.parquet`;
      const n = await wh.one<{ n: number }>(`select count(*) as n from read_parquet('${join(out, glob)}', hive_partitioning = false)`);
      expect(counts[ds.name], ds.name).toBe(n!.n);
      if (ds.layout.kind === 'snapshot') {
        const h = await wh.one<{ n: number }>(`select count(*) as n from read_parquet('${join(out, `history/${ds.name}/*/*.parquet`)}', hive_partitioning = false)`);
        expect(counts[`${ds.name}_history`], ds.name).toBe(h!.n);
      }
    }
    const db = await Warehouse.open(join(out, CATALOG_FILE), { readOnly: true, settings: { file_search_path: out } });
    try {
      const c = await db.all<{ table_name: string; column_name: string; comment: string | null; data_type: string }>(
        "select table_name, column_name, comment, data_type from duckdb_columns() where table_name in ('purchases', 'customer_360_history', 'customer_360')",
      );
      const get = (t: string, col: string) => c.find((x) => x.table_name === t && x.column_name === col);
      expect(get('purchases', 'status')?.comment).toMatch(/completed \| refunded \| cancelled/);
      expect(get('purchases', 'ordered_month')?.comment).toMatch(/UTC month/);
      expect(get('customer_360_history', 'as_of')).toMatchObject({ data_type: 'DATE' });
      expect(get('customer_360', 'churn_reasons')?.data_type).toMatch(/^STRUCT\(.*\)\[\]$/);
      expect(get('customer_360', 'churn_reasons')?.comment).toMatch(/strongest first/);
      const files = await db.one<{ n: number }>('select count(*) as n from cxpulse_files');
      expect(files!.n).toBe(manifest.datasets.length);
    } finally {
      db.close();
    }
  });

  it('uses relative paths: the folder can move', async () => {
    const moved = join(dir, 'moved-elsewhere', 'bi');
    cpSync(out, moved, { recursive: true });
    expect(await viewCounts(join(moved, CATALOG_FILE), moved)).toEqual(await viewCounts(join(out, CATALOG_FILE), out));
    rmSync(join(dir, 'moved-elsewhere'), { recursive: true, force: true });
  });
});
