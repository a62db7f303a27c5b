import { afterEach, describe, expect, it } from 'vitest';
import { CHURN_FEATURES, churnFeaturesSql, DEFAULT_SLA, loadChurnFeatures, readNumberColumn, type FeatureSet } from '../../../models/churn/features.js';
import { useLocalDays } from '../../../pipelines/core/time-zone.js';
import { sqlDate } from '../../../pipelines/core/sql-date.js';
import type { Db } from '../../../pipelines/core/warehouse.js';
import { tempWarehouse, warehouseWithHistory, type TempWarehouse } from './helpers.js';
import { seededRng } from '../../../models/churn/rng.js';
import { ingestEnv } from '../../pipelines/sources/ingest-helpers.js';

const D = (s: string) => new Date(`${s}T00:00:00Z`);
let open: TempWarehouse[] = [];
afterEach(() => {
  open.forEach((t) => t.close());
  open = [];
});

async function seedSmall(db: Db): Promise<void> {
  await db.run(`insert into customers (customer_id, signup_at) values ('A', '2025-01-01'), ('B', '2024-06-01'), ('C', '2024-01-01')`);
  await db.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
    ('a1', 'A', '2025-03-01 10:00', 100, 'completed'),
    ('a2', 'A', '2025-03-21 10:00', 50, 'completed'),
    ('a3', 'A', '2025-04-30 10:00', 30, 'refunded'),
    ('a4', 'A', '2025-05-10 10:00', 999, 'cancelled'),
    ('a5', 'A', '2025-07-01 10:00', 20, 'completed'),
    ('b1', 'B', '2024-07-15 10:00', 10, 'completed'),
    ('c1', 'C', '2024-05-01 10:00', 10, 'completed')`);
  await db.run(`insert into interactions (interaction_id, customer_id, channel, kind, opened_at, first_response_at, resolved_at, is_first_contact_resolution) values
    ('i1', 'A', 'phone', 'complaint', '2025-05-20 10:00', '2025-05-20 12:00', '2025-06-15 09:00', false),
    ('i2', 'A', 'chat', 'inquiry', '2025-04-01 09:00', '2025-04-01 09:30', '2025-04-01 11:00', true),
    ('i3', 'A', 'email', 'complaint', '2025-05-31 20:00', '2025-06-02 08:00', null, null)`);
  await db.run(`insert into surveys (response_id, customer_id, submitted_at, survey_type, score) values
    ('s1', 'A', '2025-05-21 08:00', 'nps', 3),
    ('s2', 'A', '2025-06-05 08:00', 'nps', 9),
    ('s3', 'A', '2025-04-02 08:00', 'csat', 4),
    ('s4', 'A', '2025-05-22 08:00', 'csat', 2)`);
}

function rowOf(set: FeatureSet, id: string): Record<string, number> {
  const i = set.customerIds.indexOf(id);
  expect(i).toBeGreaterThanOrEqual(0);
  return Object.fromEntries(set.features.map((f, j) => [f, set.x.data[i * set.x.nCols + j]]));
}

describe('reading numeric result columns', () => {
  it('gives from the typed arrays and validity masks exactly what getItem gives (NULL as NaN), for every column type', async () => {
    const t = await tempWarehouse();
    open.push(t);
    // 5000 rows: chunks of 2048 and a partial one; NULLs at irregular rows (validity words beyond the first).
    const sql = `select
        case when i % 7 = 3 then null else (i * 0.37 - 900)::double end as d,
        case when i % 5 = 1 then null when i = 10 then '-0.0'::double when i = 11 then 'nan'::double when i = 12 then 'inf'::double else 1e300 / (i + 1) end as d2,
        case when i % 11 = 0 then null else i * 1000003 - 2500000000 end::bigint as big,
        case when i % 3 = 0 then null else (i - 2500)::integer end as int,
        (i % 300 - 150)::smallint as small,
        case when i % 2 = 0 then null else (i % 200 - 100)::tinyint end as tiny,
        case when i % 13 = 0 then null else (i / 7)::float end as f,
        case when i % 4 = 0 then null else (i / 8)::decimal(12, 3) end as dec,
        null::double as nothing
      from range(5000) r(i) order by i`;
    const cols = ['d', 'd2', 'big', 'int', 'small', 'tiny', 'f', 'dec', 'nothing'];
    const nc = cols.length;
    const fast: number[] = [];
    const slow: number[] = [];
    await t.wh.withConnection(async (c) => {
      const result = await c.connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const m = chunk.rowCount;
        const out = new Float64Array(m * nc);
        for (let j = 0; j < nc; j++) readNumberColumn(chunk.getColumnVector(j), m, out, j, nc);
        fast.push(...out);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < nc; j++) {
            const v = chunk.getColumnVector(j).getItem(i);
            slow.push(v === null ? Number.NaN : Number(v));
          }
        }
      }
    });
    expect(fast.length).toBe(5000 * nc);
    expect(fast.filter((v) => Number.isNaN(v)).length).toBeGreaterThan(5000);
    expect(Object.is(fast[10 * nc + 1], -0)).toBe(true);
    for (let k = 0; k < fast.length; k++) if (!Object.is(fast[k], slow[k])) expect([k, fast[k]]).toEqual([k, slow[k]]);
  });

  it('loads a population of several result chunks row by row, each row where the SQL put it', async () => {
    const t = await tempWarehouse();
    open.push(t);
    // 5000 customers with 1-3 purchases and some interactions: chunks of 2048 rows and a partial one.
    await t.wh.run(`insert into customers (customer_id, signup_at) select 'c' || lpad(i::varchar, 5, '0'), '2023-01-01'::timestamp + to_days((i % 300)::integer) from range(5000) r(i)`);
    await t.wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status)
      select 'o' || i || '-' || k, 'c' || lpad(i::varchar, 5, '0'), '2024-01-01'::timestamp + to_days(((i * 37 + k * 91) % 330)::integer), (i % 97) + k * 0.5, 'completed'
      from range(5000) r(i), range(3) s(k) where k <= i % 3`);
    await t.wh.run(`insert into interactions (interaction_id, customer_id, channel, kind, opened_at, first_response_at)
      select 'i' || i, 'c' || lpad(i::varchar, 5, '0'), 'chat', case when i % 2 = 0 then 'complaint' else 'inquiry' end,
        '2024-06-01'::timestamp + to_hours(i % 2000), '2024-06-01'::timestamp + to_hours(i % 2000) + to_minutes(i % 90)
      from range(5000) r(i) where i % 5 = 0`);
    const cutoff = D('2024-12-01');
    const set = await loadChurnFeatures(t.wh, { cutoff, lookbackDays: 365, horizonDays: 90 });
    expect(set.x.nRows).toBeGreaterThan(4096);
    const rows = await t.wh.withConnection(async (c) => {
      await useLocalDays(c, 'UTC');
      return c.all<Record<string, unknown>>(churnFeaturesSql(), {
        cutoff: sqlDate(cutoff), lookback_days: 365, horizon_days: 90, sla_minutes: JSON.stringify(DEFAULT_SLA.firstResponseMinutes),
        sla_default_minutes: DEFAULT_SLA.firstResponseDefaultMinutes, label_mode: 'purchase_gap',
      });
    });
    expect(set.customerIds).toEqual(rows.map((r) => r.customer_id));
    const want = rows.flatMap((r) => CHURN_FEATURES.map((f) => (r[f] === null ? Number.NaN : Number(r[f]))));
    const got = Array.from(set.x.data);
    expect(got.length).toBe(want.length);
    for (let k = 0; k < got.length; k++) if (!Object.is(got[k], want[k])) expect([k, got[k]]).toEqual([k, want[k]]);
    expect(Array.from(set.y)).toEqual(rows.map((r) => (r.is_churned ? 1 : 0)));
  });
});

