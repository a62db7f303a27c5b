import { describe, expect, it } from 'vitest';
import { groupHistories } from '../../../models/value/history.js';
import {
  bgnbdExpectedPurchases,
  bgnbdExpectedUnconditional,
  bgnbdLogLikelihood,
  bgnbdPAlive,
  fitBgNbd,
} from '../../../models/value/bgnbd.js';
import { simulateBgNbd } from './simulate.js';

const TRUE = { r: 0.6, alpha: 6, a: 1.3, b: 3.5 };
const sim = simulateBgNbd(20_000, TRUE, (u) => 20 + 32 * u(), 26, 20260101);

describe('BG/NBD likelihood and fit on simulated customers', () => {
  const h = groupHistories(
    sim.map((c) => c.x),
    sim.map((c) => c.tx),
    sim.map((c) => c.T),
  );

  it('recovers the generating parameters (likelihood-ratio and 25 % bounds)', () => {
    const fit = fitBgNbd(h);
    const llTrue = bgnbdLogLikelihood(TRUE, h);
    expect(fit.optimiser.converged).toBe(true);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(llTrue);
    // 2ΔLL ~ χ²(4): 18.5 is its 99.9 % point.
    expect(2 * (fit.logLikelihood - llTrue)).toBeLessThan(18.5);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(fit.params[k] / TRUE[k] - 1), k).toBeLessThan(0.25);
  });

  it('predicts future purchases and the share still alive that the simulation produced', () => {
    let predicted = 0;
    let actual = 0;
    let pAlive = 0;
    let alive = 0;
    for (const c of sim) {
      predicted += bgnbdExpectedPurchases(TRUE, 26, c.x, c.tx, c.T);
      actual += c.future;
      pAlive += bgnbdPAlive(TRUE, c.x, c.tx, c.T);
      alive += c.alive ? 1 : 0;
    }
    expect(Math.abs(predicted / actual - 1)).toBeLessThan(0.05);
    expect(Math.abs(pAlive / alive - 1)).toBeLessThan(0.02);
  });
});

describe('BG/NBD closed forms', () => {
  const p = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

  it('a new customer (x = 0, tx = 0, T = 0) is expected to buy E[X(t)]', () => {
    expect(bgnbdExpectedPurchases(p, 39, 0, 0, 0)).toBeCloseTo(bgnbdExpectedUnconditional(p, 39), 10);
  });

  it('E[X(t)] grows with t and is about r·t/α for small t', () => {
    expect(bgnbdExpectedUnconditional(p, 1e-4) / (1e-4 * (p.r / p.alpha))).toBeCloseTo(1, 3);
    expect(bgnbdExpectedUnconditional(p, 78)).toBeGreaterThan(bgnbdExpectedUnconditional(p, 39));
  });

  it('P(alive) is 1 without repeats and falls with time since the last purchase', () => {
    expect(bgnbdPAlive(p, 0, 0, 30)).toBe(1);
    expect(bgnbdPAlive(p, 3, 30, 30)).toBeGreaterThan(bgnbdPAlive(p, 3, 10, 30));
    // Hand computation for x = 2, tx = 20, T = 38: 1 / (1 + a/(b+1) · ((α+T)/(α+tx))^(r+2)).
    const hand = 1 / (1 + (0.793 / 3.426) * ((4.414 + 38) / (4.414 + 20)) ** 2.243);
    expect(bgnbdPAlive(p, 2, 20, 38)).toBeCloseTo(hand, 12);
  });

  it('stays finite for very frequent buyers (x = 5000)', () => {
    const recent = bgnbdExpectedPurchases(p, 13, 5000, 99.9, 100);
    const gone = bgnbdExpectedPurchases(p, 13, 5000, 20, 100);
    expect(Number.isFinite(recent)).toBe(true);
    // A buyer at 50 purchases a week who bought yesterday keeps buying at that rate: about 650 in 13 weeks.
    expect(recent).toBeGreaterThan(500);
    expect(recent).toBeLessThan(700);
    expect(gone).toBe(0);
    expect(Number.isFinite(bgnbdLogLikelihood(p, groupHistories([5000], [99.9], [100])))).toBe(true);
  });
});
