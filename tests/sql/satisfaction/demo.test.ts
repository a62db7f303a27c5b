import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isoDate } from '../../../pipelines/core/clock.js';
import { memoryLogger } from '../../../pipelines/core/logger.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { scoreSatisfaction } from '../../../models/satisfaction/score-step.js';
import { compareSatisfaction, keyDriverRows } from '../../../models/satisfaction/query.js';
import { ASPECT_WEIGHTS, DEFAULT_AS_OF, SCORE_MODEL } from '../../../data-samples/generator/planted.js';
import { buildSatisfactionMarts, tempWarehouse, testConfig, type TempWarehouse } from './fixtures.js';
import { demoAsFixture, hasDemo, loadDemo } from './demo-load.js';
import { expectedCustomerSatisfaction, expectedSatisfactionDaily, expectedServiceDaily, type Settings } from './independent.js';
import type { Fixture } from './random-fixture.js';

const asOf = new Date(`${DEFAULT_AS_OF}T00:00:00Z`);
const settings: Settings = {
  asOf: DEFAULT_AS_OF,
  minSample: 30,
  frt: { chat: 15, phone: 15 },
  frtDefault: 1440,
  resolutionHours: 24,
  surveyWindowDays: 365,
  weights: { nps: 0.4, csat: 0.3, ces: 0.2, service: 0.1 },
};

let t: TempWarehouse;
let fixture: Fixture;
beforeAll(async () => {
  if (!hasDemo()) return;
  t = await tempWarehouse();
  await loadDemo(t.wh);
  await buildSatisfactionMarts(t.wh, DEFAULT_AS_OF);
  fixture = await demoAsFixture(t.wh);
  await scoreSatisfaction(
    { config: testConfig(), warehouse: t.wh, runId: 'demo', clock: fixedClock('2026-11-01T00:00:00Z'), logger: memoryLogger() },
    asOf,
  );
}, 120_000);
afterAll(() => t?.cleanup());

const close = (a: unknown, b: unknown, what: string) => {
  if (b === null || b === undefined) expect(a, what).toBeNull();
  else expect(a as number, what).toBeCloseTo(b as number, 6);
};

