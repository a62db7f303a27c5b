/**
 * Does the fitted purchase model say anything about dropout? Three checks, each a bounded number of
 * likelihood evaluations after the fit:
 *
 * 1. Curvature: the Hessian of the log-likelihood in log-parameters (central differences of the
 *    analytic gradient, 2k evaluations). An eigenvalue below FLAT_CURVATURE means moving the
 *    parameters by a factor e along that direction changes the log-likelihood by less than 1/4: the
 *    data do not pin that combination down (e.g. a and b growing together).
 * 2. Nested limiting models (profile of the dropout): "fixed dropout" (a, b → ∞ with a/(a+b) = p,
 *    every customer the same dropout chance) and "no dropout" (the NBD). When a limit fits within
 *    LR_THRESHOLD log-likelihood units (half the 95 % point of χ²₁), the data cannot tell the full
 *    model from it.
 * 3. Spread of p_alive: when 99 % of the customers whose p_alive the model can move have
 *    p_alive >= 0.7, the score does not tell customers apart.
 *
 * What the product does (stored in value_model_runs, logged, shown on the RFM & value page):
 * - a, b on a flat ridge and the fixed-dropout limit as good → customers are scored with the
 *   limiting model (one dropout probability for everyone), status `limit_model`;
 * - no measurable dropout, or p_alive without spread → status `not_identified` /
 *   p_alive_informative = false: p_alive is written but flagged as not informative (it must not be
 *   used to pick customers); expected purchases and CLV, which rest on the purchase rate, stay.
 */
import { hessianFromGradient, minimiseBfgs, symmetricEigen } from './bfgs.js';
import { LOG_BOUND, pAlive, purchaseObjective, shiftOf, type BgNbdFit, type PreparedHistories, type PurchaseScorer } from './bgnbd.js';
import type { GammaGammaFit } from './gamma-gamma.js';
import { digamma, lgamma } from './special.js';

export const LR_THRESHOLD = 1.92;
export const FLAT_CURVATURE = 0.5;
export const P_ALIVE_FLOOR = 0.7;
const LIMIT_FIT_EVALUATIONS = 100;

export type IdentificationStatus = 'identified' | 'limit_model' | 'not_identified';

export interface Identification {
  status: IdentificationStatus;
  pAliveInformative: boolean;
  /** Plain words: what the data do not identify and what the product does about it. */
  message: string;
  logLikelihood: { full: number; fixedDropout: number; noDropout: number };
  fixedDropoutP: number;
  /** Eigenvalues (ascending) of the observed information in log-parameters, and the flattest direction. */
  curvature: number[];
  flattestDirection: Record<string, number>;
  pAliveSummary: { customers: number; p001: number; p01: number; median: number; max: number; shareBelowHalf: number };
  /** Likelihood evaluations spent on these checks (the fit's own are in the optimiser report). */
  evaluations: number;
}

function weightedQuantiles(values: number[], weights: number[], qs: number[]): number[] {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const total = weights.reduce((s, w) => s + w, 0);
  return qs.map((q) => {
    let acc = 0;
    for (const i of order) {
      acc += weights[i];
      if (acc >= q * total) return values[i];
    }
    return values[order[order.length - 1]] ?? NaN;
  });
}

const fmt = (v: number, digits = 3) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(digits)).toString());

