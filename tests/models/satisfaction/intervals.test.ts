import { describe, expect, test } from 'vitest';
import {
  cesEstimate,
  csatEstimate,
  npsCategory,
  npsCounts,
  npsEstimate,
  tCriticalTable,
  wilsonInterval,
} from '../../../models/satisfaction/intervals.js';

const z95 = 1.959964;

describe('NPS', () => {
  // Score interval (Tango 1998). Closed forms solved by hand from Z(delta) = +-z:
  //   all n promoters: Z = sqrt(n (1 - d) / (1 + d))  ->  low = (n - z^2) / (n + z^2), high = 1;
  //   all n passives:  Z = -sqrt(n d / (1 - d)) for d > 0  ->  +-z^2 / (n + z^2).
  const z2 = z95 * z95;
  test.each([
    { name: 'all promoters', scores: Array(10).fill(10), nps: 100, low: (100 * (10 - z2)) / (10 + z2), high: 100 },
    { name: 'all detractors', scores: Array(10).fill(0), nps: -100, low: -100, high: (-100 * (10 - z2)) / (10 + z2) },
    { name: 'all passives', scores: Array(10).fill(7), nps: 0, low: (-100 * z2) / (10 + z2), high: (100 * z2) / (10 + z2) },
    { name: 'n=1 promoter', scores: [9], nps: 100, low: (100 * (1 - z2)) / (1 + z2), high: 100 },
    { name: 'n=1 detractor', scores: [6], nps: -100, low: -100, high: (-100 * (1 - z2)) / (1 + z2) },
  ])('$name', ({ scores, nps, low, high }) => {
    const e = npsEstimate(npsCounts(scores));
    expect(e.n).toBe(scores.length);
    expect(e.score).toBeCloseTo(nps, 9);
    expect(e.ciLow).toBeCloseTo(low, 3);
    expect(e.ciHigh).toBeCloseTo(high, 3);
  });

  test('50/30/20 of 100: within a point of the large-sample Wald interval 30 +- 15.31', () => {
    const e = npsEstimate(npsCounts([...Array(50).fill(9), ...Array(30).fill(8), ...Array(20).fill(5)]));
    expect(e.score).toBeCloseTo(30, 9);
    expect(Math.abs(e.ciLow! - (30 - 100 * z95 * Math.sqrt(0.0061)))).toBeLessThan(1);
    expect(Math.abs(e.ciHigh! - (30 + 100 * z95 * Math.sqrt(0.0061)))).toBeLessThan(1);
  });

  test('ties at the thresholds: 9 promoter, 7-8 passive, 6 detractor', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']);
    // [6, 7, 8, 9]: one promoter, one detractor of four -> 0
    expect(npsEstimate(npsCounts([6, 7, 8, 9])).score).toBe(0);
  });

  test('n=0 has no score and no interval, flagged low sample', () => {
    expect(npsEstimate(npsCounts([]))).toEqual({ n: 0, score: null, ciLow: null, ciHigh: null, isLowSample: true });
  });

  test('low sample flag at the configured minimum', () => {
    expect(npsEstimate(npsCounts(Array(29).fill(9)), 0.95, 30).isLowSample).toBe(true);
    expect(npsEstimate(npsCounts(Array(30).fill(9)), 0.95, 30).isLowSample).toBe(false);
  });
});

describe('Wilson interval (reference values)', () => {
  test.each([
    // Newcombe (1998) / Agresti-Coull tables, 95%
    [8, 10, 0.4902, 0.9433],
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
    [1, 1, 0.2065, 1],
    [81, 263, 0.2553, 0.3662],
  ])('%s/%s -> [%s, %s]', (x, n, low, high) => {
    const w = wilsonInterval(x, n)!;
    expect(w.low).toBeCloseTo(low, 4);
    expect(w.high).toBeCloseTo(high, 4);
  });

  test('n=0 gives no interval; x > n is an error', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
  });

  test('CSAT counts 4 and 5 as satisfied (threshold tie at 4)', () => {
    const scores = [3, 4, 5, 1, 2];
    const satisfied = scores.filter((s) => s >= 4).length;
    const e = csatEstimate(satisfied, scores.length);
    expect(e.score).toBeCloseTo(40, 9);
    expect(csatEstimate(0, 0).score).toBeNull();
    expect(csatEstimate(10, 10).score).toBe(100);
  });
});

describe('CES t interval', () => {
  test('[2,3,4,5,6]: mean 4, s = sqrt(2.5), t(.975, 4) = 2.776445', () => {
    const e = cesEstimate([2, 3, 4, 5, 6]);
    const half = 2.776445 * Math.sqrt(2.5 / 5);
    expect(e.score).toBe(4);
    expect(e.ciLow).toBeCloseTo(4 - half, 5);
    expect(e.ciHigh).toBeCloseTo(4 + half, 5);
  });

  test('n=1 has a mean but no interval; n=0 nothing', () => {
    // One response says nothing about the spread: the whole scale.
    expect(cesEstimate([5])).toMatchObject({ n: 1, score: 5, ciLow: 1, ciHigh: 7, isLowSample: true });
    expect(cesEstimate([]).score).toBeNull();
  });

  test('interval is clipped to the 1-7 scale', () => {
    const e = cesEstimate([1, 7]);
    expect(e.ciLow).toBe(1);
    expect(e.ciHigh).toBe(7);
  });

  test('all equal scores: variance floored at 1/n (one answer one step away), never zero width', () => {
    // s^2 = 1/3, half = t(.975, 2) * sqrt(1/3 / 3) = 4.3027 / 3 = 1.4342; clipped at 7 above.
    const e = cesEstimate([6, 6, 6]);
    expect(e.ciLow).toBeCloseTo(6 - 4.302653 / 3, 5);
    expect(e.ciHigh).toBe(7);
  });
});

test('t critical table for the SQL marts matches the t table', () => {
  const t = tCriticalTable(0.95, 30);
  expect(t).toHaveLength(30);
  expect(t[0]).toBeCloseTo(12.706, 3);
  expect(t[9]).toBeCloseTo(2.228, 3);
  expect(t[29]).toBeCloseTo(2.042, 3);
});
