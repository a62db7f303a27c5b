import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../dashboards/app.js';
import { sha256Hex } from '../../../dashboards/plugins/auth.js';
import { atRiskSource, buildAtRiskList, lostThresholds } from '../../../models/churn/at-risk-list.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { CxpError } from '../../../pipelines/core/errors.js';
import type { Warehouse } from '../../../pipelines/core/warehouse.js';
import { mulberry32 } from '../../helpers/prng.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

/** Hand-made customers whose p_alive, CLV and stage straddle both the default and the configured thresholds. */
interface Person { id: string; pAlive: number | null; clv: number | null; stage: string }

function people(): Person[] {
  const r = mulberry32(777);
  const out: Person[] = [];
  for (let i = 0; i < 300; i++) {
    const noValue = r() < 0.05;
    out.push({
      id: `p${String(i).padStart(3, '0')}`,
      pAlive: noValue ? null : Math.round(r() * 400) / 1000, // 0 .. 0.4
      clv: noValue ? null : Math.round(r() * 3000) / 100, // 0 .. 30
      stage: ['lapsed', 'active', 'at_risk'][Math.floor(r() * 3)],
    });
  }
  return out;
}

/** The oracle, written from the documented rule (docs/triggers.md "At-risk list"), not from the SQL. */
const lostBy = (maxPAlive: number, maxClv: number) => (p: Person) =>
  (p.pAlive !== null && p.pAlive < maxPAlive) || (p.stage === 'lapsed' && (p.clv ?? 0) < maxClv);

const PEOPLE = people();
const CUSTOM = { maxPAlive: 0.2, maxClv: 12.5 };
const KEY = 'marketing-key-lost-0123456789';
let wh: Warehouse;
let cleanup: () => void;

async function lostIds(source: string): Promise<string[]> {
  const rows = await wh.all<{ customer_id: string }>(`select customer_id from ${source} l where is_lost order by customer_id`);
  return rows.map((r) => r.customer_id);
}

beforeAll(async () => {
  const t = await tempWarehouse('cxp-lost-');
  wh = t.wh;
  cleanup = t.cleanup;
  for (const p of PEOPLE) {
    await wh.run('insert into customers (customer_id, country, email, marketing_consent) values ($1, $2, $3, true)', [p.id, 'DE', `${p.id}@example.com`]);
    await wh.run(
      `insert into churn_scores (customer_id, churn_risk, churn_band, churn_reasons, as_of_on, scored_at, model_id)
       values ($1, 0.5, 'medium', '[]'::json, '2026-06-30', '2026-07-01 02:00:00', 'm1')`,
      [p.id],
    );
    await wh.run(
      `insert into customer_value (customer_id, as_of, recency_days, frequency, monetary, count_purchase_days, lifecycle_stage, p_alive, clv, value_run_id)
       values ($1, '2026-06-30', 10, 1, 10, 1, $2, $3, $4, 'v1')`,
      [p.id, p.stage, p.pAlive, p.clv],
    );
  }
}, 60_000);
afterAll(() => cleanup?.());

/** The value run v1 flags p_alive as not informative (its row; delete run_id 'v1' to undo). */
const flagPAlive = () =>
  wh.run(
    `insert into value_model_runs (run_id, as_of, created_at, status, time_unit_days, count_customers, count_buyers, identification, is_p_alive_informative)
     values ('v1', date '2026-06-30', timestamp '2026-07-01 02:00:00', 'fitted', 7, 300, 300, 'not_identified', false)`,
  );

/** The API with churn.lost = CUSTOM and a marketing key. */
const customApp = () =>
  buildApp({
    warehouse: wh,
    config: { sources: {}, churn: { lost: CUSTOM } },
    server: { apiKeys: [{ name: 'mkt', role: 'marketing', keyHash: sha256Hex(KEY) }], cacheSeconds: 0 },
    env: {},
    clock: fixedClock('2026-07-01T08:00:00Z'),
  });

