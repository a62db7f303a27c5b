/**
 * BFGS quasi-Newton minimisation with analytic gradients and a weak-Wolfe line search (Lewis &
 * Overton's bracketing bisection). The value models have 2–4 parameters, so the inverse Hessian is
 * kept dense (a limited-memory variant buys nothing at this size). Why this is written here rather
 * than taken from a package: docs/decisions/0002-value-optimiser.md.
 *
 * Stops when the objective's relative decrease stays below `fTol` for two consecutive iterations
 * (the models' objective is a mean negative log-likelihood, so this is a relative tolerance of the
 * log-likelihood), or when the gradient vanishes; never spends more than `maxEvaluations`
 * objective+gradient evaluations. Points where the objective is not finite act as walls: the line
 * search backs off from them.
 */
export interface BfgsOptions {
  /** Relative decrease of the objective below which an iteration counts as no progress. */
  fTol?: number;
  /** Max-norm of the gradient below which the point is a stationary point. */
  gTol?: number;
  /** Hard budget of objective+gradient evaluations for the whole run. */
  maxEvaluations?: number;
  /** First trial step length along the first direction (in the parameters' coordinates). */
  initialStep?: number;
}

export interface BfgsResult {
  x: number[];
  value: number;
  gradient: number[];
  converged: boolean;
  evaluations: number;
  iterations: number;
  message: string;
}

/** f(x) returns the objective and writes its gradient into `g`. */
export type ObjectiveWithGradient = (x: number[], g: number[]) => number;

const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i], 0);
const maxAbs = (u: number[]) => u.reduce((m, ui) => Math.max(m, Math.abs(ui)), 0);

export function minimiseBfgs(f: ObjectiveWithGradient, x0: number[], opts: BfgsOptions = {}): BfgsResult {
  const n = x0.length;
  const fTol = opts.fTol ?? 1e-12;
  const gTol = opts.gTol ?? 1e-9;
  const maxEval = opts.maxEvaluations ?? 200;
  let evaluations = 0;
  const evaluate = (x: number[], g: number[]): number => {
    evaluations++;
    const v = f(x, g);
    return Number.isFinite(v) && g.every(Number.isFinite) ? v : Infinity;
  };

  let x = x0.slice();
  let g = new Array<number>(n).fill(0);
  let fx = evaluate(x, g);
  if (!Number.isFinite(fx)) {
    return { x, value: NaN, gradient: g, converged: false, evaluations, iterations: 0, message: 'the objective is not finite at the starting point' };
  }
  // Inverse Hessian approximation, row-major.
  const H = new Array<number>(n * n).fill(0);
  const resetH = (scale: number) => {
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = scale;
  };
  resetH(1);
  let iterations = 0;
  let stalls = 0;
  let firstStep = true;
  let message = '';
  let converged = false;

  while (evaluations < maxEval) {
    if (maxAbs(g) <= gTol) {
      converged = true;
      message = 'converged (gradient vanished)';
      break;
    }
    const d = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i] -= H[i * n + j] * g[j];
    let slope = dot(d, g);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble in H): fall back to steepest descent.
      resetH(1);
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(d, g);
    }
    // Weak Wolfe line search: Armijo (c1) and curvature (c2), bracketing by bisection/doubling.
    const c1 = 1e-4;
    const c2 = 0.9;
    let lo = 0;
    let hi = Infinity;
    let t = firstStep ? Math.min(1, (opts.initialStep ?? 1) / Math.max(Math.sqrt(dot(d, d)), 1e-300)) : 1;
    let xt = x;
    let gt = g;
    let ft = fx;
    let accepted = false;
    for (let k = 0; k < 40 && evaluations < maxEval; k++) {
      const xn = x.map((xi, i) => xi + t * d[i]);
      const gn = new Array<number>(n).fill(0);
      const fn = evaluate(xn, gn);
      if (!(fn <= fx + c1 * t * slope)) {
        hi = t;
      } else if (dot(gn, d) < c2 * slope) {
        lo = t;
        // Remember the best Armijo point in case the budget runs out before curvature holds.
        xt = xn;
        gt = gn;
        ft = fn;
      } else {
        xt = xn;
        gt = gn;
        ft = fn;
        accepted = true;
        break;
      }
      t = hi < Infinity ? (lo + hi) / 2 : 2 * lo;
      if (hi < Infinity && hi - lo < 1e-16 * Math.max(1, hi)) break;
    }
    firstStep = false;
    iterations++;
    if (xt === x) {
      // No decrease found along d: at the resolution of floating point, this is the minimum.
      if (H.some((v, i) => v !== (i % (n + 1) === 0 ? 1 : 0))) {
        resetH(1);
        continue;
      }
      converged = maxAbs(g) <= 1e-5 * Math.max(1, Math.abs(fx));
      message = converged ? 'converged (no further decrease possible)' : 'line search found no decrease';
      break;
    }
    const s = xt.map((v, i) => v - x[i]);
    const y = gt.map((v, i) => v - g[i]);
    const decrease = fx - ft;
    x = xt;
    g = gt;
    fx = ft;
    const sy = dot(s, y);
    if (accepted && sy > 1e-300) {
      if (iterations === 1) resetH(sy / dot(y, y));
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const Hy = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hy[i] += H[i * n + j] * y[j];
      const yHy = dot(y, Hy);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) + (rho * rho * yHy + rho) * s[i] * s[j];
        }
      }
    }
    if (decrease <= fTol * Math.max(Math.abs(fx), 1)) {
      stalls++;
      if (stalls >= 2) {
        converged = true;
        message = 'converged (relative change of the objective below tolerance)';
        break;
      }
    } else stalls = 0;
  }
  if (!message) message = `stopped after ${evaluations} evaluations without meeting the tolerance`;
  return { x, value: fx, gradient: g, converged, evaluations, iterations, message };
}

/**
 * Hessian of `f` at `x` by central differences of its analytic gradient (2n gradient evaluations),
 * symmetrised. Used to read the curvature of the log-likelihood at the fit (identification).
 */
export function hessianFromGradient(f: ObjectiveWithGradient, x: number[], step = 1e-4): number[][] {
  const n = x.length;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const gp = new Array<number>(n).fill(0);
  const gm = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[j] += step;
    xm[j] -= step;
    f(xp, gp);
    f(xm, gm);
    for (let i = 0; i < n; i++) H[i][j] = (gp[i] - gm[i]) / (2 * step);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = (H[i][j] + H[j][i]) / 2;
      H[i][j] = v;
      H[j][i] = v;
    }
  }
  return H;
}

/** Eigenvalues (ascending) and unit eigenvectors of a small symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(M: number[][]): { values: number[]; vectors: number[][] } {
  const n = M.length;
  const A = M.map((r) => r.slice());
  const V: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += A[i][j] * A[i][j];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i][i] - A[j][j]);
  return { values: order.map((i) => A[i][i]), vectors: order.map((i) => V.map((row) => row[i])) };
}
