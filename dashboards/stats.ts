/**
 * Interval and change statistics for the dashboard tiles, from counts the SQL returns. These follow the
 * satisfaction issue's definitions (NPS trinomial variance, Wilson for CSAT, t interval for CES); when
 * models/satisfaction exposes its query API the tiles should call that instead.
 */

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

const Z95 = 1.959963984540054;
// Two-sided 97.5% quantiles of Student's t for df 1..30; above that the normal value is within 2%.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function t975(df: number): number {
  if (df < 1) return Number.NaN;
  return df <= 30 ? T975[Math.floor(df) - 1] : Z95;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 via erf; error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function twoSidedP(z: number): number {
  return 2 * (1 - normalCdf(Math.abs(z)));
}

const empty = (n: number): Estimate => ({ value: null, ci_low: null, ci_high: null, n, is_low_sample: true });

/** NPS in points (−100..100) with the trinomial-variance 95% interval. */
export function npsEstimate(promoters: number, detractors: number, n: number): Estimate {
  if (n <= 0) return empty(0);
  const pp = promoters / n;
  const pd = detractors / n;
  const nps = pp - pd;
  const se = Math.sqrt((pp + pd - nps * nps) / n);
  return { value: 100 * nps, ci_low: 100 * (nps - Z95 * se), ci_high: 100 * (nps + Z95 * se), n, is_low_sample: n < MIN_RESPONSES };
}

/** CSAT as the percentage of 4-5 answers, Wilson 95% interval. */
export function csatEstimate(satisfied: number, n: number): Estimate {
  if (n <= 0) return empty(0);
  const p = satisfied / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { value: 100 * p, ci_low: 100 * (centre - half), ci_high: 100 * (centre + half), n, is_low_sample: n < MIN_RESPONSES };
}

/** A mean (CES, CSI) with a t interval from n, mean and sample standard deviation. */
export function meanEstimate(mean: number | null, sd: number | null, n: number): Estimate {
  if (n <= 0 || mean === null) return empty(n);
  if (n < 2 || sd === null) return { value: mean, ci_low: null, ci_high: null, n, is_low_sample: true };
  const half = (t975(n - 1) * sd) / Math.sqrt(n);
  return { value: mean, ci_low: mean - half, ci_high: mean + half, n, is_low_sample: n < MIN_RESPONSES };
}

function noTest(previous: Estimate, current: Estimate, note: string): Change {
  const delta = current.value !== null && previous.value !== null ? current.value - previous.value : null;
  return { previous, delta, p_value: null, is_significant: false, note };
}

/** NPS change: z test on the difference with the two trinomial variances. */
export function npsChange(cur: { promoters: number; detractors: number; n: number }, prev: { promoters: number; detractors: number; n: number }): Change {
  const c = npsEstimate(cur.promoters, cur.detractors, cur.n);
  const p = npsEstimate(prev.promoters, prev.detractors, prev.n);
  if (c.is_low_sample || p.is_low_sample) return noTest(p, c, `fewer than ${MIN_RESPONSES} responses in a period`);
  const v = (x: { promoters: number; detractors: number; n: number }) => {
    const a = x.promoters / x.n;
    const b = x.detractors / x.n;
    return (a + b - (a - b) ** 2) / x.n;
  };
  const se = Math.sqrt(v(cur) + v(prev));
  const diff = (c.value! - p.value!) / 100;
  const pValue = se > 0 ? twoSidedP(diff / se) : diff === 0 ? 1 : 0;
  return { previous: p, delta: c.value! - p.value!, p_value: pValue, is_significant: pValue < 0.05 };
}

/** CSAT change: pooled two-proportion z test. */
export function csatChange(cur: { satisfied: number; n: number }, prev: { satisfied: number; n: number }): Change {
  const c = csatEstimate(cur.satisfied, cur.n);
  const p = csatEstimate(prev.satisfied, prev.n);
  if (c.is_low_sample || p.is_low_sample) return noTest(p, c, `fewer than ${MIN_RESPONSES} responses in a period`);
  const pooled = (cur.satisfied + prev.satisfied) / (cur.n + prev.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / cur.n + 1 / prev.n));
  const diff = cur.satisfied / cur.n - prev.satisfied / prev.n;
  const pValue = se > 0 ? twoSidedP(diff / se) : diff === 0 ? 1 : 0;
  return { previous: p, delta: c.value! - p.value!, p_value: pValue, is_significant: pValue < 0.05 };
}

/**
 * Mean change: Welch's statistic. Both periods have at least MIN_RESPONSES answers when a test is made,
 * so the normal reference distribution is used (its p-value differs from t's by < 0.01 at df ≥ 30).
 */
export function meanChange(cur: { mean: number | null; sd: number | null; n: number }, prev: { mean: number | null; sd: number | null; n: number }): Change {
  const c = meanEstimate(cur.mean, cur.sd, cur.n);
  const p = meanEstimate(prev.mean, prev.sd, prev.n);
  if (c.is_low_sample || p.is_low_sample) return noTest(p, c, `fewer than ${MIN_RESPONSES} responses in a period`);
  const se = Math.sqrt((cur.sd! ** 2) / cur.n + (prev.sd! ** 2) / prev.n);
  const diff = cur.mean! - prev.mean!;
  const pValue = se > 0 ? twoSidedP(diff / se) : diff === 0 ? 1 : 0;
  return { previous: p, delta: diff, p_value: pValue, is_significant: pValue < 0.05 };
}
