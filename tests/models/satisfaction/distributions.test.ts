import { describe, expect, test } from 'vitest';
import { normalCdf, normalQuantile, tCdf, tQuantile, tTwoSidedP } from '../../../models/satisfaction/distributions.js';

// Reference values: standard normal and Student t tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.1-2).
describe('normal distribution', () => {
  test.each([
    [0.975, 1.959964],
    [0.995, 2.575829],
    [0.95, 1.644854],
    [0.05, -1.644854],
    [0.5, 0],
    [0.001, -3.090232],
  ])('normalQuantile(%s) = %s', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 5);
  });

  test('normalCdf at table points', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7); // erfc approximation: fractional error < 1.2e-7
    expect(normalCdf(-2.326348)).toBeCloseTo(0.01, 6);
  });

  test('normalQuantile rejects p outside [0, 1]', () => {
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(normalQuantile(0)).toBe(-Infinity);
  });
});

describe('Student t distribution', () => {
  test.each([
    // [upper-tail probability 1 - p, df, t]
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 5, 2.571],
    [0.975, 10, 2.228],
    [0.975, 30, 2.042],
    [0.975, 120, 1.98],
    [0.995, 5, 4.032],
    [0.95, 10, 1.812],
    [0.9, 3, 1.638],
  ])('tQuantile(%s, df=%s) = %s (table)', (p, df, t) => {
    expect(tQuantile(p, df)).toBeCloseTo(t, 3);
  });

  test('tQuantile is symmetric and inverts tCdf', () => {
    expect(tQuantile(0.025, 7)).toBeCloseTo(-tQuantile(0.975, 7), 10);
    for (const df of [1, 3.5, 12, 400]) expect(tCdf(tQuantile(0.9, df), df)).toBeCloseTo(0.9, 9);
  });

  test('two-sided p at the tabled critical values is alpha', () => {
    expect(tTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 4);
    expect(tTwoSidedP(4.032, 5)).toBeCloseTo(0.01, 4);
    expect(tTwoSidedP(0, 5)).toBe(1);
  });

  test('t tends to the normal for large df', () => {
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 4);
  });
});