describe('churn features (sql/features/churn_features.sql)', () => {
  it('computes documented features by hand for a small history, using only what was known at the cutoff', async () => {
    const t = await tempWarehouse();
    open.push(t);
    await seedSmall(t.wh);
    const set = await loadChurnFeatures(t.wh, { cutoff: D('2025-06-01'), lookbackDays: 365, horizonDays: 90, dataEnd: D('2025-12-31') });
    // C's last order is more than 365 days before the cutoff: outside the scored population.
    expect(set.customerIds).toEqual(['A', 'B']);
    const a = rowOf(set, 'A');
    // Orders known: 03-01, 03-21, 04-30 (refunded counts as placed; the cancelled one does not). A purchase,
    // as in customer_value.recency_days, is a completed order: the last one is 03-21, 72 days before.
    expect(a.days_since_last_purchase).toBe(72);
    expect(a.tenure_days).toBe(151); // since signup 2025-01-01
    expect(a.count_orders_30d).toBe(0);
    expect(a.count_orders_90d).toBe(2); // 72 and 32 days old; 03-01 is 92 days old
    expect(a.order_trend_90d).toBe(1); // 2 in the last 90 days vs 1 in the 90 before
    expect(a.amount_90d).toBe(80);
    expect(a.amount_trend_90d).toBe(-20);
    expect(a.median_gap_days).toBe(30); // gaps 20 and 40
    expect(a.recency_over_gap).toBeCloseTo(72 / 30, 10);
    expect(a.count_refunds_365d).toBe(1);
    expect(a.refund_rate_365d).toBeCloseTo(1 / 3, 10);
    expect(a.count_interactions_90d).toBe(3);
    expect(a.count_complaints_90d).toBe(2);
    // i1 is resolved only after the cutoff and i3 never: both unresolved at the cutoff; i3 unanswered.
    expect(a.count_unresolved).toBe(2);
    expect(a.count_unresolved_complaints).toBe(2);
    expect(a.count_unanswered).toBe(1);
    // SLA 15 min phone/chat, 24 h elsewhere: i1 phone 120 min, i2 chat 30 min, i3 email still
    // unanswered at the cutoff after 28 h -> all three beyond it.
    expect(a.count_slow_first_responses_365d).toBe(3);
    expect(a.count_slow_first_responses_total).toBe(3);
    expect(a.median_first_response_minutes_365d).toBe(75); // 120 and 30 minutes
    expect(a.max_first_response_minutes_365d).toBe(120);
    expect(a.median_resolution_hours_365d).toBe(2);
    expect(a.fcr_rate_365d).toBe(1); // only i2 was resolved by then
    expect(a.share_assisted_channel_365d).toBeCloseTo(1 / 3, 10);
    expect(a.last_nps).toBe(3); // the 9 came after the cutoff
    expect(a.days_since_last_nps).toBe(11);
    expect(a.csat_avg_365d).toBe(3);
    const b = rowOf(set, 'B');
    expect(Number.isNaN(b.median_gap_days)).toBe(true);
    expect(Number.isNaN(b.last_nps)).toBe(true);
    expect(b.count_interactions_365d).toBe(0);
    // Labels: A buys on 07-01 (inside the horizon), B never again.
    expect(Array.from(set.y)).toEqual([0, 1]);
    expect(set.labelObserved).toBe(true);
  });

  it('order rhythm: median and coefficient of variation of the gaps between consecutive local order days, by hand', async () => {
    const t = await tempWarehouse();
    open.push(t);
    await t.wh.run(`insert into customers (customer_id, signup_at) values ('G', '2024-12-01'), ('H', '2024-12-01')`);
    // Inserted out of order. Europe/Riga is UTC+2 in winter, UTC+3 from 2025-03-30.
    await t.wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('g7', 'G', '2025-04-01 20:59', 10, 'completed'),  -- local 04-01 23:59
      ('g2', 'G', '2025-01-10 21:30', 10, 'completed'),  -- local 01-10 23:30: the same day as g1
      ('g9', 'G', '2025-07-01 08:00', 10, 'completed'),  -- after the cutoff: not known
      ('g4', 'G', '2025-02-15 08:00', 10, 'refunded'),   -- placed and paid: an order
      ('g1', 'G', '2025-01-10 12:00', 10, 'completed'),
      ('g6', 'G', '2025-03-01 08:00', 10, 'returned'),   -- a return: not purchase activity
      ('g8', 'G', '2025-04-11 21:00', 10, 'completed'),  -- local 04-12 00:00
      ('g5', 'G', '2025-02-20 08:00', 10, 'cancelled'),  -- cancelled: not an order
      ('g3', 'G', '2025-01-20 22:30', 10, 'completed'),  -- local 01-21 00:30
      ('h1', 'H', '2025-05-01 08:00', 10, 'completed'),
      ('h2', 'H', '2025-05-08 08:00', 10, 'completed')`);
    const set = await loadChurnFeatures(t.wh, { cutoff: D('2025-06-01'), lookbackDays: 365, horizonDays: 90, dataEnd: D('2025-12-31'), timezone: 'Europe/Riga' });
    // Local order days 01-10, 01-10, 01-21, 02-15, 04-01, 04-12: gaps 0, 11, 25, 45, 11 (in UTC days they
    // would be 0, 10, 26, 45, 10).
    const gaps = [0, 11, 25, 45, 11];
    const mean = gaps.reduce((s, x) => s + x, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, x) => s + (x - mean) ** 2, 0) / (gaps.length - 1));
    const g = rowOf(set, 'G');
    expect(g.median_gap_days).toBe(11);
    expect(g.gap_cv).toBeCloseTo(sd / mean, 12);
    expect(g.count_orders_total).toBe(6);
    // One gap: its median is the gap; a sample deviation of one value is undefined.
    const h = rowOf(set, 'H');
    expect(h.median_gap_days).toBe(7);
    expect(Number.isNaN(h.gap_cv)).toBe(true);
  });

  it('order rhythm on many random histories: the same medians and CVs as the gaps computed here from the inserted orders', async () => {
    const t = await tempWarehouse();
    open.push(t);
    const rand = seededRng(7).next;
    const statuses = ['completed', 'completed', 'completed', 'refunded', 'cancelled', 'returned'];
    const rows: string[] = [];
    const days = new Map<string, number[]>(); // customer -> UTC order days counted as purchase activity
    const start = Date.UTC(2024, 0, 1);
    for (let c = 0; c < 150; c++) {
      const id = `C${c}`;
      const n = Math.floor(rand() * 25);
      days.set(id, []);
      for (let k = 0; k < n; k++) {
        // Half the orders on a few shared days, so same-day orders (gap 0) and ties are common.
        const day = rand() < 0.5 ? Math.floor(rand() * 4) * 90 : Math.floor(rand() * 500);
        const ms = start + day * 86_400_000 + Math.floor(rand() * 86_400_000);
        const status = statuses[Math.floor(rand() * statuses.length)];
        rows.push(`('${id}-${k}', '${id}', '${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)}', 10, '${status}')`);
        if (status !== 'cancelled' && status !== 'returned') days.get(id)!.push(Math.floor(ms / 86_400_000));
      }
      // A recent completed order keeps every customer in the population.
      rows.push(`('${id}-last', '${id}', '2025-05-20 12:00:00', 10, 'completed')`);
      days.get(id)!.push(Math.floor(Date.UTC(2025, 4, 20) / 86_400_000));
    }
    await t.wh.run(`insert into customers (customer_id, signup_at) select 'C' || i, '2023-12-01' from range(150) r(i)`);
    await t.wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values ${rows.join(', ')}`);
    const set = await loadChurnFeatures(t.wh, { cutoff: D('2025-06-01'), lookbackDays: 365, horizonDays: 90, dataEnd: D('2025-12-31') });
    expect(set.customerIds.length).toBe(150);
    for (const [id, ds] of days) {
      const sorted = [...ds].sort((a, b) => a - b);
      const gaps = sorted.slice(1).map((d, i) => d - sorted[i]);
      const byValue = [...gaps].sort((a, b) => a - b);
      const h = byValue.length;
      const median = h === 0 ? Number.NaN : h % 2 ? byValue[(h - 1) / 2] : (byValue[h / 2 - 1] + byValue[h / 2]) / 2;
      const mean = gaps.reduce((s, x) => s + x, 0) / h;
      const sd = Math.sqrt(gaps.reduce((s, x) => s + (x - mean) ** 2, 0) / (h - 1));
      const cv = h >= 2 && mean !== 0 ? sd / mean : Number.NaN;
      const r = rowOf(set, id);
      if (Number.isNaN(median)) expect(Number.isNaN(r.median_gap_days), id).toBe(true);
      else expect(r.median_gap_days, id).toBeCloseTo(median, 12);
      if (Number.isNaN(cv)) expect(Number.isNaN(r.gap_cv), id).toBe(true);
      else expect(r.gap_cv, id).toBeCloseTo(cv, 10);
    }
  });

  it('amounts are summed exactly (cents, then one rounding), so every feature is the same to the bit run after run', async () => {
    const t = await tempWarehouse();
    open.push(t);
    // 300,000 orders (three of DuckDB's row groups, so its threads add up partial sums) of 5,000 customers,
    // every one of them in the last 360 days before the cutoff.
    const customers = 5000;
    const orders = 300_000;
    await t.wh.run(`insert into customers (customer_id, signup_at) select 'C' || i, '2024-01-01' from range(${customers}) r(i)`);
    await t.wh.run(
      `insert into purchases (order_id, customer_id, ordered_at, amount, status)
       select 'O' || i, 'C' || (i % ${customers}), timestamp '2025-05-31 10:00' - to_days((i % 360)::integer) - to_hours((i % 24)::integer),
              (((i * 7919) % 99999 + 1)::decimal(18, 2) * 0.01)::decimal(18, 2), 'completed'
       from range(${orders}) r(i)`,
    );
    const cents = new Array<number>(customers).fill(0);
    for (let i = 0; i < orders; i++) cents[i % customers] += ((i * 7919) % 99999) + 1;
    const q = { cutoff: D('2025-06-01'), lookbackDays: 365, horizonDays: 90, dataEnd: D('2025-12-31') };
    const first = await loadChurnFeatures(t.wh, q);
    const second = await loadChurnFeatures(t.wh, q);
    expect(first.customerIds.length).toBe(customers);
    for (let c = 0; c < customers; c++) {
      const row = rowOf(first, `C${c}`);
      // The exact sum in cents, rounded once to a double (a sum of doubles misses it in the last bits).
      if (!Object.is(row.amount_365d, cents[c] / 100)) expect([c, row.amount_365d]).toEqual([c, cents[c] / 100]);
    }
    expect(second.customerIds).toEqual(first.customerIds);
    const a = first.x.data;
    const b = second.x.data;
    expect(b.length).toBe(a.length);
    for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) expect([first.features[k % first.x.nCols], a[k]]).toEqual([first.features[k % first.x.nCols], b[k]]);
  });

  it('cancellation label: population is the customers not cancelled by the cutoff, tenure counts from signup, the label is a cancellation in the horizon', async () => {
    const t = await tempWarehouse();
    open.push(t);
    // By hand, cutoff 2025-06-01 (its day ends 2025-06-02 00:00), horizon 90 days (to 2025-08-31 00:00):
    // P: signed up 2025-03-01 but ordered 2024-12-01 (before signup): tenure 92 (signup), not 182 (first order)
    // Q: cancelled 2025-05-15, before the cutoff: leaves the population
    // R: cancelled 2025-06-02 00:00, the first instant after the cutoff day: churned (1)
    // S: cancelled 2025-09-15, after the horizon: retained (0); no orders at all
    // U: signed up 2025-06-10, after the cutoff: not yet a customer
    await t.wh.run(`insert into customers (customer_id, signup_at, churned_at) values
      ('P', '2025-03-01', null), ('Q', '2024-01-01', '2025-05-15'), ('R', '2024-02-01', '2025-06-02 00:00'),
      ('S', '2025-05-31', '2025-09-15'), ('U', '2025-06-10', null)`);
    await t.wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('p1', 'P', '2024-12-01 10:00', 40, 'completed'), ('q1', 'Q', '2025-05-01 10:00', 40, 'completed')`);
    const q = { cutoff: D('2025-06-01'), lookbackDays: 365, horizonDays: 90, dataEnd: D('2025-12-31') };
    const set = await loadChurnFeatures(t.wh, { ...q, labelMode: 'cancellation' });
    expect(set.customerIds).toEqual(['P', 'R', 'S']);
    expect(Array.from(set.y)).toEqual([0, 1, 0]);
    expect(rowOf(set, 'P').tenure_days).toBe(92);
    expect(rowOf(set, 'R').tenure_days).toBe(486); // 2024-02-01 .. 2025-06-01
    expect(rowOf(set, 'S').tenure_days).toBe(1);
    expect(rowOf(set, 'S').count_orders_total).toBe(0);
    // The purchase-gap label on the same data: buyers in the lookback, tenure the longer of the two.
    const gap = await loadChurnFeatures(t.wh, { ...q, labelMode: 'purchase_gap' });
    expect(gap.customerIds).toEqual(['P', 'Q']);
    expect(rowOf(gap, 'P').tenure_days).toBe(182); // since the first order 2024-12-01
  });

  it('no leakage: features at a cutoff do not change when later events and later updates are added', async () => {
    const cutoff = D('2025-06-01');
    const t = await tempWarehouse();
    open.push(t);
    await seedSmall(t.wh);
    const before = await loadChurnFeatures(t.wh, { cutoff, lookbackDays: 365, horizonDays: 90 });
    // Later data: new orders, contacts and surveys after the cutoff; old contacts answered/resolved later.
    await t.wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('a9', 'A', '2025-06-01 23:59:59' ::timestamp + interval 1 second, 500, 'completed'), ('b9', 'B', '2025-08-01', 70, 'completed')`);
    await t.wh.run(`insert into interactions (interaction_id, customer_id, channel, kind, opened_at, first_response_at, resolved_at) values
      ('i9', 'B', 'phone', 'complaint', '2025-06-03', '2025-06-03 01:00', null)`);
    await t.wh.run(`insert into surveys (response_id, customer_id, submitted_at, survey_type, score) values ('s9', 'B', '2025-06-02', 'nps', 0)`);
    await t.wh.run(`update interactions set resolved_at = '2025-06-20', is_first_contact_resolution = true where interaction_id = 'i3'`);
    const after = await loadChurnFeatures(t.wh, { cutoff, lookbackDays: 365, horizonDays: 90 });
    expect(after.customerIds).toEqual(before.customerIds);
    expect(Array.from(after.x.data)).toEqual(Array.from(before.x.data));
    // Only the label may see the future: B bought again inside the horizon.
    expect(Array.from(after.y)).toEqual([0, 0]);
  });

  it('no leakage through status changes: a refund or cancellation loaded after the cutoff is not seen at it', async () => {
    const env = await ingestEnv('cxp-churn-status-');
    try {
      const header = 'order_id,customer_id,ordered_at,amount,status\n';
      const rows = (a2: string, b2: string) =>
        header + `a1,A,2026-05-01,100,completed\na2,A,2026-05-21,50,${a2}\nb1,B,2026-03-01,70,completed\nb2,B,2026-05-25,30,${b2}\n`;
      const path = env.write('in/purchases.csv', rows('completed', 'completed'));
      await env.ingest({ purchases: { path } });
      const cutoff = D('2026-06-01');
      const q = { cutoff, lookbackDays: 365, horizonDays: 90 };
      const before = await loadChurnFeatures(env.wh, q);
      // The refund and the cancellation arrive with a later load (the ingest clock is 2026-07-01).
      env.write('in/purchases.csv', rows('refunded', 'cancelled'));
      const second = await env.ingest({ purchases: { path } });
      expect(second.sources.purchases).toMatchObject({ updated: 2 });
      const stored = await env.wh.all('select order_id, status, previous_status, status_changed_at from purchases where order_id in ($1, $2) order by 1', ['a2', 'b2']);
      expect(stored).toEqual([
        { order_id: 'a2', status: 'refunded', previous_status: 'completed', status_changed_at: new Date('2026-07-01T00:00:00Z') },
        { order_id: 'b2', status: 'cancelled', previous_status: 'completed', status_changed_at: new Date('2026-07-01T00:00:00Z') },
      ]);
      const after = await loadChurnFeatures(env.wh, q);
      expect(Array.from(after.x.data)).toEqual(Array.from(before.x.data));
      // At a cutoff after the change was loaded, it is seen: A has one refund, B's cancelled order is gone.
      const later = await loadChurnFeatures(env.wh, { ...q, cutoff: D('2026-07-02') });
      const col = (f: FeatureSet, name: string, id: string) => f.x.data[f.customerIds.indexOf(id) * f.x.nCols + f.features.indexOf(name)];
      expect(col(later, 'count_refunds_365d', 'A')).toBe(1);
      expect(col(before, 'count_refunds_365d', 'A')).toBe(0);
    } finally {
      env.close();
    }
  });

  it('no leakage on a whole synthetic history: features equal those computed from the history cut at the cutoff', async () => {
    const full = await warehouseWithHistory({ customers: 400, seed: 11, days: 500 });
    open.push(full);
    const cutoff = D('2024-12-01');
    const cutoffAt = '2024-12-02 00:00:00';
    const fromFull = await loadChurnFeatures(full.wh, { cutoff, lookbackDays: 365, horizonDays: 90 });
    // The same warehouse cut back to what existed at the end of the cutoff day.
    await full.wh.run(`delete from purchases where ordered_at >= $c::timestamp`, { c: cutoffAt });
    await full.wh.run(`delete from interactions where opened_at >= $c::timestamp`, { c: cutoffAt });
    await full.wh.run(`delete from surveys where submitted_at >= $c::timestamp`, { c: cutoffAt });
    await full.wh.run(`update interactions set resolved_at = null, is_first_contact_resolution = null where resolved_at >= $c::timestamp`, { c: cutoffAt });
    await full.wh.run(`update interactions set first_response_at = null where first_response_at >= $c::timestamp`, { c: cutoffAt });
    const fromCut = await loadChurnFeatures(full.wh, { cutoff, lookbackDays: 365, horizonDays: 90 });
    expect(fromFull.x.nRows).toBeGreaterThan(100);
    expect(fromCut.customerIds).toEqual(fromFull.customerIds);
    expect(fromCut.x.nCols).toBe(CHURN_FEATURES.length);
    expect(Array.from(fromCut.x.data)).toEqual(Array.from(fromFull.x.data));
  });
});
