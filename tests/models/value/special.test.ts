import { describe, expect, it } from 'vitest';
import { lbeta, lgamma, log2F1, logAddExp, logSumExp } from '../../../models/value/special.js';

describe('lgamma', () => {
  it('matches factorials and Γ(1/2) = √π', () => {
    expect(lgamma(1)).toBeCloseTo(0, 13);
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 11);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    // ln 170! from the sum of logs, independent of the Lanczos series.
    let s = 0;
    for (let k = 2; k <= 170; k++) s += Math.log(k);
    expect(lgamma(171)).toBeCloseTo(s, 8);
  });
  it('stays finite far beyond where Γ overflows', () => {
    // Stirling: ln Γ(x) ≈ (x − 1/2) ln x − x + ln(2π)/2 + 1/(12x)
    const x = 1e6;
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x);
    expect(lgamma(x) / stirling).toBeCloseTo(1, 12);
  });
  it('lbeta(a, b) = ln(Γ(a)Γ(b)/Γ(a+b)) for small integers', () => {
    expect(lbeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13);
  });
});

describe('log-sum-exp', () => {
  it('does not overflow or underflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(-1000, -Infinity)).toBe(-1000);
    expect(logSumExp([-2000, -2000, -2000])).toBeCloseTo(-2000 + Math.log(3), 12);
  });
});

describe('log2F1', () => {
  it('matches closed forms', () => {
    // 2F1(1, 1; 2; z) = −ln(1 − z)/z
    for (const z of [0.1, 0.5, 0.9, 0.999]) expect(log2F1(1, 1, 2, z)).toBeCloseTo(Math.log(-Math.log(1 - z) / z), 10);
    // 2F1(a, b; b; z) = (1 − z)^−a
    expect(log2F1(3.7, 2.2, 2.2, 0.8)).toBeCloseTo(-3.7 * Math.log(0.2), 10);
  });
  it('handles very large parameters without overflow', () => {
    // (1 − z)^−a with a = 5000: the plain series would overflow a double by hundreds of orders of magnitude.
    const v = log2F1(5000, 700, 700, 0.5);
    expect(v).toBeCloseTo(5000 * Math.LN2, 6);
  });
  it('rejects z outside [0, 1)', () => {
    expect(() => log2F1(1, 1, 2, 1)).toThrow(RangeError);
  });
});