describe('churn.lost: which customers are already lost', () => {
  it('defaults to p_alive < 0.05, or lapsed with CLV < 1', async () => {
    const cfg = resolveConfig({ sources: { purchases: { path: 'a.csv' } } }, '/x');
    expect(lostThresholds(cfg)).toEqual({ maxPAlive: 0.05, maxClv: 1 });
    await buildAtRiskList(wh, lostThresholds(cfg));
    expect(await lostIds('at_risk_list')).toEqual(PEOPLE.filter(lostBy(0.05, 1)).map((p) => p.id).sort());
  });

  it('a p_alive the value run flags as not informative picks nobody: only lapsed with CLV < 1 are lost', async () => {
    await flagPAlive();
    try {
      await buildAtRiskList(wh);
      const expected = PEOPLE.filter((p) => p.stage === 'lapsed' && (p.clv ?? 0) < 1).map((p) => p.id).sort();
      expect(expected.length).toBeLessThan(PEOPLE.filter(lostBy(0.05, 1)).length);
      expect(await lostIds('at_risk_list')).toEqual(expected);
      expect(await lostIds(await atRiskSource(wh, false))).toEqual(expected);
    } finally {
      await wh.run("delete from value_model_runs where run_id = 'v1'");
    }
    // An informative run: p_alive counts again.
    await buildAtRiskList(wh);
    expect(await lostIds('at_risk_list')).toEqual(PEOPLE.filter(lostBy(0.05, 1)).map((p) => p.id).sort());
  });

  it('a configured threshold changes who is lost, in the list, its fallback query and the API', async () => {
    const cfg = resolveConfig({ sources: { purchases: { path: 'a.csv' } }, churn: { lost: CUSTOM } }, '/x');
    const lost = lostThresholds(cfg);
    const expected = PEOPLE.filter(lostBy(CUSTOM.maxPAlive, CUSTOM.maxClv)).map((p) => p.id).sort();
    // The data straddles both rules: the configured one must select a different (larger) set.
    expect(expected.length).toBeGreaterThan(PEOPLE.filter(lostBy(0.05, 1)).length);

    await buildAtRiskList(wh, lost);
    expect(await lostIds('at_risk_list')).toEqual(expected);
    // Before a run has built the table, the same SELECT as a subquery splits the same way.
    expect(await lostIds(await atRiskSource(wh, false, lost))).toEqual(expected);

    const app = await customApp();
    try {
      const res = await app.inject({ url: '/api/customers/at-risk?population=lost&limit=1000', headers: { authorization: `Bearer ${KEY}` } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { total: number; population: string; rows: { customer_id: string }[] };
      expect(body.total).toBe(expected.length);
      expect(body.rows.map((r) => r.customer_id).sort()).toEqual(expected);
      expect(body.population).toContain('p_alive < 20%, or lapsed with CLV < 12.5');
    } finally {
      await app.close();
    }
  });

  // The words must state the rule the run applied: the configured thresholds, and no p_alive when its value
  // run flags it as not informative. Expected texts written out here by hand, per language.
  const RULE_TEXT = {
    informative: {
      en: 'Already lost: chance still active below 20%, or lifecycle stage Lapsed with lifetime value below 12.5.',
      'zh-CN': '已流失的判定：仍活跃的概率低于 20%，或生命周期阶段为“已流失”且生命周期价值低于 12.5。',
      lv: 'Jau zaudēti: varbūtība, ka joprojām aktīvs, zem 20% vai dzīves cikla posms “Zaudēts” ar mūža vērtību zem 12,5.',
    },
    flagged: {
      en: 'Already lost: lifecycle stage Lapsed with lifetime value below 12.5. The chance still active is not informative for this as-of, so it marks no one as lost.',
      'zh-CN': '已流失的判定：生命周期阶段为“已流失”且生命周期价值低于 12.5。本期的仍活跃概率无参考价值，不用于判定流失。',
      lv: 'Jau zaudēti: dzīves cikla posms “Zaudēts” ar mūža vērtību zem 12,5. Varbūtība, ka joprojām aktīvs, šim datumam nav informatīva, tāpēc pēc tās neviens netiek uzskatīts par zaudētu.',
    },
  } as const;

  it.each(['informative', 'flagged'] as const)('the list and the churn page state the rule applied (p_alive %s), thresholds from config, in en, zh-CN and lv', async (kind) => {
    const flagged = kind === 'flagged';
    if (flagged) {
      await flagPAlive();
    }
    const app = await customApp();
    try {
      await buildAtRiskList(wh, CUSTOM);
      // The rows follow the same rule the words state.
      const expected = PEOPLE.filter(flagged ? (p) => p.stage === 'lapsed' && (p.clv ?? 0) < CUSTOM.maxClv : lostBy(CUSTOM.maxPAlive, CUSTOM.maxClv)).map((p) => p.id).sort();
      const auth = { authorization: `Bearer ${KEY}` };
      for (const lang of ['en', 'zh-CN', 'lv'] as const) {
        const res = await app.inject({ url: `/api/customers/at-risk?population=lost&limit=1000&lang=${lang}`, headers: auth });
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json() as { population: string; lost_rule: string; rows: { customer_id: string }[] };
        expect(body.rows.map((r) => r.customer_id).sort()).toEqual(expected);
        expect(body.lost_rule).toBe(RULE_TEXT[kind][lang]);
        if (flagged) expect(body.population).not.toContain('p_alive <');
        else expect(body.population).toContain('p_alive < 20%, or lapsed with CLV < 12.5');
        if (flagged) expect(body.population).toContain('lapsed with CLV < 12.5; p_alive is not informative');

        const page = await app.inject({ url: `/api/metrics/churn?lang=${lang}`, headers: auth });
        expect(page.statusCode, page.body).toBe(200);
        const tile = (page.json() as { tiles: { id: string; note?: string }[] }).tiles.find((t) => t.id === 'at-risk-list');
        expect(tile?.note).toContain(RULE_TEXT[kind][lang]);
      }
      // Without lang (machines): the rule in English.
      const plain = (await app.inject({ url: '/api/customers/at-risk?population=lost&limit=1', headers: { ...auth, 'accept-language': 'lv' } })).json() as { lost_rule: string };
      expect(plain.lost_rule).toBe(RULE_TEXT[kind].en);
    } finally {
      await app.close();
      await wh.run("delete from value_model_runs where run_id = 'v1'");
    }
  });

  it.each([
    [{ maxPAlive: 1.5 }, 'churn.lost.maxPAlive'],
    [{ maxClv: -1 }, 'churn.lost.maxClv'],
    [{ maxPalive: 0.1 }, 'churn.lost.maxPalive'],
  ])('rejects %j naming the key', (lost, key) => {
    try {
      resolveConfig({ sources: { purchases: { path: 'a.csv' } }, churn: { lost } }, '/x');
    } catch (err) {
      expect(err).toBeInstanceOf(CxpError);
      expect(((err as CxpError).details.problems as string[]).join('\n')).toContain(key);
      return;
    }
    throw new Error('expected the config to be rejected');
  });
});
