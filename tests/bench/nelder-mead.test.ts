import { describe, expect, it } from 'vitest';
import { minimise } from '../../bench/nelder-mead.js';

describe('minimise (Nelder-Mead with restarts)', () => {
  it('finds the Rosenbrock minimum at (1, 1) and reports convergence', () => {
    const res = minimise((v) => 100 * (v[1] - v[0] ** 2) ** 2 + (1 - v[0]) ** 2, [-1.2, 1], { fTol: 1e-14, xTol: 1e-9 });
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 5);
    expect(res.x[1]).toBeCloseTo(1, 5);
  });
  it('treats non-finite objective values as walls', () => {
    const res = minimise((v) => (v[0] < 0 ? NaN : (v[0] - 2) ** 2), [1]);
    expect(res.x[0]).toBeCloseTo(2, 5);
  });
  it('reports non-convergence when the evaluation budget runs out', () => {
    const res = minimise((v) => v.reduce((s, x, i) => s + (i + 1) * x * x, 0), [5, 5, 5, 5, 5, 5], { maxEvaluations: 20, restarts: 0 });
    expect(res.converged).toBe(false);
    expect(res.message).toMatch(/without meeting the tolerance/);
  });
});
