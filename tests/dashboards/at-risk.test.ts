import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import { buildAtRiskList } from '../../models/churn/at-risk-list.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { tempWarehouse } from '../helpers/temp-warehouse.js';
import { mulberry32 } from '../helpers/prng.js';

/** A hand-made population with its own oracle: what marketing should see, computed here, not by the code under test. */
interface Person {
  id: string;
  risk: number;
  band: 'low' | 'medium' | 'high';
  clv: number | null;
  pAlive: number | null;
  stage: string | null;
  segment: string | null;
  country: string;
  consent: boolean;
  recency: number | null;
}

function population(): Person[] {
  const r = mulberry32(4242);
  const out: Person[] = [];
  for (let i = 0; i < 240; i++) {
    const risk = Math.round(r() * 1000) / 1000;
    const lapsed = r() < 0.2;
    const prospect = r() < 0.08;
    out.push({
      id: `k${String(i).padStart(3, '0')}`,
      risk,
      band: risk >= 0.7 ? 'high' : risk >= 0.3 ? 'medium' : 'low',
      clv: prospect ? null : lapsed && r() < 0.7 ? Math.round(r() * 90) / 100 : Math.round(r() * 500000) / 100,
      pAlive: prospect ? null : lapsed && r() < 0.5 ? Math.round(r() * 40) / 1000 : Math.round((0.1 + 0.9 * r()) * 1000) / 1000,
      stage: prospect ? 'prospect' : lapsed ? 'lapsed' : r() < 0.5 ? 'active' : 'at_risk',
      segment: prospect ? null : ['Champions', 'At Risk', 'Hibernating', "Can't Lose Them"][Math.floor(r() * 4)],
      country: ['DE', 'FR', 'LV'][Math.floor(r() * 3)],
      consent: r() < 0.7,
      recency: prospect ? null : Math.floor(r() * 400),
    });
  }
  return out;
}

/** The oracle's definitions (docs/triggers.md "At-risk list"): lost = p_alive < 0.05, or lapsed with CLV < 1. */
const isLost = (p: Person) => (p.pAlive !== null && p.pAlive < 0.05) || (p.stage === 'lapsed' && (p.clv ?? 0) < 1);
const stake = (p: Person) => (p.clv === null ? null : p.risk * p.clv);
const desc = (a: number | null, b: number | null) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : b - a);

const KEY = 'marketing-key-0123456789';
const PEOPLE = population();
let app: FastifyInstance;
let done: () => void;
type Row = Record<string, unknown> & { customer_id: string };
const get = async (q: string) => {
  const res = await app.inject({ url: `/api/customers/at-risk?${q}`, headers: { authorization: `Bearer ${KEY}` } });
  expect(res.statusCode).toBe(200);
  return res;
};
const json = async (q: string) => (await get(q)).json() as { total: number; population: string; counts: { at_risk: number; lost: number }; next_offset: number | null; rows: Row[] };
/** Every row of a query, page by page as the page does it. */
async function allPages(q: string, size = 37): Promise<Row[]> {
  const rows: Row[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page = await json(`${q}&limit=${size}&offset=${offset}`);
    rows.push(...page.rows);
    offset = page.next_offset;
  }
  return rows;
}

beforeAll(async () => {
  const t = await tempWarehouse('cxp-atrisk-');
  done = t.cleanup;
  const wh = t.wh;
  for (const p of PEOPLE) {
    await wh.run('insert into customers (customer_id, country, email, marketing_consent) values ($1, $2, $3, $4)', [p.id, p.country, `${p.id}@example.com`, p.consent]);
    await wh.run(
      `insert into churn_scores (customer_id, churn_risk, churn_band, churn_reasons, as_of_on, scored_at, model_id)
       values ($1, $2, $3, $4::json, '2026-06-30', '2026-07-01 02:00:00', 'm1')`,
      [p.id, p.risk, p.band, JSON.stringify(p.recency === null ? [] : [{ feature: 'days_since_last_purchase', text: `no purchase in ${p.recency} days`, contribution: 0.3 }])],
    );
    await wh.run(
      `insert into customer_value (customer_id, as_of, recency_days, frequency, monetary, count_purchase_days, rfm_segment, lifecycle_stage, p_alive, clv, value_run_id)
       values ($1, '2026-06-30', $2, 1, 10, 1, $3, $4, $5, $6, 'v1')`,
      [p.id, p.recency, p.segment, p.stage, p.pAlive, p.clv],
    );
  }
  await buildAtRiskList(wh);
  app = await buildApp({ warehouse: wh, server: { apiKeys: [{ name: 'mkt', role: 'marketing', keyHash: sha256Hex(KEY) }], cacheSeconds: 0 }, env: {}, clock: fixedClock('2026-07-01T08:00:00Z') });
}, 60_000);
afterAll(async () => {
  await app?.close();
  done?.();
});