describe.runIf(hasDemo())('demo sample data', () => {
  test('satisfaction_daily equals the independent computation', async () => {
    const expected = expectedSatisfactionDaily(fixture, settings);
    const rows = await t.wh.all<Record<string, unknown>>('select * from satisfaction_daily');
    expect(rows.length).toBe(expected.length);
    const byKey = new Map(rows.map((r) => [`${isoDate(r.response_on as Date)}|${r.channel}|${r.survey_type}`, r]));
    for (const e of expected) {
      const r = byKey.get(e.key)!;
      expect(r.responses, e.key).toBe(e.responses);
      close(r.score, e.score, e.key);
      close(r.ci_low, e.ciLow, e.key);
      close(r.ci_high, e.ciHigh, e.key);
    }
  });

  test('service_kpis_daily equals the independent computation', async () => {
    const expected = expectedServiceDaily(fixture, settings);
    const rows = await t.wh.all<Record<string, unknown>>('select * from service_kpis_daily');
    expect(rows.length).toBe(expected.length);
    const byKey = new Map(rows.map((r) => [`${isoDate(r.opened_on as Date)}|${r.channel}`, r]));
    for (const e of expected) {
      const r = byKey.get(e.key as string)!;
      for (const [k, v] of Object.entries(e)) {
        if (k === 'key') continue;
        if (typeof v === 'number') close(r[k], v, `${e.key} ${k}`);
        else expect(r[k], `${e.key} ${k}`).toEqual(v);
      }
    }
  });

  test('customer_satisfaction equals the independent computation', async () => {
    const expected = expectedCustomerSatisfaction(fixture, settings);
    const rows = await t.wh.all<Record<string, unknown>>('select * from customer_satisfaction');
    const byId = new Map(rows.map((r) => [r.customer_id, r]));
    expect(rows.length).toBe(expected.length);
    for (const e of expected) {
      const r = byId.get(e.customer_id)!;
      for (const [k, v] of Object.entries(e)) {
        if (typeof v === 'number') close(r[k], v, `${e.customer_id} ${k}`);
        else expect(r[k], `${e.customer_id} ${k}`).toEqual(v);
      }
    }
  });

  test('the planted chat outage (2026-09) is a significant NPS drop for chat', async () => {
    const c = await compareSatisfaction(
      t.wh,
      'nps',
      { from: '2026-09-01', to: '2026-09-30', channel: 'chat' },
      { from: '2026-07-01', to: '2026-08-31', channel: 'chat' },
      asOf,
    );
    expect(c.change!).toBeLessThan(-50);
    expect(c.test.isSignificant).toBe(true);
    expect(c.text).toMatch(/^NPS down \d+ points, significant \(n=\d+, low sample\)$/);
  });

  test('key drivers at the demo as-of: the planted order speed > knowledge > product quality > friendliness, price not significant', async () => {
    const rows = await t.wh.all<{ driver: string; coefficient: number; is_significant: boolean }>(
      "select driver, coefficient, is_significant from satisfaction_drivers where target = 'nps' and kind = 'survey_aspect' order by coefficient desc",
    );
    const planted = Object.entries(ASPECT_WEIGHTS).sort((a, b) => b[1] - a[1]).map(([k]) => k);
    expect(rows.map((r) => r.driver)).toEqual(planted);
    expect(rows.find((r) => r.driver === 'q_price')!.is_significant).toBe(false);
    expect(rows.filter((r) => r.is_significant).map((r) => r.driver).sort()).toEqual(planted.filter((d) => d !== 'q_price').sort());
    // The same holds for csat and ces on their own scales (ces asks only speed and knowledge).
    const ces = await keyDriverRows(t.wh, { asOf, target: 'ces', kind: 'survey_aspect' });
    expect(ces.map((r) => r.driver).sort()).toEqual(['q_knowledge', 'q_speed']);
    expect(ces.every((r) => r.is_significant)).toBe(true);
  });

  test('service drivers: an unresolved interaction (planted penalty) lowers NPS significantly', async () => {
    const rows = await keyDriverRows(t.wh, { asOf, target: 'nps', kind: 'service' });
    const unresolved = rows.find((r) => r.driver === 'unresolved')!;
    expect(unresolved.std_weight!).toBeLessThan(0);
    expect(unresolved.is_significant).toBe(true);
  });

  test('key drivers before the chat outage recover the planted weights within 3 standard errors', async () => {
    // The outage (2026-09) lowers scores exactly where speed answers are low, a penalty the aspects cannot
    // represent, so over a window that includes it the speed weight is overstated (about 1.17 vs 0.9 on the
    // demo). Before it, only rounding/clamping and the unresolved-complaint penalty remain.
    const before = '2026-08-31';
    await buildSatisfactionMarts(t.wh, before);
    const d = new Date(`${before}T00:00:00Z`);
    await scoreSatisfaction(
      { config: testConfig({ drivers: { windowDays: 800, targets: ['nps'] } }), warehouse: t.wh, runId: 'demo-before', clock: fixedClock('2026-09-01T00:00:00Z'), logger: memoryLogger() },
      d,
    );
    const coef = await t.wh.all<{ driver: string; coefficient: number; t_stat: number; is_significant: boolean }>(
      "select driver, coefficient, t_stat, is_significant from satisfaction_drivers where as_of = $1::date and target = 'nps' and kind = 'survey_aspect'",
      [before],
    );
    expect(coef).toHaveLength(5);
    for (const c of coef) {
      const truth = ASPECT_WEIGHTS[c.driver as keyof typeof ASPECT_WEIGHTS] * SCORE_MODEL.nps.scale;
      const se = Math.abs(c.coefficient / c.t_stat);
      expect(Math.abs(c.coefficient - truth), `${c.driver}: ${c.coefficient} vs planted ${truth} (se ${se})`).toBeLessThan(3 * se);
      expect(c.is_significant, c.driver).toBe(truth !== 0);
    }
  });


});
