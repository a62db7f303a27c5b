import { describe, expect, test } from 'vitest';
import { npsDifferenceZ, twoProportionZ, welchTFromSamples } from '../../../models/satisfaction/significance.js';

describe('two-proportion z', () => {
  test('60/100 vs 45/100: z = 2.124, p = 0.0337 (R prop.test(correct=FALSE): X-squared = 4.5113)', () => {
    const r = twoProportionZ(60, 100, 45, 100);
    expect(r.statistic).toBeCloseTo(2.124, 3);
    expect(r.statistic! ** 2).toBeCloseTo(4.5113, 3);
    expect(r.pValue).toBeCloseTo(0.0337, 4);
    expect(r.isSignificant).toBe(true);
  });

  test('equal shares are not significant; unanimous groups have p = 1', () => {
    expect(twoProportionZ(30, 60, 50, 100)).toMatchObject({ statistic: 0, pValue: 1, isSignificant: false });
    expect(twoProportionZ(10, 10, 20, 20)).toMatchObject({ statistic: 0, pValue: 1, isSignificant: false });
  });

  test('an empty group cannot be tested', () => {
    expect(twoProportionZ(3, 10, 0, 0)).toMatchObject({ statistic: null, pValue: null, isSignificant: false });
  });

  test('a 99% level is stricter', () => {
    expect(twoProportionZ(60, 100, 45, 100, 0.99).isSignificant).toBe(false);
  });
});

describe('Welch t (Wikipedia "Welch\'s t-test" worked examples)', () => {
  test('example 1: equal n, t = -2.46, df ~ 25, p = 0.021', () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welchTFromSamples(a, b);
    expect(r.statistic).toBeCloseTo(-2.46, 2);
    expect(r.df!).toBeGreaterThan(24.5);
    expect(r.df!).toBeLessThan(25.5);
    expect(r.pValue).toBeCloseTo(0.021, 3);
    expect(r.isSignificant).toBe(true);
  });

  test('example 2: unequal n and variances, t = -1.57, df = 9.9, p = 0.149', () => {
    const a = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8];
    const b = [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8];
    const r = welchTFromSamples(a, b);
    expect(r.statistic).toBeCloseTo(-1.57, 2);
    expect(r.df).toBeCloseTo(9.9, 1);
    expect(r.pValue).toBeCloseTo(0.149, 3);
    expect(r.isSignificant).toBe(false);
  });

  test('fewer than two values per group cannot be tested', () => {
    expect(welchTFromSamples([1], [1, 2, 3]).pValue).toBeNull();
  });
});

describe('NPS difference z', () => {
  test('50/30/20 vs 40/30/30 (n=100 each): pooled p+ .45, p- .25, V = .66; z = 0.2 / sqrt(.66 * .02) = 1.7408, p = 0.0817', () => {
    const r = npsDifferenceZ({ promoters: 50, passives: 30, detractors: 20 }, { promoters: 40, passives: 30, detractors: 30 });
    expect(r.statistic).toBeCloseTo(0.2 / Math.sqrt(0.0132), 6);
    expect(r.pValue).toBeCloseTo(0.0817, 4);
    expect(r.isSignificant).toBe(false);
  });

  test('unanimous groups: 50 promoters vs 50 detractors is significant', () => {
    const r = npsDifferenceZ({ promoters: 50, passives: 0, detractors: 0 }, { promoters: 0, passives: 0, detractors: 50 });
    // pooled: p+ = p- = .5, var = 1; se = sqrt(1 * (2/50)) = .2; z = 2 / .2 = 10
    expect(r.statistic).toBeCloseTo(10, 9);
    expect(r.isSignificant).toBe(true);
  });
});
