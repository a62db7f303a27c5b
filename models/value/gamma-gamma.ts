/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005b; Colombo & Jiang 1999): a customer's
 * transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent of the
 * purchase process. Fitted on customers with at least one repeat purchase: x = number of repeat
 * transactions, m = their average value.
 */
import { digamma, lgamma } from './special.js';
import { minimiseBfgs, type BfgsOptions } from './bfgs.js';
import { atBound, LOG_BOUND, type OptimiserReport } from './bgnbd.js';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  customers: number;
  optimiser: OptimiserReport;
  /** The optimiser's final point (log p, log q, log γ). */
  logParams: number[];
}

interface Prepared {
  x: Float64Array;
  m: Float64Array;
  logM: Float64Array;
  xs: Float64Array;
  xi: Int32Array;
}

function prepare(x: ArrayLike<number>, m: ArrayLike<number>): Prepared {
  if (x.length !== m.length) throw new RangeError('Gamma-Gamma: x and m must have the same length');
  const xa = Float64Array.from(x);
  const ma = Float64Array.from(m);
  for (let i = 0; i < xa.length; i++) {
    if (!(Number.isInteger(xa[i]) && xa[i] >= 1)) throw new RangeError(`Gamma-Gamma: row ${i}: x = ${xa[i]} must be an integer >= 1`);
    if (!(ma[i] > 0 && Number.isFinite(ma[i]))) throw new RangeError(`Gamma-Gamma: row ${i}: m = ${ma[i]} must be positive and finite`);
  }
  const distinct = [...new Set(xa)].sort((p, q) => p - q);
  const pos = new Map(distinct.map((v, i) => [v, i]));
  const xi = new Int32Array(xa.length);
  for (let i = 0; i < xa.length; i++) xi[i] = pos.get(xa[i])!;
  return { x: xa, m: ma, logM: ma.map(Math.log), xs: Float64Array.from(distinct), xi };
}

/**
 * Total log-likelihood and, when `g` is given, its gradient in log-parameters:
 * ∂/∂p = Σ x[ψ(px+q) − ψ(px) + ln x + ln m − ln(γ+mx)], ∂/∂q = Σ ψ(px+q) − ψ(q) + ln γ − ln(γ+mx),
 * ∂/∂γ = Σ q/γ − (px+q)/(γ+mx); Γ and ψ terms once per distinct x.
 */
function logLik(par: GammaGammaParams, d: Prepared, g?: number[]): number {
  const { p, q, gamma } = par;
  const lnGamma = Math.log(gamma);
  const base = q * lnGamma - lgamma(q);
  const K = d.xs.length;
  const cx = new Float64Array(K);
  const dpx = new Float64Array(K);
  const dqx = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const x = d.xs[k];
    const px = p * x;
    cx[k] = lgamma(px + q) - lgamma(px) + px * Math.log(x) + base;
    if (g) {
      const psiPxq = digamma(px + q);
      dpx[k] = x * (psiPxq - digamma(px) + Math.log(x));
      dqx[k] = psiPxq - digamma(q) + lnGamma;
    }
  }
  let ll = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (let i = 0; i < d.x.length; i++) {
    const k = d.xi[i];
    const x = d.x[i];
    const px = p * x;
    const den = gamma + d.m[i] * x;
    const lnDen = Math.log(den);
    ll += cx[k] + (px - 1) * d.logM[i] - (px + q) * lnDen;
    if (g) {
      gp += dpx[k] + x * (d.logM[i] - lnDen);
      gq += dqx[k] - lnDen;
      gg += q / gamma - (px + q) / den;
    }
  }
  if (g) {
    g[0] = p * gp;
    g[1] = q * gq;
    g[2] = gamma * gg;
  }
  return ll;
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, x: ArrayLike<number>, m: ArrayLike<number>): number {
  return logLik(params, prepare(x, m));
}

const fromLog = (v: number[]): GammaGammaParams => ({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) });

export function fitGammaGamma(x: ArrayLike<number>, m: ArrayLike<number>, opts: BfgsOptions = {}): GammaGammaFit {
  const d = prepare(x, m);
  const n = d.x.length;
  if (n === 0) throw new RangeError('Gamma-Gamma: no repeat buyers to fit on');
  let meanM = 0;
  for (let i = 0; i < n; i++) meanM += d.m[i] / n;
  const start = [0, Math.log(2), Math.log(Math.max(meanM, 1e-6))];
  const objective = (v: number[], g: number[]) => {
    if (v.some((c) => !(Math.abs(c) <= LOG_BOUND))) return Infinity;
    const ll = logLik(fromLog(v), d, g);
    for (let i = 0; i < 3; i++) g[i] = -g[i] / n;
    return -ll / n;
  };
  const res = minimiseBfgs(objective, start, { maxEvaluations: 200, fTol: 1e-12, ...opts });
  const params = fromLog(res.x);
  const bound = atBound(res.x, ['p', 'q', 'gamma']);
  let message = res.message;
  if (bound.length) message += `; ${bound.join(', ')} at the bound of 1e-6..1e6: spend does not vary between customers as the model assumes`;
  return {
    params,
    logLikelihood: logLik(params, d),
    customers: n,
    optimiser: { converged: res.converged, evaluations: res.evaluations, iterations: res.iterations, message, atBound: bound },
    logParams: res.x,
  };
}

/**
 * E[M | x, m]: expected value of a future transaction. With x = 0 it is the population mean
 * pγ/(q − 1), defined only for q > 1 (otherwise NaN: the mean spend is infinite under the fit).
 */
export function ggExpectedValue(par: GammaGammaParams, x: number, m: number): number {
  const { p, q, gamma } = par;
  if (x === 0) return q > 1 ? (p * gamma) / (q - 1) : NaN;
  const denom = p * x + q - 1;
  return denom > 0 ? (p * (gamma + m * x)) / denom : NaN;
}
