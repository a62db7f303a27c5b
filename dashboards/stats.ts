/**
 * Interval and change statistics for the dashboard tiles, from counts the SQL returns, in the tiles'
 * shape. Every number comes from the one implementation in models/satisfaction (intervals.ts,
 * significance.ts): NPS score interval, Wilson for CSAT, t interval for CES (variance floor, scale
 * bounds) and CSI; pooled NPS z, pooled two-proportion z and Welch t for changes.
 */
import { cesEstimateFromSums, csatEstimate as csatModel, meanEstimate as meanModel, npsEstimate as npsModel, type Estimate as ModelEstimate } from '../models/satisfaction/intervals.js';
import { npsDifferenceZ, twoProportionZ, welchT, type TestResult } from '../models/satisfaction/significance.js';

export const MIN_RESPONSES = 30;

export interface Estimate {
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number;
  is_low_sample: boolean;
}

export interface Change {
  previous: Estimate;
  delta: number | null;
  p_value: number | null;
  is_significant: boolean;
  /** Why no test was made, when none was. */
  note?: string;
}

const tileOf = (e: ModelEstimate): Estimate => ({ value: e.score, ci_low: e.ciLow, ci_high: e.ciHigh, n: e.n, is_low_sample: e.isLowSample });

/** NPS in points (−100..100) with its score interval. */
export function npsEstimate(promoters: number, detractors: number, n: number): Estimate {
  return tileOf(npsModel({ promoters, passives: Math.max(0, n - promoters - detractors), detractors }, 0.95, MIN_RESPONSES));
}

/** CSAT as the percentage of 4-5 answers, Wilson 95% interval. */
export function csatEstimate(satisfied: number, n: number): Estimate {
  return tileOf(csatModel(satisfied, n, 0.95, MIN_RESPONSES));
}

/** Sufficient statistics back from a mean and a sample standard deviation. */
const sums = (mean: number, sd: number | null, n: number) => ({ sum: mean * n, sumSq: (n - 1) * (sd ?? 0) ** 2 + n * mean * mean });

/**
 * A mean with a t interval from n, mean and sample standard deviation: `kind` 'ces' uses the CES rules
 * (1-7 bounds, variance floor), 'csi' clips to 0..100.
 */
export function meanEstimate(mean: number | null, sd: number | null, n: number, kind: 'ces' | 'csi' | 'plain' = 'plain'): Estimate {
  if (n <= 0 || mean === null) return { value: null, ci_low: null, ci_high: null, n: Math.max(0, n), is_low_sample: true };
  const { sum, sumSq } = sums(mean, sd, n);
  if (kind === 'ces') return tileOf(cesEstimateFromSums(n, sum, sumSq, 0.95, MIN_RESPONSES));
  return tileOf(meanModel(n, sum, sumSq, 0.95, MIN_RESPONSES, kind === 'csi' ? [0, 100] : [-Infinity, Infinity]));
}

function change(previous: Estimate, current: Estimate, test: TestResult): Change {
  const delta = current.value !== null && previous.value !== null ? current.value - previous.value : null;
  if (current.is_low_sample || previous.is_low_sample) {
    return { previous, delta, p_value: null, is_significant: false, note: `fewer than ${MIN_RESPONSES} responses in a period` };
  }
  return { previous, delta, p_value: test.pValue, is_significant: test.isSignificant };
}

type NpsTally = { promoters: number; detractors: number; n: number };
const counts = (x: NpsTally) => ({ promoters: x.promoters, passives: Math.max(0, x.n - x.promoters - x.detractors), detractors: x.detractors });

/** NPS change: pooled z (significance.ts). */
export function npsChange(cur: NpsTally, prev: NpsTally): Change {
  return change(npsEstimate(prev.promoters, prev.detractors, prev.n), npsEstimate(cur.promoters, cur.detractors, cur.n), npsDifferenceZ(counts(cur), counts(prev)));
}

/** CSAT change: pooled two-proportion z test. */
export function csatChange(cur: { satisfied: number; n: number }, prev: { satisfied: number; n: number }): Change {
  return change(csatEstimate(prev.satisfied, prev.n), csatEstimate(cur.satisfied, cur.n), twoProportionZ(cur.satisfied, cur.n, prev.satisfied, prev.n));
}

/** CES change: Welch t. */
export function meanChange(cur: { mean: number | null; sd: number | null; n: number }, prev: { mean: number | null; sd: number | null; n: number }): Change {
  const summary = (x: typeof cur) => ({ n: x.n, mean: x.mean ?? NaN, variance: (x.sd ?? NaN) ** 2 });
  return change(meanEstimate(prev.mean, prev.sd, prev.n, 'ces'), meanEstimate(cur.mean, cur.sd, cur.n, 'ces'), welchT(summary(cur), summary(prev)));
}
