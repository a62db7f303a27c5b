/**
 * LMG / Shapley shares of R^2 against a brute force written here: R^2 of every subset regression fitted
 * on the raw data by ordinary least squares with an intercept (Gaussian elimination on the normal
 * equations, 1 - SSE/SST; no correlation matrix), then the gain of each driver averaged over ALL p!
 * orders of entry.
 */
import { describe, expect, test } from 'vitest';
import { EXACT_LMG_MAX_DRIVERS, keyDrivers, lmgExact, lmgSampled, momentsOf } from '../../../models/satisfaction/drivers.js';
import { mulberry32 } from '../../helpers/prng.js';

function normals(seed: number) {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** R^2 of OLS of y on the columns `cols` of X (with intercept), by solving the normal equations. */
function olsRSquared(X: number[][], y: number[], cols: number[]): number {
  const n = y.length;
  const my = y.reduce((a, b) => a + b, 0) / n;
  const sst = y.reduce((a, v) => a + (v - my) ** 2, 0);
  if (cols.length === 0) return 0;
  const k = cols.length + 1;
  const A = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const row = [1, ...cols.map((c) => X[i][c])];
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) A[a][b] += row[a] * row[b];
      A[a][k] += row[a] * y[i];
    }
  }
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j];
    }
  }
  const coef = A.map((row, i) => row[k] / row[i]);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const fit = coef[0] + cols.reduce((a, c, j) => a + coef[j + 1] * X[i][c], 0);
    sse += (y[i] - fit) ** 2;
  }
  return 1 - sse / sst;
}

/** Shapley shares by enumerating every order (p! of them), with subset R^2 memoised by bit mask. */
function bruteForceLmg(X: number[][], y: number[], p: number): number[] {
  const memo = new Map<number, number>();
  const r2 = (mask: number) => {
    let v = memo.get(mask);
    if (v === undefined) {
      const cols: number[] = [];
      for (let j = 0; j < p; j++) if (mask & (1 << j)) cols.push(j);
      v = olsRSquared(X, y, cols);
      memo.set(mask, v);
    }
    return v;
  };
  const total = new Array<number>(p).fill(0);
  let orders = 0;
  const perm = Array.from({ length: p }, (_, i) => i);
  const visit = (k: number) => {
    if (k === p) {
      orders++;
      let mask = 0;
      for (const j of perm) {
        total[j] += r2(mask | (1 << j)) - r2(mask);
        mask |= 1 << j;
      }
      return;
    }
    for (let i = k; i < p; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      visit(k + 1);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  visit(0);
  return total.map((t) => t / orders);
}

function correlatedData(seed: number, n: number, p: number) {
  const g = normals(seed);
  const common = () => g();
  const X = Array.from({ length: n }, () => {
    const f = common();
    return Array.from({ length: p }, (_, j) => (j % 3 === 0 ? 0.8 * f : 0.3 * f) + g());
  });
  const truth = Array.from({ length: p }, (_, j) => (j % 4 === 3 ? 0 : 0.2 + 0.1 * j));
  const y = X.map((row) => row.reduce((a, v, j) => a + truth[j] * v, 0) + 1.5 * g());
  return { X, y };
}

describe('exact LMG', () => {
  test('9 correlated drivers: shares equal the brute force over all 362,880 orders and sum to R^2', () => {
    const p = 9;
    const { X, y } = correlatedData(10, 300, p);
    const names = Array.from({ length: p }, (_, j) => `x${j}`);
    const m = keyDrivers(names, X, y);
    expect(m.importanceMethod).toBe('lmg');
    const brute = bruteForceLmg(X, y, p);
    m.drivers.forEach((d, j) => expect(d.lmg).toBeCloseTo(brute[j], 10));
    const full = olsRSquared(X, y, names.map((_, j) => j));
    expect(m.rSquared).toBeCloseTo(full, 10);
    expect(m.drivers.reduce((a, d) => a + d.lmg, 0)).toBeCloseTo(full, 12);
    expect(m.drivers.reduce((a, d) => a + d.relativeImportance, 0)).toBeCloseTo(1, 12);
    for (const d of m.drivers) expect(d.lmg).toBeGreaterThanOrEqual(0);
  });

  test(`16 drivers: exact (method lmg), shares >= 0 and sum to R^2; a driver's share depends only on its own column`, () => {
    const p = 16;
    expect(EXACT_LMG_MAX_DRIVERS).toBeGreaterThanOrEqual(16);
    const { X, y } = correlatedData(16, 400, p);
    const names = Array.from({ length: p }, (_, j) => `x${j}`);
    const m = keyDrivers(names, X, y);
    expect(m.importanceMethod).toBe('lmg');
    expect(m.drivers.reduce((a, d) => a + d.lmg, 0)).toBeCloseTo(olsRSquared(X, y, names.map((_, j) => j)), 10);
    for (const d of m.drivers) expect(d.lmg).toBeGreaterThanOrEqual(0);
    // Symmetry (a Shapley axiom): reversing the column order reverses the shares.
    const rev = keyDrivers([...names].reverse(), X.map((r) => [...r].reverse()), y);
    rev.drivers.forEach((d, j) => expect(d.lmg).toBeCloseTo(m.drivers[p - 1 - j].lmg, 10));
  });
});

describe('sampled LMG above the exact limit', () => {
  test('agrees with the exact shares within 0.01 of R^2 (12 drivers, compared directly) and never goes negative', () => {
    const p = 12;
    const { X, y } = correlatedData(3, 500, p);
    const names = Array.from({ length: p }, (_, j) => `x${j}`);
    const mo = momentsOf(names, X, y);
    const exact = lmgExact(mo.corrX, mo.corrY);
    const sampled = lmgSampled(mo.corrX, mo.corrY);
    const r2 = exact.reduce((a, v) => a + v, 0);
    expect(sampled.reduce((a, v) => a + v, 0)).toBeCloseTo(r2, 12);
    sampled.forEach((s, j) => {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(Math.abs(s - exact[j])).toBeLessThan(0.01 * r2);
    });
  });

  test('24 drivers with suppressor structure: method lmg_sampled, every share >= 0, sum = R^2 (Pratt would go negative)', () => {
    const g = normals(24);
    const p = 24;
    const n = 600;
    const X = Array.from({ length: n }, () => {
      const f = g();
      return Array.from({ length: p }, (_, j) => (j === 1 ? f + 0.3 * g() : j === 0 ? f + g() : g()));
    });
    // y loads on x0 - x1: x1 is a suppressor with a positive r but a negative beta (Pratt share < 0).
    const y = X.map((r) => r[0] - 0.5 * r[1] + 0.2 * r[5] + g());
    const names = Array.from({ length: p }, (_, j) => `x${j}`);
    const m = keyDrivers(names, X, y);
    expect(m.importanceMethod).toBe('lmg_sampled');
    const mo = momentsOf(names, X, y);
    const pratt1 = m.drivers[1].stdWeight * mo.corrY[1];
    expect(pratt1).toBeLessThan(0);
    for (const d of m.drivers) expect(d.lmg).toBeGreaterThanOrEqual(0);
    expect(m.drivers.reduce((a, d) => a + d.lmg, 0)).toBeCloseTo(olsRSquared(X, y, names.map((_, j) => j)), 8);
  });
});
