import { describe, expect, it } from 'vitest';
import { explainRow, planFactors } from '../../../models/churn/explain.js';
import { CHURN_FEATURES } from '../../../models/churn/features.js';

const F = [...CHURN_FEATURES];
function row(values: Record<string, number>): Float64Array {
  return Float64Array.from(F.map((f) => values[f] ?? Number.NaN));
}
function contrib(values: Record<string, number>): Float64Array {
  return Float64Array.from(F.map((f) => values[f] ?? 0));
}

describe('churn explanations', () => {
  const plan = planFactors(F);

  it('orders reasons by the model contribution and states the customer values', () => {
    const x = row({ days_since_last_purchase: 74, median_gap_days: 21, recency_over_gap: 74 / 21, count_unresolved_complaints: 2, count_unresolved: 2, last_nps: 3, days_since_last_nps: 40 });
    const c = contrib({ days_since_last_purchase: 0.1, recency_over_gap: 0.05, count_unresolved_complaints: 0.2, last_nps: 0.04, tenure_days: -0.3 });
    const r = explainRow(plan, F, x, c, 3);
    expect(r.map((x) => x.text)).toEqual([
      '2 unresolved complaints (raises risk)',
      'no purchase in 74 days, usual gap 21 (raises risk)',
      'last NPS 3, 40 days ago (raises risk)',
    ]);
    // Recency features are one factor: their contributions add up; the strongest names it.
    expect(r[1]).toEqual({ feature: 'days_since_last_purchase', text: r[1].text, contribution: 0.15 });
  });

  it('a different model (other contributions) gives other reasons for the same customer', () => {
    const x = row({ days_since_last_purchase: 74, median_gap_days: 21, count_unresolved_complaints: 2, count_unresolved: 2, last_nps: 3, days_since_last_nps: 40, max_first_response_minutes_90d: 600 });
    const c = contrib({ max_first_response_minutes_90d: 0.12, last_nps: 0.02 });
    const r = explainRow(plan, F, x, c, 3);
    expect(r.map((x) => x.feature)).toEqual(['max_first_response_minutes_90d', 'last_nps']);
    expect(r[0].text).toBe('slowest first response in the last 90 days 10 h (raises risk)');
  });

  it('fills with risk-lowering factors only when fewer than k raise the risk, and scales to the calibrated scale', () => {
    const x = row({ count_orders_30d: 3, tenure_days: 800, last_nps: 10, days_since_last_nps: 5 });
    const c = contrib({ count_orders_30d: -0.2, tenure_days: -0.05, last_nps: 0.01 });
    const r = explainRow(plan, F, x, c, 3, 0.5);
    expect(r.map((x) => x.text)).toEqual([
      'last NPS 10, 5 days ago (raises risk)',
      '3 orders in the last 30 days (lowers risk)',
      'customer for 800 days (lowers risk)',
    ]);
    expect(r.map((x) => x.contribution)).toEqual([0.005, -0.1, -0.025]);
  });

  it('missing values read as such, never as zero', () => {
    const r = explainRow(plan, F, row({ days_since_last_purchase: 200 }), contrib({ last_nps: 0.1, days_since_last_purchase: 0.05 }), 2);
    expect(r.map((x) => x.text)).toEqual(['no NPS answer yet (raises risk)', 'no purchase in 200 days, only one purchase so far (raises risk)']);
  });
});
