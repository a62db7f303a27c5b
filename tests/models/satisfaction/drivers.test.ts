import { describe, expect, test } from 'vitest';
import { keyDrivers, keyDriversFromMoments, momentsOf } from '../../../models/satisfaction/drivers.js';
import { CxpError } from '../../../pipelines/core/errors.js';

/** Small deterministic generator (mulberry32) and Box-Muller normals, so the synthetic data is fixed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

describe('key drivers: hand-checked cases', () => {
  test('one driver (Anscombe quartet I): beta = r = 0.8164, R^2 = 0.6665, slope 0.5001, t = 4.24, p = 0.00217', () => {
    const x = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5];
    const y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
    const m = keyDrivers(['x'], x.map((v) => [v]), y);
    expect(m.n).toBe(11);
    expect(m.rSquared).toBeCloseTo(0.6665, 4);
    const d = m.drivers[0];
    expect(d.stdWeight).toBeCloseTo(0.8164, 4);
    expect(d.coefficient).toBeCloseTo(0.5001, 4);
    expect(d.tStat).toBeCloseTo(4.24, 2);
    expect(d.pValue).toBeCloseTo(0.00217, 5);
    expect(d.relativeImportance).toBe(1);
  });

  test('two orthogonal drivers: y = 2 x1 + x2 + e with e orthogonal to both (hand-computed)', () => {
    const x1 = [-1, -1, 1, 1, -1, -1, 1, 1];
    const x2 = [-1, 1, -1, 1, -1, 1, -1, 1];
    const e = [1, -1, -1, 1, -1, 1, 1, -1];
    const y = x1.map((v, i) => 2 * v + x2[i] + e[i]);
    const m = keyDrivers(['x1', 'x2'], x1.map((v, i) => [v, x2[i]]), y);
    // SS: x1 8, x2 8, e 8; SS(y) = 4*8 + 8 + 8 = 48. r1 = 16/sqrt(8*48), r2 = 8/sqrt(8*48).
    // Orthogonal drivers: beta_j = r_j, R^2 = r1^2 + r2^2 = 40/48, LMG shares r_j^2 / R^2 = .8 / .2.
    // sigma^2 = SSE / (8 - 3) = 8/5; se(b) = sqrt(1.6 / 8); t1 = 2 / .4472 = 4.472, t2 = 2.236 (df 5).
    expect(m.rSquared).toBeCloseTo(40 / 48, 12);
    const [d1, d2] = m.drivers;
    expect(d1.stdWeight).toBeCloseTo(16 / Math.sqrt(384), 12);
    expect(d2.stdWeight).toBeCloseTo(8 / Math.sqrt(384), 12);
    expect(d1.coefficient).toBeCloseTo(2, 12);
    expect(d2.coefficient).toBeCloseTo(1, 12);
    expect(d1.relativeImportance).toBeCloseTo(0.8, 12);
    expect(d2.relativeImportance).toBeCloseTo(0.2, 12);
    expect(d1.tStat).toBeCloseTo(Math.sqrt(20), 10);
    expect(d2.tStat).toBeCloseTo(Math.sqrt(5), 10);
    // t table, df 5: 4.032 (p = .01) < 4.472; 2.015 (p = .10) < 2.236 < 2.571 (p = .05)
    expect(d1.pValue).toBeLessThan(0.01);
    expect(d1.isSignificant).toBe(true);
    expect(d2.pValue).toBeGreaterThan(0.05);
    expect(d2.pValue).toBeLessThan(0.1);
    expect(d2.isSignificant).toBe(false);
  });

  test('LMG splits shared variance of correlated drivers and sums to 1', () => {
    // x2 = x1 + noise; y depends on x1 only. LMG by hand for p = 2: (R2(1) + R2(12) - R2(2)) / 2 for driver 1.
    const g = rng(7);
    const x1 = Array.from({ length: 400 }, () => g.normal());
    const x2 = x1.map((v) => v + g.normal());
    const y = x1.map((v) => v + g.normal());
    const m = keyDrivers(['x1', 'x2'], x1.map((v, i) => [v, x2[i]]), y);
    const r2 = (xs: number[]) => keyDrivers(['x'], xs.map((v) => [v]), y).rSquared;
    const lmg1 = (r2(x1) + (m.rSquared - r2(x2))) / 2;
    expect(m.drivers[0].relativeImportance).toBeCloseTo(lmg1 / m.rSquared, 10);
    expect(m.drivers[0].relativeImportance + m.drivers[1].relativeImportance).toBeCloseTo(1, 12);
  });

  test('a constant driver and an exact copy are dropped with a reason, not silently', () => {
    const g = rng(3);
    const x = Array.from({ length: 50 }, () => g.normal());
    const y = x.map((v) => v + g.normal());
    const m = keyDrivers(['x', 'const', 'copy'], x.map((v) => [v, 5, 2 * v + 1]), y);
    expect(m.drivers.map((d) => d.driver)).toEqual(['x']);
    expect(m.dropped).toEqual([
      { driver: 'const', reason: 'no variance' },
      { driver: 'copy', reason: 'collinear with other drivers' },
    ]);
  });

  test('a row with no driver answered is not in the model', () => {
    const m = keyDrivers(['x'], [[1], [2], [NaN], [3], [4]], [1, 3, 9, 2, 5]);
    expect(m.n).toBe(4);
  });

  test('missing answers: pairwise-available correlations, with counts of what was used and what was missing', () => {
    const g = rng(41);
    const n = 300;
    const rows = Array.from({ length: n }, () => [g.normal(), g.normal(), g.normal()]);
    const y = rows.map((r) => 0.7 * r[0] + 0.4 * r[1] + 0.1 * r[2] + g.normal());
    // 30% of answers to driver 0 and 20% to driver 2 are missing, in different responses.
    const X = rows.map((r, i) => [i % 10 < 3 ? NaN : r[0], r[1], i % 5 === 4 ? NaN : r[2]]);
    const m = keyDrivers(['a', 'b', 'c'], X, y);
    // Independent: each correlation over the responses answering both, then beta = R^-1 r by Cramer's rule.
    const pc = (u: number[], v: number[]) => {
      const idx = u.map((_, i) => i).filter((i) => Number.isFinite(u[i]) && Number.isFinite(v[i]));
      const mu = idx.reduce((a, i) => a + u[i], 0) / idx.length;
      const mv = idx.reduce((a, i) => a + v[i], 0) / idx.length;
      let suv = 0;
      let suu = 0;
      let svv = 0;
      for (const i of idx) {
        suv += (u[i] - mu) * (v[i] - mv);
        suu += (u[i] - mu) ** 2;
        svv += (v[i] - mv) ** 2;
      }
      return suv / Math.sqrt(suu * svv);
    };
    const col = (j: number) => X.map((r) => r[j]);
    const R = [0, 1, 2].map((a) => [0, 1, 2].map((b) => (a === b ? 1 : pc(col(a), col(b)))));
    const r = [0, 1, 2].map((j) => pc(col(j), y));
    const det3 = (M: number[][]) =>
      M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
    const D = det3(R);
    const beta = [0, 1, 2].map((j) => det3(R.map((row, i) => row.map((v, k) => (k === j ? r[i] : v)))) / D);
    m.drivers.forEach((d, j) => expect(d.stdWeight).toBeCloseTo(beta[j], 10));
    expect(m.rSquared).toBeCloseTo(beta.reduce((a, b, j) => a + b * r[j], 0), 10);
    expect(m.n).toBe(300);
    // the two missing patterns never overlap (i % 10 < 3 vs i % 5 === 4)
    expect(m.nComplete).toBe(300 - 90 - 60);
    expect(m.drivers.map((d) => [d.answers, d.missing])).toEqual([
      [210, 90],
      [300, 0],
      [240, 60],
    ]);
    // Degrees of freedom come from the smallest pairwise count: a and c together in 150 responses.
    expect(m.nEffective).toBe(150);
  });

  test('too few rows or a constant target is an insufficient-data error', () => {
    expect(() => keyDrivers(['x'], [[1], [2]], [1, 2])).toThrow(CxpError);
    expect(() => keyDrivers(['x'], [[1], [2], [3], [4]], [2, 2, 2, 2])).toThrow(/varying target/);
    expect(() => keyDrivers(['a', 'b', 'c'], [[1, 2, 4], [2, 1, 3], [3, 5, 1], [4, 4, 2]], [1, 2, 3, 5])).toThrow(/more responses than drivers/);
  });

  test('the fit from moments equals the fit from rows', () => {
    const g = rng(11);
    const rows = Array.from({ length: 200 }, () => [g.normal(), g.normal(), g.normal()]);
    const y = rows.map((r) => 0.5 * r[0] - 0.2 * r[1] + g.normal());
    const a = keyDrivers(['a', 'b', 'c'], rows, y);
    const b = keyDriversFromMoments(momentsOf(['a', 'b', 'c'], rows, y));
    expect(b).toEqual(a);
  });
});

describe('key drivers: recovery of planted weights', () => {
  test('y = 0.6 z1 + 0.3 z2 + 0 z3 + 0.1 z4 + noise: weights recovered, the null driver not significant', () => {
    const g = rng(2026);
    const n = 5000;
    const truth = [0.6, 0.3, 0, 0.1];
    const noiseSd = 0.7;
    const rows = Array.from({ length: n }, () => truth.map(() => g.normal()));
    const y = rows.map((r) => r.reduce((a, v, j) => a + truth[j] * v, 0) + noiseSd * g.normal());
    const m = keyDrivers(['z1', 'z2', 'z3', 'z4'], rows, y);
    // Independent unit-variance drivers: true std weight = b_j / sd(y), sd(y) = sqrt(sum b^2 + noise^2).
    const sdY = Math.sqrt(truth.reduce((a, b) => a + b * b, 0) + noiseSd ** 2);
    m.drivers.forEach((d, j) => expect(Math.abs(d.stdWeight - truth[j] / sdY)).toBeLessThan(0.03));
    expect(m.rSquared).toBeCloseTo(0.46 / sdY ** 2, 1);
    expect(m.drivers.map((d) => d.isSignificant)).toEqual([true, true, false, true]);
    const order = [...m.drivers].sort((a, b) => b.relativeImportance - a.relativeImportance).map((d) => d.driver);
    expect(order).toEqual(['z1', 'z2', 'z4', 'z3']);
  });
});
