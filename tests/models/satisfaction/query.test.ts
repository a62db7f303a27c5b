import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addDays, isoDate } from '../../../pipelines/core/clock.js';
import { resolveFilters as resolveDashboardFilters } from '../../../dashboards/filters.js';
import { CxpError } from '../../../pipelines/core/errors.js';
import { previousPeriod, resolveFilters } from '../../../models/satisfaction/filters.js';
import {
  channelVsRest,
  changeText,
  compareSatisfaction,
  csiSummary,
  satisfactionTiles,
  satisfactionTrend,
} from '../../../models/satisfaction/query.js';
import { serviceTiles, serviceTrend } from '../../../models/satisfaction/service-query.js';
import { npsEstimate } from '../../../models/satisfaction/intervals.js';
import {
  buildSatisfactionMarts,
  insertCustomers,
  insertInteractions,
  insertSurveys,
  tempWarehouse,
  type SurveyRow,
  type TempWarehouse,
} from '../../sql/satisfaction/fixtures.js';
import { randomFixture } from '../../sql/satisfaction/random-fixture.js';

const asOf = new Date('2026-03-01T00:00:00Z');
const fixture = randomFixture(42, { customers: 40, interactions: 500, surveys: 600 });
const range = { from: '2026-01-01', to: '2026-03-01' };

let t: TempWarehouse;
beforeAll(async () => {
  t = await tempWarehouse();
  await insertCustomers(t.wh, fixture.customers);
  await insertInteractions(t.wh, fixture.interactions);
  await insertSurveys(t.wh, fixture.surveys);
  // SLA tiers: every third customer a Champion (-> vip) as of 31 January, so February contacts of theirs are vip.
  for (const [i, c] of fixture.customers.entries()) {
    await t.wh.run(
      "insert into rfm_history (as_of, customer_id, frequency, monetary, rfm_segment, lifecycle_stage, run_id) values (date '2026-01-31', $1, 1, 1, $2, 'active', 'q')",
      [c.id, i % 3 === 0 ? 'Champions' : 'Hibernating'],
    );
  }
  await buildSatisfactionMarts(t.wh, '2026-03-01');
});
afterAll(() => t?.cleanup());

const badRequest = async (p: Promise<unknown> | (() => unknown)) => {
  const err = await (typeof p === 'function' ? Promise.resolve().then(p) : p).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CxpError);
  expect((err as CxpError).code).toBe('CXP_ERR_BAD_REQUEST');
  return err as CxpError;
};

describe('filters', () => {
  test('default range is the one every API shares, the 365 days ending at asOf (as the dashboards); previous period is the 365 days before', () => {
    const f = resolveFilters(undefined, asOf);
    expect([isoDate(f.from), isoDate(f.to)]).toEqual(['2025-03-02', '2026-03-01']);
    const p = previousPeriod(f);
    expect([isoDate(p.from), isoDate(p.to)]).toEqual(['2024-03-02', '2025-03-01']);
    // The dashboards' filter bar resolves the same default range.
    const d = resolveDashboardFilters({}, asOf);
    expect([isoDate(d.from), isoDate(addDays(d.toExclusive, -1))]).toEqual(['2025-03-02', '2026-03-01']);
  });

  test.each([
    [{ from: '2026-02-30' }, 'from'],
    [{ to: '2026-03-02' }, 'to'],
    [{ from: '2026-02-10', to: '2026-02-01' }, 'from'],
    [{ channel: [''] }, 'channel'],
    [{ country: 42 as unknown as string }, 'country'],
    [{ channel: Array(51).fill('chat') }, 'channel'],
    [{ colour: 'red' } as never, 'colour'],
  ])('rejects %j naming %s', async (raw, where) => {
    const err = await badRequest(() => resolveFilters(raw, asOf));
    expect(err.details.where).toBe(where);
  });

  test('values are bound: a quote in a filter value matches nothing and breaks nothing', async () => {
    const rows = await satisfactionTrend(t.wh, { surveyType: 'nps', filters: { ...range, channel: "chat' or 1=1 --" } }, asOf);
    expect(rows).toEqual([]);
  });

  test('segment filters on customer_value.rfm_segment; without that table it is a bad request', async () => {
    const champions = fixture.customers.slice(0, 10).map((c) => c.id);
    for (const id of champions) {
      await t.wh.run(
        `insert into customer_value (customer_id, as_of, frequency, monetary, count_purchase_days, rfm_segment, lifecycle_stage, value_run_id)
         values ($1, '2026-03-01', 1, 1, 1, 'Champions', 'active', 'test')`,
        [id],
      );
    }
    const expected = fixture.surveys.filter((s) => s.type === 'nps' && champions.includes(s.customer) && s.at >= '2026-01-01' && s.at < '2026-03-02');
    const rows = await satisfactionTrend(t.wh, { surveyType: 'nps', grain: 'month', filters: { ...range, segment: 'Champions' } }, asOf);
    expect(rows.reduce((a, r) => a + r.n, 0)).toBe(expected.length);
    await t.wh.run('alter table customer_value rename to customer_value_hidden');
    try {
      const err = await badRequest(satisfactionTrend(t.wh, { surveyType: 'nps', filters: { segment: 'Champions' } }, asOf));
      expect(err.details.where).toBe('segment');
    } finally {
      await t.wh.run('alter table customer_value_hidden rename to customer_value');
    }
  });
});

