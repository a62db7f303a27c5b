/**
 * Point estimates with confidence intervals for the three survey metrics.
 *
 * - NPS  = 100 * (p+ - p-), p+ = share of 9-10, p- = share of 0-6 (0-10 scale). Interval: score interval
 *          (inverted score test) for p+ - p- of one trinomial sample, with the restricted maximum-
 *          likelihood variance in closed form (Tango 1998, "Equivalence test and confidence interval for
 *          the difference in proportions for the paired-sample design", Statistics in Medicine 17; the
 *          NPS is that difference with passives as the concordant cell). Rocks 2016 ("Interval estimation
 *          for the Net Promoter Score", The American Statistician 70(4)) found score and adjusted-Wald
 *          intervals the ones that hold; the plain Wald interval has zero width for unanimous samples and
 *          covers as little as 23% at n = 5. Exact coverage of this one over p+, p- in steps of 0.05 is
 *          >= 0.91 for n = 5, 10, 30, 100 (tests/models/satisfaction/coverage.test.ts); it never has zero
 *          width for n >= 1.
 * - CSAT = 100 * share of 4-5 on the 1-5 scale; Wilson score interval for that share (Wilson 1927).
 * - CES  = mean on the 1-7 scale (7 = easiest); t interval mean +- t(1 - alpha/2, n - 1) * s / sqrt(n),
 *          clipped to 1..7. Whole-number answers that all agree have s = 0; the variance is then floored
 *          at 1/n, the smallest non-zero variance whole-number answers can have (one answer one step
 *          away), so the interval never has zero width. One response: the whole scale.
 * n = 0 gives a null score and null bounds, never a number. `isLowSample` = n < minSample.
 */
import { normalQuantile, tQuantile } from './distributions.js';

export interface Estimate {
  n: number;
  score: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  isLowSample: boolean;
}

export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** NPS category of a 0-10 score (ties: 9 is a promoter, 7 and 8 passives, 6 a detractor). */
export function npsCategory(score: number): 'promoter' | 'passive' | 'detractor' {
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

export function npsCounts(scores: number[]): NpsCounts {
  const c: NpsCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const s of scores) {
    const k = npsCategory(s);
    if (k === 'promoter') c.promoters++;
    else if (k === 'passive') c.passives++;
    else c.detractors++;
  }
  return c;
}

/** Variance of NPS on the -1..1 scale for one response (multiply by 1/n for the mean). */
export function npsUnitVariance(c: NpsCounts): number {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return NaN;
  const pp = c.promoters / n;
  const pd = c.detractors / n;
  return pp + pd - (pp - pd) ** 2;
}

/**
 * Tango's score statistic for H0: p+ - p- = delta, from b promoters and c detractors of n:
 * Z = (b - c - n delta) / sqrt(n (2 q + delta (1 - delta))), q the restricted MLE of p- (closed form).
 * Decreasing in delta, so each bound is one root.
 */
function npsScoreZ(b: number, c: number, n: number, delta: number): number {
  const A = 2 * n;
  const B = -b - c + (2 * n - b + c) * delta;
  const C = -c * delta * (1 - delta);
  const q = (Math.sqrt(Math.max(0, B * B - 4 * A * C)) - B) / (2 * A);
  const num = b - c - n * delta;
  const v = n * (2 * q + delta * (1 - delta));
  if (!(v > 0)) return num === 0 ? 0 : Math.sign(num) * Infinity;
  return num / Math.sqrt(v);
}

