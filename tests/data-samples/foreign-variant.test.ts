import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOREIGN_COLUMNS } from '../../data-samples/generator/foreign.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { silentLogger } from '../../pipelines/core/logger.js';
import { migrate } from '../../pipelines/core/migrate.js';
import { Warehouse } from '../../pipelines/core/warehouse.js';
import { loadConfig } from '../../pipelines/config/load-config.js';
import { runIngest } from '../../pipelines/sources/run-ingest.js';
import { Db, generateTo } from './helpers.js';

/**
 * The `foreign` variant is the benchmark's "data nobody tuned for": other column names, US timestamps and
 * many long-dead customers. Checked here against the files themselves, read by a separate DuckDB.
 */
const N = 1500;
let standard: string;
let foreign: string;
let db: Db;

beforeAll(async () => {
  standard = await generateTo({ customers: N, seed: 5 });
  foreign = await generateTo({ customers: N, seed: 5, variant: 'foreign' });
  db = await Db.open();
});
afterAll(() => {
  db.close();
  for (const d of [standard, foreign]) rmSync(d, { recursive: true, force: true });
});

const header = (dir: string, rel: string) => readFileSync(join(dir, rel), 'utf8').split('\n', 1)[0].split(',');

describe('foreign variant of the generator', () => {
  it('writes every source under its foreign column names with US-format timestamps', async () => {
    expect(header(foreign, 'customers.csv')).toEqual(Object.values(FOREIGN_COLUMNS.customers));
    expect(header(foreign, 'purchases/purchases-2025.csv')).toEqual(Object.values(FOREIGN_COLUMNS.purchases));
    expect(header(foreign, 'interactions.csv')).toEqual(Object.values(FOREIGN_COLUMNS.interactions));
    expect(header(foreign, 'surveys.csv').slice(0, 7)).toEqual(Object.values(FOREIGN_COLUMNS.surveys));
    const placed = await db.rows(`select "PlacedAt" as t from read_csv($p, all_varchar = true)`, { p: join(foreign, 'purchases', '*.csv') });
    expect(placed.length).toBeGreaterThan(1000);
    for (const r of placed) expect(String(r.t)).toMatch(/^(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])\/20\d\d \d\d:\d\d:\d\d$/);
  });

  it('has far more long-dead customers than the standard data', async () => {
    const deadShare = async (dir: string) => {
      const r = await db.rows(
        `select avg(case when dropped_at is not null and dropped_at::timestamp < timestamp '2026-10-31' - interval 365 day then 1.0 else 0 end) as s
         from read_csv($p, all_varchar = true) where is_prospect = 'false'`,
        { p: join(dir, 'truth.csv') },
      );
      return Number(r[0].s);
    };
    const s = await deadShare(standard);
    const f = await deadShare(foreign);
    expect(f).toBeGreaterThan(0.4);
    expect(f).toBeGreaterThan(2 * s);
  });

  it('loads through the config it writes: every row of every file loaded, none rejected', async () => {
    const config = loadConfig(join(foreign, 'cxpulse.config.json'));
    const wh = await Warehouse.open(join(foreign, 'warehouse.duckdb'));
    try {
      await migrate(wh);
      const s = await runIngest({ warehouse: wh, config, runId: 'foreign', clock: fixedClock('2026-11-01T00:00:00Z'), logger: silentLogger });
      const files: Record<string, string> = {
        customers: 'customers.csv', purchases: 'purchases/*.csv', interactions: 'interactions.csv', surveys: 'surveys.csv',
      };
      for (const [source, rel] of Object.entries(files)) {
        const lines = await db.rows(`select count(*) as n from read_csv($p, all_varchar = true)`, { p: join(foreign, rel) });
        const c = s.sources[source as keyof typeof s.sources]!;
        expect(c.rejected, source).toBe(0);
        expect(c.loaded, source).toBe(Number(lines[0].n));
      }
      // Timestamps read in the right order of month and day: the latest purchase is on the as-of date.
      const last = await wh.one<{ d: string }>(`select strftime(max(ordered_at), '%Y-%m-%d') as d from purchases`);
      expect(last!.d).toBe('2026-10-31');
    } finally {
      wh.close();
    }
  });
});