describe('at-risk list for marketing', () => {
  it('orders by value at stake (risk x CLV) by default, with the lost left out', async () => {
    const expected = PEOPLE.filter((p) => p.consent && !isLost(p)).sort((a, b) => desc(stake(a), stake(b)) || b.risk - a.risk || (a.id < b.id ? -1 : 1));
    const rows = await allPages('');
    expect(rows.map((r) => r.customer_id)).toEqual(expected.map((p) => p.id));
    expect(rows[0].value_at_stake).toBeCloseTo(stake(expected[0])!, 6);
    expect(rows.some((r) => r.is_lost)).toBe(false);
  });

  it('lists the lost apart, and at_risk + lost is every scored customer', async () => {
    const lost = PEOPLE.filter((p) => p.consent && isLost(p));
    expect(lost.length).toBeGreaterThan(5);
    const rows = await allPages('population=lost');
    expect(rows.map((r) => r.customer_id).sort()).toEqual(lost.map((p) => p.id).sort());
    expect(rows.every((r) => r.is_lost === true)).toBe(true);
    const all = await json('consent_only=false&population=all&limit=1');
    expect(all.total).toBe(PEOPLE.length);
    expect(all.counts.at_risk + all.counts.lost).toBe(PEOPLE.length);
    expect(all.counts.lost).toBe(PEOPLE.filter(isLost).length);
  });

  it('sorts by risk, CLV and recency on request', async () => {
    const base = PEOPLE.filter((p) => p.consent && !isLost(p));
    const ids = (xs: Person[]) => xs.map((p) => p.id);
    const tie = (a: Person, b: Person) => (a.id < b.id ? -1 : 1);
    expect((await allPages('sort=risk_desc')).map((r) => r.customer_id)).toEqual(ids([...base].sort((a, b) => b.risk - a.risk || tie(a, b))));
    expect((await allPages('sort=clv_desc')).map((r) => r.customer_id)).toEqual(ids([...base].sort((a, b) => desc(a.clv, b.clv) || tie(a, b))));
    expect((await allPages('sort=recency_desc')).map((r) => r.customer_id)).toEqual(ids([...base].sort((a, b) => desc(a.recency, b.recency) || tie(a, b))));
    const asc = (await allPages('sort=risk_asc')).map((r) => r.churn_risk as number);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
  });

  it('filters by band, segment, lifecycle stage, minimum CLV, country and consent', async () => {
    const cases: [string, (p: Person) => boolean][] = [
      ['band=high', (p) => p.consent && p.band === 'high'],
      ['segment=Champions', (p) => p.consent && p.segment === 'Champions'],
      ['lifecycle_stage=at_risk', (p) => p.consent && p.stage === 'at_risk'],
      ['min_clv=2000', (p) => p.consent && p.clv !== null && p.clv >= 2000],
      ['country=LV', (p) => p.consent && p.country === 'LV'],
      ['consent_only=false', () => true],
      ['band=medium&country=FR&min_clv=100&consent_only=false', (p) => p.band === 'medium' && p.country === 'FR' && p.clv !== null && p.clv >= 100],
    ];
    for (const [q, keep] of cases) {
      const want = PEOPLE.filter((p) => keep(p) && !isLost(p)).map((p) => p.id).sort();
      const page = await json(`${q}&limit=1000`);
      expect({ q, ids: page.rows.map((r) => r.customer_id).sort() }).toEqual({ q, ids: want });
      expect({ q, total: page.total }).toEqual({ q, total: want.length });
    }
    // E-mail only for customers who consented.
    const rows = await allPages('consent_only=false', 500);
    expect(rows.every((r) => (r.marketing_consent ? r.email === `${r.customer_id}@example.com` : r.email === null))).toBe(true);
  });

  it('counts agree: the churn tile, the list header, the pages and the CSV say the same about one population', async () => {
    const n = PEOPLE.filter((p) => p.consent && !isLost(p)).length;
    const head = await json('limit=5');
    expect(head.total).toBe(n);
    expect(head.population).toBe('scored customers still worth saving (not lost), consented to marketing');
    expect(head.counts).toEqual({ at_risk: n, lost: PEOPLE.filter((p) => p.consent && isLost(p)).length });
    expect((await allPages('')).length).toBe(n);
    const csv = (await get('format=csv')).body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csv.length - 1).toBe(n);
    const dash = await app.inject({ url: '/api/dashboards/churn', headers: { authorization: `Bearer ${KEY}` } });
    const tile = (dash.json().tiles as { id: string; value: number; note: string }[]).find((t) => t.id === 'at-risk-list')!;
    expect(tile.value).toBe(n);
    expect(tile.note).toContain(head.population);
    const fr = await app.inject({ url: '/api/dashboards/churn?country=FR', headers: { authorization: `Bearer ${KEY}` } });
    expect((fr.json().tiles as { id: string; value: number }[]).find((t) => t.id === 'at-risk-list')!.value).toBe((await json('country=FR&limit=1')).total);
  });

  it('revenue at risk is one figure: the overview and churn tiles equal the value at stake of the list, the lost apart', async () => {
    const expected = (people: Person[]) => Math.round(people.filter((p) => !isLost(p)).reduce((s, p) => s + (stake(p) ?? 0), 0));
    const tileOf = async (page: string, q = '') => {
      const res = await app.inject({ url: `/api/dashboards/${page}${q}`, headers: { authorization: `Bearer ${KEY}` } });
      return (res.json().tiles as { id: string; value: number }[]).find((t) => t.id === 'revenue-at-risk')!.value;
    };
    expect(expected(PEOPLE)).toBeGreaterThan(0);
    // Leaving the lost out must matter in this population, or the test would not tell the definitions apart.
    expect(Math.round(PEOPLE.reduce((s, p) => s + (stake(p) ?? 0), 0))).not.toBe(expected(PEOPLE));
    expect(await tileOf('churn')).toBe(expected(PEOPLE));
    expect(await tileOf('overview')).toBe(expected(PEOPLE));
    const fr = PEOPLE.filter((p) => p.country === 'FR');
    expect(await tileOf('churn', '?country=FR')).toBe(expected(fr));
    expect(await tileOf('overview', '?country=FR')).toBe(expected(fr));
  });
});
