/**
 * Key-driver analysis: which inputs move an overall score.
 *
 * Method (documented for the report and the dashboards):
 * - Ordinary least squares of the target on all drivers, with an intercept, on complete rows.
 * - Standardised weight (beta) of driver j = b_j * sd(x_j) / sd(y): the change in y, in standard
 *   deviations, per standard deviation of x_j with the other drivers held fixed. Computed as
 *   beta = R^-1 r, with R the drivers' correlation matrix and r their correlations with y.
 * - R^2 = beta . r.  Per-driver p-value: t = b_j / se(b_j), df = n - p - 1, two-sided, with
 *   se from sigma^2 (X'X)^-1 (identical on the standardised scale); significant when p < 1 - confidence.
 * - Relative importance = LMG / Shapley decomposition of R^2 (average gain in R^2 from adding the
 *   driver over all orders), divided by R^2 so the shares sum to 1. Exact for up to 12 drivers;
 *   beyond that Pratt's measure beta_j * r_j / R^2 (also sums to 1) is used and named.
 * - Drivers without variance, or exactly collinear with earlier drivers, are left out and listed in
 *   `dropped` with the reason, never silently.
 */
import { CxpError } from '../../pipelines/core/errors.js';
import { tTwoSidedP } from './distributions.js';

export interface DriverEstimate {
  driver: string;
  stdWeight: number;
  coefficient: number;
  tStat: number;
  pValue: number;
  isSignificant: boolean;
  relativeImportance: number;
}

export interface DriverModel {
  n: number;
  rSquared: number;
  importanceMethod: 'lmg' | 'pratt';
  drivers: DriverEstimate[];
  dropped: { driver: string; reason: string }[];
}

/** Cholesky solve of A x = b for symmetric positive-definite A; null when A is not (numerically) PD. */
function choleskySolve(A: number[][], b: number[]): number[] | null {
  const n = A.length;
  const L: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (s <= 1e-10) return null;
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}

function subMatrix(R: number[][], idx: number[]): number[][] {
  return idx.map((i) => idx.map((j) => R[i][j]));
}

/** R^2 of y on the drivers `idx`, from correlations. */
function rSquaredOf(R: number[][], r: number[], idx: number[]): number {
  if (idx.length === 0) return 0;
  const beta = choleskySolve(subMatrix(R, idx), idx.map((i) => r[i]));
  if (!beta) return NaN;
  return beta.reduce((a, bj, k) => a + bj * r[idx[k]], 0);
}

function lmg(R: number[][], r: number[]): number[] {
  const p = r.length;
  const r2 = new Float64Array(1 << p);
  for (let mask = 1; mask < 1 << p; mask++) {
    const idx: number[] = [];
    for (let j = 0; j < p; j++) if (mask & (1 << j)) idx.push(j);
    r2[mask] = rSquaredOf(R, r, idx);
  }
  const fact = [1];
  for (let i = 1; i <= p; i++) fact[i] = fact[i - 1] * i;
  const out = new Array<number>(p).fill(0);
  for (let j = 0; j < p; j++) {
    for (let mask = 0; mask < 1 << p; mask++) {
      if (mask & (1 << j)) continue;
      let size = 0;
      for (let m = mask; m; m &= m - 1) size++;
      out[j] += ((fact[size] * fact[p - size - 1]) / fact[p]) * (r2[mask | (1 << j)] - r2[mask]);
    }
  }
  return out;
}

/** What the fit needs: sample size, standard deviations and correlations (from rows, or from SQL aggregates). */
export interface DriverMoments {
  names: string[];
  n: number;
  sdX: number[];
  sdY: number;
  /** corrX[i][j] = corr(x_i, x_j); only read where both drivers vary. */
  corrX: number[][];
  /** corrY[j] = corr(x_j, y). */
  corrY: number[];
}

