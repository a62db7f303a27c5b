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
