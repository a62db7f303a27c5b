/**
 * Returns and credits downstream: loaded through the ingest (refund rows not linked to an order, with
 * kind = return), they reduce monetary value and CLV, are not purchase activity in recency, frequency
 * or churn features, feed the returns features, and the refund-rate KPI (refunds_monthly). Expected
 * values are computed in the test from the generated rows.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { memoryLogger } from '../../../pipelines/core/logger.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import type { Config } from '../../../pipelines/config/types.js';
import type { JobContext } from '../../../pipelines/jobs/types.js';
import { scoreValue } from '../../../models/value/score-step.js';
import { loadChurnFeatures } from '../../../models/churn/features.js';
import { mulberry32 } from '../../helpers/prng.js';
import { ingestEnv, type IngestEnv } from './ingest-helpers.js';
import { useLocalDays } from '../../../pipelines/core/time-zone.js';
import { useRefundRate } from '../../../models/value/refund-rate.js';
import { refundRateTile } from '../../../dashboards/data/rfm.js';
import { resolveFilters } from '../../../dashboards/filters.js';
import { translator } from '../../../dashboards/i18n/translate.js';

const AS_OF = new Date('2026-03-31T00:00:00Z');
const DAY = 86_400_000;

interface Row {
  order_id: string;
  customer_id: string;
  at: Date;
  cents: number;
  kind: 'order' | 'return';
}

function generate(): Row[] {
  const rnd = mulberry32(99);
  const rows: Row[] = [];
  let n = 0;
  for (let c = 0; c < 300; c++) {
    const orders = 1 + Math.floor(rnd() * 8);
    const start = AS_OF.getTime() - (200 + Math.floor(rnd() * 500)) * DAY;
    let last = start;
    for (let k = 0; k < orders; k++) {
      last = start + Math.floor(rnd() * 190) * DAY * (k + 1) / orders + k * DAY;
      rows.push({ order_id: `O${n++}`, customer_id: `K${c}`, at: new Date(last), cents: 1000 + Math.floor(rnd() * 20000), kind: 'order' });
    }
    // Every third customer returns something AFTER the last purchase: it must not count as activity.
    if (c % 3 === 0) rows.push({ order_id: '', customer_id: `K${c}`, at: new Date(last + 5 * DAY), cents: 500 + Math.floor(rnd() * 3000), kind: 'return' });
  }
  return rows;
}

const rows = generate();
const ts = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const csv = (rs: Row[]) =>
  'order_id,customer_id,ordered_at,amount,type\n' +
  rs.map((r) => `${r.order_id},${r.customer_id},${ts(r.at)},${(r.cents / 100).toFixed(2)},${r.kind === 'return' ? 'Refund' : 'Sale'}`).join('\n') + '\n';
const SOURCE = {
  path: 'sales.csv',
  columns: { kind: 'type' },
  values: { kind: { sale: 'order', refund: 'return' } },
};

let withReturns: IngestEnv;
let withoutReturns: IngestEnv;

function context(env: IngestEnv): JobContext {
  return { config: { rfm: {}, value: {} } as unknown as Config, warehouse: env.wh, runId: 'v1', clock: fixedClock('2026-04-01T00:00:00Z'), logger: memoryLogger(), results: {} };
}

beforeAll(async () => {
  withReturns = await ingestEnv('cxp-returns-');
  withReturns.write('sales.csv', csv(rows));
  await withReturns.ingest({ purchases: SOURCE });
  await scoreValue(context(withReturns), AS_OF);
  withoutReturns = await ingestEnv('cxp-noreturns-');
  withoutReturns.write('sales.csv', csv(rows.filter((r) => r.kind === 'order')));
  await withoutReturns.ingest({ purchases: SOURCE });
  await scoreValue(context(withoutReturns), AS_OF);
}, 120_000);

afterAll(() => {
  withReturns?.close();
  withoutReturns?.close();
});

describe('returns and credits downstream', () => {
  it('are loaded as their own rows (status returned, the credit as a positive amount)', async () => {
    const n = rows.filter((r) => r.kind === 'return').length;
    expect(await withReturns.wh.one("select count(*)::integer as n from purchases where status = 'returned'")).toEqual({ n });
    expect(await withReturns.wh.one("select count(*)::integer as n from purchases where status = 'returned' and amount <= 0")).toEqual({ n: 0 });
  });

  it('reduce monetary value and CLV by the returned share; recency and frequency stay the purchases', async () => {
    type V = { customer_id: string; recency_days: number; frequency: number; monetary: number; clv: number | null };
    const q = 'select customer_id, recency_days, frequency, monetary, clv from customer_value order by customer_id';
    const a = new Map((await withReturns.wh.all<V>(q)).map((r) => [r.customer_id, r]));
    const b = new Map((await withoutReturns.wh.all<V>(q)).map((r) => [r.customer_id, r]));
    let checkedClv = 0;
    for (let c = 0; c < 300; c++) {
      const id = `K${c}`;
      const mine = rows.filter((r) => r.customer_id === id);
      const spent = mine.filter((r) => r.kind === 'order').reduce((s, r) => s + r.cents, 0);
      const returned = mine.filter((r) => r.kind === 'return').reduce((s, r) => s + r.cents, 0);
      const x = a.get(id)!;
      const y = b.get(id)!;
      expect(x.recency_days, id).toBe(y.recency_days);
      expect(x.frequency, id).toBe(mine.filter((r) => r.kind === 'order').length);
      expect(x.monetary, id).toBeCloseTo(Math.max(spent - returned, 0) / 100, 6);
      if (y.clv !== null && Number.isFinite(y.clv)) {
        // The returned share of the spend, capped: a customer who returned more than bought is worth 0.
        expect(x.clv, id).toBeCloseTo(y.clv * Math.min(Math.max(1 - returned / spent, 0), 1), 6);
        checkedClv += 1;
      }
    }
    expect(checkedClv).toBeGreaterThan(100);
  });

  it('are not purchase activity in churn features, and feed the returns features', async () => {
    const q = { cutoff: AS_OF, lookbackDays: 730, horizonDays: 90 };
    const fa = await loadChurnFeatures(withReturns.wh, q);
    const fb = await loadChurnFeatures(withoutReturns.wh, q);
    const col = (f: typeof fa, name: string) => f.features.indexOf(name);
    expect(fa.customerIds).toEqual(fb.customerIds);
    const activity = ['days_since_last_purchase', 'count_orders_365d', 'count_orders_total', 'amount_365d'];
    for (let i = 0; i < fa.customerIds.length; i++) {
      const id = fa.customerIds[i]!;
      for (const name of activity) {
        const ja = col(fa, name);
        expect(fa.x.data[i * fa.features.length + ja], `${id} ${name}`).toBe(fb.x.data[i * fb.features.length + ja]);
      }
      const mine = rows.filter((r) => r.customer_id === id && r.kind === 'return' && AS_OF.getTime() + DAY - r.at.getTime() <= 365 * DAY);
      const j = col(fa, 'count_returns_365d');
      const k = col(fa, 'amount_returns_365d');
      expect(fa.x.data[i * fa.features.length + j], id).toBe(mine.length);
      expect(fa.x.data[i * fa.features.length + k], id).toBeCloseTo(mine.reduce((s, r) => s + r.cents, 0) / 100, 6);
    }
  });

  it('feed the refund-rate KPI (refunds_monthly): returned / sold per month, computed independently', async () => {
    const sql = readFileSync(fromRoot('sql', 'marts', 'refunds_monthly.sql'), 'utf8');
    await withReturns.wh.withConnection(async (db) => {
      await db.run("set variable as_of = date '2026-03-31'");
      await useLocalDays(db, 'UTC');
      await useRefundRate(db);
      const got = await db.all<{ month_on: Date; gross_revenue: number; refunded_amount: number; refund_rate: number | null; count_returns: number }>(
        `select month_on, gross_revenue, refunded_amount, refund_rate, count_returns from (${sql.trim()}) order by month_on`,
      );
      const byMonth = new Map<string, { sold: number; returned: number; n: number }>();
      for (const r of rows) {
        if (r.at.getTime() >= AS_OF.getTime() + DAY) continue;
        const m = r.at.toISOString().slice(0, 7);
        const e = byMonth.get(m) ?? { sold: 0, returned: 0, n: 0 };
        if (r.kind === 'order') e.sold += r.cents;
        else {
          e.returned += r.cents;
          e.n += 1;
        }
        byMonth.set(m, e);
      }
      expect(got.length).toBe(byMonth.size);
      for (const g of got) {
        const e = byMonth.get(g.month_on.toISOString().slice(0, 7))!;
        expect(g.gross_revenue).toBeCloseTo(e.sold / 100, 6);
        expect(g.refunded_amount).toBeCloseTo(e.returned / 100, 6);
        expect(g.count_returns).toBe(e.n);
        if (e.sold > 0) expect(g.refund_rate).toBeCloseTo(e.returned / e.sold, 9);
        else expect(g.refund_rate).toBeNull();
      }
    });
  });

  it('show the refund rate on the RFM & value page: returned / sold over the whole months of the period', async () => {
    const sql = readFileSync(fromRoot('sql', 'marts', 'refunds_monthly.sql'), 'utf8');
    await withReturns.wh.withConnection(async (db) => {
      await db.run("set variable as_of = date '2026-03-31'");
      await useLocalDays(db, 'UTC');
      await useRefundRate(db);
      await db.run(`create or replace table refunds_monthly as ${sql.trim()}`);
      const t = translator('en');
      const tables = new Set(['refunds_monthly']);
      // Mid-month bounds: the mart is monthly, so the tile covers October..February whole.
      const filters = resolveFilters({ from: '2025-10-15', to: '2026-02-10' }, AS_OF);
      const tile = await refundRateTile({ db, tables, filters, t, asOf: AS_OF });
      let sold = 0;
      let returned = 0;
      for (const r of rows) {
        const m = r.at.toISOString().slice(0, 7);
        if (m < '2025-10' || m > '2026-02') continue;
        if (r.kind === 'order') sold += r.cents;
        else returned += r.cents;
      }
      expect(returned).toBeGreaterThan(0);
      expect(tile.value).toBeCloseTo(returned / sold, 4);
      expect(tile.note).toContain('Oct 2025');
      expect(tile.note).toContain('Feb 2026');
      // Before the data starts: nothing sold, no rate; without the mart: waiting for it.
      expect((await refundRateTile({ db, tables, asOf: AS_OF, filters: resolveFilters({ from: '2019-01-01', to: '2019-03-31' }, AS_OF), t })).value).toBeNull();
      expect((await refundRateTile({ db, tables: new Set(), filters, t, asOf: AS_OF })).note).toContain('refunds_monthly');
    });
  });
});
