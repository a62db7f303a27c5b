/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005b; Colombo & Jiang 1999): a customer's
 * transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent of the
 * purchase process. Fitted on customers with at least one repeat purchase: x = number of repeat
 * transactions, m = their average value.
 */
import { lgamma } from './special.js';
import { minimise, type OptimiseOptions, type OptimiseResult } from './optimize.js';
import { atBound, LOG_BOUND, MULTI_START_MAX_GROUPS } from './bgnbd.js';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  customers: number;
  optimiser: Omit<OptimiseResult, 'x' | 'value'> & { atBound: string[] };
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

function logLik(par: GammaGammaParams, d: Prepared): number {
  const { p, q, gamma } = par;
  const base = q * Math.log(gamma) - lgamma(q);
  const cx = new Float64Array(d.xs.length);
  for (let k = 0; k < d.xs.length; k++) {
    const px = p * d.xs[k];
    cx[k] = lgamma(px + q) - lgamma(px) + px * Math.log(d.xs[k]) + base;
  }
  let ll = 0;
  for (let i = 0; i < d.x.length; i++) {
    const px = p * d.x[i];
    ll += cx[d.xi[i]] + (px - 1) * d.logM[i] - (px + q) * Math.log(gamma + d.m[i] * d.x[i]);
  }
  return ll;
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, x: ArrayLike<number>, m: ArrayLike<number>): number {
  return logLik(params, prepare(x, m));
}

export function fitGammaGamma(x: ArrayLike<number>, m: ArrayLike<number>, opts: OptimiseOptions = {}): GammaGammaFit {
  const d = prepare(x, m);
  const n = d.x.length;
  if (n === 0) throw new RangeError('Gamma-Gamma: no repeat buyers to fit on');
  let meanM = 0;
  for (let i = 0; i < n; i++) meanM += d.m[i] / n;
  const start = [0, Math.log(2), Math.log(Math.max(meanM, 1e-6))];
  const extraStarts =
    opts.extraStarts ??
    (n <= MULTI_START_MAX_GROUPS
      ? [
          [Math.log(5), Math.log(4), Math.log(Math.max(meanM, 1e-6))],
          [Math.log(0.5), Math.log(1.5), Math.log(Math.max(meanM, 1e-6)) - 2],
        ]
      : []);
  const objective = (v: number[]) =>
    v.some((c) => Math.abs(c) > LOG_BOUND) ? Infinity : -logLik({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) }, d) / n;
  const res = minimise(objective, start, {
    ...opts,
    extraStarts,
    fTol: opts.fTol ?? 1e-12,
  });
  const { x: v, value, ...report } = res;
  void value;
  const params = { p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) };
  const bound = atBound(v, ['p', 'q', 'gamma']);
  if (bound.length) report.message += `; ${bound.join(', ')} at the bound of 1e-6..1e6: spend does not vary between customers as the model assumes`;
  return { params, logLikelihood: logLik(params, d), customers: n, optimiser: { ...report, atBound: bound } };
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