export function assessPurchaseFit(prep: PreparedHistories, fit: BgNbdFit): { identification: Identification; scorer: PurchaseScorer } {
  let evaluations = 0;
  const model = fit.model;
  const names = ['r', 'alpha', 'a', 'b'];
  const full = purchaseObjective(prep, model, 'beta');
  const counted = (f: typeof full.f) => (v: number[], g: number[]) => {
    evaluations++;
    return f(v, g);
  };
  const N = prep.customers;

  // 1. Curvature at the fit (stepped inside the parameter box so differences stay finite).
  const step = 1e-4;
  const at = fit.logParams.map((v) => Math.max(-LOG_BOUND + 2 * step, Math.min(LOG_BOUND - 2 * step, v)));
  const H = hessianFromGradient(counted(full.f), at, step).map((row) => row.map((v) => v * N));
  const eig = symmetricEigen(H);
  const curvature = eig.values;
  const flat = eig.values.map((v, i) => ({ value: v, vector: eig.vectors[i] })).filter((e) => !(e.value >= FLAT_CURVATURE));
  const flattest = eig.vectors[0];
  const flattestDirection = Object.fromEntries(names.map((n, i) => [n, Number(flattest[i].toFixed(3))]));
  // A flat direction "involves" a parameter when it moves it noticeably.
  const involves = (e: { vector: number[] }, i: number) => Math.abs(e.vector[i]) > 0.3;
  const dropoutFlat = flat.some((e) => involves(e, 2) || involves(e, 3)) || fit.optimiser.atBound.some((n) => n === 'a' || n === 'b');
  const rateFlat = flat.some((e) => involves(e, 0) && involves(e, 1) && Math.sign(e.vector[0]) === Math.sign(e.vector[1]));

  // 2. Limiting models, started from the full fit.
  const [lr, la, lna, lnb] = fit.logParams;
  const pStart = Math.exp(lna) / (Math.exp(lna) + Math.exp(lnb));
  const fixedObj = purchaseObjective(prep, model, 'fixed');
  const fixed = minimiseBfgs(counted(fixedObj.f), [lr, la, Math.log(pStart) - Math.log1p(-pStart)], { maxEvaluations: LIMIT_FIT_EVALUATIONS });
  const noneObj = purchaseObjective(prep, model, 'none');
  const none = minimiseBfgs(counted(noneObj.f), [lr, la], { maxEvaluations: LIMIT_FIT_EVALUATIONS });
  const llFixed = fixedObj.logLikelihood(fixed.x);
  const llNone = noneObj.logLikelihood(none.x);
  const llFull = fit.logLikelihood;
  const fixedP = 1 / (1 + Math.exp(-fixed.x[2]));
  const dropoutShown = llFull - llNone >= LR_THRESHOLD;
  const heterogeneityShown = llFull - llFixed >= LR_THRESHOLD;

  let status: IdentificationStatus = 'identified';
  let scorer: PurchaseScorer = { model, params: fit.params };
  const parts: string[] = [];
  const { a, b } = fit.params;
  if (!dropoutShown) {
    status = 'not_identified';
    parts.push(
      `The purchase histories show no measurable dropout: a model in which nobody drops out fits as well (log-likelihood ${llFull.toFixed(2)} vs ${llNone.toFixed(2)}), so a = ${fmt(a)} and b = ${fmt(b)} are not identified.`,
    );
  } else if (!heterogeneityShown && (dropoutFlat || a + b > 1000)) {
    status = 'limit_model';
    const together = a + b > 1000 || (Math.sign(flattest[2]) === Math.sign(flattest[3]) && Math.min(Math.abs(flattest[2]), Math.abs(flattest[3])) > 0.3);
    scorer = { model, params: { ...fit.params, r: Math.exp(fixed.x[0]), alpha: Math.exp(fixed.x[1]) }, fixedDropout: fixedP };
    parts.push(
      `The data do not identify how the dropout chance varies between customers: ${together ? 'a and b run off together' : 'the likelihood is flat in a and b'} (a = ${fmt(a)}, b = ${fmt(b)}), and a model in which every customer has the same dropout chance fits as well (log-likelihood ${llFull.toFixed(2)} vs ${llFixed.toFixed(2)}). Customers are scored with that limiting model: dropout probability ${fmt(fixedP)} after each purchase.`,
    );
  } else if (dropoutFlat) {
    parts.push(`The dropout parameters are only weakly determined (a = ${fmt(a)}, b = ${fmt(b)}; smallest curvature ${fmt(curvature[0])}).`);
  }
  if (rateFlat) parts.push('Purchase rates do not vary measurably between customers (r and α grow together); this does not affect p_alive.');
  if (!fit.optimiser.converged) parts.push(`The optimiser stopped before its tolerance (${fit.optimiser.message}); parameters are the best found.`);

  // 3. Spread of p_alive over the customers whose p_alive the model can move (BG/NBD: repeat buyers).
  const s = shiftOf(model);
  const vals: number[] = [];
  const wts: number[] = [];
  const h = prep.h;
  for (let i = 0; i < h.x.length; i++) {
    if (h.x[i] + s === 0) continue;
    vals.push(pAlive(scorer, h.x[i], h.tx[i], h.T[i]));
    wts.push(h.n[i]);
  }
  const [p001, p01, median, max] = vals.length ? weightedQuantiles(vals, wts, [0.001, 0.01, 0.5, 1]) : [NaN, NaN, NaN, NaN];
  const totalW = wts.reduce((acc, w) => acc + w, 0);
  const shareBelowHalf = totalW ? vals.reduce((acc, v, i) => acc + (v < 0.5 ? wts[i] : 0), 0) / totalW : NaN;
  // The 1 % quantile, not the 0.1 %: on a few thousand customers the 0.1 % are a handful of long gaps, and
  // they alone must not make a p_alive that is ~1 for everyone else count as informative.
  const spread = vals.length > 0 && p01 < P_ALIVE_FLOOR;
  const pAliveInformative = dropoutShown && spread;
  if (!spread && vals.length) {
    parts.push(
      `p_alive is at least ${(Math.floor(p01 * 100) / 100).toFixed(2)} for 99% of the customers it can tell apart (median ${median.toFixed(4)}): it does not separate customers who left from those who stay.`,
    );
    if (status === 'identified') status = 'not_identified';
  }
  if (!pAliveInformative) {
    parts.push(
      'p_alive is not informative: it is still written, flagged here and on the RFM & value page, and must not be used to pick customers; expected purchases and CLV rest on the purchase rate and are kept.',
    );
  }
  if (status === 'identified' && parts.length === 0) parts.push('Identified: the likelihood is curved in every direction and the data show dropout that varies between customers.');
  return {
    scorer,
    identification: {
      status,
      pAliveInformative,
      message: parts.join(' '),
      logLikelihood: { full: llFull, fixedDropout: llFixed, noDropout: llNone },
      fixedDropoutP: fixedP,
      curvature,
      flattestDirection,
      pAliveSummary: { customers: totalW, p001, p01, median, max, shareBelowHalf },
      evaluations,
    },
  };
}

