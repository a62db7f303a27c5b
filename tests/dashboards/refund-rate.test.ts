/**
 * The RFM & value page's refund-rate tile through the API, unfiltered and filtered by country and by
 * segment, against a rate computed here from the fixture's raw rows (purchases, customers'
 * countries, customer_value segments): refunded + returned over completed + refunded, by amount, over
 * the whole months the period touches.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { fromRoot } from '../../pipelines/core/paths.js';
import { DEFAULT_RANGE_DAYS } from '../../pipelines/core/date-range.js';
import { useLocalDays } from '../../pipelines/core/time-zone.js';
import { useRefundRate } from '../../models/value/refund-rate.js';
import { AS_OF, createFixture, type Fixture } from './fixtures.js';

const KEY = 'viewer-key-0123456789';
let fx: Fixture;
let app: FastifyInstance;

interface Raw {
  customer_id: string;
  ordered_at: Date;
  cents: number;
  status: string;
  country: string | null;
  segment: string | null;
}
let raw: Raw[] = [];

beforeAll(async () => {
  fx = await createFixture();
  // Returns and credits on top of the fixture's orders: large ones for German Champions (so both filters
  // move the rate), small ones elsewhere, one cancelled order (neither sold nor refunded), and a return
  // after the as-of day.
  const extra: string[] = [];
  for (let i = 0; i < 300; i += 15) extra.push(`('r${i}', 'c${String(i).padStart(5, '0')}', timestamp '2026-0${3 + (i % 3)}-1${i % 9} 10:00:00', ${(200 + i).toFixed(2)}, 'returned', 'web')`);
  for (let i = 1; i < 300; i += 37) extra.push(`('s${i}', 'c${String(i).padStart(5, '0')}', timestamp '2026-04-0${1 + (i % 8)} 09:00:00', ${(5 + i / 10).toFixed(2)}, 'returned', 'web')`);
  extra.push(`('x1', 'c00003', timestamp '2026-04-02 09:00:00', 999.00, 'cancelled', 'web')`, `('late', 'c00000', timestamp '2026-07-03 09:00:00', 50.00, 'returned', 'web')`);
  await fx.warehouse.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status, channel) values ${extra.join(',')}`);
  // The refunds_monthly mart as the transform builds it.
  await fx.warehouse.withConnection(async (db) => {
    await db.run(`set variable as_of = date '${AS_OF}'`);
    await useLocalDays(db, 'UTC');
    await useRefundRate(db);
    await db.run(`create table refunds_monthly as ${readFileSync(fromRoot('sql', 'marts', 'refunds_monthly.sql'), 'utf8')}`);
  });
  raw = (
    await fx.warehouse.all<{ customer_id: string; ordered_at: Date; amount: number | string; status: string; country: string | null; segment: string | null }>(
      `select p.customer_id, p.ordered_at, p.amount::varchar as amount, p.status, c.country, v.rfm_segment as segment
       from purchases p left join customers c using (customer_id) left join customer_value v using (customer_id)`,
    )
  ).map((r) => ({ ...r, cents: Math.round(Number(r.amount) * 100) }));
  app = await buildApp({
    warehouse: fx.warehouse,
    server: { apiKeys: [{ name: 'v', role: 'viewer', keyHash: sha256Hex(KEY) }], cacheSeconds: 0 },
    env: {},
    clock: fixedClock('2026-06-30T12:00:00Z'),
  });
});
afterAll(async () => {
  await app?.close();
  fx?.close();
});

/** The oracle: months fromMonth..toMonth ('YYYY-MM') whole, up to the end of the as-of day (UTC), for the rows kept. */
function oracle(fromMonth: string, toMonth: string, keep: (r: Raw) => boolean): number {
  const end = Date.parse(`${AS_OF}T00:00:00Z`) + 86_400_000;
  let sold = 0;
  let refunded = 0;
  for (const r of raw) {
    const m = r.ordered_at.toISOString().slice(0, 7);
    if (m < fromMonth || m > toMonth || r.ordered_at.getTime() >= end || !keep(r)) continue;
    if (r.status === 'completed' || r.status === 'refunded') sold += r.cents;
    if (r.status === 'refunded' || r.status === 'returned') refunded += r.cents;
  }
  expect(sold).toBeGreaterThan(0);
  return refunded / sold;
}

async function tile(query: string): Promise<{ value: number | null; note: string }> {
  const res = await app.inject({ url: `/api/metrics/rfm?${query}`, headers: { authorization: `Bearer ${KEY}` } });
  expect(res.statusCode).toBe(200);
  const t = (res.json() as { tiles: { id: string; value: number | null; note: string }[] }).tiles.find((x) => x.id === 'refund-rate');
  expect(t).toBeDefined();
  return t!;
}

// Mid-month bounds: the tile covers February..May whole.
const PERIOD = 'from=2026-02-10&to=2026-05-20';

describe('the refund-rate tile honours the page filters', () => {
  it('unfiltered: every customer, from the refunds_monthly mart', async () => {
    const all = oracle('2026-02', '2026-05', () => true);
    const t = await tile(PERIOD);
    expect(t.value).toBeCloseTo(all, 4);
    expect(t.note).toContain('Feb 2026');
    expect(t.note).toContain('May 2026');
    expect(t.note).toContain('country and segment filters apply');
  });

  it('by country: only that country\'s customers, and a different figure from the unfiltered one', async () => {
    const all = oracle('2026-02', '2026-05', () => true);
    for (const country of ['DE', 'FR', 'US']) {
      const want = oracle('2026-02', '2026-05', (r) => r.country === country);
      // The planted returns make every country's rate differ from the whole's: an ignored filter fails here.
      expect(Math.abs(want - all), country).toBeGreaterThan(0.002);
      expect((await tile(`${PERIOD}&country=${country}`)).value, country).toBeCloseTo(want, 4);
    }
  });

  it('by segment, and by country and segment together', async () => {
    const all = oracle('2026-02', '2026-05', () => true);
    const champions = oracle('2026-02', '2026-05', (r) => r.segment === 'Champions');
    expect(Math.abs(champions - all)).toBeGreaterThan(0.002);
    expect((await tile(`${PERIOD}&segment=Champions`)).value).toBeCloseTo(champions, 4);
    const hibernating = oracle('2026-02', '2026-05', (r) => r.segment === 'Hibernating');
    expect(Math.abs(hibernating - all)).toBeGreaterThan(0.002);
    expect((await tile(`${PERIOD}&segment=Hibernating`)).value).toBeCloseTo(hibernating, 4);
    const both = oracle('2026-02', '2026-05', (r) => r.country === 'DE' && r.segment === 'Champions');
    expect(Math.abs(both - champions)).toBeGreaterThan(0.002);
    expect((await tile(`${PERIOD}&country=DE&segment=Champions`)).value).toBeCloseTo(both, 4);
  });

  it('the default period (DEFAULT_RANGE_DAYS up to as-of, whole months), filtered, and the note in every language', async () => {
    const first = new Date(Date.parse(`${AS_OF}T00:00:00Z`) - (DEFAULT_RANGE_DAYS - 1) * 86_400_000).toISOString().slice(0, 7);
    const want = oracle(first, AS_OF.slice(0, 7), (r) => r.country === 'FR');
    expect((await tile('country=FR')).value).toBeCloseTo(want, 4);
    expect((await tile('country=FR&lang=lv')).note).toContain('valsts un segmenta filtri tiek piemēroti');
    expect((await tile('country=FR&lang=zh-CN')).note).toContain('适用国家/地区和客户分层筛选');
  });
});
