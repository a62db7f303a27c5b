/**
 * Drill by month and by country: the service page's contacts-by-month points and the overview's
 * customers-by-country bars, their counts made here from the fixture's rows, and the lists they open
 * holding exactly those contacts / customers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { createFixture, type Fixture } from './fixtures.js';

let fx: Fixture;
let app: FastifyInstance;
beforeAll(async () => {
  fx = await createFixture();
  app = await buildApp({ warehouse: fx.warehouse, server: { cacheSeconds: 0 }, env: {}, clock: fixedClock('2026-06-30T12:00:00Z') });
});
afterAll(async () => {
  await app.close();
  fx.close();
});

const get = async (url: string) => {
  const res = await app.inject({ url });
  expect(res.statusCode, url).toBe(200);
  return res.json();
};

describe('contacts by month (service page)', () => {
  it('counts contacts and complaints per UTC month like the rows, and each point drills to that month', async () => {
    const rows = await fx.warehouse.all<{ opened_at: Date; kind: string; channel: string }>('select opened_at, kind, channel from interactions');
    const want = new Map<string, { all: number; complaints: number }>();
    for (const r of rows) {
      if (r.channel !== 'chat') continue;
      const m = r.opened_at.toISOString().slice(0, 7);
      const e = want.get(m) ?? { all: 0, complaints: 0 };
      e.all += 1;
      if (r.kind === 'complaint') e.complaints += 1;
      want.set(m, e);
    }
    const d = await get('/api/dashboards/service?channel=chat&lang=zh-CN');
    const chart = d.charts.find((c: { id: string }) => c.id === 'contacts-by-month');
    expect(chart.drill).toEqual({ page: 'interactions', param: 'month', field: 'month_key', hint: 'months' });
    const values = chart.spec.data.values as { month_key: string; value: number; series: string }[];
    expect(new Set(values.map((v) => v.month_key))).toEqual(new Set(want.keys()));
    for (const [m, e] of want) {
      const at = values.filter((v) => v.month_key === m).map((v) => v.value).sort((a, b) => b - a);
      expect(at, m).toEqual([e.all, e.complaints]);
    }
    // Series named in the page's language.
    expect(new Set(values.map((v) => v.series)).size).toBe(2);
    expect(values.some((v) => /[A-Za-z]/.test(v.series))).toBe(false);
    // The data table's first column links to the same month.
    expect(chart.table.drill_values).toEqual(values.map((v) => v.month_key));
    const [month, e] = [...want][2]!;
    const list = await get(`/api/interactions?channel=chat&month=${month}&limit=1`);
    expect(list.total).toBe(e.all);
    expect(list.filters_applied.map((f: { field: string }) => f.field)).toEqual(['channel', 'month']);
  });
});

describe('customers by country (overview)', () => {
  it('counts customers per country like the rows, and a bar drills to that country', async () => {
    const rows = await fx.warehouse.all<{ country: string }>('select country from customers');
    const want = new Map<string, number>();
    for (const r of rows) want.set(r.country, (want.get(r.country) ?? 0) + 1);
    const d = await get('/api/dashboards/overview');
    const chart = d.charts.find((c: { id: string }) => c.id === 'countries');
    expect(chart.drill).toEqual({ page: 'customers', param: 'country', field: 'key' });
    const values = chart.spec.data.values as { key: string; value: number }[];
    expect(new Map(values.map((v) => [v.key, v.value]))).toEqual(want);
    for (const [country, n] of want) expect((await get(`/api/customers?country=${country}&limit=1`)).total).toBe(n);
  });
});
