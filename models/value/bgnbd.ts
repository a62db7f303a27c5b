/**
 * The beta-geometric purchase models, fitted by maximum likelihood with analytic gradients:
 *
 * - BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): purchases follow a
 *   Poisson process with Gamma(r, α) heterogeneous rates; after each *repeat* purchase a customer
 *   drops out with probability p ~ Beta(a, b). A customer without repeat purchases is alive.
 * - MBG/NBD (Batislam, Denizel & Filiztekin 2007): the same, but the dropout chance also follows the
 *   first purchase, so a one-time buyer seen long ago is probably gone.
 *
 * Both share one likelihood with a shift s (0 for BG/NBD, 1 for MBG/NBD): with m = x + s dropout
 * chances survived by a customer still alive,
 *   L = Γ(r+x)α^r/Γ(r) · [ B(a, b+m)/B(a,b) (α+T)^−(r+x) + 1{m>0} B(a+1, b+m−1)/B(a,b) (α+tx)^−(r+x) ].
 * For integer x every Γ and B ratio is a finite product, so the log-likelihood is summed as
 * Σ ln(r+j) and Σ −log1p(a/(b+j)): exact for huge b (the non-identified case, where lbeta
 * differences would lose the digits that tell one fit from another) and with simple gradients.
 *
 * The same code evaluates the two limiting models used to judge identification: "fixed dropout"
 * (a, b → ∞ with a/(a+b) = p: every customer has the same dropout chance) and "no dropout"
 * (p = 0: the NBD). See models/value/identification.ts.
 */
import { minimiseBfgs, type BfgsOptions, type ObjectiveWithGradient } from './bfgs.js';
import { historyProblem, type HistoryGroups } from './history.js';
import { log2F1 } from './special.js';

export type PurchaseModel = 'bgnbd' | 'mbgnbd';
export type DropoutForm = 'beta' | 'fixed' | 'none';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/**
 * What scores customers: the model, its parameters, and — when the product falls back to the
 * limiting model because a and b are not identified — the fixed dropout probability (a, b unused).
 */
export interface PurchaseScorer {
  model: PurchaseModel;
  params: BgNbdParams;
  fixedDropout?: number;
}

export interface OptimiserReport {
  converged: boolean;
  evaluations: number;
  iterations: number;
  message: string;
  /** Parameters that ended at the ±ln 1e6 bound of the log-parameters. */
  atBound: string[];
}

export interface BgNbdFit {
  model: PurchaseModel;
  params: BgNbdParams;
  logLikelihood: number;
  customers: number;
  groups: number;
  optimiser: OptimiserReport;
  /** The optimiser's final point (log r, log α, log a, log b), for the curvature check. */
  logParams: number[];
}

export const shiftOf = (model: PurchaseModel): number => (model === 'mbgnbd' ? 1 : 0);

