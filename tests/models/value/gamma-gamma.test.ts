import { describe, expect, it } from 'vitest';
import { fitGammaGamma, gammaGammaLogLikelihood, ggExpectedValue } from '../../../models/value/gamma-gamma.js';
import { gammaDraw, mulberry32 } from './simulate.js';
import { assessSpendFit } from '../../../models/value/identification.js';
import { lgamma } from '../../../models/value/special.js';

describe('Gamma-Gamma', () => {
  const par = { p: 6.25, q: 3.74, gamma: 15.44 };

  it('conditional mean is the weighted average of the population mean and the customer mean', () => {
    // E[M | x, m] = (q − 1)/(px + q − 1) · pγ/(q − 1) + px/(px + q − 1) · m  (FHL 2005b eq. 5)
    const x = 3;
    const m = 40;
    const w = (par.p * x) / (par.p * x + par.q - 1);
    const hand = (1 - w) * ((par.p * par.gamma) / (par.q - 1)) + w * m;
    expect(ggExpectedValue(par, x, m)).toBeCloseTo(hand, 10);
    expect(ggExpectedValue(par, 0, 0)).toBeCloseTo((6.25 * 15.44) / 2.74, 10);
    expect(Number.isNaN(ggExpectedValue({ p: 1, q: 0.9, gamma: 1 }, 0, 0))).toBe(true);
  });

  it('log-likelihood of one customer with x = 1 is the Gamma-Gamma (compound) density of m', () => {
    // x = 1: m ~ Gamma(p, ν), ν ~ Gamma(q, γ): f(m) = Γ(p+q)/(Γ(p)Γ(q)) · γ^q m^(p−1) / (γ + m)^(p+q)
    const p = 2;
    const q = 3;
    const g = 10;
    const m = 7;
    const density = (24 / (1 * 2)) * g ** q * m ** (p - 1) / (g + m) ** (p + q); // Γ(5)=24, Γ(2)=1, Γ(3)=2
    expect(gammaGammaLogLikelihood({ p, q, gamma: g }, [1], [m])).toBeCloseTo(Math.log(density), 12);
  });

  it('recovers simulated parameters', () => {
    const u = mulberry32(7);
    const truth = { p: 4, q: 3, gamma: 20 };
    const xs: number[] = [];
    const ms: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const nu = gammaDraw(truth.q, u) / truth.gamma;
      const x = 1 + Math.floor(u() * 6);
      let sum = 0;
      for (let k = 0; k < x; k++) sum += gammaDraw(truth.p, u) / nu;
      xs.push(x);
      ms.push(sum / x);
    }
    const fit = fitGammaGamma(xs, ms);
    expect(fit.optimiser.converged).toBe(true);
    for (const k of ['p', 'q', 'gamma'] as const) expect(Math.abs(fit.params[k] / truth[k] - 1), k).toBeLessThan(0.15);
  });

  it('rejects non-positive spend with the row named', () => {
    expect(() => fitGammaGamma([1, 2], [10, 0])).toThrow(/row 1/);
  });
});

/**
 * Spend that does not vary between customers (every customer's transaction values Gamma(6, rate 4/15)):
 * Gamma-Gamma's q and γ run off together. The limiting model (one spend rate for everyone) is written
 * out here independently: the mean m of x values is Gamma(6x, rate νx), and for a given p its ν is
 * p Σx / Σxm in closed form.
 */
describe('Gamma-Gamma identification: does spend vary between customers?', () => {
  function simulateSpend(n: number, heterogeneous: boolean, seed: number) {
    const u = mulberry32(seed);
    const x: number[] = [];
    const m: number[] = [];
    for (let i = 0; i < n; i++) {
      const xi = 1 + Math.floor(u() * 6);
      const nu = heterogeneous ? gammaDraw(4, u) / 15 : 4 / 15; // ν ~ Gamma(q = 4, γ = 15) or fixed at its mean
      let s = 0;
      for (let j = 0; j < xi; j++) s += gammaDraw(6, u) / nu;
      x.push(xi);
      m.push(s / xi);
    }
    return { x, m };
  }
  /** Log-likelihood of the one-rate model at (p, ν), summed by hand: ν^{px} x^{px} m^{px−1} e^{−νxm} / Γ(px). */
  const commonLogLik = (x: number[], m: number[], p: number, nu: number) =>
    x.reduce((s, xi, i) => s + p * xi * Math.log(nu * xi) + (p * xi - 1) * Math.log(m[i]) - nu * xi * m[i] - lgamma(p * xi), 0);

  it('everyone with the same spend rate: flagged within a bounded number of evaluations, with the limiting model\'s mean', () => {
    const { x, m } = simulateSpend(5000, false, 21);
    const fit = fitGammaGamma(x, m);
    const id = assessSpendFit(x, m, fit);
    expect(fit.optimiser.evaluations).toBeLessThanOrEqual(200);
    expect(id.evaluations).toBeLessThanOrEqual(100);
    expect(id.heterogeneityShown).toBe(false);
    expect(id.message).toMatch(/q = .* and γ = .* run off together and are not identified/);
    // q and γ large together, with γ/q near the planted 1/ν = 3.75.
    expect(fit.params.q).toBeGreaterThan(50);
    expect(fit.params.gamma / fit.params.q).toBeGreaterThan(3.4);
    expect(fit.params.gamma / fit.params.q).toBeLessThan(4.1);
    // The limit: its ν is the closed form for its p, its log-likelihood the hand sum, its mean near 6 / (4/15) = 22.5.
    const { p, nu, meanValue } = id.commonRate;
    expect(nu).toBeCloseTo((p * x.reduce((s, v) => s + v, 0)) / x.reduce((s, v, i) => s + v * m[i], 0), 4);
    expect(id.logLikelihood.commonRate).toBeCloseTo(commonLogLik(x, m, p, nu), 4);
    expect(Math.abs(meanValue / 22.5 - 1)).toBeLessThan(0.03);
    // The full model cannot do measurably better than its own limit.
    expect(id.logLikelihood.full - id.logLikelihood.commonRate).toBeLessThan(1.92);
  });

  it('spend that varies between customers stays identified (no false alarm)', () => {
    const { x, m } = simulateSpend(5000, true, 22);
    const fit = fitGammaGamma(x, m);
    const id = assessSpendFit(x, m, fit);
    expect(id.heterogeneityShown).toBe(true);
    expect(id.logLikelihood.full - commonLogLik(x, m, id.commonRate.p, id.commonRate.nu)).toBeGreaterThan(100);
  });
});
