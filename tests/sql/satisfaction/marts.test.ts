import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isoDate } from '../../../pipelines/core/clock.js';
import {
  buildSatisfactionMarts,
  insertCustomers,
  insertInteractions,
  insertSurveys,
  tempWarehouse,
  testConfig,
  type TempWarehouse,
} from './fixtures.js';
import { randomFixture } from './random-fixture.js';
import { expectedCustomerSatisfaction, expectedSatisfactionDaily, expectedServiceDaily, type Settings } from './independent.js';

const settings: Settings = {
  asOf: '2026-03-01',
  minSample: 5,
  frt: { chat: 15, phone: 15 },
  frtDefault: 1440,
  resolutionHours: 24,
  surveyWindowDays: 45,
  weights: { nps: 0.4, csat: 0.3, ces: 0.2, service: 0.1 },
};
const fixture = randomFixture(42, { customers: 40, interactions: 600, surveys: 700 });

let t: TempWarehouse;
beforeAll(async () => {
  expect(process.env.TZ).toBe('UTC');
  t = await tempWarehouse();
  await insertCustomers(t.wh, fixture.customers);
  await insertInteractions(t.wh, fixture.interactions);
  await insertSurveys(t.wh, fixture.surveys);
  await buildSatisfactionMarts(t.wh, settings.asOf, testConfig({ minSample: 5, surveyWindowDays: 45 }));
});
afterAll(() => t?.cleanup());

const close = (a: unknown, b: unknown) => {
  if (b === null || b === undefined) expect(a).toBeNull();
  else expect(a as number).toBeCloseTo(b as number, 6);
};

describe('satisfaction_daily against an independent computation', () => {
  test('every (day, channel, survey_type) row: responses, score, interval, low-sample flag', async () => {
    const expected = expectedSatisfactionDaily(fixture, settings);
    const rows = await t.wh.all<Record<string, unknown>>('select * from satisfaction_daily');
    expect(rows).toHaveLength(expected.length);
    const byKey = new Map(rows.map((r) => [`${isoDate(r.response_on as Date)}|${r.channel}|${r.survey_type}`, r]));
    for (const e of expected) {
      const r = byKey.get(e.key);
      expect(r, e.key).toBeDefined();
      expect(r!.responses).toBe(e.responses);
      close(r!.score, e.score);
      close(r!.ci_low, e.ciLow);
      close(r!.ci_high, e.ciHigh);
      expect(r!.is_low_sample).toBe(e.isLow);
    }
  });

  test('survey channel: the rated interaction\'s channel, "unknown" for an unloaded one, "none" without', async () => {
    const rows = await t.wh.all<{ channel: string; n: number }>('select channel, count(*) as n from int_survey_responses group by 1');
    const channels = rows.map((r) => r.channel);
    expect(channels).toContain('none');
    expect(channels).toContain('unknown');
    const linked = fixture.surveys.filter((s) => s.interaction?.startsWith('i'));
    const one = linked[0];
    const inter = fixture.interactions.find((i) => i.id === one.interaction)!;
    const r = await t.wh.one<{ channel: string }>('select channel from int_survey_responses where response_id = $1', [one.id]);
    expect(r?.channel).toBe(inter.channel);
  });

  test('responses after the as-of day are not counted', async () => {
    const late = fixture.surveys.filter((s) => s.at >= '2026-03-02').length;
    expect(late).toBeGreaterThan(0);
    const r = await t.wh.one<{ n: number }>('select count(*) as n from int_survey_responses');
    expect(r?.n).toBe(fixture.surveys.length - late);
  });
});

describe('service_kpis_daily against an independent computation', () => {
  test('every (day, channel): volume, complaints, medians/p90, FCR, SLA rates, backlog', async () => {
    const expected = expectedServiceDaily(fixture, settings);
    const rows = await t.wh.all<Record<string, unknown>>('select * from service_kpis_daily');
    expect(rows).toHaveLength(expected.length);
    const byKey = new Map(rows.map((r) => [`${isoDate(r.opened_on as Date)}|${r.channel}`, r]));
    for (const e of expected) {
      const r = byKey.get(e.key as string);
      expect(r, e.key as string).toBeDefined();
      for (const [k, v] of Object.entries(e)) {
        if (k === 'key') continue;
        if (typeof v === 'number') close(r![k], v);
        else expect(r![k], `${e.key} ${k}`).toEqual(v);
      }
    }
  });

  test('complaints_daily sums to the daily complaint counts', async () => {
    const diff = await t.wh.all(`
      select s.opened_on, s.channel from service_kpis_daily s
      left join (select opened_on, channel, sum(complaints) as c, sum(interactions) as n from complaints_daily group by all) c
        using (opened_on, channel)
      where coalesce(c.c, 0) <> s.complaints or coalesce(c.n, 0) <> s.interactions`);
    expect(diff).toEqual([]);
  });
});

describe('customer_satisfaction against an independent computation', () => {
  test('contract columns for every customer', async () => {
    const expected = expectedCustomerSatisfaction(fixture, settings);
    const rows = await t.wh.all<Record<string, unknown>>('select * from customer_satisfaction');
    expect(rows).toHaveLength(fixture.customers.length);
    const byId = new Map(rows.map((r) => [r.customer_id, r]));
    let withCsi = 0;
    for (const e of expected) {
      const r = byId.get(e.customer_id)!;
      for (const [k, v] of Object.entries(e)) {
        if (typeof v === 'number') close(r[k], v);
        else expect(r[k], `${e.customer_id} ${k}`).toEqual(v);
      }
      if (e.csi !== null) withCsi++;
    }
    expect(withCsi).toBeGreaterThan(0);
    expect(withCsi).toBeLessThan(fixture.customers.length + 1);
  });

  test('the contract columns exist with these names', async () => {
    const cols = (await t.wh.all<{ column_name: string }>(
      "select column_name from information_schema.columns where table_name = 'customer_satisfaction'",
    )).map((c) => c.column_name);
    for (const c of ['customer_id', 'last_nps', 'last_nps_at', 'csat_avg', 'csi', 'count_interactions_90d', 'count_complaints_90d', 'count_open_items', 'median_first_response_minutes']) {
      expect(cols).toContain(c);
    }
  });
});
