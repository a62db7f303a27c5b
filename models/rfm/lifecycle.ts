/**
 * Lifecycle stage per customer as of a date, from the purchase-day history. Rules are checked in
 * this order (first match wins):
 *   prospect     no completed purchase up to as_of
 *   lapsed       no purchase within churnHorizonDays
 *   new          first purchase within newDays
 *   reactivated  latest purchase within reactivatedDays, after a gap longer than churnHorizonDays
 *   at_risk      days since the last purchase exceed max(atRiskMinDays, atRiskFactor × usual gap)
 *   active       everyone else
 * The usual gap is the customer's mean time between distinct purchase days; a customer with a
 * single purchase day has none, and the population's median usual gap stands in.
 */
export const LIFECYCLE_STAGES = ['prospect', 'new', 'active', 'at_risk', 'lapsed', 'reactivated'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface LifecycleRules {
  newDays: number;
  churnHorizonDays: number;
  reactivatedDays: number;
  atRiskFactor: number;
  atRiskMinDays: number;
}

export const DEFAULT_LIFECYCLE_RULES: LifecycleRules = {
  newDays: 30,
  churnHorizonDays: 365,
  reactivatedDays: 30,
  atRiskFactor: 2,
  atRiskMinDays: 14,
};

export interface PurchaseHistory {
  /** Distinct purchase days up to as_of; 0 for a prospect. */
  purchaseDays: number;
  /** Days from the first purchase to as_of. */
  daysSinceFirst: number;
  /** Days from the latest purchase to as_of. */
  daysSinceLast: number;
  /** Days between the latest and the previous purchase day; NaN with a single purchase day. */
  lastGapDays: number;
}

/** Mean gap between purchase days: (last − first) / (days − 1); NaN below two purchase days. */
export function usualGapDays(h: PurchaseHistory): number {
  return h.purchaseDays >= 2 ? (h.daysSinceFirst - h.daysSinceLast) / (h.purchaseDays - 1) : NaN;
}

export function lifecycleStage(h: PurchaseHistory, rules: LifecycleRules, populationGapDays: number): LifecycleStage {
  if (h.purchaseDays <= 0) return 'prospect';
  if (h.daysSinceLast > rules.churnHorizonDays) return 'lapsed';
  if (h.daysSinceFirst <= rules.newDays) return 'new';
  if (h.purchaseDays >= 2 && h.daysSinceLast <= rules.reactivatedDays && h.lastGapDays > rules.churnHorizonDays) return 'reactivated';
  const own = usualGapDays(h);
  const gap = Number.isFinite(own) ? own : populationGapDays;
  const threshold = Number.isFinite(gap) ? Math.max(rules.atRiskMinDays, rules.atRiskFactor * gap) : rules.churnHorizonDays;
  return h.daysSinceLast > threshold ? 'at_risk' : 'active';
}

/** Median usual gap over customers with at least two purchase days; NaN when there are none. */
export function populationGapDays(histories: readonly PurchaseHistory[] | { purchaseDays: Int32Array | Float64Array; daysSinceFirst: ArrayLike<number>; daysSinceLast: ArrayLike<number> }): number {
  const gaps: number[] = [];
  if (Array.isArray(histories)) {
    for (const h of histories as PurchaseHistory[]) {
      const g = usualGapDays(h);
      if (Number.isFinite(g)) gaps.push(g);
    }
  } else {
    const c = histories as { purchaseDays: ArrayLike<number>; daysSinceFirst: ArrayLike<number>; daysSinceLast: ArrayLike<number> };
    for (let i = 0; i < c.purchaseDays.length; i++) {
      if (c.purchaseDays[i] >= 2) gaps.push((c.daysSinceFirst[i] - c.daysSinceLast[i]) / (c.purchaseDays[i] - 1));
    }
  }
  if (gaps.length === 0) return NaN;
  const s = Float64Array.from(gaps).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