describe('satisfaction trend and comparisons', () => {
  test('daily trend by channel equals the satisfaction_daily mart (TS and SQL intervals agree)', async () => {
    for (const type of ['nps', 'csat', 'ces'] as const) {
      const trend = await satisfactionTrend(t.wh, { surveyType: type, grain: 'day', byChannel: true, filters: range }, asOf);
      const mart = await t.wh.all<Record<string, unknown>>(
        "select strftime(response_on, '%Y-%m-%d') as d, * from satisfaction_daily where survey_type = $1 and response_on between '2026-01-01' and '2026-03-01' order by d, channel",
        [type],
      );
      expect(trend.length).toBe(mart.length);
      trend.forEach((r, i) => {
        expect([r.period_on, r.channel, r.n]).toEqual([mart[i].d, mart[i].channel, mart[i].responses]);
        expect(r.score!).toBeCloseTo(mart[i].score as number, 9);
        if (mart[i].ci_low === null) expect(r.ci_low).toBeNull();
        else expect(r.ci_low!).toBeCloseTo(mart[i].ci_low as number, 6);
        expect(r.is_low_sample).toBe(mart[i].is_low_sample);
      });
    }
  });

  test('monthly NPS for one country equals a count over the fixture', async () => {
    const de = new Set(fixture.customers.filter((c) => c.country === 'DE').map((c) => c.id));
    const feb = fixture.surveys.filter((s) => s.type === 'nps' && de.has(s.customer) && s.at.startsWith('2026-02'));
    const trend = await satisfactionTrend(t.wh, { surveyType: 'nps', grain: 'month', filters: { ...range, country: 'DE' } }, asOf);
    const row = trend.find((r) => r.period_on === '2026-02-01')!;
    expect(row.n).toBe(feb.length);
    expect(row.promoters).toBe(feb.filter((s) => s.score >= 9).length);
    expect(row.detractors).toBe(feb.filter((s) => s.score <= 6).length);
  });

  test('channel vs the rest covers every response of the range', async () => {
    const c = await channelVsRest(t.wh, 'csat', 'chat', range, asOf);
    const all = fixture.surveys.filter((s) => s.type === 'csat' && s.at >= '2026-01-01' && s.at < '2026-03-02');
    expect(c.a.n + c.b.n).toBe(all.length);
    expect(c.test.test).toBe('two_proportion_z');
  });
});