/** Score interval for p+ - p- on the -1..1 scale (see the header); null for n = 0. */
export function npsScoreInterval(c: NpsCounts, confidence = 0.95): { low: number; high: number } | null {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return null;
  const z = zFor(confidence);
  const b = c.promoters;
  const d = c.detractors;
  const est = (b - d) / n;
  // Bisection on a monotone function: 60 halvings of an interval of length <= 2 reach 1e-18.
  const root = (lo: number, hi: number, target: number) => {
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (npsScoreZ(b, d, n, mid) > target) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  const low = npsScoreZ(b, d, n, -1) <= z ? -1 : root(-1, est, z);
  const high = npsScoreZ(b, d, n, 1) >= -z ? 1 : root(est, 1, -z);
  return { low, high };
}

export function npsEstimate(c: NpsCounts, confidence = 0.95, minSample = 30): Estimate {
  const n = c.promoters + c.passives + c.detractors;
  const ci = npsScoreInterval(c, confidence);
  if (!ci) return { n, score: null, ciLow: null, ciHigh: null, isLowSample: true };
  return {
    n,
    score: (100 * (c.promoters - c.detractors)) / n,
    ciLow: 100 * ci.low,
    ciHigh: 100 * ci.high,
    isLowSample: n < minSample,
  };
}

/** Wilson score interval for a proportion successes/n, on the 0..1 scale. */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): { low: number; high: number } | null {
  if (n <= 0) return null;
  if (successes < 0 || successes > n) throw new RangeError(`wilsonInterval: successes ${successes} not in 0..${n}`);
  const z = zFor(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** CSAT: satisfied = responses scoring 4 or 5. Score and bounds in percent. */
export function csatEstimate(satisfied: number, n: number, confidence = 0.95, minSample = 30): Estimate {
  const w = wilsonInterval(satisfied, n, confidence);
  if (!w) return { n, score: null, ciLow: null, ciHigh: null, isLowSample: true };
  return { n, score: (100 * satisfied) / n, ciLow: 100 * w.low, ciHigh: 100 * w.high, isLowSample: n < minSample };
}

/**
 * t interval for a mean from sufficient statistics (n, sum, sum of squares), clipped to `bounds`.
 * `step` (the scale's step for whole-number answers, e.g. 1 for CES) floors the variance at step^2 / n
 * so unanimous answers do not give a zero-width interval, and makes n = 1 give the whole scale.
 */
export function meanEstimate(
  n: number,
  sum: number,
  sumSq: number,
  confidence = 0.95,
  minSample = 30,
  bounds: [number, number] = [-Infinity, Infinity],
  step?: number,
): Estimate {
  if (n === 0) return { n, score: null, ciLow: null, ciHigh: null, isLowSample: true };
  const mean = sum / n;
  if (n < 2) {
    const scale = step !== undefined && Number.isFinite(bounds[0]) && Number.isFinite(bounds[1]);
    return { n, score: mean, ciLow: scale ? bounds[0] : null, ciHigh: scale ? bounds[1] : null, isLowSample: true };
  }
  let variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  if (step !== undefined) variance = Math.max(variance, (step * step) / n);
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(variance / n);
  return { n, score: mean, ciLow: Math.max(bounds[0], mean - half), ciHigh: Math.min(bounds[1], mean + half), isLowSample: n < minSample };
}

/** The CES scale; a t interval is clipped to it (the mean cannot leave the scale). */
export const CES_BOUNDS: [number, number] = [1, 7];
/** CES answers are whole numbers: the step of the variance floor. */
export const CES_STEP = 1;

/** CES estimate from sufficient statistics: the one formula the API, the dashboards and the mart use. */
export function cesEstimateFromSums(n: number, sum: number, sumSq: number, confidence = 0.95, minSample = 30): Estimate {
  return meanEstimate(n, sum, sumSq, confidence, minSample, CES_BOUNDS, CES_STEP);
}

export function cesEstimate(scores: number[], confidence = 0.95, minSample = 30): Estimate {
  let sum = 0;
  let sumSq = 0;
  for (const s of scores) {
    sum += s;
    sumSq += s * s;
  }
  return cesEstimateFromSums(scores.length, sum, sumSq, confidence, minSample);
}

/**
 * Critical values the SQL marts use for t intervals: t(1 - alpha/2, df) for df = 1..maxDf, as a JSON
 * list (bound as a transform variable; SQL casts it to double[] and indexes by df). Beyond maxDf the
 * SQL uses z, which differs from t by < 0.1% there.
 */
export function tCriticalTable(confidence: number, maxDf = 1000): number[] {
  const p = 1 - (1 - confidence) / 2;
  return Array.from({ length: maxDf }, (_, i) => tQuantile(p, i + 1));
}

export function zCritical(confidence: number): number {
  return zFor(confidence);
}
