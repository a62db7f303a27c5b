import { describe, expect, it } from 'vitest';
import { binOf, quantileCutPoints, scoreValues } from '../../../models/rfm/scores.js';
import { mulberry32 } from '../value/simulate.js';

describe('RFM scores', () => {
  it('quintiles of 10..100: cut points 28, 46, 64, 82 (linear interpolation) and two values per score', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(quantileCutPoints(v, 5)).toEqual([28, 46, 64, 82]);
    expect([...scoreValues(v, { kind: 'quantiles', bins: 5 }).scores]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('never splits ties; duplicate cut points collapse bins and leave score levels unused', () => {
    // Cut points [1, 1, 1.4, 2.2]: the six 1s share score 1, 2s get 4, 3 and 10 get 5; 2 and 3 are unused.
    const v = [2, 1, 10, 1, 1, 3, 1, 2, 1, 1];
    const r = scoreValues(v, { kind: 'quantiles', bins: 5 });
    expect(r.cutPoints[0]).toBe(1);
    expect(r.cutPoints[1]).toBe(1);
    expect(r.cutPoints[2]).toBeCloseTo(1.4, 12);
    expect(r.cutPoints[3]).toBeCloseTo(2.2, 12);
    expect([...r.scores]).toEqual([4, 1, 5, 1, 1, 5, 1, 4, 1, 1]);
  });

  it('gives equal values equal scores and keeps scores monotone on heavily tied random data', () => {
    const u = mulberry32(3);
    const v = Array.from({ length: 5000 }, () => Math.floor(-Math.log(1 - u()) * 2));
    const s = scoreValues(v, { kind: 'quantiles', bins: 5 }).scores;
    const byValue = new Map<number, number>();
    v.forEach((x, i) => {
      if (byValue.has(x)) expect(byValue.get(x)).toBe(s[i]);
      byValue.set(x, s[i]);
    });
    const keys = [...byValue.keys()].sort((a, b) => a - b);
    for (let i = 1; i < keys.length; i++) expect(byValue.get(keys[i])!).toBeGreaterThanOrEqual(byValue.get(keys[i - 1])!);
  });

  it('reverses the scale for recency: the fewest days since the last purchase score 5', () => {
    const s = scoreValues([0, 3, 9, 27, 81], { kind: 'quantiles', bins: 5 }, true).scores;
    expect([...s]).toEqual([5, 4, 3, 2, 1]);
  });

  it('fixed cut points: a value equal to a cut point falls in the lower bin', () => {
    expect(binOf(10, [10, 20])).toBe(1);
    expect(binOf(10.5, [10, 20])).toBe(2);
    expect(binOf(20, [10, 20])).toBe(2);
    expect(binOf(21, [10, 20])).toBe(3);
    const r = scoreValues([5, 10, 15, 25], { kind: 'fixed', cutPoints: [10, 20] });
    expect(r.bins).toBe(3);
    expect([...r.scores]).toEqual([1, 1, 2, 3]);
    expect(() => scoreValues([1], { kind: 'fixed', cutPoints: [2, 2] })).toThrow(/strictly increasing/);
  });
});
