import { describe, expect, it } from 'vitest';
import { fitGammaGamma, gammaGammaLogLikelihood, ggExpectedValue } from '../../../models/value/gamma-gamma.js';
import { gammaDraw, mulberry32 } from './simulate.js';

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
