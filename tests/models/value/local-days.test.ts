/**
 * The company's time zone (config `timezone`) applied to the as-of and to the RFM / value / churn cutoffs.
 * Every expected value below is worked out by hand from the rows written in the test: Asia/Shanghai is
 * UTC+8 all year (no daylight saving), so local = UTC + 8 h.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { memoryLogger } from '../../../pipelines/core/logger.js';
import { latestEventDate, resolveAsOf } from '../../../pipelines/core/as-of.js';
import type { Config } from '../../../pipelines/config/types.js';
import type { JobContext } from '../../../pipelines/jobs/types.js';
import { buildCustomer360 } from '../../../pipelines/jobs/customer-360.js';
import { scoreValue } from '../../../models/value/score-step.js';
import { loadChurnFeatures } from '../../../models/churn/features.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';
import type { Warehouse } from '../../../pipelines/core/warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const SHANGHAI = 'Asia/Shanghai';
const AS_OF = new Date('2026-03-05T00:00:00Z'); // the local as-of day 2026-03-05

/**
 * Orders, stored as UTC instants (the canonical form), with the Shanghai wall-clock time they were placed at:
 *   A  2026-02-28 23:00 UTC = 2026-03-01 07:00 local  (UTC day 02-28, local day 03-01)
 *   B  2026-03-05 15:30 UTC = 2026-03-05 23:30 local  (the last half hour of the local as-of day: in)
 *   C  2026-03-05 16:30 UTC = 2026-03-06 00:30 local  (the first half hour of the next local day: out;
 *                                                       still 2026-03-05 in UTC, so a UTC cutoff keeps it)
 */
async function fixture(): Promise<Warehouse> {
  const { wh, cleanup } = await tempWarehouse('cxp-local-days-');
  cleanups.push(cleanup);
  await wh.run(`insert into customers (customer_id, signup_at) values ('A', '2025-01-01'), ('B', '2025-01-01'), ('C', '2025-01-01')`);
  await wh.run(
    `insert into purchases (order_id, customer_id, ordered_at, amount, status) values
       ('a1', 'A', '2026-02-28 23:00:00', 10, 'completed'),
       ('b1', 'B', '2026-03-05 15:30:00', 20, 'completed'),
       ('c1', 'C', '2026-03-05 16:30:00', 30, 'completed')`,
  );
  return wh;
}

function context(wh: Warehouse, timezone?: string): JobContext {
  const config = { rfm: {}, value: {}, ...(timezone ? { timezone } : {}) } as unknown as Config;
  return { config, warehouse: wh, runId: 'run-tz', clock: fixedClock('2026-03-06T03:00:00Z'), logger: memoryLogger(), results: {} };
}

async function valueRows(wh: Warehouse) {
  const rows = await wh.all<{ customer_id: string; last_purchase_on: Date | null; recency_days: number | null; frequency: number; monetary: number }>(
    'select customer_id, last_purchase_on, recency_days, frequency, monetary from customer_value order by customer_id',
  );
  return Object.fromEntries(rows.map((r) => [r.customer_id, { ...r, last_purchase_on: r.last_purchase_on?.toISOString().slice(0, 10) ?? null }]));
}

describe('the derived as-of is the local date of the latest event', () => {
  it('an order at 07:00 Shanghai time (23:00 UTC the day before) dates the data to its local day', async () => {
    const { wh, cleanup } = await tempWarehouse('cxp-local-asof-');
    cleanups.push(cleanup);
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('a1', 'A', '2026-02-28 23:00:00', 10, 'completed')`);
    expect((await latestEventDate(wh, SHANGHAI))?.toISOString().slice(0, 10)).toBe('2026-03-01');
    expect((await resolveAsOf({ config: { timezone: SHANGHAI }, warehouse: wh }))?.toISOString().slice(0, 10)).toBe('2026-03-01');
    // Without a zone the same instant is on its UTC day: the zone is what moves it.
    expect((await resolveAsOf({ config: {}, warehouse: wh }))?.toISOString().slice(0, 10)).toBe('2026-02-28');
  });

  it('the latest signup dates a customers-only warehouse on its local day too', async () => {
    const { wh, cleanup } = await tempWarehouse('cxp-local-signup-');
    cleanups.push(cleanup);
    await wh.run(`insert into customers (customer_id, signup_at) values ('A', '2026-06-30 17:00:00')`); // 07-01 01:00 local
    expect((await latestEventDate(wh, SHANGHAI))?.toISOString().slice(0, 10)).toBe('2026-07-01');
  });
});

describe('RFM / value cutoffs end at local midnight of the as-of day', () => {
  it('counts the 07:00 local order on its local day, keeps 23:30 on the as-of day and drops 00:30 the next day', async () => {
    const wh = await fixture();
    await scoreValue(context(wh, SHANGHAI), AS_OF);
    const v = await valueRows(wh);
    // A: last purchase on local 03-01, 4 days before the as-of 03-05.
    expect(v.A).toMatchObject({ last_purchase_on: '2026-03-01', recency_days: 4, frequency: 1, monetary: 10 });
    // B: 23:30 local on the as-of day is in: recency 0.
    expect(v.B).toMatchObject({ last_purchase_on: '2026-03-05', recency_days: 0, frequency: 1, monetary: 20 });
    // C: 00:30 local on 03-06 is after the as-of day: a prospect so far.
    expect(v.C).toMatchObject({ last_purchase_on: null, recency_days: null, frequency: 0, monetary: 0 });
  });

  it('in UTC (no zone) the same rows fall on their UTC days: the zone is what changes them', async () => {
    const wh = await fixture();
    await scoreValue(context(wh), AS_OF);
    const v = await valueRows(wh);
    expect(v.A).toMatchObject({ last_purchase_on: '2026-02-28', recency_days: 5 });
    expect(v.C).toMatchObject({ last_purchase_on: '2026-03-05', recency_days: 0, frequency: 1 });
  });

  it('customer_360 counts orders up to the end of the local as-of day', async () => {
    const wh = await fixture();
    await buildCustomer360(wh, AS_OF, SHANGHAI);
    const rows = await wh.all<{ customer_id: string; count_orders: number }>('select customer_id, count_orders from customer_360 order by 1');
    expect(rows).toEqual([
      { customer_id: 'A', count_orders: 1 },
      { customer_id: 'B', count_orders: 1 },
      { customer_id: 'C', count_orders: 0 },
    ]);
  });
});

describe('churn features at a cutoff use local days', () => {
  it('ages count local days, and an order after local midnight is not known at the cutoff', async () => {
    const wh = await fixture();
    const f = await loadChurnFeatures(wh, { cutoff: AS_OF, lookbackDays: 365, horizonDays: 90, timezone: SHANGHAI }, ['days_since_last_purchase']);
    const byId = Object.fromEntries(f.customerIds.map((id, i) => [id, f.x.data[i]]));
    // The scored population is the buyers known at the cutoff: A and B, not C.
    expect(Object.keys(byId).sort()).toEqual(['A', 'B']);
    expect(byId.A).toBe(4); // local 03-01 to 03-05
    expect(byId.B).toBe(0);
  });
});
