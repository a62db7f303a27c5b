/**
 * Point estimates with confidence intervals for the three survey metrics.
 *
 * - NPS  = 100 * (p+ - p-), p+ = share of 9-10, p- = share of 0-6 (0-10 scale).
 *          Var(NPS/100) = (p+ + p- - (p+ - p-)^2) / n  (trinomial); CI = NPS +- z * 100 * sqrt(Var),
 *          clipped to [-100, 100].
 * - CSAT = 100 * share of 4-5 on the 1-5 scale; Wilson score interval for that share.
 * - CES  = mean on the 1-7 scale (7 = easiest); t interval mean +- t(1 - alpha/2, n - 1) * s / sqrt(n),
 *          clipped to 1..7 (undefined for n < 2).
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

export function npsEstimate(c: NpsCounts, confidence = 0.95, minSample = 30): Estimate {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return { n, score: null, ciLow: null, ciHigh: null, isLowSample: true };
  const nps = (c.promoters - c.detractors) / n;
  const half = zFor(confidence) * Math.sqrt(Math.max(0, npsUnitVariance(c)) / n);
  return {
    n,
    score: 100 * nps,
    ciLow: 100 * Math.max(-1, nps - half),
    ciHigh: 100 * Math.min(1, nps + half),
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

/** t interval for a mean from sufficient statistics (n, sum, sum of squares). */
export function meanEstimate(
  n: number,
  sum: number,
  sumSq: number,
  confidence = 0.95,
  minSample = 30,
  bounds: [number, number] = [-Infinity, Infinity],
): Estimate {
  if (n === 0) return { n, score: null, ciLow: null, ciHigh: null, isLowSample: true };
  const mean = sum / n;
  if (n < 2) return { n, score: mean, ciLow: null, ciHigh: null, isLowSample: true };
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  const half = tQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(variance / n);
  return { n, score: mean, ciLow: Math.max(bounds[0], mean - half), ciHigh: Math.min(bounds[1], mean + half), isLowSample: n < minSample };
}

/** The CES scale; a t interval is clipped to it (the mean cannot leave the scale). */
export const CES_BOUNDS: [number, number] = [1, 7];

export function cesEstimate(scores: number[], confidence = 0.95, minSample = 30): Estimate {
  let sum = 0;
  let sumSq = 0;
  for (const s of scores) {
    sum += s;
    sumSq += s * s;
  }
  return meanEstimate(scores.length, sum, sumSq, confidence, minSample, CES_BOUNDS);
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
