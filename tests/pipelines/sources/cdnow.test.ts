import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { loadConfig } from '../../../pipelines/config/load-config.js';
import { runIngest } from '../../../pipelines/sources/run-ingest.js';

// The real CDNOW files checked in under data-samples/cdnow (never ../shared), loaded through their configs.
const CDNOW = fromRoot('data-samples', 'cdnow');

/** Independent reading of the file in plain JS: records, distinct customers, total dollars (cents). */
function summarise(file: string, header: boolean, customerField: number, amountField: number) {
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const rows = (header ? lines.slice(1) : lines).map((l) => l.split(/\s+/));
  const cents = rows.reduce((s, r) => s + Math.round(Number(r[amountField]) * 100), 0);
  return { rows: rows.length, customers: new Set(rows.map((r) => r[customerField])).size, cents };
}

describe('CDNOW purchase data through a config (runs of spaces, CRLF, YYYYMMDD)', () => {
  let dir: string;
  let wh: Warehouse;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cxp-cdnow-'));
    wh = await Warehouse.open(join(dir, 'warehouse.duckdb'));
    await migrate(wh);
  });
  afterEach(() => {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function load(configName: string) {
    // The checked-in config, with its warehouse redirected to the temp dir.
    const config = loadConfig(join(CDNOW, configName));
    config.warehouse = join(dir, 'warehouse.duckdb');
    return runIngest({ warehouse: wh, config, runId: 'cdnow', clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger });
  }

  it('CDNOW_master.txt: 69,659 purchases, 23,570 customers, dollars and dates intact; a re-run changes nothing', async () => {
    const raw = readFileSync(join(CDNOW, 'CDNOW_master.txt'), 'latin1');
    expect(raw).toContain('\r\n');
    const expected = summarise(join(CDNOW, 'CDNOW_master.txt'), true, 0, 3);
    expect(expected).toMatchObject({ rows: 69_659, customers: 23_570 });

    const s = await load('cdnow-master.config.json');
    expect(s.sources.purchases).toEqual({ read: 69_659, loaded: 69_659, updated: 0, duplicate: 0, rejected: 0, conflicts: 0, files: 1, skipped_files: 0 });
    expect(s.bare_customers).toBe(23_570);
    const t = await wh.one<Record<string, number | Date>>(`select count(*) as purchases, count(distinct order_id) as ids,
        count(distinct customer_id) as customers, (sum(amount) * 100)::bigint as cents,
        min(ordered_at) as first, max(ordered_at) as last, (select count(*) from customers) as customer_rows
      from purchases`);
    expect(t).toMatchObject({ purchases: 69_659, ids: 69_659, customers: 23_570, cents: expected.cents, customer_rows: 23_570 });
    // The cohort bought first in Q1 1997 and was followed until the end of June 1998.
    expect((t!.first as Date).toISOString()).toBe('1997-01-01T00:00:00.000Z');
    expect((t!.last as Date).toISOString()).toBe('1998-06-30T00:00:00.000Z');
    // Line 2 of the file: "00001 19970101 1 11.77".
    expect(await wh.one("select customer_id, ordered_at, amount from purchases where customer_id = '00001'")).toEqual({
      customer_id: '00001',
      ordered_at: new Date('1997-01-01T00:00:00Z'),
      amount: 11.77,
    });

    const again = await load('cdnow-master.config.json');
    expect(again.sources.purchases).toMatchObject({ read: 0, skipped_files: 1 });
  });

  it('the same file under a new name is all duplicates: derived order ids are stable', async () => {
    await load('cdnow-master.config.json');
    copyFileSync(join(CDNOW, 'CDNOW_master.txt'), join(dir, 'copy.txt'));
    const config = loadConfig(join(CDNOW, 'cdnow-master.config.json'));
    config.sources.purchases!.path = join(dir, 'copy.txt');
    const s = await runIngest({ warehouse: wh, config, runId: 'copy', clock: fixedClock('2026-07-02T00:00:00Z'), logger: silentLogger });
    expect(s.sources.purchases).toMatchObject({ read: 69_659, loaded: 0, updated: 0, duplicate: 69_659 });
    expect((await wh.one<{ n: number }>('select count(*) as n from purchases'))!.n).toBe(69_659);
  });

  it('CDNOW_sample.txt (no header, names given): 6,919 purchases, 2,357 customers', async () => {
    const expected = summarise(join(CDNOW, 'CDNOW_sample.txt'), false, 0, 4);
    expect(expected).toMatchObject({ rows: 6_919, customers: 2_357 });
    const s = await load('cdnow-sample.config.json');
    expect(s.sources.purchases).toMatchObject({ read: 6_919, loaded: 6_919, rejected: 0 });
    const t = await wh.one(`select count(*) as purchases, count(distinct customer_id) as customers, (sum(amount) * 100)::bigint as cents from purchases`);
    expect(t).toEqual({ purchases: 6_919, customers: 2_357, cents: expected.cents });
  });
});
