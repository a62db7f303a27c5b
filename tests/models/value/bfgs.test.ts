import { describe, expect, it } from 'vitest';
import { hessianFromGradient, minimiseBfgs, symmetricEigen } from '../../../models/value/bfgs.js';

const rosenbrock = (v: number[], g: number[]) => {
  const [x, y] = v;
  g[0] = -400 * x * (y - x * x) - 2 * (1 - x);
  g[1] = 200 * (y - x * x);
  return 100 * (y - x * x) ** 2 + (1 - x) ** 2;
};

describe('minimiseBfgs', () => {
  it('finds the Rosenbrock minimum at (1, 1) in far fewer evaluations than Nelder-Mead needs', () => {
    const res = minimiseBfgs(rosenbrock, [-1.2, 1], { fTol: 1e-16, gTol: 1e-10 });
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 6);
    expect(res.x[1]).toBeCloseTo(1, 6);
    expect(res.evaluations).toBeLessThan(150);
  });

  it('never spends more than its evaluation budget, and says so', () => {
    let calls = 0;
    const res = minimiseBfgs(
      (v, g) => {
        calls++;
        return rosenbrock(v, g);
      },
      [-1.2, 1],
      { maxEvaluations: 10 },
    );
    expect(calls).toBeLessThanOrEqual(10);
    expect(res.evaluations).toBe(calls);
    expect(res.converged).toBe(false);
    expect(res.message).toMatch(/without meeting the tolerance/);
  });

  it('treats non-finite values as walls', () => {
    const res = minimiseBfgs((v, g) => {
      g[0] = 2 * (v[0] - 2);
      return v[0] < 0 || v[0] > 2.5 ? NaN : (v[0] - 2) ** 2;
    }, [1]);
    expect(res.x[0]).toBeCloseTo(2, 6);
  });

  it('stops on the relative change of the objective along a ridge that never ends', () => {
    // f = exp(-x) + y²: decreasing forever in x, with ever smaller steps of value.
    const res = minimiseBfgs((v, g) => {
      g[0] = -Math.exp(-v[0]);
      g[1] = 2 * v[1];
      return 1 + Math.exp(-v[0]) + v[1] ** 2;
    }, [0, 1], { fTol: 1e-10, maxEvaluations: 500 });
    expect(res.evaluations).toBeLessThan(500);
    expect(res.x[1]).toBeCloseTo(0, 4);
  });
});

describe('symmetricEigen and hessianFromGradient', () => {
  it('returns the eigenvalues of a known matrix in ascending order with unit eigenvectors', () => {
    // [[2,1],[1,2]] has eigenvalues 1 (along (1,-1)) and 3 (along (1,1)).
    const { values, vectors } = symmetricEigen([
      [2, 1],
      [1, 2],
    ]);
    expect(values[0]).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(3, 12);
    expect(Math.abs(vectors[0][0] + vectors[0][1])).toBeLessThan(1e-12);
    expect(Math.hypot(...vectors[1])).toBeCloseTo(1, 12);
  });

  it('reads the curvature of a quadratic exactly', () => {
    // f = x² + 3xy + 5y² → Hessian [[2, 3], [3, 10]].
    const H = hessianFromGradient((v, g) => {
      g[0] = 2 * v[0] + 3 * v[1];
      g[1] = 3 * v[0] + 10 * v[1];
      return v[0] ** 2 + 3 * v[0] * v[1] + 5 * v[1] ** 2;
    }, [0.3, -0.2]);
    expect(H[0][0]).toBeCloseTo(2, 8);
    expect(H[0][1]).toBeCloseTo(3, 8);
    expect(H[1][1]).toBeCloseTo(10, 8);
  });
});