/** Moments of complete rows (non-finite values anywhere exclude the row: complete-case analysis). */
export function momentsOf(names: string[], rows: number[][], y: number[]): DriverMoments {
  if (rows.length !== y.length) throw new RangeError('keyDrivers: rows and y differ in length');
  const keep = rows.map((row, i) => row.length === names.length && row.every(Number.isFinite) && Number.isFinite(y[i]));
  const X = rows.filter((_, i) => keep[i]);
  const Y = y.filter((_, i) => keep[i]);
  const n = Y.length;
  const p = names.length;
  const mean = (f: (i: number) => number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += f(i);
    return s / n;
  };
  const my = mean((i) => Y[i]);
  const mx = names.map((_, j) => mean((i) => X[i][j]));
  const cov = (a: (i: number) => number, ma: number, b: (i: number) => number, mb: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a(i) - ma) * (b(i) - mb);
    return s / (n - 1);
  };
  const col = (j: number) => (i: number) => X[i][j];
  const sdY = Math.sqrt(cov((i) => Y[i], my, (i) => Y[i], my));
  const sdX = names.map((_, j) => Math.sqrt(cov(col(j), mx[j], col(j), mx[j])));
  const corrX = Array.from({ length: p }, (_, a) =>
    Array.from({ length: p }, (_, b) => (a === b ? 1 : cov(col(a), mx[a], col(b), mx[b]) / (sdX[a] * sdX[b]))),
  );
  const corrY = names.map((_, j) => cov(col(j), mx[j], (i) => Y[i], my) / (sdX[j] * sdY));
  return { names, n, sdX, sdY, corrX, corrY };
}

/** Fits the driver model on rows: `rows[i][j]` is driver j for observation i, `y[i]` the target. */
export function keyDrivers(names: string[], rows: number[][], y: number[], confidence = 0.95): DriverModel {
  return keyDriversFromMoments(momentsOf(names, rows, y), confidence);
}

export function keyDriversFromMoments(m: DriverMoments, confidence = 0.95): DriverModel {
  const { names, n, sdX, sdY } = m;
  const dropped: DriverModel['dropped'] = [];
  if (n < 3 || !(sdY > 0)) {
    throw new CxpError('CXP_ERR_MODEL_INSUFFICIENT_DATA', `key drivers need >= 3 complete rows and a varying target (got n=${n})`, {
      hint: 'collect more responses, or lower the driver model scope',
    });
  }
  let cols: number[] = [];
  names.forEach((name, j) => (sdX[j] > 0 ? cols.push(j) : dropped.push({ driver: name, reason: 'no variance' })));
  const cor = (a: number, b: number) => (a === b ? 1 : m.corrX[a][b]);
  // Add drivers one by one, dropping any that is collinear with those already in.
  const kept: number[] = [];
  for (const j of cols) {
    const trial = [...kept, j];
    const Rt = trial.map((a) => trial.map((b) => cor(a, b)));
    if (choleskySolve(Rt, new Array<number>(trial.length).fill(1))) kept.push(j);
    else dropped.push({ driver: names[j], reason: 'collinear with other drivers' });
  }
  cols = kept;
  const p = cols.length;
  if (n - p - 1 < 1) {
    throw new CxpError('CXP_ERR_MODEL_INSUFFICIENT_DATA', `key drivers need more rows than drivers + 1 (n=${n}, drivers=${p})`, {
      hint: 'collect more responses or use fewer drivers',
    });
  }
  const R = cols.map((a) => cols.map((b) => cor(a, b)));
  const r = cols.map((a) => m.corrY[a]);
  const beta = choleskySolve(R, r) ?? [];
  const rSquared = Math.min(1, Math.max(0, beta.reduce((acc, bj, k) => acc + bj * r[k], 0)));
  const df = n - p - 1;
  const sigma2 = ((n - 1) * (1 - rSquared)) / df;
  const alpha = 1 - confidence;
  const importanceMethod = p <= 12 ? 'lmg' : 'pratt';
  const raw = importanceMethod === 'lmg' ? lmg(R, r) : beta.map((bj, k) => bj * r[k]);
  const total = raw.reduce((a, v) => a + v, 0);
  const drivers = cols.map((j, k) => {
    const unit = new Array<number>(p).fill(0);
    unit[k] = 1;
    const rinvKK = choleskySolve(R, unit)![k];
    const se = Math.sqrt((sigma2 * rinvKK) / (n - 1));
    const tStat = se > 0 ? beta[k] / se : beta[k] === 0 ? 0 : Math.sign(beta[k]) * Infinity;
    const pValue = tTwoSidedP(tStat, df);
    return {
      driver: names[j],
      stdWeight: beta[k],
      coefficient: (beta[k] * sdY) / sdX[j],
      tStat,
      pValue,
      isSignificant: pValue < alpha,
      relativeImportance: total > 0 ? raw[k] / total : 0,
    };
  });
  return { n, rSquared, importanceMethod, drivers, dropped };
}