/** Data of the grouped histories in the form the likelihood loop wants. */
export interface PreparedHistories {
  h: HistoryGroups;
  customers: number;
  meanT: number;
  /** Distinct x values and each group's index into them; customers per distinct x. */
  xs: Float64Array;
  xi: Int32Array;
  nPerX: Float64Array;
  maxX: number;
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

export function prepareHistories(h: HistoryGroups): PreparedHistories {
  const problem = historyProblem(h);
  if (problem) throw new RangeError(`purchase model: ${problem}`);
  const xs = indexOf(h.x);
  const both = new Float64Array(h.tx.length * 2);
  both.set(h.tx, 0);
  both.set(h.T, h.tx.length);
  const ts = indexOf(both);
  const nPerX = new Float64Array(xs.distinct.length);
  let customers = 0;
  let meanT = 0;
  for (let i = 0; i < h.n.length; i++) {
    nPerX[xs.index[i]] += h.n[i];
    customers += h.n[i];
    meanT += h.n[i] * h.T[i];
  }
  let maxX = 0;
  for (const x of xs.distinct) maxX = Math.max(maxX, x);
  return {
    h,
    customers,
    meanT: customers > 0 ? meanT / customers : 1,
    xs: xs.distinct,
    xi: xs.index,
    nPerX,
    maxX,
    ts: ts.distinct,
    txi: ts.index.subarray(0, h.tx.length),
    Ti: ts.index.subarray(h.tx.length),
  };
}

/**
 * Log-parameters are kept within ±LOG_BOUND (1e-6 .. 1e6): beyond it the objective is a wall.
 * A parameter ending there is reported; identification does not rely on it (see identification.ts).
 */
export const LOG_BOUND = Math.log(1e6);

export function atBound(v: number[], names: string[]): string[] {
  return names.filter((_, i) => Math.abs(v[i]) > LOG_BOUND - 0.01);
}

const NAMES: Record<DropoutForm, string[]> = {
  beta: ['r', 'alpha', 'a', 'b'],
  fixed: ['r', 'alpha', 'logit_p'],
  none: ['r', 'alpha'],
};

export interface PurchaseObjective {
  names: string[];
  /** Negative mean log-likelihood per customer and its gradient in the optimiser's coordinates. */
  f: ObjectiveWithGradient;
  /** Total log-likelihood at a point of the optimiser's coordinates. */
  logLikelihood: (v: number[]) => number;
}

/**
 * The likelihood of `model` with the dropout in one of three forms, in optimiser coordinates
 * (log r, log α, then log a, log b | logit p | nothing). Evaluation is one pass over the groups;
 * everything that depends on x only is computed once per distinct x, everything that depends on a
 * time once per distinct time.
 */
export function purchaseObjective(prep: PreparedHistories, model: PurchaseModel, form: DropoutForm): PurchaseObjective {
  const s = shiftOf(model);
  const { h, xs, xi, nPerX, ts, txi, Ti, customers } = prep;
  const K = xs.length;
  const M = prep.maxX + s + 1;
  const names = NAMES[form];
  const dim = names.length;
  const lnAt = new Float64Array(ts.length);
  const invAt = new Float64Array(ts.length);
  const lgr = new Float64Array(M + 1);
  const dlgr = new Float64Array(M + 1);
  const S = new Float64Array(M + 1);
  const U = new Float64Array(M + 1);
  const V = new Float64Array(M + 1);
  const c1 = new Float64Array(K);
  const c2 = new Float64Array(K);
  // Derivatives of c1, c2 with respect to the dropout coordinates (up to two).
  const d1 = [new Float64Array(K), new Float64Array(K)];
  const d2 = [new Float64Array(K), new Float64Array(K)];
  const W1 = new Float64Array(K);

  const evaluate = (v: number[], g: number[] | null): number => {
    for (let i = 0; i < dim; i++) if (!(Math.abs(v[i]) <= (form === 'fixed' && i === 2 ? 40 : LOG_BOUND))) return Infinity;
    const r = Math.exp(v[0]);
    const alpha = Math.exp(v[1]);
    const lnAlpha = v[1];
    for (let k = 0; k < ts.length; k++) {
      lnAt[k] = Math.log(alpha + ts[k]);
      invAt[k] = 1 / (alpha + ts[k]);
    }
    for (let j = 0; j < M; j++) {
      lgr[j + 1] = lgr[j] + Math.log(r + j);
      dlgr[j + 1] = dlgr[j] + 1 / (r + j);
    }
    if (form === 'beta') {
      const a = Math.exp(v[2]);
      const b = Math.exp(v[3]);
      for (let j = 0; j < M; j++) {
        S[j + 1] = S[j] - Math.log1p(a / (b + j));
        U[j + 1] = U[j] + 1 / (a + b + j);
        V[j + 1] = V[j] + a / ((b + j) * (a + b + j));
      }
      for (let k = 0; k < K; k++) {
        const m = xs[k] + s;
        c1[k] = S[m];
        d1[0][k] = -a * U[m];
        d1[1][k] = b * V[m];
        if (m > 0) {
          const abm = a + b + m - 1;
          c2[k] = Math.log(a) - Math.log(abm) + S[m - 1];
          d2[0][k] = (b + m - 1) / abm - a * U[m - 1];
          d2[1][k] = b * (V[m - 1] - 1 / abm);
        } else {
          c2[k] = -Infinity;
          d2[0][k] = 0;
          d2[1][k] = 0;
        }
      }
    } else if (form === 'fixed') {
      const u = v[2];
      const lp = -Math.log1p(Math.exp(-u));
      const lq = -Math.log1p(Math.exp(u));
      const p = Math.exp(lp);
      for (let k = 0; k < K; k++) {
        const m = xs[k] + s;
        c1[k] = m * lq;
        d1[0][k] = -m * p;
        if (m > 0) {
          c2[k] = lp + (m - 1) * lq;
          d2[0][k] = 1 - p - (m - 1) * p;
        } else {
          c2[k] = -Infinity;
          d2[0][k] = 0;
        }
      }
    } else {
      c1.fill(0);
      c2.fill(-Infinity);
    }

    W1.fill(0);
    let ll = 0;
    let sLog = 0;
    let sInv = 0;
    const { x, n } = h;
    for (let i = 0; i < x.length; i++) {
      const k = xi[i];
      const rx = r + x[i];
      const T = Ti[i];
      const l1 = c1[k] - rx * lnAt[T];
      const ni = n[i];
      if (c2[k] === -Infinity) {
        ll += ni * l1;
        W1[k] += ni;
        sLog += ni * lnAt[T];
        sInv += ni * rx * invAt[T];
        continue;
      }
      const t = txi[i];
      const l2 = c2[k] - rx * lnAt[t];
      let li: number;
      let w1: number;
      if (l1 >= l2) {
        const e = Math.exp(l2 - l1);
        li = l1 + Math.log1p(e);
        w1 = 1 / (1 + e);
      } else {
        const e = Math.exp(l1 - l2);
        li = l2 + Math.log1p(e);
        w1 = e / (1 + e);
      }
      ll += ni * li;
      W1[k] += ni * w1;
      const w2 = 1 - w1;
      sLog += ni * (w1 * lnAt[T] + w2 * lnAt[t]);
      sInv += ni * rx * (w1 * invAt[T] + w2 * invAt[t]);
    }
    let gr = -sLog;
    for (let k = 0; k < K; k++) {
      const xk = xs[k];
      ll += nPerX[k] * (lgr[xk] + r * lnAlpha);
      gr += nPerX[k] * (dlgr[xk] + lnAlpha);
    }
    if (g) {
      // Gradient of the negative mean log-likelihood in log coordinates (chain rule: θ ∂/∂θ).
      g[0] = (-r * gr) / customers;
      g[1] = (-alpha * ((customers * r) / alpha - sInv)) / customers;
      for (let j = 0; j < dim - 2; j++) {
        let dj = 0;
        for (let k = 0; k < K; k++) {
          const w2k = nPerX[k] - W1[k];
          dj += W1[k] * d1[j][k] + (w2k !== 0 ? w2k * d2[j][k] : 0);
        }
        g[2 + j] = -dj / customers;
      }
    }
    return ll;
  };
  return {
    names,
    f: (v, g) => {
      const ll = evaluate(v, g);
      return Number.isFinite(ll) ? -ll / customers : Infinity;
    },
    logLikelihood: (v) => evaluate(v, null),
  };
}

export const toParams = (v: number[]): BgNbdParams => ({ r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) });

