import { describe, expect, it } from 'vitest';
import { groupHistories } from '../../../models/value/history.js';
import {
  expectedPurchases,
  fitPurchaseModel,
  pAlive,
  prepareHistories,
  purchaseLogLikelihood,
  purchaseObjective,
  type PurchaseModel,
} from '../../../models/value/bgnbd.js';
import { digamma } from '../../../models/value/special.js';
import { cdnowSummary } from './cdnow.js';
import { simulateBgNbd } from './simulate.js';

/** Composite Simpson on [lo, hi] with n (even) intervals. */
function simpson(f: (t: number) => number, lo: number, hi: number, n = 4000): number {
  const h = (hi - lo) / n;
  let s = f(lo) + f(hi);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(lo + i * h);
  return (s * h) / 3;
}

/**
 * Independent likelihood by numerical integration of the individual-level model over the mixing
 * distributions, for r = 2 (Γ(2) = 1) and a = 2, b = 3 (B(2, 3) = 1/12):
 *   BG/NBD:  (1−p)^x λ^x e^{−λT} + 1{x>0} p (1−p)^{x−1} λ^x e^{−λ tx}
 *   MBG/NBD: (1−p)^{x+1} λ^x e^{−λT} + p (1−p)^x λ^x e^{−λ tx}   (the first purchase is a dropout chance too)
 */
function integratedLikelihood(model: PurchaseModel, alpha: number, x: number, tx: number, T: number): number {
  const r = 2;
  const gammaPdf = (l: number) => alpha ** r * l ** (r - 1) * Math.exp(-alpha * l); // / Γ(2) = 1
  const betaPdf = (p: number) => 12 * p * (1 - p) ** 2; // p^(a−1)(1−p)^(b−1) / B(2, 3)
  const lambdaPart = (t: number) => simpson((l) => l ** x * Math.exp(-l * t) * gammaPdf(l), 0, (r + x + 60) / (alpha + t));
  const pPart = (j: number, k: number) => simpson((p) => p ** j * (1 - p) ** k * betaPdf(p), 0, 1);
  const s = model === 'mbgnbd' ? 1 : 0;
  const alive = pPart(0, x + s) * lambdaPart(T);
  const dead = x + s > 0 ? pPart(1, x + s - 1) * lambdaPart(tx) : 0;
  return alive + dead;
}

const SMALL = { x: [0, 1, 2, 5, 0, 3], tx: [0, 4.5, 10, 30.25, 0, 2], T: [12, 20, 10, 40, 50, 35] };

describe('purchase-model likelihoods against an independent numerical integration', () => {
  for (const model of ['bgnbd', 'mbgnbd'] as const) {
    it(`${model}: each customer's likelihood matches the integral of the individual-level model`, () => {
      const params = { r: 2, alpha: 3.5, a: 2, b: 3 };
      for (let i = 0; i < SMALL.x.length; i++) {
        const h = groupHistories([SMALL.x[i]], [SMALL.tx[i]], [SMALL.T[i]]);
        const ours = purchaseLogLikelihood(model, params, h);
        const independent = Math.log(integratedLikelihood(model, 3.5, SMALL.x[i], SMALL.tx[i], SMALL.T[i]));
        expect(Math.abs(ours - independent), `customer ${i}`).toBeLessThan(1e-7);
      }
    });
  }

  it('the two models differ exactly where they should: only MBG/NBD lets a one-time buyer drop out', () => {
    const params = { r: 2, alpha: 3.5, a: 2, b: 3 };
    const h = groupHistories([0], [0], [30]);
    expect(purchaseLogLikelihood('mbgnbd', params, h)).toBeGreaterThan(purchaseLogLikelihood('bgnbd', params, h));
  });
});

/**
 * Independent P(alive) and E[Y(t) | x, tx, T] by 2-D numerical integration over (λ, p) of the
 * individual-level model (r = 2, a = 2, b = 3 as above): given λ and p, a customer alive at T buys
 * at rate λ until a purchase ends in dropout (chance p each), so dropout comes at rate λp and
 * E[purchases in (T, T+t] | λ, p, alive] = (1 − e^{−λpt}) / p. No closed form, no ₂F₁.
 */
function integratedPosterior(model: PurchaseModel, alpha: number, t: number, x: number, tx: number, T: number): { pAlive: number; expected: number } {
  const r = 2;
  const m = x + (model === 'mbgnbd' ? 1 : 0);
  const gammaPdf = (l: number) => alpha ** r * l ** (r - 1) * Math.exp(-alpha * l);
  const betaPdf = (p: number) => 12 * p * (1 - p) ** 2;
  // Each term decays in λ at its own rate (α + T, α + tx): integrate it up to its own limit.
  const hiAlive = (r + x + 60) / (alpha + T);
  const hiDead = (r + x + 60) / (alpha + tx);
  const alive = (p: number, l: number) => (1 - p) ** m * l ** x * Math.exp(-l * T) * gammaPdf(l) * betaPdf(p);
  const dead = (p: number, l: number) => (m > 0 ? p * (1 - p) ** (m - 1) * l ** x * Math.exp(-l * tx) * gammaPdf(l) * betaPdf(p) : 0);
  const future = (p: number, l: number) => (p === 0 ? l * t : -Math.expm1(-l * p * t) / p);
  const both = (f: (p: number, l: number) => number, hi: number) => simpson((p) => simpson((l) => f(p, l), 0, hi, 1000), 0, 1, 1000);
  const A = both(alive, hiAlive);
  const L = A + both(dead, hiDead);
  return { pAlive: A / L, expected: both((p, l) => alive(p, l) * future(p, l), hiAlive) / L };
}

