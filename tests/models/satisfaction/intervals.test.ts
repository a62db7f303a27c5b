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
  // Hand-computed: NPS = 100 (p+ - p-); half width = 100 * z * sqrt((p+ + p- - (p+ - p-)^2) / n).
  test.each([
    { name: 'all promoters', scores: Array(10).fill(10), nps: 100, low: 100, high: 100 },
    { name: 'all detractors', scores: Array(10).fill(0), nps: -100, low: -100, high: -100 },
    { name: 'all passives', scores: Array(10).fill(7), nps: 0, low: 0, high: 0 },
    { name: 'n=1 promoter', scores: [9], nps: 100, low: 100, high: 100 },
    { name: 'n=1 detractor', scores: [6], nps: -100, low: -100, high: -100 },
    // 1 promoter, 1 detractor: p+ = p- = .5, var = 1, half = 100 * 1.96 * sqrt(1/2) = 138.59 -> clipped
    { name: 'one each side', scores: [10, 0], nps: 0, low: -100, high: 100 },
    // 50 promoters, 30 passives, 20 detractors: var = .7 - .09 = .61, half = 196 * sqrt(.0061) = 15.3078
    {
      name: '50/30/20',
      scores: [...Array(50).fill(9), ...Array(30).fill(8), ...Array(20).fill(5)],
      nps: 30,
      low: 30 - 100 * z95 * Math.sqrt(0.0061),
      high: 30 + 100 * z95 * Math.sqrt(0.0061),
    },
  ])('$name', ({ scores, nps, low, high }) => {
    const e = npsEstimate(npsCounts(scores));
    expect(e.n).toBe(scores.length);
    expect(e.score).toBeCloseTo(nps, 9);
    expect(e.ciLow).toBeCloseTo(low, 4);
    expect(e.ciHigh).toBeCloseTo(high, 4);
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
    expect(cesEstimate([5])).toMatchObject({ n: 1, score: 5, ciLow: null, ciHigh: null, isLowSample: true });
    expect(cesEstimate([]).score).toBeNull();
  });

  test('interval is clipped to the 1-7 scale', () => {
    const e = cesEstimate([1, 7]);
    expect(e.ciLow).toBe(1);
    expect(e.ciHigh).toBe(7);
  });

  test('all equal scores give a zero-width interval', () => {
    expect(cesEstimate([6, 6, 6])).toMatchObject({ score: 6, ciLow: 6, ciHigh: 6 });
  });
});

test('t critical table for the SQL marts matches the t table', () => {
  const t = tCriticalTable(0.95, 30);
  expect(t).toHaveLength(30);
  expect(t[0]).toBeCloseTo(12.706, 3);
  expect(t[9]).toBeCloseTo(2.228, 3);
  expect(t[29]).toBeCloseTo(2.042, 3);
});
