import { afterEach, describe, expect, it } from 'vitest';
import { evaluateRules, isHeldOut } from '../../../pipelines/triggers/evaluate.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';
import type { SourceFreshness } from '../../../pipelines/core/freshness.js';
import { openFixture, setCustomers, type Fixture } from './customer-360-fixture.js';

const asOf = new Date('2026-11-20T00:00:00Z');
const day = 86_400_000;
let fx: Fixture | undefined;
afterEach(() => {
  fx?.close();
  fx = undefined;
});

const winBackOnly = { triggers: { useDefaultRules: false, rules: [{ name: 'wb', kind: 'marketing', holdoutShare: 0, cooldownDays: 10, when: { field: 'rfm_segment', op: 'in', value: ['At Risk', "Can't Lose Them"] } }] } };

async function actions(f: Fixture) {
  return f.warehouse.all<{ customer_id: string; rule: string; status: string; payload: string }>(
    'select customer_id, rule, status, payload::varchar as payload from retention_actions order by rule, customer_id, fired_at',
  );
}

describe('evaluateRules', () => {
  it('fires when a customer enters the condition, not again while they stay in it', async () => {
    fx = await openFixture(winBackOnly);
    const rules = resolveRules(fx.config);
    await setCustomers(fx.warehouse, [
      { customer_id: 'c1', rfm_segment: 'At Risk', marketing_consent: true },
      { customer_id: 'c2', rfm_segment: 'Champions', marketing_consent: true },
    ]);
    const first = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date('2026-11-21T03:00:00Z') });
    expect(first[0]).toMatchObject({ status: 'evaluated', matched: 1, entered: 1, fired: 1 });
    const second = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date('2026-11-22T03:00:00Z') });
    expect(second[0]).toMatchObject({ matched: 1, entered: 0, fired: 0 });
    // c2 enters on the third run; c1 still inside.
    await setCustomers(fx.warehouse, [
      { customer_id: 'c1', rfm_segment: 'At Risk', marketing_consent: true },
      { customer_id: 'c2', rfm_segment: "CAN'T LOSE THEM", marketing_consent: true },
    ]);
    await evaluateRules(fx.warehouse, rules, { asOf, now: new Date('2026-11-23T03:00:00Z') });
    expect((await actions(fx)).map((a) => a.customer_id)).toEqual(['c1', 'c2']);
    const rows = await fx.warehouse.all<{ status: string; count_entered: number }>('select status, count_entered from trigger_evaluations order by evaluated_at');
    expect(rows.map((r) => r.count_entered)).toEqual([1, 0, 1]);
  });

  it('respects cooldown when a customer leaves and re-enters', async () => {
    fx = await openFixture(winBackOnly);
    const rules = resolveRules(fx.config);
    const t0 = new Date('2026-11-01T03:00:00Z');
    const inside = [{ customer_id: 'c1', rfm_segment: 'At Risk', marketing_consent: true }];
    const outside = [{ customer_id: 'c1', rfm_segment: 'Champions', marketing_consent: true }];
    await setCustomers(fx.warehouse, inside);
    await evaluateRules(fx.warehouse, rules, { asOf, now: t0 });
    await setCustomers(fx.warehouse, outside);
    const left = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date(t0.getTime() + 2 * day) });
    expect(left[0].left).toBe(1);
    await setCustomers(fx.warehouse, inside);
    // Re-enters on day 5: inside the 10-day cooldown, so no action.
    const again = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date(t0.getTime() + 5 * day) });
    expect(again[0]).toMatchObject({ entered: 1, cooldown: 1, fired: 0 });
    await setCustomers(fx.warehouse, outside);
    await evaluateRules(fx.warehouse, rules, { asOf, now: new Date(t0.getTime() + 6 * day) });
    await setCustomers(fx.warehouse, inside);
    // Re-enters on day 11: cooldown over.
    const later = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date(t0.getTime() + 11 * day) });
    expect(later[0]).toMatchObject({ entered: 1, cooldown: 0, fired: 1 });
    expect(await actions(fx)).toHaveLength(2);
  });

  it('needs marketing consent for marketing rules but calls back detractors without it', async () => {
    fx = await openFixture({ triggers: { holdOnStaleData: true } });
    const rules = resolveRules(fx.config).filter((r) => r.name === 'win-back' || r.name === 'detractor-callback');
    await setCustomers(fx.warehouse, [
      { customer_id: 'no-consent', rfm_segment: 'At Risk', marketing_consent: false, last_nps: 3, last_nps_at: '2026-11-19 10:00:00' },
      { customer_id: 'consent', rfm_segment: 'At Risk', marketing_consent: true, last_nps: 9, last_nps_at: '2026-11-19 10:00:00' },
    ]);
    const out = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date('2026-11-20T03:00:00Z') });
    const byRule = Object.fromEntries(out.map((o) => [o.rule, o]));
    expect(byRule['win-back']).toMatchObject({ matched: 2, noConsent: 1, entered: 1 });
    expect(byRule['detractor-callback']).toMatchObject({ matched: 1, noConsent: 1, entered: 1, fired: 1 });
    const acts = await actions(fx);
    const cb = acts.find((a) => a.rule === 'detractor-callback')!;
    expect(cb.customer_id).toBe('no-consent');
    // 24 h after the answer, from 2026-11-19 10:00.
    expect(JSON.parse(cb.payload).respond_by).toBe('2026-11-20T10:00:00.000Z');
    expect(acts.filter((a) => a.rule === 'win-back').map((a) => a.customer_id).sort()).toEqual(
      // the consenting customer either fired or sits in the holdout group: recorded either way
      ['consent'],
    );
    // Consent given later counts as entering: the customer gets the action then.
    await setCustomers(fx.warehouse, [{ customer_id: 'no-consent', rfm_segment: 'At Risk', marketing_consent: true }]);
    const later = await evaluateRules(fx.warehouse, rules.filter((r) => r.name === 'win-back'), { asOf, now: new Date('2026-11-21T03:00:00Z') });
    expect(later[0].entered).toBe(1);
  });

  it('records the reasons that fired the rule, including churn reasons', async () => {
    fx = await openFixture({ triggers: { useDefaultRules: false, defaultChannel: 'list', rules: [
      { name: 'risky', holdoutShare: 0, when: { all: [{ field: 'churn_risk', op: '>=', value: 0.5 }, { any: [{ field: 'churn_band', op: '=', value: 'high' }, { field: 'count_open_items', op: '>', value: 2 }] }] } },
    ] } });
    const reasons = [{ feature: 'recency_days', text: 'no purchase for 120 days', contribution: 0.31 }];
    await setCustomers(fx.warehouse, [{ customer_id: 'c9', marketing_consent: true, churn_risk: 0.8, churn_band: 'high', count_open_items: 1, churn_reasons: reasons }]);
    await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf, now: new Date('2026-11-21T03:00:00Z') });
    const [a] = await actions(fx);
    expect(a.status).toBe('listed');
    const p = JSON.parse(a.payload);
    expect(p.reasons).toEqual([
      { field: 'churn_risk', op: '>=', value: 0.5, actual: 0.8 },
      { field: 'churn_band', op: '=', value: 'high', actual: 'high' },
    ]);
    expect(p.churn_reasons).toEqual(reasons);
    expect(p.customer.churn_band).toBe('high');
    expect(p.holdout).toBe(false);
  });

  it('holds out a deterministic share of customers: recorded as held_out, not sent', async () => {
    fx = await openFixture({ triggers: { useDefaultRules: false, rules: [{ name: 'wb', holdoutShare: 0.2, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } }] } });
    const n = 1000;
    await setCustomers(fx.warehouse, Array.from({ length: n }, (_, i) => ({ customer_id: `c${i}`, rfm_segment: 'At Risk', marketing_consent: true })));
    const [o] = await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf, now: new Date('2026-11-21T03:00:00Z') });
    // Binomial(1000, 0.2): sd about 12.6, so 140..260 is far beyond 4 sd.
    expect(o.heldOut).toBeGreaterThan(140);
    expect(o.heldOut).toBeLessThan(260);
    expect(o.heldOut + o.fired).toBe(n);
    const held = await fx.warehouse.all<{ customer_id: string }>("select customer_id from retention_actions where status = 'held_out' and is_holdout");
    expect(held).toHaveLength(o.heldOut);
    // Same customer, same rule: same side, every time.
    for (const { customer_id } of held.slice(0, 20)) expect(isHeldOut('wb', customer_id, 0.2)).toBe(true);
  });

  it('holds back rules whose sources are stale and records it, leaving membership untouched', async () => {
    fx = await openFixture(winBackOnly);
    const rules = resolveRules(fx.config);
    expect(rules[0].dependsOn).toEqual(['customers', 'purchases']);
    await setCustomers(fx.warehouse, [{ customer_id: 'c1', rfm_segment: 'At Risk', marketing_consent: true }]);
    const stale: SourceFreshness[] = [
      { source: 'purchases', maxAgeHours: 24, lastLoadedAt: null, latestEventAt: null, freshAt: null, ageHours: null, isStale: true, reason: 'x' },
    ];
    const held = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date('2026-11-21T03:00:00Z'), freshness: stale });
    expect(held[0]).toMatchObject({ status: 'held_stale', staleSources: ['purchases'], fired: 0 });
    const ev = await fx.warehouse.one<{ status: string; stale_sources: string }>('select status, stale_sources from trigger_evaluations');
    expect(ev).toEqual({ status: 'held_stale', stale_sources: 'purchases' });
    expect((await fx.warehouse.one<{ n: number }>('select count(*) as n from trigger_membership'))?.n).toBe(0);
    // Fresh again: the customer enters and fires.
    const ok = await evaluateRules(fx.warehouse, rules, { asOf, now: new Date('2026-11-21T04:00:00Z'), freshness: [{ ...stale[0], isStale: false }] });
    expect(ok[0]).toMatchObject({ status: 'evaluated', fired: 1 });
  });

  it('skips a rule whose columns customer_360 lacks, and everything when customer_360 is missing', async () => {
    fx = await openFixture(winBackOnly);
    await fx.warehouse.run('alter table customer_360 drop column rfm_segment');
    const [o] = await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf, now: new Date('2026-11-21T03:00:00Z') });
    expect(o).toMatchObject({ status: 'skipped', reason: 'customer_360 lacks column(s) rfm_segment' });
    await fx.warehouse.run('drop table customer_360');
    const [m] = await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf, now: new Date('2026-11-21T03:00:00Z') });
    expect(m.status).toBe('skipped');
    expect(m.reason).toMatch(/customer_360 is not built/);
  });

  it('ships default rules that each fire for the customer they describe', async () => {
    fx = await openFixture({ triggers: { defaultHoldoutShare: 0 } });
    const rules = resolveRules(fx.config);
    expect(rules.map((r) => r.name)).toEqual(['detractor-callback', 'vip-high-risk', 'win-back', 'welcome-bad-first-experience']);
    const base = { marketing_consent: true, clv: 10, signup_at: '2024-01-01 00:00:00', rfm_segment: 'Loyal', churn_band: 'low', churn_risk: 0.1 };
    const filler = Array.from({ length: 20 }, (_, i) => ({ ...base, customer_id: `f${String(i).padStart(2, '0')}` }));
    await setCustomers(fx.warehouse, [
      ...filler,
      { ...base, customer_id: 'detractor', last_nps: 2, last_nps_at: '2026-11-18 09:00:00' },
      { ...base, customer_id: 'old-detractor', last_nps: 2, last_nps_at: '2026-10-01 09:00:00' },
      { ...base, customer_id: 'vip', clv: 5000, churn_band: 'high', churn_risk: 0.9 },
      { ...base, customer_id: 'vip-safe', clv: 6000 },
      // Prospects without a CLV must not dilute the percentile: 30 of them would push 'vip' below 0.9.
      ...Array.from({ length: 30 }, (_, i) => ({ ...base, customer_id: `p${String(i).padStart(2, '0')}`, clv: null })),
      { ...base, customer_id: 'lapsing', rfm_segment: "Can't Lose Them" },
      { ...base, customer_id: 'newbie', signup_at: '2026-10-30 00:00:00', count_complaints_90d: 1 },
      { ...base, customer_id: 'happy-newbie', signup_at: '2026-10-30 00:00:00', count_complaints_90d: 0, last_nps: 10, last_nps_at: '2026-11-18 09:00:00' },
    ]);
    await evaluateRules(fx.warehouse, rules, { asOf, now: new Date('2026-11-20T03:00:00Z') });
    const acts = (await actions(fx)).map((a) => `${a.rule}:${a.customer_id}`);
    expect(acts.sort()).toEqual(['detractor-callback:detractor', 'vip-high-risk:vip', 'welcome-bad-first-experience:newbie', 'win-back:lapsing'].sort());
  });
});
