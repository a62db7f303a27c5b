/**
 * Is a change real? Tests for the difference between two independent groups (two periods, or one
 * channel vs the rest). Every result says the statistic, its p-value, and `isSignificant` at the
 * configured confidence (p < 1 - confidence).
 *
 * - Two proportions (CSAT share, promoter share, detractor share, SLA compliance, complaint rate):
 *   pooled two-proportion z test, z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)), p = (x1 + x2)/(n1 + n2).
 * - Means (CES, first-response minutes, resolution hours): Welch t, df by Welch-Satterthwaite.
 * - NPS difference: z = (NPS1 - NPS2) / sqrt(V (1/n1 + 1/n2)) with V = p+ + p- - (p+ - p-)^2 of the two
 *   periods pooled: the score test of "same answer distribution", matching the score interval of
 *   intervals.ts and the pooled two-proportion z. Unpooled variances reject up to 15% of the time at a
 *   nominal 5% for n = 5..30 (a unanimous period even has variance 0); pooled stays near 5%
 *   (tests/models/satisfaction/coverage.test.ts measures it).
 *   The two-proportion z is the score test, the test the Wilson interval inverts; Welch t matches the
 *   t interval.
 */
import { normalTwoSidedP, tTwoSidedP } from './distributions.js';
import { npsUnitVariance, type NpsCounts } from './intervals.js';

export interface TestResult {
  test: 'two_proportion_z' | 'welch_t' | 'nps_z';
  statistic: number | null;
  df?: number | null;
  pValue: number | null;
  isSignificant: boolean;
}

const none = (test: TestResult['test']): TestResult => ({ test, statistic: null, pValue: null, isSignificant: false });

function alphaOf(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return 1 - confidence;
}

export function twoProportionZ(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): TestResult {
  const alpha = alphaOf(confidence);
  if (n1 <= 0 || n2 <= 0) return none('two_proportion_z');
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  // Both groups all-success or all-failure: no difference and no variance; nothing to test.
  if (se === 0) return { test: 'two_proportion_z', statistic: 0, pValue: 1, isSignificant: false };
  const z = (x1 / n1 - x2 / n2) / se;
  const pValue = normalTwoSidedP(z);
  return { test: 'two_proportion_z', statistic: z, pValue, isSignificant: pValue < alpha };
}

export interface MeanSummary {
  n: number;
  mean: number;
  /** Sample variance (n - 1 denominator). */
  variance: number;
}

export function summarise(values: number[]): MeanSummary {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : NaN;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : NaN;
  return { n, mean, variance };
}

export function welchT(a: MeanSummary, b: MeanSummary, confidence = 0.95): TestResult {
  const alpha = alphaOf(confidence);
  if (a.n < 2 || b.n < 2) return { ...none('welch_t'), df: null };
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    const same = a.mean === b.mean;
    return { test: 'welch_t', statistic: same ? 0 : null, df: null, pValue: same ? 1 : null, isSignificant: false };
  }
  const t = (a.mean - b.mean) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const pValue = tTwoSidedP(t, df);
  return { test: 'welch_t', statistic: t, df, pValue, isSignificant: pValue < alpha };
}

export function welchTFromSamples(a: number[], b: number[], confidence = 0.95): TestResult {
  return welchT(summarise(a), summarise(b), confidence);
}

export function npsDifferenceZ(a: NpsCounts, b: NpsCounts, confidence = 0.95): TestResult {
  const alpha = alphaOf(confidence);
  const na = a.promoters + a.passives + a.detractors;
  const nb = b.promoters + b.passives + b.detractors;
  if (na === 0 || nb === 0) return none('nps_z');
  const pooled = { promoters: a.promoters + b.promoters, passives: a.passives + b.passives, detractors: a.detractors + b.detractors };
  const se = Math.sqrt(npsUnitVariance(pooled) * (1 / na + 1 / nb));
  const diff = (a.promoters - a.detractors) / na - (b.promoters - b.detractors) / nb;
  // Both periods unanimous and identical: no difference and no variance; nothing to test.
  if (se === 0) return { test: 'nps_z', statistic: 0, pValue: 1, isSignificant: false };
  const z = diff / se;
  const pValue = normalTwoSidedP(z);
  return { test: 'nps_z', statistic: z, pValue, isSignificant: pValue < alpha };
}
