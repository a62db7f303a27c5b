/**
 * Tile statistics in the dashboards' JSON shape (value, ci_low, ci_high, n, is_low_sample), from counts
 * the dashboards' SQL returns. The formulas (NPS trinomial interval, Wilson for CSAT, t interval for
 * means, low-sample rule, significance tests) live once, in models/satisfaction (intervals.ts,
 * significance.ts); this file only adapts their inputs and outputs.
 */
import {
  cesEstimateFromSums as cesModel,
  csatEstimate as csatModel,
  meanEstimate as meanModel,
  npsEstimate as npsModel,
  type Estimate as ModelEstimate,
} from '../models/satisfaction/intervals.js';
import { npsDifferenceZ, twoProportionZ, welchT, type TestResult } from '../models/satisfaction/significance.js';
import { DEFAULT_SATISFACTION_SETTINGS } from '../models/satisfaction/settings.js';

/** Figures from fewer responses are flagged (satisfaction.minSample's default). */
export const MIN_RESPONSES = DEFAULT_SATISFACTION_SETTINGS.minSample;
const CONFIDENCE = DEFAULT_SATISFACTION_SETTINGS.confidence;

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

/** A models/satisfaction estimate in the dashboards' shape. */
export function toEstimate(e: ModelEstimate): Estimate {
  return { value: e.score, ci_low: e.ciLow, ci_high: e.ciHigh, n: e.n, is_low_sample: e.isLowSample };
}

/** NPS in points (−100..100) with its interval. */
export function npsEstimate(promoters: number, detractors: number, n: number): Estimate {
  return toEstimate(npsModel({ promoters, detractors, passives: Math.max(0, n - promoters - detractors) }, CONFIDENCE, MIN_RESPONSES));
}

/** CSAT as the percentage of 4-5 answers, Wilson interval. */
export function csatEstimate(satisfied: number, n: number): Estimate {
  return toEstimate(csatModel(satisfied, n, CONFIDENCE, MIN_RESPONSES));
}

/**
 * CES (1-7) as the mart and the API give it (cesEstimateFromSums): t interval clipped to the scale, the
 * variance floored for unanimous whole-number answers, one response -> the whole scale. Never zero width.
 */
export function cesEstimate(mean: number | null, sd: number | null, n: number): Estimate {
  if (n <= 0 || mean === null) return { value: null, ci_low: null, ci_high: null, n, is_low_sample: true };
  // Sufficient statistics: sum = n * mean, sum of squares = (n - 1) sd² + n mean² (sd is null for n = 1).
  return toEstimate(cesModel(n, n * mean, (n - 1) * (sd ?? 0) ** 2 + n * mean * mean, CONFIDENCE, MIN_RESPONSES));
}

/** A mean on an open scale (CSI) with a t interval from n, mean and sample standard deviation. */
export function meanEstimate(mean: number | null, sd: number | null, n: number): Estimate {
  if (n <= 0 || mean === null) return { value: null, ci_low: null, ci_high: null, n, is_low_sample: true };
  if (n < 2 || sd === null) return { value: mean, ci_low: null, ci_high: null, n, is_low_sample: true };
  // Sufficient statistics: sum = n * mean, sum of squares = (n - 1) sd² + n mean².
  return toEstimate(meanModel(n, n * mean, (n - 1) * sd * sd + n * mean * mean, CONFIDENCE, MIN_RESPONSES));
}

function change(current: Estimate, previous: Estimate, test: () => TestResult): Change {
  const delta = current.value !== null && previous.value !== null ? current.value - previous.value : null;
  if (current.is_low_sample || previous.is_low_sample) {
    return { previous, delta, p_value: null, is_significant: false, note: `fewer than ${MIN_RESPONSES} responses in a period` };
  }
  const t = test();
  return { previous, delta, p_value: t.pValue, is_significant: t.isSignificant };
}

type NpsIn = { promoters: number; detractors: number; n: number };
const npsCounts = (x: NpsIn) => ({ promoters: x.promoters, detractors: x.detractors, passives: Math.max(0, x.n - x.promoters - x.detractors) });

/** NPS change: the pooled score z test (npsDifferenceZ), matching the score interval. */
export function npsChange(cur: NpsIn, prev: NpsIn): Change {
  return change(npsEstimate(cur.promoters, cur.detractors, cur.n), npsEstimate(prev.promoters, prev.detractors, prev.n), () =>
    npsDifferenceZ(npsCounts(cur), npsCounts(prev), CONFIDENCE),
  );
}

/** CSAT change: pooled two-proportion z test. */
export function csatChange(cur: { satisfied: number; n: number }, prev: { satisfied: number; n: number }): Change {
  return change(csatEstimate(cur.satisfied, cur.n), csatEstimate(prev.satisfied, prev.n), () => twoProportionZ(cur.satisfied, cur.n, prev.satisfied, prev.n, CONFIDENCE));
}

type MeanIn = { mean: number | null; sd: number | null; n: number };

/** Mean change: Welch's t test. */
export function meanChange(cur: MeanIn, prev: MeanIn): Change {
  return change(meanEstimate(cur.mean, cur.sd, cur.n), meanEstimate(prev.mean, prev.sd, prev.n), () =>
    welchT({ n: cur.n, mean: cur.mean!, variance: cur.sd! ** 2 }, { n: prev.n, mean: prev.mean!, variance: prev.sd! ** 2 }, CONFIDENCE),
  );
}
