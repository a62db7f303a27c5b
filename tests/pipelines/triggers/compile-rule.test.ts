import { describe, expect, it } from 'vitest';
import { compileCondition, leafHolds } from '../../../pipelines/triggers/compile-rule.js';
import { evaluateRules } from '../../../pipelines/triggers/evaluate.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { openFixture, setCustomers } from './customer-360-fixture.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return ((err as { details?: { problems?: string[] } }).details?.problems ?? []) as string[];
  }
  return [];
}

describe('compileCondition', () => {
  it('binds every value and names fields only from the whitelist', () => {
    const c = compileCondition({ all: [{ field: 'churn_risk', op: '>=', value: 0.7 }, { field: 'rfm_segment', op: 'in', value: ['At Risk', 'Lost'] }] }, 'r.when');
    expect(c.sql).toBe('(("churn_risk" >= $p1) and (lower("rfm_segment") in (lower($p2), lower($p3))))');
    expect(c.params).toEqual({ p1: 0.7, p2: 'At Risk', p3: 'Lost' });
    expect(c.fields).toEqual(['churn_risk', 'rfm_segment']);
  });

  it('rejects unknown fields, wrong operators and wrongly typed values, naming each key', () => {
    const p = problemsOf(() =>
      compileCondition(
        {
          any: [
            { field: 'email; drop table customers', op: '=', value: 'x' },
            { field: 'rfm_segment', op: '>', value: 'A' },
            { field: 'churn_risk', op: '>=', value: '0.7' },
            { field: 'marketing_consent', op: 'in', value: [true] },
            { sql: 'select 1' },
          ],
        },
        'triggers.rules[0].when',
      ),
    );
    expect(p).toHaveLength(6);
    expect(p[0]).toMatch(/^triggers\.rules\[0\]\.when\.any\[0\]\.field: "email; drop table customers" is not a rule field/);
    expect(p[1]).toMatch(/^triggers\.rules\[0\]\.when\.any\[1\]\.op: ">" does not apply to rfm_segment/);
    expect(p[2]).toMatch(/^triggers\.rules\[0\]\.when\.any\[2\]\.value: churn_risk >= needs a number/);
    expect(p[3]).toMatch(/any\[3\]\.op: "in" does not apply to marketing_consent/);
    expect(p[4]).toMatch(/any\[4\]: unknown key\(s\) sql/);
    expect(p[5]).toMatch(/any\[4\]\.field: undefined is not a rule field/);
  });

  it('names inherited object properties as unknown fields instead of crashing', () => {
    for (const field of ['constructor', 'toString', '__proto__']) {
      const p = problemsOf(() => compileCondition({ all: [{ field, op: '=', value: 'x' }] }, 'w'));
      expect(p).toEqual([expect.stringMatching(new RegExp(`^w\\.all\\[0\\]\\.field: "${field}" is not a rule field`))]);
    }
  });

  it('resolveRules reports a webhook rule without a configured endpoint', () => {
    const cfg = resolveConfig({ sources: { customers: { path: 'c.csv' } }, triggers: { defaultChannel: 'webhook' } }, '/tmp');
    const p = problemsOf(() => resolveRules(cfg));
    expect(p.length).toBe(4);
    expect(p[0]).toMatch(/default rule detractor-callback\.endpoint: no endpoint "default" in delivery\.endpoints/);
  });

  it('leafHolds mirrors the SQL semantics (nulls never match, strings ignore case)', () => {
    expect(leafHolds({ field: 'rfm_segment', op: 'in', value: ['at risk'] }, 'At Risk')).toBe(true);
    expect(leafHolds({ field: 'churn_risk', op: '<', value: 0.5 }, null)).toBe(false);
    expect(leafHolds({ field: 'churn_risk', op: 'is_null' }, null)).toBe(true);
    expect(leafHolds({ field: 'last_nps', op: '<=', value: 6 }, 6)).toBe(true);
  });

  it('a hostile string value matches nothing instead of changing the query', async () => {
    const fx = await openFixture({
      triggers: { useDefaultRules: false, rules: [{ name: 'x', holdoutShare: 0, when: { field: 'country', op: '=', value: "x') or (1=1" } }] },
    });
    try {
      await setCustomers(fx.warehouse, [{ customer_id: 'a', country: 'DE', marketing_consent: true }, { customer_id: 'b', country: "x') or (1=1", marketing_consent: true }]);
      const [o] = await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf: new Date('2026-11-20'), now: new Date('2026-11-20T03:00:00Z') });
      expect(o.matched).toBe(1);
    } finally {
      fx.close();
    }
  });
});