describe('tiles: change vs previous period with significance text', () => {
  let t2: TempWarehouse;
  beforeAll(async () => {
    t2 = await tempWarehouse();
    await insertCustomers(t2.wh, [{ id: 'c1' }]);
    const rows: SurveyRow[] = [];
    const add = (day: string, score: number, n: number) => {
      for (let i = 0; i < n; i++) rows.push({ id: `${day}-${score}-${i}`, customer: 'c1', at: `${day} 12:00:00`, type: 'nps', score });
    };
    add('2026-03-10', 10, 10); // current period (2026-03-02..03-31): 10 promoters, 5 passives, 5 detractors
    add('2026-03-10', 8, 5);
    add('2026-03-10', 3, 5);
    add('2026-02-10', 9, 5); // previous period (2026-01-31..03-01): 5 / 5 / 10
    add('2026-02-10', 7, 5);
    add('2026-02-10', 0, 10);
    await insertSurveys(t2.wh, rows);
    await buildSatisfactionMarts(t2.wh, '2026-03-31');
  });
  afterAll(() => t2?.cleanup());

  test('NPS 25 vs -25 (n=20 each): pooled p+ = p- = .375, V = .75; z = .5 / sqrt(.75 * 2 / 20) = 1.826, p = .068 -> not significant', async () => {
    const tiles = await satisfactionTiles(t2.wh, { from: '2026-03-02', to: '2026-03-31' }, new Date('2026-03-31T00:00:00Z'));
    const nps = tiles.find((x) => x.metric === 'nps')!;
    expect(nps.a.score).toBe(25);
    expect(nps.b.score).toBe(-25);
    expect(nps.test.statistic!).toBeCloseTo(0.5 / Math.sqrt(0.075), 9);
    expect(nps.test.pValue!).toBeCloseTo(0.0679, 3);
    expect(nps.text).toBe('NPS up 50 points, not significant (n=20, low sample)');
    expect(tiles.find((x) => x.metric === 'csat')!.text).toBe('CSAT: no responses in this period');
  });

  test('at 90% confidence the same change is significant', async () => {
    const c = await compareSatisfaction(
      t2.wh,
      'nps',
      { from: '2026-03-02', to: '2026-03-31' },
      { from: '2026-01-31', to: '2026-03-01' },
      new Date('2026-03-31T00:00:00Z'),
      { ...(await import('../../../models/satisfaction/settings.js')).DEFAULT_SATISFACTION_SETTINGS, confidence: 0.9 },
    );
    expect(c.text).toBe('NPS up 50 points, significant (n=20, low sample)');
  });

  test('text for a large unchanged sample, and CES wording', () => {
    const e = npsEstimate({ promoters: 106, passives: 50, detractors: 56 });
    expect(changeText('nps', e, e, { test: 'nps_z', statistic: 0, pValue: 1, isSignificant: false })).toBe(
      'NPS unchanged, not significant (n=212)',
    );
    const a = { n: 40, score: 5.3, ciLow: 5, ciHigh: 5.6, isLowSample: false };
    const b = { n: 40, score: 5.0, ciLow: 4.7, ciHigh: 5.3, isLowSample: false };
    expect(changeText('ces', a, b, { test: 'welch_t', statistic: 1, pValue: 0.3, isSignificant: false })).toBe(
      'CES up 0.3, not significant (n=40)',
    );
  });
});

