/**
 * Cohort retention and the lifecycle flow through the API and the RFM page's charts, against counts
 * made in this file from the fixture's own rows (purchases, customers, rfm_history), and the drill
 * from a flow cell to the customers list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { AS_OF, createFixture, type Fixture } from './fixtures.js';

const KEY = 'viewer-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };
let fx: Fixture;
let app: FastifyInstance;

beforeAll(async () => {
  fx = await createFixture();
  app = await buildApp({ warehouse: fx.warehouse, server: { apiKeys: [{ name: 'v', role: 'viewer', keyHash: sha256Hex(KEY) }], cacheSeconds: 0 }, env: {}, clock: fixedClock('2026-06-30T12:00:00Z') });
});
afterAll(async () => {
  await app.close();
  fx.close();
});

const get = (url: string) => app.inject({ url, headers: auth });

describe('GET /api/rfm/cohorts', () => {
  it('needs the viewer role', async () => {
    expect((await app.inject({ url: '/api/rfm/cohorts' })).statusCode).toBe(401);
  });

  it('first-purchase cohorts: buyers per month since, computed here from the purchases', async () => {
    const orders = await fx.warehouse.all<{ customer_id: string; ordered_at: Date; country: string }>(
      "select p.customer_id, p.ordered_at, c.country from purchases p join customers c using (customer_id) where p.status = 'completed'",
    );
    const months = new Map<string, Set<string>>();
    for (const o of orders) {
      if (o.country !== 'FR') continue;
      const m = o.ordered_at.toISOString().slice(0, 7);
      months.set(o.customer_id, (months.get(o.customer_id) ?? new Set()).add(m));
    }
    const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7));
    const cells = new Map<string, { n: number; b: number }>();
    for (const ms of months.values()) {
      const first = [...ms].sort()[0]!;
      for (let k = 0; k <= index(AS_OF.slice(0, 7)) - index(first); k++) {
        const e = cells.get(`${first}|${k}`) ?? { n: 0, b: 0 };
        e.n += 1;
        if ([...ms].some((m) => index(m) - index(first) === k)) e.b += 1;
        cells.set(`${first}|${k}`, e);
      }
    }
    const res = await get('/api/rfm/cohorts?country=FR');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.available).toBe(true);
    expect(body.cells.length).toBe(cells.size);
    for (const c of body.cells) {
      const e = cells.get(`${c.cohort_month_on.slice(0, 7)}|${c.months_since}`)!;
      expect([c.count_customers, c.count_buying]).toEqual([e.n, e.b]);
      expect(c.share_buying).toBeCloseTo(e.b / e.n, 12);
    }
  });

  it('signup basis and month bounds; bad input is a 400 naming the field', async () => {
    const body = (await get('/api/rfm/cohorts?basis=signup&from_month=2025-06&to_month=2025-06&max_months_since=2')).json();
    // Every fixture customer signed up on 2025-06-01.
    expect(body.cells.map((c: { months_since: number }) => c.months_since)).toEqual([0, 1, 2]);
    expect(body.cells[0].count_customers).toBe(Number((await fx.warehouse.one('select count(*) as n from customers'))!.n));
    const bad = await get('/api/rfm/cohorts?basis=birthday');
    expect(bad.statusCode).toBe(400);
    const badCountry = await get('/api/rfm/cohorts?country=XX');
    expect(badCountry.statusCode).toBe(400);
    expect(badCountry.json().error.field).toBe('country');
  });
});

describe('the RFM page by signup month', () => {
  it('cohort_basis=signup groups by signup month, says so, and links back to first-purchase cohorts', async () => {
    const d = (await get('/api/dashboards/rfm?cohort_basis=signup&from=2025-06-01&lang=en')).json();
    const chart = d.charts.find((c: { id: string }) => c.id === 'cohorts');
    expect(chart.title).toBe('Cohort retention: share of each signup month still buying');
    expect(chart.toggle).toEqual({ param: 'cohort_basis', value: 'first_purchase', text: 'By first-purchase month' });
    // Every fixture customer signed up in June 2025: one cohort row, its size all customers.
    const values = chart.spec.data.values as { y: string; cohort_size: number }[];
    expect(new Set(values.map((v) => v.y))).toEqual(new Set(['Jun 2025']));
    expect(values[0]!.cohort_size).toBe(Number((await fx.warehouse.one('select count(*) as n from customers'))!.n));
    const first = (await get('/api/dashboards/rfm?lang=en')).json().charts.find((c: { id: string }) => c.id === 'cohorts');
    expect(first.toggle.value).toBe('signup');
    expect((await get('/api/dashboards/rfm?cohort_basis=birthday')).statusCode).toBe(400);
  });
});

describe('GET /api/rfm/lifecycle-flow', () => {
  it('counts moves between the two snapshots like the oracle, and each cell links to its customers', async () => {
    const hist = await fx.warehouse.all<{ as_of: Date; customer_id: string; lifecycle_stage: string }>('select as_of, customer_id, lifecycle_stage from rfm_history');
    const snap = (d: string) => new Map(hist.filter((h) => h.as_of.toISOString().slice(0, 10) === d).map((h) => [h.customer_id, h.lifecycle_stage]));
    const a = snap('2026-05-31');
    const b = snap('2026-06-30');
    const want = new Map<string, number>();
    for (const id of new Set([...a.keys(), ...b.keys()])) {
      const k = `${a.get(id) ?? '(absent)'}>${b.get(id) ?? '(absent)'}`;
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    const body = (await get('/api/rfm/lifecycle-flow')).json();
    expect([body.from, body.to]).toEqual(['2026-05-31', '2026-06-30']);
    expect(body.cells.length).toBe(want.size);
    for (const c of body.cells) expect(c.count_customers, `${c.from_stage}>${c.to_stage}`).toBe(want.get(`${c.from_stage}>${c.to_stage}`));
    const absent = body.cells.find((c: { from_stage: string }) => c.from_stage === '(absent)');
    expect(absent.count_customers).toBeGreaterThan(0);
    for (const c of [body.cells[0], absent]) {
      const list = (await get(`${c.customers_href}&limit=500`)).json();
      expect(list.total).toBe(c.count_customers);
      const ids = list.rows.map((x: { customer_id: string }) => x.customer_id);
      for (const id of ids) expect(`${a.get(id) ?? '(absent)'}>${b.get(id) ?? '(absent)'}`).toBe(`${c.from_stage}>${c.to_stage}`);
    }
  });

  it('a period inside one snapshot has no flow, said in words', async () => {
    const body = (await get('/api/rfm/lifecycle-flow?from=2026-06-30&to=2026-06-30&lang=lv')).json();
    expect(body.available).toBe(false);
    expect(body.empty_reason).toMatch(/momentuzņēmum/);
  });
});

describe('the customers list filtered by a flow cell', () => {
  it('names the filter for people and refuses an incomplete or unknown one', async () => {
    const list = (await get('/api/customers?flow_from=2026-05-31&flow_to=2026-06-30&stage_from=prospect&stage_to=new&lang=en')).json();
    expect(list.filters_applied).toContainEqual(expect.objectContaining({ field: 'flow', label: 'Lifecycle flow', value_label: expect.stringMatching(/^Potential on .+ → New on /) }));
    const part = await get('/api/customers?flow_from=2026-05-31&stage_from=prospect');
    expect(part.statusCode).toBe(400);
    expect(part.json().error.field).toBe('flow_to');
    const nosnap = await get('/api/customers?flow_from=2026-05-30&flow_to=2026-06-30&stage_from=prospect&stage_to=new');
    expect(nosnap.statusCode).toBe(400);
    expect(nosnap.json().error.field).toBe('flow_from');
    expect((await get('/api/interactions?flow_from=2026-05-31')).statusCode).toBe(400);
  });
});

describe('the RFM page charts both', () => {
  it('cohort heatmap and flow matrix with a drill to the cell behind a click, in every language', async () => {
    for (const lang of ['en', 'zh-CN', 'lv']) {
      const d = (await get(`/api/dashboards/rfm?lang=${lang}`)).json();
      const cohorts = d.charts.find((c: { id: string }) => c.id === 'cohorts');
      const flow = d.charts.find((c: { id: string }) => c.id === 'lifecycle-flow');
      expect(cohorts.spec, lang).not.toBeNull();
      expect(flow.spec, lang).not.toBeNull();
      expect(flow.drill).toEqual({ page: 'customers', param: 'stage_from', field: 'y_key', also: { stage_to: 'x_key' }, query: { flow_from: '2026-05-31', flow_to: '2026-06-30' }, hint: 'cells' });
      expect(flow.table.drill_also.length).toBe(flow.table.drill_values.length);
      if (lang !== 'en') {
        expect(cohorts.title).not.toMatch(/Cohort/);
        expect(flow.title).not.toMatch(/Lifecycle/);
      }
    }
  });
});
