import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { sourceFreshness } from '../../../pipelines/core/freshness.js';

const cleanup: (() => unknown)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

describe('sourceFreshness', () => {
  it('measures event sources by their latest event and customers by the last load; stale past maxAgeHours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxp-fresh-'));
    const config = resolveConfig(
      {
        warehouse: 'wh.duckdb',
        sources: {
          customers: { path: 'c.csv', maxAgeHours: 48 },
          purchases: { path: 'p.csv', maxAgeHours: 24 },
          interactions: { path: 'i.jsonl', maxAgeHours: 6 },
          surveys: { path: 's.parquet' },
        },
      },
      dir,
    );
    const wh = await Warehouse.open(config.warehouse);
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => wh.close());
    await migrate(wh);
    await wh.run("insert into ingested_files (source, file, sha256, bytes, rows_read, run_id, ingested_at) values ('customers', 'c.csv', 'x', 1, 1, 'r1', '2026-11-23 00:00:00')");
    await wh.run("insert into ingested_files (source, file, sha256, bytes, rows_read, run_id, ingested_at) values ('purchases', 'p.csv', 'y', 1, 1, 'r1', '2026-11-24 01:00:00')");
    await wh.run("insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('o1', 'c1', '2026-11-23 08:00:00', 5, 'completed')");
    const now = new Date('2026-11-24T12:00:00Z');
    const f = Object.fromEntries((await sourceFreshness(wh, config, now)).map((x) => [x.source, x]));
    // customers: loaded 36 h ago, limit 48 -> fresh.
    expect(f.customers).toMatchObject({ ageHours: 36, isStale: false });
    // purchases: file loaded 11 h ago, but the newest purchase is 28 h old, limit 24 -> stale.
    expect(f.purchases).toMatchObject({ ageHours: 28, isStale: true });
    expect(f.purchases.reason).toBe('purchases data is 28.0 h old (sources.purchases.maxAgeHours = 24)');
    // interactions: nothing loaded -> stale.
    expect(f.interactions).toMatchObject({ ageHours: null, isStale: true, reason: 'no interactions data loaded yet' });
    // surveys: no limit -> never stale.
    expect(f.surveys).toMatchObject({ maxAgeHours: null, isStale: false });
  });
});
