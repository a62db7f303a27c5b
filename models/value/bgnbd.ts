/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): purchases follow a
 * Poisson process with Gamma(r, α) heterogeneous rates; after each purchase a customer drops out
 * with probability p ~ Beta(a, b). Fitted by maximum likelihood on log-parameters.
 */
import { lbeta, lgamma, log2F1 } from './special.js';
import { minimise, type OptimiseOptions, type OptimiseResult } from './optimize.js';
import { historyProblem, type HistoryGroups } from './history.js';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  customers: number;
  groups: number;
  optimiser: Omit<OptimiseResult, 'x' | 'value'> & { atBound: string[] };
}

/** Index of each group's x among the distinct x values, so Γ and B terms are computed once per x. */
interface Prepared {
  h: HistoryGroups;
  xs: Float64Array;
  xi: Int32Array;
  /** Distinct tx and T values (few when times come from whole days), so ln(α + t) is taken once per value. */
  ts: Float64Array;
  txi: Int32Array;
  Ti: Int32Array;
}

function indexOf(values: Float64Array): { distinct: Float64Array; index: Int32Array } {
  const pos = new Map<number, number>();
  const index = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let k = pos.get(values[i]);
    if (k === undefined) {
      k = pos.size;
      pos.set(values[i], k);
    }
    index[i] = k;
  }
  return { distinct: Float64Array.from(pos.keys()), index };
}

function prepare(h: HistoryGroups): Prepared {
  const xs = indexOf(h.x);
  const both = new Float64Array(h.tx.length * 2);
  both.set(h.tx, 0);
  both.set(h.T, h.tx.length);
  const ts = indexOf(both);
  return { h, xs: xs.distinct, xi: xs.index, ts: ts.distinct, txi: ts.index.subarray(0, h.tx.length), Ti: ts.index.subarray(h.tx.length) };
}

function logLik(p: BgNbdParams, prep: Prepared): number {
  const { r, alpha, a, b } = p;
  const { h, xs, xi, ts, txi, Ti } = prep;
  const logAt = new Float64Array(ts.length);
  for (let k = 0; k < ts.length; k++) logAt[k] = Math.log(alpha + ts[k]);
  const base = -lgamma(r) + r * Math.log(alpha) - lbeta(a, b);
  const c0 = new Float64Array(xs.length);
  const c1 = new Float64Array(xs.length);
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    const g = lgamma(r + x) + base;
    c0[k] = g + lbeta(a, b + x);
    c1[k] = x > 0 ? g + lbeta(a + 1, b + x - 1) : -Infinity;
  }
  let ll = 0;
  for (let i = 0; i < h.x.length; i++) {
    const k = xi[i];
    const rx = r + h.x[i];
    const l1 = c0[k] - rx * logAt[Ti[i]];
    let li = l1;
    if (h.x[i] > 0) {
      const l2 = c1[k] - rx * logAt[txi[i]];
      li = l1 > l2 ? l1 + Math.log1p(Math.exp(l2 - l1)) : l2 + Math.log1p(Math.exp(l1 - l2));
    }
    ll += h.n[i] * li;
  }
  return ll;
}

/** Total log-likelihood of the grouped histories under the parameters. */
export function bgnbdLogLikelihood(params: BgNbdParams, h: HistoryGroups): number {
  return logLik(params, prepare(h));
}

const fromLog = (v: number[]): BgNbdParams => ({ r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) });

/**
 * Log-parameters are kept within ±LOG_BOUND (1e-6 .. 1e6). Data without dropout or without
 * heterogeneity push a or b (or p, q, γ) towards 0 or ∞; the fit then stops at the bound and says so
 * instead of wandering for thousands of evaluations.
 */
export const LOG_BOUND = Math.log(1e6);
/** Above this many groups the extra starting points are skipped (restarts from the best point remain). */
export const MULTI_START_MAX_GROUPS = 20_000;

export function atBound(v: number[], names: string[]): string[] {
  return names.filter((_, i) => Math.abs(v[i]) > LOG_BOUND - 0.01);
}

