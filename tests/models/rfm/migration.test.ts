import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { migrationFromSnapshots, migrationMatrix, listSnapshots } from '../../../models/rfm/migration.js';

let dir: string;
let wh: Warehouse;

const A = [
  { customer_id: 'c1', tier: 'Champions', monetary: 100 },
  { customer_id: 'c2', tier: 'Champions', monetary: 50 },
  { customer_id: 'c3', tier: 'Lost', monetary: 10 },
  { customer_id: 'c4', tier: null, monetary: 0 },
];
const B = [
  { customer_id: 'c1', tier: 'Champions', monetary: 120 },
  { customer_id: 'c2', tier: 'At Risk', monetary: 50 },
  { customer_id: 'c4', tier: 'New Customers', monetary: 30 },
  { customer_id: 'c5', tier: 'New Customers', monetary: 5 },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-migration-'));
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
  await migrate(wh);
  for (const [asOf, rows] of [['2026-01-31', A], ['2026-02-28', B]] as const) {
    for (const r of rows) {
      await wh.run(
        `insert into rfm_history (as_of, customer_id, frequency, monetary, rfm_segment, lifecycle_stage, run_id)
         values (cast($d as date), $c, 1, $m, $t, 'active', 'r')`,
        { d: asOf, c: r.customer_id, m: r.monetary, t: r.tier },
      );
    }
  }
});
afterAll(() => {
  wh?.close();
  rmSync(dir, { recursive: true, force: true });
});

const byPair = (cells: { from_tier: string; to_tier: string }[]) =>
  Object.fromEntries(cells.map((c) => [`${c.from_tier} -> ${c.to_tier}`, c]));

describe('migration matrix', () => {
  it('counts customers and revenue from tier A to tier B, with (absent) and (none)', async () => {
    const cells = byPair(await migrationMatrix(wh, '2026-01-31', '2026-02-28'));
    expect(Object.keys(cells).sort()).toEqual(
      ['(absent) -> New Customers', '(none) -> New Customers', 'Champions -> At Risk', 'Champions -> Champions', 'Lost -> (absent)'].sort(),
    );
    expect(cells['Champions -> Champions']).toMatchObject({ count_customers: 1, revenue_from: 100, revenue_to: 120 });
    expect(cells['Champions -> At Risk']).toMatchObject({ count_customers: 1, revenue_from: 50, revenue_to: 50 });
    expect(cells['Lost -> (absent)']).toMatchObject({ count_customers: 1, revenue_from: 10, revenue_to: 0 });
    expect(cells['(absent) -> New Customers']).toMatchObject({ count_customers: 1, revenue_from: 0, revenue_to: 5 });
  });

  it('the in-memory version agrees with the SQL one', async () => {
    const sql = byPair(await migrationMatrix(wh, '2026-01-31', '2026-02-28'));
    const mem = byPair(migrationFromSnapshots(A, B));
    expect(Object.keys(mem).sort()).toEqual(Object.keys(sql).sort());
    for (const k of Object.keys(mem)) expect(sql[k]).toEqual(mem[k]);
  });

  it('names the available snapshots when one is missing, and refuses unknown dimensions', async () => {
    expect(await listSnapshots(wh)).toEqual(['2026-02-28', '2026-01-31']);
    await expect(migrationMatrix(wh, '2026-01-01', '2026-02-28')).rejects.toMatchObject({ code: 'CXP_ERR_NOT_FOUND' });
    await expect(migrationMatrix(wh, '2026-01-31', '2026-02-28', 'email' as never)).rejects.toMatchObject({ code: 'CXP_ERR_BAD_REQUEST' });
  });

  it('counts only the customers a restriction keeps (the dashboards pass their filters this way)', async () => {
    const only = (customer: string) => ({ where: `${customer} in ($c1, $c2)`, params: { c1: 'c2', c2: 'c5' } });
    const cells = byPair(await migrationMatrix(wh, '2026-01-31', '2026-02-28', 'rfm_segment', only));
    expect(Object.keys(cells).sort()).toEqual(['(absent) -> New Customers', 'Champions -> At Risk']);
  });
});
