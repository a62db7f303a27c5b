import { describe, expect, it } from 'vitest';
import { groupHistories } from '../../../models/value/history.js';
import { fitPurchaseModelPrepared, pAlive, prepareHistories, type PurchaseModel } from '../../../models/value/bgnbd.js';
import { assessPurchaseFit } from '../../../models/value/identification.js';
import { cdnowSummary } from './cdnow.js';
import { simulateBgNbd } from './simulate.js';

const FIT_BUDGET = 200;
// Curvature: 2 gradient evaluations per parameter; two limiting fits of at most 100 each.
const CHECK_BUDGET = 2 * 4 + 2 * 100;

function fitAndAssess(sim: { x: number; tx: number; T: number }[], model: PurchaseModel = 'bgnbd') {
  const prep = prepareHistories(groupHistories(sim.map((c) => c.x), sim.map((c) => c.tx), sim.map((c) => c.T)));
  const fit = fitPurchaseModelPrepared(prep, model);
  return { prep, fit, ...assessPurchaseFit(prep, fit) };
}

// Observation windows of 20–150 weeks; purchase rates Gamma(0.8, 4) per week.
const window = (u: () => number) => 20 + 130 * u();

describe('identification of the dropout parameters', () => {
  it('CDNOW: identified, p_alive informative, scored with the fitted model', () => {
    const s = cdnowSummary();
    const { identification: id, scorer } = fitAndAssess(s.x.map((x, i) => ({ x, tx: s.tx[i], T: s.T[i] })));
    expect(id.status).toBe('identified');
    expect(id.pAliveInformative).toBe(true);
    expect(scorer.fixedDropout).toBeUndefined();
    // The data reject both limits by far.
    expect(id.logLikelihood.full - id.logLikelihood.fixedDropout).toBeGreaterThan(10);
    expect(id.logLikelihood.full - id.logLikelihood.noDropout).toBeGreaterThan(100);
  });

  it('everyone with the same dropout chance (Beta degenerate): a, b run off together, flagged within a bounded number of evaluations, scored with the limiting model', () => {
    const sim = simulateBgNbd(20_000, { r: 0.8, alpha: 4, a: 0.15e7, b: 0.85e7 }, window, 0, 11);
    const { fit, identification: id, scorer } = fitAndAssess(sim);
    expect(fit.optimiser.evaluations).toBeLessThanOrEqual(FIT_BUDGET);
    expect(id.evaluations).toBeLessThanOrEqual(CHECK_BUDGET);
    expect(id.status).toBe('limit_model');
    expect(id.message).toMatch(/a and b run off together/);
    expect(id.message).toMatch(/same dropout chance/);
    // The flattest direction moves log a and log b together.
    expect(Math.sign(id.flattestDirection.a)).toBe(Math.sign(id.flattestDirection.b));
    expect(Math.abs(id.flattestDirection.a)).toBeGreaterThan(0.5);
    // The limiting model recovers the planted dropout probability.
    expect(scorer.fixedDropout).toBeGreaterThan(0.13);
    expect(scorer.fixedDropout).toBeLessThan(0.17);
    expect(id.pAliveInformative).toBe(true);
  });

  it('nobody drops out: flagged as not identified and p_alive as not informative', () => {
    const sim = simulateBgNbd(20_000, { r: 0.8, alpha: 4, a: 1e-9, b: 1 }, window, 0, 12);
    const { fit, identification: id } = fitAndAssess(sim);
    expect(fit.optimiser.evaluations).toBeLessThanOrEqual(FIT_BUDGET);
    expect(id.evaluations).toBeLessThanOrEqual(CHECK_BUDGET);
    expect(id.status).toBe('not_identified');
    expect(id.pAliveInformative).toBe(false);
    expect(id.message).toMatch(/no measurable dropout/);
    expect(id.message).toMatch(/p_alive is not informative/);
  });

  it('flat likelihood in the dropout with p_alive >= 0.7 for everyone: a fit is not a fit, p_alive flagged not informative', () => {
    // Dropout so rare (mean 1 in 10,000 purchases) that the histories cannot show how it varies.
    const sim = simulateBgNbd(20_000, { r: 0.8, alpha: 4, a: 0.001, b: 10 }, window, 0, 13);
    const { fit, identification: id, scorer } = fitAndAssess(sim);
    const repeat = sim.filter((c) => c.x > 0);
    const pa = repeat.map((c) => pAlive(scorer, c.x, c.tx, c.T));
    // The situation of the issue: p_alive high for (nearly) everyone.
    expect(pa.filter((p) => p >= 0.7).length / pa.length).toBeGreaterThan(0.999);
    expect(fit.optimiser.evaluations).toBeLessThanOrEqual(FIT_BUDGET);
    expect(id.pAliveInformative).toBe(false);
    expect(id.status).not.toBe('identified');
    expect(id.message).toMatch(/p_alive is at least 0\.\d\d for 99% of the customers/);
    expect(id.message).toMatch(/p_alive is not informative/);
    expect(id.pAliveSummary.p001).toBeGreaterThanOrEqual(0.7);
    expect(id.evaluations).toBeLessThanOrEqual(CHECK_BUDGET);
  });

  it('the issue\'s retail case at its size (4,339 customers, dropout next to nil): p_alive flagged on every seed, not only when no long gap happens to occur', () => {
    for (const seed of [1, 2, 3]) {
      const sim = simulateBgNbd(4339, { r: 0.8, alpha: 4, a: 0.001, b: 10 }, (u) => 10 + 43 * u(), 0, seed);
      const { identification: id, scorer } = fitAndAssess(sim);
      // Independent of the check: p_alive near 1 for (nearly) everyone the model can tell apart.
      const pa = sim.filter((c) => c.x > 0).map((c) => pAlive(scorer, c.x, c.tx, c.T)).sort((p, q) => p - q);
      expect(pa[Math.floor(pa.length / 2)], `seed ${seed} median`).toBeGreaterThan(0.99);
      expect(id.pAliveInformative, `seed ${seed}`).toBe(false);
      expect(id.message).toMatch(/p_alive is not informative/);
    }
  });

  it('moderate dropout at the same size stays informative (no false alarm)', () => {
    for (const [a, b, seed] of [[0.2, 3, 4], [0.5, 5, 5]]) {
      const sim = simulateBgNbd(4339, { r: 0.8, alpha: 4, a, b }, (u) => 10 + 43 * u(), 0, seed);
      const { identification: id } = fitAndAssess(sim);
      expect(id.pAliveInformative, `a ${a} b ${b}`).toBe(true);
    }
  });

  it('well-identified simulated data stay identified (no false alarm)', () => {
    const sim = simulateBgNbd(20_000, { r: 0.8, alpha: 4, a: 0.8, b: 3 }, window, 0, 14);
    const { identification: id, fit } = fitAndAssess(sim);
    expect(id.status).toBe('identified');
    expect(id.pAliveInformative).toBe(true);
    expect(fit.params.a / 0.8).toBeGreaterThan(0.75);
    expect(fit.params.a / 0.8).toBeLessThan(1.25);
  });

  it('MBG/NBD on degenerate dropout is judged the same way', () => {
    const sim = simulateBgNbd(20_000, { r: 0.8, alpha: 4, a: 1e-9, b: 1 }, window, 0, 15);
    const { identification: id } = fitAndAssess(sim, 'mbgnbd');
    expect(id.pAliveInformative).toBe(false);
    expect(id.evaluations).toBeLessThanOrEqual(CHECK_BUDGET);
  });
});
