/**
 * Key-driver analysis: which inputs move an overall score.
 *
 * Method (documented in models/satisfaction/README.md, "Key drivers"):
 * - Linear regression of the target on all drivers, with an intercept, computed from correlations.
 *   Standardised weight (beta) of driver j: beta = R^-1 r, with R the drivers' correlation matrix and r
 *   their correlations with y; unstandardised coefficient b_j = beta_j * sd(y) / sd(x_j); R^2 = beta . r.
 * - Missing answers: pairwise-available correlations ("pairwise deletion"): each correlation uses every
 *   response that answered both items, each standard deviation every response that answered the item.
 *   A response that skipped one question still informs every other correlation, where complete-case
 *   deletion would throw it away. Degrees of freedom use the smallest pairwise count (`nEffective`),
 *   the conservative choice. The model reports responses, complete responses, and answers used and
 *   missing per driver.
 * - Per-driver t = b_j / se(b_j), df = nEffective - p - 1, two-sided; significant when p < 1 - confidence.
 * - Relative importance = LMG / Shapley decomposition of R^2 (Lindeman, Merenda & Gold 1980; Grömping
 *   2007): each driver's average gain in R^2 when added, over all orders. The gains are >= 0 and the
 *   shares sum to R^2 (`lmg`); `relativeImportance` = lmg / R^2 sums to 1.
 *   Exact (all 2^p subset regressions from the correlation matrix) for p <= EXACT_LMG_MAX_DRIVERS;
 *   above that the average over LMG_SAMPLED_ORDERS random orders (seeded, so repeatable; each order is
 *   paired with its reverse). Along one order the gains are the squared forward-substitution terms of
 *   the Cholesky factor, so every share is >= 0 and each order's gains sum exactly to R^2.
 * - Drivers without variance, or exactly collinear with earlier drivers, are left out and listed in
 *   `dropped` with the reason, never silently.
 */
import { CxpError } from '../../pipelines/core/errors.js';
import { tTwoSidedP } from './distributions.js';

/** Exact LMG up to this many drivers (2^18 subset regressions take well under a second). */
export const EXACT_LMG_MAX_DRIVERS = 18;
/** Random orders averaged above EXACT_LMG_MAX_DRIVERS. */
export const LMG_SAMPLED_ORDERS = 4000;

export interface DriverEstimate {
  driver: string;
  stdWeight: number;
  coefficient: number;
  tStat: number;
  pValue: number;
  isSignificant: boolean;
  /** LMG share of R^2 (the shares of a model sum to rSquared). */
  lmg: number;
  /** lmg / rSquared: shares of a model sum to 1. */
  relativeImportance: number;
  /** Responses in the model that answered this driver. */
  answers: number;
  /** Responses in the model without an answer to this driver (no-answer code, blank, not asked). */
  missing: number;
}

export interface DriverModel {
  /** Responses in the model: a target score and at least one driver answered. */
  n: number;
  /** Responses that answered every driver (what complete-case deletion would have kept). */
  nComplete: number;
  /** Smallest pairwise count among the drivers kept and the target: the n behind the degrees of freedom. */
  nEffective: number;
  rSquared: number;
  importanceMethod: 'lmg' | 'lmg_sampled';
  drivers: DriverEstimate[];
  dropped: { driver: string; reason: string }[];
}

/** Lower Cholesky factor of a symmetric positive-definite A; null when A is not (numerically) PD. */
function cholesky(A: number[][]): number[][] | null {
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
  return L;
}