describe('service queries', () => {
  test('daily service trend by channel equals the service_kpis_daily mart, backlog included', async () => {
    const trend = await serviceTrend(t.wh, { grain: 'day', byChannel: true, filters: range }, asOf);
    const mart = await t.wh.all<Record<string, unknown>>(
      "select strftime(opened_on, '%Y-%m-%d') as d, * from service_kpis_daily where interactions > 0 and opened_on >= '2026-01-01' order by d, channel",
    );
    expect(trend.length).toBe(mart.length);
    trend.forEach((r, i) => {
      expect([r.period_on, r.channel, r.interactions, r.complaints]).toEqual([mart[i].d, mart[i].channel, mart[i].interactions, mart[i].complaints]);
      expect(r.count_open_backlog).toBe(mart[i].count_open_backlog);
      for (const k of ['median_first_response_minutes', 'p90_resolution_hours', 'first_response_sla_rate', 'first_contact_resolution_rate'] as const) {
        if (mart[i][k] === null) expect(r[k]).toBeNull();
        else expect(r[k] as number).toBeCloseTo(mart[i][k] as number, 9);
      }
    });
  });

  test('daily service trend by tier equals the service_kpis_tier_daily mart; tiers counted independently', async () => {
    const trend = await serviceTrend(t.wh, { grain: 'day', byTier: true, filters: range }, asOf);
    const mart = await t.wh.all<Record<string, unknown>>(
      "select strftime(opened_on, '%Y-%m-%d') as d, * from service_kpis_tier_daily where opened_on >= '2026-01-01' order by d, customer_tier",
    );
    expect(trend.length).toBe(mart.length);
    trend.forEach((r, i) => {
      expect([r.period_on, r.channel, r.customer_tier, r.interactions]).toEqual([mart[i].d, 'all', mart[i].customer_tier, mart[i].interactions]);
      for (const k of ['median_first_response_minutes', 'first_response_sla_rate', 'resolution_sla_rate'] as const) {
        if (mart[i][k] === null) expect(r[k]).toBeNull();
        else expect(r[k] as number).toBeCloseTo(mart[i][k] as number, 9);
      }
    });
    // vip = a Champion's contact opened after 31 January (UTC days).
    const vipIds = new Set(fixture.customers.filter((_, i) => i % 3 === 0).map((c) => c.id));
    const inRange = fixture.interactions.filter((x) => x.opened >= '2026-01-01' && x.opened < '2026-03-02');
    const vip = inRange.filter((x) => vipIds.has(x.customer) && x.opened >= '2026-02-01').length;
    expect(vip).toBeGreaterThan(0);
    const sum = (tier: string) => trend.filter((r) => r.customer_tier === tier).reduce((a, r) => a + r.interactions, 0);
    expect([sum('vip'), sum('standard')]).toEqual([vip, inRange.length - vip]);
    await expect(serviceTrend(t.wh, { byTier: true, byChannel: true }, asOf)).rejects.toThrow(/by channel or by tier/);
  });

  test('service tiles: complaint rate by two-proportion z, times by Welch t, volume untested', async () => {
    const tiles = await serviceTiles(t.wh, { from: '2026-02-01', to: '2026-03-01' }, asOf);
    const by = new Map(tiles.map((x) => [x.metric, x]));
    const cur = fixture.interactions.filter((i) => i.opened >= '2026-02-01' && i.opened < '2026-03-02');
    expect(by.get('interactions')!.a.n).toBe(cur.length);
    expect(by.get('interactions')!.test).toBeNull();
    expect(by.get('complaint_rate')!.a.value!).toBeCloseTo(cur.filter((i) => i.kind === 'complaint').length / cur.length, 12);
    expect(by.get('complaint_rate')!.test!.test).toBe('two_proportion_z');
    expect(by.get('first_response_minutes')!.test!.test).toBe('welch_t');
    expect(by.get('complaint_rate')!.text).toMatch(/^complaint rate (up|down) [\d.]+ points, (not )?significant \(n=\d+\)$|unchanged/);
  });
});

describe('CSI summary', () => {
  test('mean CSI per country equals the mean of customer_satisfaction rows', async () => {
    const rows = await csiSummary(t.wh, { by: 'country' }, asOf);
    const cs = await t.wh.all<{ country: string; csi: number }>(
      'select c.country, s.csi from customer_satisfaction s join customers c using (customer_id) where s.csi is not null',
    );
    for (const r of rows) {
      const mine = cs.filter((x) => x.country === r.group).map((x) => x.csi);
      expect(r.n).toBe(mine.length);
      expect(r.csi!).toBeCloseTo(mine.reduce((a, b) => a + b, 0) / mine.length, 9);
      expect(r.is_low_sample).toBe(mine.length < 30);
    }
  });

  test('CSI does not take a channel filter', async () => {
    await badRequest(csiSummary(t.wh, { filters: { channel: 'chat' } }, asOf));
  });
});