/** Total log-likelihood of the grouped histories under the parameters. */
export function purchaseLogLikelihood(model: PurchaseModel, params: BgNbdParams, h: HistoryGroups): number {
  const v = [params.r, params.alpha, params.a, params.b].map(Math.log);
  return purchaseObjective(prepareHistories(h), model, 'beta').logLikelihood(v);
}

export function bgnbdLogLikelihood(params: BgNbdParams, h: HistoryGroups): number {
  return purchaseLogLikelihood('bgnbd', params, h);
}

export interface FitOptions extends BfgsOptions {
  start?: BgNbdParams;
}

/** Default starting point: unit shapes, α on the scale of the observation window (the rate scale follows the time unit). */
export function startPoint(prep: PreparedHistories): number[] {
  return [0, Math.log(Math.max(prep.meanT, 1e-3)), 0, 0];
}

export function fitPurchaseModelPrepared(prep: PreparedHistories, model: PurchaseModel, opts: FitOptions = {}): BgNbdFit {
  const obj = purchaseObjective(prep, model, 'beta');
  const x0 = opts.start ? [opts.start.r, opts.start.alpha, opts.start.a, opts.start.b].map(Math.log) : startPoint(prep);
  const res = minimiseBfgs(obj.f, x0, { maxEvaluations: 200, fTol: 1e-12, ...opts });
  const bound = atBound(res.x, obj.names);
  let message = res.message;
  if (bound.length) message += `; ${bound.join(', ')} at the bound of 1e-6..1e6`;
  return {
    model,
    params: toParams(res.x),
    logLikelihood: obj.logLikelihood(res.x),
    customers: prep.customers,
    groups: prep.h.x.length,
    optimiser: { converged: res.converged, evaluations: res.evaluations, iterations: res.iterations, message, atBound: bound },
    logParams: res.x,
  };
}