export function fitBgNbd(h: HistoryGroups, opts: OptimiseOptions & { start?: BgNbdParams } = {}): BgNbdFit {
  const problem = historyProblem(h);
  if (problem) throw new RangeError(`fitBgNbd: ${problem}`);
  const prep = prepare(h);
  let customers = 0;
  let meanT = 0;
  for (let i = 0; i < h.n.length; i++) {
    customers += h.n[i];
    meanT += h.n[i] * h.T[i];
  }
  meanT = customers > 0 ? meanT / customers : 1;
  // Start with α on the scale of the observation window: the rate scale follows the time unit.
  const alpha0 = Math.log(Math.max(meanT, 1e-3));
  // A warm start (e.g. the holdout refit starting from the full fit) saves most of the evaluations.
  const x0 = opts.start ? [opts.start.r, opts.start.alpha, opts.start.a, opts.start.b].map(Math.log) : [0, alpha0, 0, 0];
  const extraStarts =
    opts.extraStarts ??
    (h.x.length <= MULTI_START_MAX_GROUPS
      ? [
          [Math.log(0.25), alpha0 - 1, Math.log(0.8), Math.log(2.5)],
          [Math.log(3), alpha0 + 1, Math.log(2), Math.log(8)],
        ]
      : []);
  const objective = (v: number[]) => (v.some((c) => Math.abs(c) > LOG_BOUND) ? Infinity : -logLik(fromLog(v), prep) / customers);
  const res = minimise(objective, x0, { ...opts, extraStarts, fTol: opts.fTol ?? 1e-12 });
  const { x, value, ...report } = res;
  void value;
  const params = fromLog(x);
  const bound = atBound(x, ['r', 'alpha', 'a', 'b']);
  if (bound.length) report.message += `; ${bound.join(', ')} at the bound of 1e-6..1e6: the data do not identify the model (e.g. no dropout)`;
  return { params, logLikelihood: logLik(params, prep), customers, groups: h.x.length, optimiser: { ...report, atBound: bound } };
}

/** Pr(alive at T | x, tx, T); customers without repeat purchases are alive with probability 1 in this model. */
export function bgnbdPAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const logOdds = Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | x, tx, T]: expected purchases in (T, T + t] (FHL 2005 eq. 10). The product
 * ((α+T)/(α+T+t))^{r+x} · ₂F₁(...) is formed in logs, so very frequent buyers neither overflow nor
 * lose the result to 0 · ∞.
 */
export function bgnbdExpectedPurchases(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const { r, alpha, b } = p;
  // a = 1 is a removable singularity of the closed form; step off it.
  const a = Math.abs(p.a - 1) < 1e-9 ? 1 + 1e-9 : p.a;
  // The closed form needs a + b + x − 1 > 0; only x = 0 with a + b <= 1 violates it (NULL rather than garbage).
  if (a + b + x - 1 <= 0) return NaN;
  const z = t / (alpha + T + t);
  const logProduct = (r + x) * Math.log1p(-z) + log2F1(r + x, b + x, a + b + x - 1, z);
  // For a < 1 both the factor and the bracket are negative; expm1 keeps the bracket accurate near 0.
  const bracket = -Math.expm1(logProduct);
  const numerator = ((a + b + x - 1) / (a - 1)) * bracket;
  if (x === 0) return numerator;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  if (logOdds > 700) return 0;
  return numerator / (1 + Math.exp(logOdds));
}

/** E[X(t)] for a customer drawn at random from the population, from first purchase at time 0. */
export function bgnbdExpectedUnconditional(p: BgNbdParams, t: number): number {
  const { r, alpha, b } = p;
  const a = Math.abs(p.a - 1) < 1e-9 ? 1 + 1e-9 : p.a;
  if (a + b - 1 <= 0) return NaN;
  const z = t / (alpha + t);
  const logProduct = r * Math.log1p(-z) + log2F1(r, b, a + b - 1, z);
  return ((a + b - 1) / (a - 1)) * -Math.expm1(logProduct);
}
