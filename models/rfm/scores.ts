/**
 * RFM scores 1..bins from cut points. A score is a function of the value alone (bin k holds
 * cut[k-1] < v <= cut[k]), so equal values can never get different scores. Quantile cut points that
 * coincide (heavy ties, e.g. most customers bought once) collapse bins: the score levels in between
 * are simply not used, and the top score still means "top bin".
 */
export type BinSpec = { kind: 'quantiles'; bins: number } | { kind: 'fixed'; cutPoints: number[] };

/** Quantile (linear interpolation between order statistics, "type 7") of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  // Rounded so that e.g. 9 × 0.6 lands on 5.4, not 5.3999…: cut points then sit exactly on data values when they should.
  const h = Math.round((n - 1) * p * 1e9) / 1e9;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** bins − 1 cut points at the k/bins quantiles of the values. */
export function quantileCutPoints(values: ArrayLike<number>, bins: number): number[] {
  if (!(Number.isInteger(bins) && bins >= 2)) throw new RangeError(`bins must be an integer >= 2, got ${bins}`);
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return [];
  const cuts: number[] = [];
  for (let k = 1; k < bins; k++) cuts.push(quantileSorted(sorted, k / bins));
  return cuts;
}

/** 1 + the number of cut points strictly below v (values equal to a cut point fall in the lower bin). */
export function binOf(v: number, cuts: readonly number[]): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

export interface ScoreResult {
  scores: Int8Array;
  cutPoints: number[];
  bins: number;
}

/**
 * Scores values (only customers in the scoring population). `reverse` flips the scale (recency:
 * fewer days since the last purchase is better, so the lowest bin scores highest).
 */
export function scoreValues(values: ArrayLike<number>, spec: BinSpec, reverse = false): ScoreResult {
  let cutPoints: number[];
  let bins: number;
  if (spec.kind === 'quantiles') {
    cutPoints = quantileCutPoints(values, spec.bins);
    bins = spec.bins;
  } else {
    cutPoints = [...spec.cutPoints];
    for (let i = 1; i < cutPoints.length; i++) {
      if (!(cutPoints[i] > cutPoints[i - 1])) throw new RangeError(`fixed cut points must be strictly increasing, got ${cutPoints.join(', ')}`);
    }
    bins = cutPoints.length + 1;
  }
  const scores = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const b = binOf(values[i], cutPoints);
    scores[i] = reverse ? bins + 1 - b : b;
  }
  return { scores, cutPoints, bins };
}