function choleskySolve(A: number[][], b: number[]): number[] | null {
  const L = cholesky(A);
  if (!L) return null;
  const n = A.length;
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

/**
 * R^2 gains of adding the drivers `order` one by one: gain_k = (L^-1 r)_k^2 with L the Cholesky factor of
 * R restricted to `order` (in that order). Built row by row, so a prefix costs what the prefix needs.
 * Every gain is >= 0 and the gains sum to the R^2 of the whole set.
 */
function gainsAlong(R: number[][], r: number[], order: number[], L: Float64Array, z: Float64Array, out: Float64Array): void {
  const p = order.length;
  for (let i = 0; i < p; i++) {
    const oi = order[i];
    for (let j = 0; j <= i; j++) {
      let s = R[oi][order[j]];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      if (i === j) L[i * p + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * p + j] = s / L[j * p + j];
    }
    let s = r[oi];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * z[k];
    z[i] = s / L[i * p + i];
    out[i] = z[i] * z[i];
  }
}

/** R^2 of y on the drivers in `mask`, for every mask (index = bit set of drivers). */
function allSubsetRSquared(R: number[][], r: number[]): Float64Array {
  const p = r.length;
  const r2 = new Float64Array(1 << p);
  const L = new Float64Array(p * p);
  const z = new Float64Array(p);
  const gains = new Float64Array(p);
  const idx: number[] = [];
  for (let mask = 1; mask < 1 << p; mask++) {
    // R^2(mask) = R^2(mask without its highest driver) + the gain of adding that driver last.
    idx.length = 0;
    for (let j = 0; j < p; j++) if (mask & (1 << j)) idx.push(j);
    const top = idx[idx.length - 1];
    const rest = mask & ~(1 << top);
    const k = idx.length;
    // Only the last row of the factor is new; earlier rows are recomputed (cheap for p <= 18).
    gainsAlong(R, r, idx, L, z, gains);
    r2[mask] = r2[rest] + gains[k - 1];
  }
  return r2;
}

/** Exact LMG: share_j = sum over subsets S without j of |S|! (p-|S|-1)! / p! * (R2(S+j) - R2(S)). */
export function lmgExact(R: number[][], r: number[]): number[] {
  const p = r.length;
  const r2 = allSubsetRSquared(R, r);
  const weight = new Float64Array(p);
  // weight[s] = s! (p - s - 1)! / p!, by recurrence to stay finite for any p.
  weight[0] = 1 / p;
  for (let s = 1; s < p; s++) weight[s] = (weight[s - 1] * s) / (p - s);
  const out = new Array<number>(p).fill(0);
  for (let mask = 0; mask < 1 << p; mask++) {
    let size = 0;
    for (let m = mask; m; m &= m - 1) size++;
    if (size === p) continue;
    const w = weight[size];
    for (let j = 0; j < p; j++) {
      if (mask & (1 << j)) continue;
      out[j] += w * (r2[mask | (1 << j)] - r2[mask]);
    }
  }
  return out;
}

/** Sampled LMG: mean gain over `orders` random orders (each with its reverse); shares >= 0, sum = R^2. */
export function lmgSampled(R: number[][], r: number[], orders = LMG_SAMPLED_ORDERS, seed = 20240601): number[] {
  const p = r.length;
  let a = seed >>> 0;
  const uniform = () => {
    // mulberry32: a fixed seed makes the approximation repeatable run to run.
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const L = new Float64Array(p * p);
  const z = new Float64Array(p);
  const gains = new Float64Array(p);
  const sum = new Array<number>(p).fill(0);
  const order = Array.from({ length: p }, (_, i) => i);
  const pairs = Math.max(1, Math.ceil(orders / 2));
  for (let o = 0; o < pairs; o++) {
    for (let i = p - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const ord of [order, [...order].reverse()]) {
      gainsAlong(R, r, ord, L, z, gains);
      for (let k = 0; k < p; k++) sum[ord[k]] += gains[k];
    }
  }
  return sum.map((s) => s / (2 * pairs));
}

/** What the fit needs: counts, standard deviations and correlations (from rows, or from SQL aggregates). */
export interface DriverMoments {
  names: string[];
  /** Responses in the model (target present, at least one driver answered). */
  n: number;
  /** Responses with every driver answered. */
  nComplete: number;
  /** Responses answering driver j. */
  answers: number[];
  /** pairN[i][j] = responses answering both i and j (pairN[j][j] = answers[j]). */
  pairN: number[][];
  sdX: number[];
  sdY: number;
  /** corrX[i][j] = corr(x_i, x_j) over responses answering both; only read where both drivers vary. */
  corrX: number[][];
  /** corrY[j] = corr(x_j, y) over responses answering j. */
  corrY: number[];
}

/** Sample correlation and standard deviations of two series over the positions where both are finite. */
function pairStats(a: number[], b: number[]): { n: number; corr: number } {
  let n = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      n++;
      ma += a[i];
      mb += b[i];
    }
  }
  if (n < 2) return { n, corr: NaN };
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
  }
  return { n, corr: saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN };
}

function sdOf(v: number[]): number {
  const xs = v.filter(Number.isFinite);
  if (xs.length < 2) return 0;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Pairwise moments of rows: a non-finite value is a missing answer. Rows without a finite target, or
 * without any driver answered, are not in the model.
 */
export function momentsOf(names: string[], rows: number[][], y: number[]): DriverMoments {
  if (rows.length !== y.length) throw new RangeError('keyDrivers: rows and y differ in length');
  const p = names.length;
  const keep = rows.map((row, i) => row.length === p && Number.isFinite(y[i]) && row.some(Number.isFinite));
  const X = rows.filter((_, i) => keep[i]);
  const Y = y.filter((_, i) => keep[i]);
  const col = (j: number) => X.map((row) => row[j]);
  const cols = names.map((_, j) => col(j));
  const pairN = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const corrX = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      const s = pairStats(cols[a], cols[b]);
      pairN[a][b] = pairN[b][a] = a === b ? cols[a].filter(Number.isFinite).length : s.n;
      corrX[a][b] = corrX[b][a] = a === b ? 1 : s.corr;
    }
  }
  return {
    names,
    n: Y.length,
    nComplete: X.filter((row) => row.every(Number.isFinite)).length,
    answers: names.map((_, j) => pairN[j][j]),
    pairN,
    sdX: cols.map(sdOf),
    sdY: sdOf(Y),
    corrX: corrX.map((row) => row.map((v) => (Number.isNaN(v) ? 0 : v))),
    corrY: cols.map((c) => {
      const v = pairStats(c, Y).corr;
      return Number.isNaN(v) ? 0 : v;
    }),
  };
}

