/**
 * Categorical attributes for the forest, without arbitrary ordinal codes: each category becomes its
 * rank when the categories are ordered by their (smoothed) churn rate on the training rows only. For
 * a binary target, a threshold on this order reaches the best split of the categories into two groups
 * (Breiman et al. 1984, §9.4), so the forest can separate "month-to-month" from "one-year, two-year"
 * in one split, whatever order the categories were written in. Missing and unseen categories are NaN
 * (the forest's missing value). The order is learned again on every training window, including each
 * validation model's own window and each cross-validation fold, so no label outside it leaks in.
 */
import type { FeatureSet } from './features.js';
import type { Matrix } from './matrix.js';

export interface CategoryEncoding {
  feature: string;
  /** Categories in ascending order of smoothed churn rate on the training rows; the code is the index. */
  categories: string[];
  /** Smoothed churn rate of each category (same order), for reasons and the docs. */
  rates: number[];
}

/** Pseudo-count pulling rare categories towards the overall rate, so one churned customer does not rank a category first. */
export const SMOOTHING = 10;

/** Learns one encoding per categorical feature from the rows `rows` (default all) of `set`. */
export function fitCategoryEncodings(set: Pick<FeatureSet, 'categorical' | 'y'>, rows?: ArrayLike<number>): CategoryEncoding[] {
  const idx = rows ?? Array.from({ length: set.y.length }, (_, i) => i);
  let churned = 0;
  for (let k = 0; k < idx.length; k++) churned += set.y[idx[k]];
  const base = idx.length ? churned / idx.length : 0;
  return Object.entries(set.categorical).map(([feature, values]) => {
    const n = new Map<string, number>();
    const c = new Map<string, number>();
    for (let k = 0; k < idx.length; k++) {
      const v = values[idx[k]];
      if (v === null) continue;
      n.set(v, (n.get(v) ?? 0) + 1);
      c.set(v, (c.get(v) ?? 0) + set.y[idx[k]]);
    }
    const ranked = [...n.keys()]
      .map((cat) => ({ cat, rate: ((c.get(cat) ?? 0) + SMOOTHING * base) / (n.get(cat)! + SMOOTHING) }))
      .sort((p, q) => p.rate - q.rate || (p.cat < q.cat ? -1 : p.cat > q.cat ? 1 : 0));
    return { feature, categories: ranked.map((r) => r.cat), rates: ranked.map((r) => Math.round(r.rate * 1e5) / 1e5) };
  });
}

/** `set.x` with the categorical columns filled with the encodings' codes (a copy; `set.x` itself when there are none). */
export function applyCategoryEncodings(set: Pick<FeatureSet, 'x' | 'features' | 'categorical'>, encodings: CategoryEncoding[]): Matrix {
  const x = set.x;
  // Without categorical attributes there is nothing to fill: no copy of a possibly large matrix.
  if (encodings.length === 0) return x;
  const data = Float64Array.from(x.data);
  for (const e of encodings) {
    const j = set.features.indexOf(e.feature);
    const values = set.categorical[e.feature];
    if (j < 0 || !values) continue;
    const code = new Map(e.categories.map((cat, k) => [cat, k]));
    for (let i = 0; i < x.nRows; i++) {
      const v = values[i];
      data[i * x.nCols + j] = v === null ? Number.NaN : (code.get(v) ?? Number.NaN);
    }
  }
  return { nRows: x.nRows, nCols: x.nCols, data };
}
