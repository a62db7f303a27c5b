import { afterEach, describe, expect, it } from 'vitest';
import { buildCustomer360 } from '../../../pipelines/jobs/customer-360.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function seeded() {
  const t = await tempWarehouse();
  cleanups.push(t.cleanup);
  await t.wh.run(`insert into customers (customer_id, country, email, marketing_consent) values ('c1', 'DE', 'a@x.test', true), ('c2', 'FR', null, false)`);
  await t.wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
    ('o1', 'c1', '2026-01-01 10:00', 100.00, 'completed'),
    ('o2', 'c1', '2026-02-01 10:00', 40.00, 'completed'),
    ('o3', 'c1', '2026-02-05 10:00', 40.00, 'refunded'),
    ('o4', 'c1', '2026-03-01 10:00', 25.00, 'cancelled'),
    ('o5', 'c1', '2026-07-15 10:00', 999.00, 'completed')`); // after as_of: not counted
  return t;
}

describe('buildCustomer360', () => {
  it('carries the declared attributes and a cancellation known at the as-of (not a later one)', async () => {
    const { wh } = await seeded();
    await wh.run(`insert into customers (customer_id, churned_at, attributes) values
      ('c3', '2026-05-10 00:00', '{"contract": "month-to-month", "monthly_charges": 70.5}'),
      ('c4', '2026-07-02 00:00', '{"contract": "one-year"}')`);
    await buildCustomer360(wh, new Date('2026-06-30T00:00:00Z'));
    const rows = await wh.all<{ customer_id: string; churned_at: Date | null; contract: string | null; charges: number | null }>(
      `select customer_id, churned_at, json_extract_string(attributes, '$.contract') as contract,
              json_extract(attributes, '$.monthly_charges')::double as charges
       from customer_360 where customer_id in ('c3', 'c4') order by 1`,
    );
    expect(rows).toEqual([
      { customer_id: 'c3', churned_at: new Date('2026-05-10T00:00:00Z'), contract: 'month-to-month', charges: 70.5 },
      // Cancelled after the as-of: not yet cancelled in this snapshot.
      { customer_id: 'c4', churned_at: null, contract: 'one-year', charges: null },
    ]);
  });

  it('summarises purchases up to as_of and keeps one row per customer, typed nulls for absent modules', async () => {
    const { wh } = await seeded();
    const n = await buildCustomer360(wh, new Date('2026-06-30T00:00:00Z'));
    expect(n).toBe(2);
    const c1 = await wh.one('select * from customer_360 where customer_id = $1', ['c1']);
    // By hand: completed 100 + 40, refunded 40 -> net 100; two completed orders, one refund.
    expect(c1).toMatchObject({
      count_orders: 2,
      count_refunds: 1,
      net_revenue: 100,
      first_order_at: new Date('2026-01-01T10:00:00Z'),
      last_order_at: new Date('2026-02-01T10:00:00Z'),
      churn_risk: null,
      rfm_segment: null,
      csi: null,
      as_of_on: new Date('2026-06-30T00:00:00Z'),
    });
    const c2 = await wh.one('select count_orders, net_revenue from customer_360 where customer_id = $1', ['c2']);
    expect(c2).toEqual({ count_orders: 0, net_revenue: 0 });
    const types = await wh.all<{ column_name: string; data_type: string }>(
      "select column_name, data_type from information_schema.columns where table_name = 'customer_360' and column_name in ('churn_risk', 'rfm_segment', 'last_nps')",
    );
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.data_type]))).toEqual({ churn_risk: 'DOUBLE', rfm_segment: 'VARCHAR', last_nps: 'INTEGER' });
  });

  it('joins the module tables that exist, and only their known columns', async () => {
    const { wh } = await seeded();
    await wh.run(`create or replace table churn_scores as select 'c1' as customer_id, 0.8::double as churn_risk, 'high' as churn_band, '[]'::json as churn_reasons, 'extra' as not_in_360`);
    await buildCustomer360(wh, new Date('2026-06-30T00:00:00Z'));
    const rows = await wh.all('select customer_id, churn_risk, churn_band from customer_360 order by 1');
    expect(rows).toEqual([
      { customer_id: 'c1', churn_risk: 0.8, churn_band: 'high' },
      { customer_id: 'c2', churn_risk: null, churn_band: null },
    ]);
    const cols = await wh.all<{ column_name: string }>("select column_name from information_schema.columns where table_name = 'customer_360'");
    expect(cols.map((c) => c.column_name)).not.toContain('not_in_360');
  });
});