/** What the spend data identify (Gamma-Gamma): whether spend varies between customers at all. */
export interface SpendIdentification {
  /** false: a model in which every customer has the same spend rate fits as well; q and γ run off together. */
  heterogeneityShown: boolean;
  message: string;
  logLikelihood: { full: number; commonRate: number };
  /** The limiting model: transaction values Gamma(p, ν) with one ν for everyone; its mean spend p/ν. */
  commonRate: { p: number; nu: number; meanValue: number };
  evaluations: number;
}

/**
 * Gamma-Gamma's own non-identification: when every customer's transaction values come from the same
 * Gamma(p, ν), the mixing distribution of ν degenerates, q and γ grow together (γ/q → ν) and the fit
 * may still "converge" far from the parameter bound. Judged like the dropout: the nested limiting model
 * (one ν for everyone; the mean of x values is Gamma(px, νx)) is fitted (at most LIMIT_FIT_EVALUATIONS
 * evaluations) and compared with the full fit by the likelihood ratio.
 */
export function assessSpendFit(x: ArrayLike<number>, m: ArrayLike<number>, fit: GammaGammaFit): SpendIdentification {
  let evaluations = 0;
  const n = x.length;
  let sumXLnXM = 0;
  let sumLnM = 0;
  let sumX = 0;
  let sumXM = 0;
  for (let i = 0; i < n; i++) {
    sumXLnXM += x[i] * Math.log(x[i] * m[i]);
    sumLnM += Math.log(m[i]);
    sumX += x[i];
    sumXM += x[i] * m[i];
  }
  // Σ ln Γ(p x) and Σ x ψ(p x) once per distinct x.
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(x[i], (counts.get(x[i]) ?? 0) + 1);
  const ll = (v: number[], g: number[] | null): number => {
    const p = Math.exp(v[0]);
    const nu = Math.exp(v[1]);
    let lg = 0;
    let dpsi = 0;
    for (const [xv, c] of counts) {
      lg += c * lgamma(p * xv);
      if (g) dpsi += c * xv * digamma(p * xv);
    }
    // Σ ln of the density of the mean m: ν^{px} x^{px} m^{px−1} e^{−νxm} / Γ(px).
    const value = p * (sumX * Math.log(nu) + sumXLnXM) - sumLnM - nu * sumXM - lg;
    if (g) {
      g[0] = p * (sumX * Math.log(nu) + sumXLnXM - dpsi);
      g[1] = p * sumX - nu * sumXM;
    }
    return value;
  };
  const objective = (v: number[], g: number[]) => {
    evaluations++;
    if (v.some((c) => !(Math.abs(c) <= LOG_BOUND))) return Infinity;
    const value = ll(v, g);
    for (let k = 0; k < 2; k++) g[k] = -g[k] / n;
    return -value / n;
  };
  const p0 = fit.params.p;
  const res = minimiseBfgs(objective, [Math.log(p0), Math.log((p0 * sumX) / sumXM)], { maxEvaluations: LIMIT_FIT_EVALUATIONS });
  const llCommon = ll(res.x, null);
  const p = Math.exp(res.x[0]);
  const nu = Math.exp(res.x[1]);
  const llFull = fit.logLikelihood;
  const heterogeneityShown = llFull - llCommon >= LR_THRESHOLD;
  const { q, gamma } = fit.params;
  const message = heterogeneityShown
    ? 'Spend identified: it varies between customers (the model with one spend rate for everyone fits worse).'
    : `Spend does not vary measurably between customers: a model in which every customer has the same spend rate fits as well (log-likelihood ${llFull.toFixed(2)} vs ${llCommon.toFixed(2)}), so q = ${fmt(q)} and γ = ${fmt(gamma)} run off together and are not identified. Expected order values are kept: they all lie close to the population mean (${fmt(p / nu)} per purchase day), which is what the data support.`;
  return { heterogeneityShown, message, logLikelihood: { full: llFull, commonRate: llCommon }, commonRate: { p, nu, meanValue: p / nu }, evaluations };
}
