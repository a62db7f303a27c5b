import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_RULES, lifecycleStage, populationGapDays } from '../../../models/rfm/lifecycle.js';

const rules = DEFAULT_LIFECYCLE_RULES; // new 30, churn 365, reactivated 30, at risk 2× usual gap, min 14
const h = (purchaseDays: number, daysSinceFirst: number, daysSinceLast: number, lastGapDays = NaN) => ({
  purchaseDays,
  daysSinceFirst,
  daysSinceLast,
  lastGapDays,
});

describe('lifecycle stages', () => {
  it('prospect without purchases', () => expect(lifecycleStage(h(0, NaN, NaN), rules, 40)).toBe('prospect'));
  it('new within 30 days of the first purchase', () => expect(lifecycleStage(h(2, 30, 2, 28), rules, 40)).toBe('new'));
  it('lapsed after more than 365 days without a purchase', () => {
    expect(lifecycleStage(h(5, 900, 366, 20), rules, 40)).toBe('lapsed');
    // Exactly 365 days is not lapsed; with a usual gap of (900 − 365)/4 ≈ 134 days it is at risk.
    expect(lifecycleStage(h(5, 900, 365, 20), rules, 40)).toBe('at_risk');
  });
  it('reactivated: bought within 30 days after a gap longer than the churn horizon', () => {
    expect(lifecycleStage(h(3, 800, 10, 400), rules, 40)).toBe('reactivated');
    expect(lifecycleStage(h(3, 800, 31, 400), rules, 40)).not.toBe('reactivated');
  });
  it('at risk past twice the usual gap (own mean gap)', () => {
    // 5 purchase days over 200 days: usual gap (200 − 20)/4 = 45 days; at risk beyond 90.
    expect(lifecycleStage(h(5, 200, 20, 30), rules, 10)).toBe('active');
    expect(lifecycleStage(h(5, 290, 110, 30), rules, 10)).toBe('at_risk');
  });
  it('single-purchase customers use the population gap, and never less than 14 days', () => {
    expect(lifecycleStage(h(1, 100, 100), rules, 40)).toBe('at_risk');
    expect(lifecycleStage(h(1, 70, 70), rules, 40)).toBe('active');
    expect(lifecycleStage(h(4, 60, 12, 1), rules, 40)).toBe('active');
  });
  it('population gap is the median of the customers’ mean gaps', () => {
    expect(populationGapDays([h(2, 100, 0), h(3, 100, 40), h(1, 5, 5), h(5, 100, 0)])).toBe(30);
  });
});
