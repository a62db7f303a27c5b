/**
 * Categorical attributes for the forest (models/churn/encoding.ts): codes are ranks by smoothed churn
 * rate learned on the training rows only, never the file order or the names; missing and unseen
 * categories are missing values. The oracle below counts rates by hand.
 */
import { describe, expect, it } from 'vitest';
import { applyCategoryEncodings, fitCategoryEncodings } from '../../../models/churn/encoding.js';

const F = 'attribute:contract';
// Rows: category, churned. Written so that name order, first-seen order and churn-rate order all differ.
const DATA: [string | null, number][] = [
  ['b-one-year', 0], ['b-one-year', 0], ['b-one-year', 1], ['b-one-year', 0],
  ['a-two-year', 0], ['a-two-year', 0], ['a-two-year', 0], ['a-two-year', 0], ['a-two-year', 0],
  ['c-monthly', 1], ['c-monthly', 1], ['c-monthly', 0], ['c-monthly', 1],
  [null, 1], ['d-rare', 1],
];

function set(rows: [string | null, number][]) {
  const n = rows.length;
  const data = new Float64Array(n * 2);
  rows.forEach((_, i) => (data[i * 2] = 100 + i)); // a numeric feature beside it, left untouched
  return {
    features: ['tenure_days', F],
    x: { nRows: n, nCols: 2, data },
    categorical: { [F]: rows.map((r) => r[0]) },
    y: Uint8Array.from(rows.map((r) => r[1])),
  };
}

/** Smoothed rate by hand: (churned + 10 × base) / (customers + 10), base over the rows used (missing included). */
function oracle(rows: [string | null, number][]) {
  const base = rows.reduce((s, r) => s + r[1], 0) / rows.length;
  const by = new Map<string, [number, number]>();
  for (const [c, y] of rows) if (c !== null) by.set(c, [(by.get(c)?.[0] ?? 0) + 1, (by.get(c)?.[1] ?? 0) + y]);
  return [...by].map(([c, [n, k]]) => ({ c, rate: (k + 10 * base) / (n + 10) })).sort((p, q) => p.rate - q.rate);
}

describe('categorical attribute encoding', () => {
  it('orders categories by smoothed churn rate on the training rows, and codes rows by that rank', () => {
    const s = set(DATA);
    const [enc] = fitCategoryEncodings(s);
    const want = oracle(DATA);
    expect(enc.feature).toBe(F);
    expect(enc.categories).toEqual(want.map((w) => w.c));
    enc.rates.forEach((r, k) => expect(r).toBeCloseTo(want[k].rate, 5));
    // Neither alphabetical nor first-seen order.
    expect(enc.categories).not.toEqual([...enc.categories].sort());
    expect(enc.categories[0]).toBe('a-two-year');
    const x = applyCategoryEncodings(s, [enc]);
    DATA.forEach(([c], i) => {
      expect(x.data[i * 2]).toBe(100 + i);
      if (c === null) expect(x.data[i * 2 + 1]).toBeNaN();
      else expect(x.data[i * 2 + 1]).toBe(want.findIndex((w) => w.c === c));
    });
    // The input matrix is not changed (the fold / window matrices share it).
    expect(Number.isNaN(s.x.data[1])).toBe(false);
    expect(s.x.data[1]).toBe(0);
  });

  it('the same rows in another order give the same encoding', () => {
    const shuffled = [...DATA].reverse();
    expect(fitCategoryEncodings(set(shuffled))).toEqual(fitCategoryEncodings(set(DATA)));
  });

  it('learns only from the given rows: a category seen only elsewhere is unseen (missing) when applied', () => {
    const s = set(DATA);
    const train = DATA.map((_, i) => i).filter((i) => DATA[i][0] !== 'd-rare');
    const [enc] = fitCategoryEncodings(s, train);
    expect(enc.categories).toEqual(oracle(train.map((i) => DATA[i])).map((w) => w.c));
    expect(enc.categories).not.toContain('d-rare');
    const x = applyCategoryEncodings(s, [enc]);
    expect(x.data[(DATA.length - 1) * 2 + 1]).toBeNaN();
  });
});