/** Fits the driver model on rows: `rows[i][j]` is driver j for observation i (NaN = no answer), `y[i]` the target. */
export function keyDrivers(names: string[], rows: number[][], y: number[], confidence = 0.95): DriverModel {
  return keyDriversFromMoments(momentsOf(names, rows, y), confidence);
}

export function keyDriversFromMoments(m: DriverMoments, confidence = 0.95): DriverModel {
  const { names, n, sdX, sdY } = m;
  const dropped: DriverModel['dropped'] = [];
  if (n < 3 || !(sdY > 0)) {
    throw new CxpError('CXP_ERR_MODEL_INSUFFICIENT_DATA', `key drivers need >= 3 responses and a varying target (got n=${n})`, {
      hint: 'collect more responses, or lower the driver model scope',
    });
  }
  let cols: number[] = [];
  names.forEach((name, j) => {
    if (m.answers[j] < 3) dropped.push({ driver: name, reason: `${m.answers[j]} answers` });
    else if (!(sdX[j] > 0)) dropped.push({ driver: name, reason: 'no variance' });
    else cols.push(j);
  });
  const cor = (a: number, b: number) => (a === b ? 1 : m.corrX[a][b]);
  // Add drivers one by one, dropping any that is collinear with those already in (or whose pairwise
  // correlations with them are not jointly consistent: pairwise deletion can give a non-PD matrix).
  const kept: number[] = [];
  for (const j of cols) {
    const trial = [...kept, j];
    if (cholesky(trial.map((a) => trial.map((b) => cor(a, b))))) kept.push(j);
    else dropped.push({ driver: names[j], reason: 'collinear with other drivers' });
  }
  cols = kept;
  const p = cols.length;
  let nEffective = n;
  for (const a of cols) for (const b of cols) nEffective = Math.min(nEffective, m.pairN[a][b]);
  if (nEffective - p - 1 < 1) {
    throw new CxpError('CXP_ERR_MODEL_INSUFFICIENT_DATA', `key drivers need more responses than drivers + 1 (n=${nEffective}, drivers=${p})`, {
      hint: 'collect more responses or use fewer drivers',
    });
  }
  const R = cols.map((a) => cols.map((b) => cor(a, b)));
  const r = cols.map((a) => m.corrY[a]);
  const beta = choleskySolve(R, r) ?? [];
  const rSquaredRaw = beta.reduce((acc, bj, k) => acc + bj * r[k], 0);
  const rSquared = Math.min(1, Math.max(0, rSquaredRaw));
  const df = nEffective - p - 1;
  const sigma2 = ((nEffective - 1) * (1 - rSquared)) / df;
  const alpha = 1 - confidence;
  const importanceMethod = p <= EXACT_LMG_MAX_DRIVERS ? 'lmg' : 'lmg_sampled';
  const shares = importanceMethod === 'lmg' ? lmgExact(R, r) : lmgSampled(R, r);
  const total = shares.reduce((a, v) => a + v, 0);
  // The shares sum to the unclipped R^2; rescale to the reported one (they differ only by rounding).
  const scale = total > 0 ? rSquared / total : 0;
  const drivers = cols.map((j, k) => {
    const unit = new Array<number>(p).fill(0);
    unit[k] = 1;
    const rinvKK = choleskySolve(R, unit)![k];
    const se = Math.sqrt((sigma2 * rinvKK) / (nEffective - 1));
    const tStat = se > 0 ? beta[k] / se : beta[k] === 0 ? 0 : Math.sign(beta[k]) * Infinity;
    const pValue = tTwoSidedP(tStat, df);
    return {
      driver: names[j],
      stdWeight: beta[k],
      coefficient: (beta[k] * sdY) / sdX[j],
      tStat,
      pValue,
      isSignificant: pValue < alpha,
      lmg: shares[k] * scale,
      relativeImportance: total > 0 ? shares[k] / total : 0,
      answers: m.answers[j],
      missing: n - m.answers[j],
    };
  });
  return { n, nComplete: m.nComplete, nEffective, rSquared, importanceMethod, drivers, dropped };
}
