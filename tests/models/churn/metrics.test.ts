import { describe, expect, it } from 'vitest';
import { brier, churnMetrics, prAuc, reliabilityTable, rocAuc, rocCurve, topDecile } from '../../../models/churn/metrics.js';
import { mulberry32 } from '../../helpers/prng.js';

describe('churn metrics', () => {
  it('ROC AUC: counts correctly ordered (churned, retained) pairs, ties count half', () => {
    // Pairs (pos, neg): (0.35,0.1) ok, (0.35,0.4) wrong, (0.8,0.1) ok, (0.8,0.4) ok -> 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.5, 0.5, 0.5], [0, 1, 1])).toBeCloseTo(0.5, 12);
    expect(rocAuc([0.9, 0.1], [0, 1])).toBe(0);
    expect(Number.isNaN(rocAuc([0.1, 0.2], [1, 1]))).toBe(true);
  });

  it('PR AUC is average precision: mean of the precision at each churned customer', () => {
    // Ranked: 0.8(+) P=1, 0.4(-), 0.35(+) P=2/3 -> (1 + 2/3) / 2.
    expect(prAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 12);
    // A tie between one churned and one retained customer at the top is one threshold: precision 1/2.
    expect(prAuc([0.9, 0.9, 0.1], [1, 0, 0])).toBeCloseTo(0.5, 12);
  });

  it('Brier score is the mean squared error of the probability', () => {
    expect(brier([0.1, 0.9, 0.5], [0, 1, 1])).toBeCloseTo((0.01 + 0.01 + 0.25) / 3, 12);
  });

  it('top-decile lift and capture', () => {
    // 20 customers, 4 churned; the top 2 by score contain 1 of them.
    const score = Array.from({ length: 20 }, (_, i) => 1 - i / 20);
    const y = new Array(20).fill(0);
    y[1] = 1;
    y[5] = 1;
    y[9] = 1;
    y[15] = 1;
    const { lift, capture } = topDecile(score, y);
    expect(capture).toBeCloseTo(1 / 4, 12);
    expect(lift).toBeCloseTo(1 / 2 / (4 / 20), 12);
  });

  it('reliability table bins predictions and compares with observed rates', () => {
    const { table, ece } = reliabilityTable([0.05, 0.15, 0.15, 0.95], [0, 1, 0, 1], 10);
    expect(table).toHaveLength(10);
    expect(table[0]).toMatchObject({ count: 1, observed_rate: 0 });
    expect(table[1].count).toBe(2);
    expect(table[1].mean_predicted).toBeCloseTo(0.15, 12);
    expect(table[1].observed_rate).toBe(0.5);
    expect(table[9].observed_rate).toBe(1);
    expect(table[5]).toMatchObject({ count: 0, mean_predicted: null, observed_rate: null });
    // ECE = 1/4*0.05 + 2/4*0.35 + 1/4*0.05
    expect(ece).toBeCloseTo(0.0125 + 0.175 + 0.0125, 12);
  });

  it('churnMetrics bundles them with counts', () => {
    const m = churnMetrics([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(m).toMatchObject({ count: 4, count_churned: 2, base_rate: 0.5 });
    expect(m.roc_auc).toBeCloseTo(0.75, 12);
  });
});

describe('rocCurve', () => {
  it('steps through each threshold, by hand', () => {
    expect(rocCurve([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0])).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
  });

  it('moves diagonally through tied scores and is empty with one class', () => {
    expect(rocCurve([0.5, 0.5], [1, 0])).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(rocCurve([0.1, 0.2], [1, 1])).toEqual([]);
  });

  it('has the area of the Mann-Whitney AUC (trapezoids), and thins to the asked size keeping both ends', () => {
    const next = mulberry32(7);
    const y = Array.from({ length: 3000 }, () => (next() < 0.3 ? 1 : 0));
    const score = y.map((v) => Math.round((v * 0.3 + next()) * 50) / 50); // many ties
    const full = rocCurve(score, y, 1e9);
    let area = 0;
    for (let k = 1; k < full.length; k++) area += ((full[k].fpr - full[k - 1].fpr) * (full[k].tpr + full[k - 1].tpr)) / 2;
    expect(area).toBeCloseTo(rocAuc(score, y), 10);
    const thin = rocCurve(score, y, 11);
    expect(thin).toHaveLength(11);
    expect(thin[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(thin[10]).toEqual({ fpr: 1, tpr: 1 });
  });
});

/** The implementations before the shared score groups (a comparator sort of row numbers per metric), as the reference. */
const reference = {
  rocCurve(score: ArrayLike<number>, y: ArrayLike<number>, maxPoints = 101) {
    const n = score.length;
    let nPos = 0;
    for (let i = 0; i < n; i++) if (y[i]) nPos++;
    const nNeg = n - nPos;
    if (nPos === 0 || nNeg === 0) return [];
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
    const points = [{ fpr: 0, tpr: 0 }];
    let tp = 0;
    let fp = 0;
    let i = 0;
    while (i < n) {
      let j = i;
      while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
      for (let k = i; k <= j; k++) {
        if (y[order[k]]) tp++;
        else fp++;
      }
      points.push({ fpr: fp / nNeg, tpr: tp / nPos });
      i = j + 1;
    }
    if (points.length <= maxPoints) return points;
    const step = (points.length - 1) / (maxPoints - 1);
    const thinned = [];
    for (let k = 0; k < maxPoints; k++) thinned.push(points[Math.round(k * step)]);
    return thinned;
  },
  rocAuc(score: ArrayLike<number>, y: ArrayLike<number>) {
    const n = score.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
    let rankSumPos = 0;
    let nPos = 0;
    let i = 0;
    while (i < n) {
      let j = i;
      while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
      const midRank = (i + j) / 2 + 1;
      for (let k = i; k <= j; k++) {
        if (y[order[k]]) {
          rankSumPos += midRank;
          nPos++;
        }
      }
      i = j + 1;
    }
    const nNeg = n - nPos;
    if (nPos === 0 || nNeg === 0) return Number.NaN;
    return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
  },
  prAuc(score: ArrayLike<number>, y: ArrayLike<number>) {
    const n = score.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
    let nPos = 0;
    for (let i = 0; i < n; i++) if (y[i]) nPos++;
    if (nPos === 0) return Number.NaN;
    let tp = 0;
    let seen = 0;
    let ap = 0;
    let i = 0;
    while (i < n) {
      let j = i;
      let tpHere = 0;
      while (j < n && score[order[j]] === score[order[i]]) {
        if (y[order[j]]) tpHere++;
        j++;
      }
      tp += tpHere;
      seen += j - i;
      ap += (tpHere / nPos) * (tp / seen);
      i = j;
    }
    return ap;
  },
  topDecile(score: ArrayLike<number>, y: ArrayLike<number>) {
    const n = score.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
    const k = Math.max(1, Math.ceil(n / 10));
    let nPos = 0;
    let top = 0;
    for (let i = 0; i < n; i++) if (y[i]) nPos++;
    for (let i = 0; i < k; i++) if (y[order[i]]) top++;
    if (nPos === 0) return { lift: Number.NaN, capture: Number.NaN };
    return { lift: top / k / (nPos / n), capture: top / nPos };
  },
};

describe('ranking metrics from one sort of the scores', () => {
  it('are those of the comparator-sort implementations, to the bit (ties, forest-like scores, small and one-class sets)', () => {
    const next = mulberry32(11);
    const sets: [number[], number[]][] = [];
    for (const [n, tieStep] of [[5000, 0], [5000, 1 / 40], [997, 1 / 7], [13, 0], [1, 0], [3, 1]] as const) {
      const y = Array.from({ length: n }, () => (next() < 0.35 ? 1 : 0));
      // Forest-like: means of float32 leaf values; or rounded to few levels (many ties, a tie across the top decile).
      const score = y.map((v) => {
        const raw = (Math.fround(next()) + Math.fround(next()) * v + Math.fround(next() * 0.5)) / 3;
        return tieStep > 0 ? Math.round(raw / tieStep) * tieStep : raw;
      });
      sets.push([score, y]);
    }
    sets.push([[0.2, 0.2, 0.7], [1, 1, 1]], [[0.2, 0.3], [0, 0]], [[0, -0, 0.5, 0, 0.5], [1, 0, 0, 1, 1]]);
    for (const [score, y] of sets) {
      const s = Float64Array.from(score);
      const same = (a: number, b: number) => expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))).toBe(true);
      same(rocAuc(s, y), reference.rocAuc(s, y));
      same(prAuc(s, y), reference.prAuc(s, y));
      expect(rocCurve(s, y)).toEqual(reference.rocCurve(s, y));
      expect(rocCurve(s, y, 1e9)).toEqual(reference.rocCurve(s, y, 1e9));
      const td = topDecile(s, y);
      const tdRef = reference.topDecile(s, y);
      same(td.lift, tdRef.lift);
      same(td.capture, tdRef.capture);
      const m = churnMetrics(s, y);
      same(m.roc_auc, reference.rocAuc(s, y));
      same(m.pr_auc, reference.prAuc(s, y));
      same(m.top_decile_lift, tdRef.lift);
      expect(m.roc_curve).toEqual(reference.rocCurve(s, y));
    }
  });

  it('rank NaN scores below every number', () => {
    expect(rocAuc([Number.NaN, 0.1, 0.9], [0, 0, 1])).toBe(1);
    expect(rocAuc([Number.NaN, 0.1, 0.9], [1, 0, 0])).toBe(0);
    expect(topDecile([Number.NaN, 0.2, Number.NaN], [1, 0, 1])).toEqual({ lift: 0, capture: 0 });
  });
});