export function fitPurchaseModel(h: HistoryGroups, model: PurchaseModel, opts: FitOptions = {}): BgNbdFit {
  return fitPurchaseModelPrepared(prepareHistories(h), model, opts);
}

export function fitBgNbd(h: HistoryGroups, opts: FitOptions = {}): BgNbdFit {
  return fitPurchaseModel(h, 'bgnbd', opts);
}

const asScorer = (s: PurchaseScorer | BgNbdParams): PurchaseScorer => ('params' in s ? s : { model: 'bgnbd', params: s });

/** ln of the odds "dropped out after the last purchase" : "alive", given the history. */
function logOddsDead(sc: PurchaseScorer, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = sc.params;
  const m = x + shiftOf(sc.model);
  if (m === 0) return -Infinity;
  const timeTerm = (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  if (sc.fixedDropout !== undefined) return Math.log(sc.fixedDropout) - Math.log1p(-sc.fixedDropout) + timeTerm;
  return Math.log(a) - Math.log(b + m - 1) + timeTerm;
}

/**
 * Pr(alive at T | x, tx, T). Under BG/NBD a customer without repeat purchases is alive with
 * probability 1 (the model's assumption); under MBG/NBD the first purchase is a dropout chance too.
 */
export function pAlive(scorer: PurchaseScorer | BgNbdParams, x: number, tx: number, T: number): number {
  const lo = logOddsDead(asScorer(scorer), x, tx, T);
  return lo === -Infinity ? 1 : 1 / (1 + Math.exp(lo));
}

export const bgnbdPAlive = (p: BgNbdParams, x: number, tx: number, T: number): number => pAlive({ model: 'bgnbd', params: p }, x, tx, T);

/**
 * E[Y(t) | x, tx, T]: expected purchases in (T, T + t] (FHL 2005 eq. 10; Batislam et al. 2007 for
 * MBG/NBD, i.e. b → b + 1 in the posterior terms). The product ((α+T)/(α+T+t))^{r+x} · ₂F₁(...) is
 * formed in logs, so very frequent buyers neither overflow nor lose the result to 0 · ∞. Under the
 * fixed-dropout limit: P(alive) · (1 − ((α+T)/(α+T+pt))^{r+x}) / p.
 */
export function expectedPurchases(scorer: PurchaseScorer | BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (t <= 0) return 0;
  const sc = asScorer(scorer);
  const { r, alpha, b } = sc.params;
  const lo = logOddsDead(sc, x, tx, T);
  if (lo > 700) return 0;
  const alive = lo === -Infinity ? 1 : 1 / (1 + Math.exp(lo));
  if (sc.fixedDropout !== undefined) {
    const p = sc.fixedDropout;
    return (alive * -Math.expm1((r + x) * (Math.log(alpha + T) - Math.log(alpha + T + p * t)))) / p;
  }
  const m = x + shiftOf(sc.model);
  // a = 1 is a removable singularity of the closed form; step off it.
  const a = Math.abs(sc.params.a - 1) < 1e-9 ? 1 + 1e-9 : sc.params.a;
  // The closed form needs a + b + m − 1 > 0; only BG/NBD with x = 0 and a + b <= 1 violates it (NULL rather than garbage).
  if (a + b + m - 1 <= 0) return NaN;
  const z = t / (alpha + T + t);
  const logProduct = (r + x) * Math.log1p(-z) + log2F1(r + x, b + m, a + b + m - 1, z);
  // For a < 1 both the factor and the bracket are negative; expm1 keeps the bracket accurate near 0.
  const bracket = -Math.expm1(logProduct);
  return ((a + b + m - 1) / (a - 1)) * bracket * alive;
}

export const bgnbdExpectedPurchases = (p: BgNbdParams, t: number, x: number, tx: number, T: number): number =>
  expectedPurchases({ model: 'bgnbd', params: p }, t, x, tx, T);

/** E[X(t)] for a customer drawn at random from the population, from first purchase at time 0. */
export function expectedUnconditional(scorer: PurchaseScorer | BgNbdParams, t: number): number {
  return expectedPurchases(scorer, t, 0, 0, 0);
}

export const bgnbdExpectedUnconditional = (p: BgNbdParams, t: number): number => expectedUnconditional({ model: 'bgnbd', params: p }, t);