describe('p_alive and expected purchases against an independent integration of the posterior', () => {
  const params = { r: 2, alpha: 3.5, a: 2, b: 3 };
  const cases = [
    [0, 0, 12],
    [0, 0, 40],
    [1, 4.5, 20],
    [3, 2, 35],
    [5, 30.25, 40],
  ] as const;
  for (const model of ['bgnbd', 'mbgnbd'] as const) {
    it(`${model}: matches the integral for one-time and repeat buyers`, () => {
      for (const [x, tx, T] of cases) {
        const oracle = integratedPosterior(model, params.alpha, 10, x, tx, T);
        expect(pAlive({ model, params }, x, tx, T), `p_alive ${x},${tx},${T}`).toBeCloseTo(oracle.pAlive, 5);
        expect(expectedPurchases({ model, params }, 10, x, tx, T), `E[Y] ${x},${tx},${T}`).toBeCloseTo(oracle.expected, 5);
      }
    });
  }
});

describe('analytic gradients', () => {
  const sim = simulateBgNbd(3000, { r: 0.7, alpha: 5, a: 0.9, b: 2.5 }, (u) => 10 + 40 * u(), 0, 42);
  const prep = prepareHistories(groupHistories(sim.map((c) => c.x), sim.map((c) => c.tx), sim.map((c) => c.T)));
  for (const model of ['bgnbd', 'mbgnbd'] as const) {
    for (const form of ['beta', 'fixed', 'none'] as const) {
      it(`${model} / ${form} dropout: match central differences of the log-likelihood`, () => {
        const obj = purchaseObjective(prep, model, form);
        const v = [Math.log(0.6), Math.log(4), form === 'fixed' ? -1.5 : Math.log(0.8), Math.log(3)].slice(0, obj.names.length);
        const g = new Array<number>(v.length).fill(0);
        obj.f(v, g);
        const scratch = new Array<number>(v.length).fill(0);
        for (let i = 0; i < v.length; i++) {
          const up = v.slice();
          const dn = v.slice();
          up[i] += 1e-6;
          dn[i] -= 1e-6;
          const numeric = (obj.f(up, scratch) - obj.f(dn, scratch)) / 2e-6;
          expect(Math.abs(g[i] - numeric), obj.names[i]).toBeLessThan(1e-7);
        }
      });
    }
  }
});

describe('MBG/NBD on the CDNOW sample', () => {
  const s = cdnowSummary();
  const groups = groupHistories(s.x, s.tx, s.T);

  it('reproduces the BTYDplus estimates r = 0.525, α = 6.183, a = 0.891, b = 1.614 (weeks)', () => {
    const fit = fitPurchaseModel(groups, 'mbgnbd');
    const btydplus = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(fit.params[k] / btydplus[k] - 1), k).toBeLessThan(0.002);
    expect(fit.optimiser.converged).toBe(true);
    expect(fit.optimiser.evaluations).toBeLessThan(100);
  });

  it('a one-time buyer last seen 248 days ago is probably gone under MBG/NBD, and alive by assumption under BG/NBD', () => {
    const mbg = fitPurchaseModel(groups, 'mbgnbd');
    const bg = fitPurchaseModel(groups, 'bgnbd');
    const T = 248 / 7;
    const pm = pAlive({ model: 'mbgnbd', params: mbg.params }, 0, 0, T);
    // Independent: posterior odds of "dropped at the first purchase" = a/b · ((α+T)/α)^r.
    const { r, alpha, a, b } = mbg.params;
    expect(pm).toBeCloseTo(1 / (1 + (a / b) * ((alpha + T) / alpha) ** r), 12);
    expect(pm).toBeLessThan(0.5);
    expect(pAlive({ model: 'bgnbd', params: bg.params }, 0, 0, T)).toBe(1);
    // Fewer expected purchases for that customer under MBG/NBD.
    expect(expectedPurchases({ model: 'mbgnbd', params: mbg.params }, 39, 0, 0, T)).toBeLessThan(expectedPurchases({ model: 'bgnbd', params: bg.params }, 39, 0, 0, T));
  });
});

describe('digamma', () => {
  it('matches known values: ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(n+1) = H_n − γ, and the recurrence', () => {
    const euler = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-euler, 13);
    expect(digamma(0.5)).toBeCloseTo(-euler - 2 * Math.LN2, 13);
    let harmonic = 0;
    for (let n = 1; n <= 30; n++) harmonic += 1 / n;
    expect(digamma(31)).toBeCloseTo(harmonic - euler, 13);
    expect(digamma(0.001) + 1 / 0.001).toBeCloseTo(digamma(1.001), 10);
    expect(digamma(-1)).toBeNaN();
  });
});
