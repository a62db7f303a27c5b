import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { asOfParam } from '../../../pipelines/core/sql-date.js';
import { discoverDataTests } from '../../../pipelines/transform/data-tests.js';
import { runTransform } from '../../../pipelines/transform/run-transform.js';
import { discoverModels, orderModels } from '../../../pipelines/transform/sql-models.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function sqlTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cxp-sql-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const MODELS = {
  // Deliberately named so alphabetical order is wrong: the mart reads the intermediate.
  'marts/a_totals.sql': `
    with orders as (select * from int_orders),
    final as (select customer_id, sum(amount) as total_amount, getvariable('as_of') as as_of_on from orders group by 1)
    select * from final`,
  'intermediate/int_orders.sql': `
    -- reads from purchases; a comment mentioning from a_totals must not create a dependency
    select customer_id, amount from purchases where status = 'completed'`,
  'marts/a_totals.tests.json': JSON.stringify({ unique: [['customer_id']], not_null: ['customer_id'], expressions: ['total_amount >= 0'] }),
};

describe('sql models', () => {
  it('finds dependencies from from/join and orders models by them', () => {
    const root = sqlTree(MODELS);
    const models = orderModels(discoverModels(root));
    expect(models.map((m) => m.name)).toEqual(['int_orders', 'a_totals']);
    expect(models[1].dependsOn).toEqual(['int_orders']);
  });

  it('names a cycle', () => {
    const root = sqlTree({ 'marts/x.sql': 'select * from y', 'marts/y.sql': 'select * from x' });
    expect(() => orderModels(discoverModels(root))).toThrow(/cycle: x -> y -> x/);
  });
});

describe('runTransform', () => {
  it('builds models with bound variables and runs the data tests', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('o1', 'c1', '2026-01-01', 10, 'completed'), ('o2', 'c1', '2026-01-02', 5, 'completed'), ('o3', 'c2', '2026-01-03', 7, 'refunded')`);
    const root = sqlTree(MODELS);
    const res = await runTransform(wh, asOfParam(new Date('2026-06-30T00:00:00Z')), silentLogger, {
      models: discoverModels(root),
      tests: discoverDataTests(root),
    });
    expect(res.models.map((m) => [m.name, m.rows])).toEqual([
      ['int_orders', 2],
      ['a_totals', 1],
    ]);
    expect(res.testsRun).toBe(3);
    expect(await wh.all('select * from a_totals')).toEqual([{ customer_id: 'c1', total_amount: 15, as_of_on: new Date('2026-06-30T00:00:00Z') }]);
  });

  it('keeps the last good state when a data test fails', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('o1', 'c1', '2026-01-01', 10, 'completed')`);
    const root = sqlTree(MODELS);
    const run = () => runTransform(wh, asOfParam(new Date('2026-06-30T00:00:00Z')), silentLogger, { models: discoverModels(root), tests: discoverDataTests(root) });
    await run();
    // Bad data arrives: a negative completed amount breaks the invariant total_amount >= 0.
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('o9', 'c9', '2026-01-01', -50, 'completed')`);
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CxpError);
    expect((err as CxpError).code).toBe('CXP_ERR_DATA_TEST_FAILED');
    expect((err as CxpError).message).toContain('total_amount >= 0');
    expect((err as CxpError).details.where).toBe('sql/marts/a_totals.tests.json');
    // The previous build is still there, untouched.
    expect(await wh.all('select customer_id, total_amount from a_totals')).toEqual([{ customer_id: 'c1', total_amount: 10 }]);
    expect((await wh.one<{ n: number }>('select count(*) as n from int_orders'))?.n).toBe(1);
  });

  it('reports a broken model with its file and rolls back', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    const root = sqlTree({ 'intermediate/int_ok.sql': 'select 1 as x', 'marts/broken.sql': 'select nope from int_ok' });
    const err = await runTransform(wh, {}, silentLogger, { models: discoverModels(root), tests: [] }).catch((e: unknown) => e);
    expect((err as CxpError).code).toBe('CXP_ERR_TRANSFORM_FAILED');
    expect((err as CxpError).details.where).toMatch(/marts\/broken\.sql$/);
    expect(await wh.tableExists('int_ok')).toBe(false);
  });

  it('checks accepted values with bound parameters and relationships', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await wh.run(`insert into customers (customer_id) values ('c1')`);
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('o1', 'c1', '2026-01-01', 1, 'completed'), ('o2', 'c2', '2026-01-01', 1, 'lost')`);
    const root = sqlTree({
      'staging/purchases.tests.json': JSON.stringify({
        accepted_values: { status: ['completed', 'refunded', 'cancelled'] },
        relationships: { customer_id: 'customers.customer_id' },
      }),
    });
    const err = await runTransform(wh, {}, silentLogger, { models: [], tests: discoverDataTests(root) }).catch((e: unknown) => e);
    const failures = (err as CxpError).details.failures as { test: string; failingRows: number }[];
    expect(failures.map((f) => [f.test, f.failingRows])).toEqual([
      ['purchases: status in (completed, refunded, cancelled)', 1],
      ['purchases: customer_id references customers.customer_id', 1],
    ]);
  });
});
