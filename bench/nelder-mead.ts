/**
 * The previous value-model optimiser, kept only so bench/value-fit.ts can time it side by side with
 * the gradient fit (models/value/bfgs.ts). Nelder-Mead minimisation with restarts. Used on log-parameters, so the models' positivity
 * constraints never bind. Restarting from the best vertex with a fresh simplex guards against the
 * known failure of a collapsed simplex stopping short of the optimum; extra starting points guard
 * against local optima. The report says whether the final run converged.
 */
export interface OptimiseOptions {
  /** Initial simplex edge length (in the optimiser's coordinates, here log-parameters). */
  step?: number;
  /** Stop when the spread of function values across the simplex is below this (absolute). */
  fTol?: number;
  /** ... and the simplex fits in a box of this size. */
  xTol?: number;
  maxEvaluations?: number;
  /** Restarts from the best point found so far; stops early once a restart no longer improves. */
  restarts?: number;
  /** Further starting points tried in addition to `x0`. */
  extraStarts?: number[][];
}

export interface OptimiseResult {
  x: number[];
  value: number;
  converged: boolean;
  evaluations: number;
  iterations: number;
  restartsUsed: number;
  message: string;
}

interface RunResult {
  x: number[];
  value: number;
  converged: boolean;
  evaluations: number;
  iterations: number;
}

function nelderMead(f: (x: number[]) => number, x0: number[], step: number, fTol: number, xTol: number, maxEval: number): RunResult {
  const n = x0.length;
  // Non-finite values (overflow, invalid region) are treated as +∞ so the simplex moves away from them.
  const safe = (x: number[]): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] += step;
    pts.push(p);
  }
  const vals = pts.map(safe);
  let evaluations = n + 1;
  let iterations = 0;
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  while (evaluations < maxEval) {
    order.sort((i, j) => vals[i] - vals[j]);
    const best = order[0];
    const worst = order[n];
    const second = order[n - 1];
    let size = 0;
    for (let k = 1; k <= n; k++) for (let d = 0; d < n; d++) size = Math.max(size, Math.abs(pts[order[k]][d] - pts[best][d]));
    if (Math.abs(vals[worst] - vals[best]) <= fTol && size <= xTol) {
      return { x: pts[best].slice(), value: vals[best], converged: true, evaluations, iterations };
    }
    iterations++;
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) for (let d = 0; d < n; d++) centroid[d] += pts[order[k]][d] / n;
    const along = (t: number) => centroid.map((c, d) => c + t * (pts[worst][d] - c));
    const xr = along(-1);
    const fr = safe(xr);
    evaluations++;
    if (fr < vals[best]) {
      const xe = along(-2);
      const fe = safe(xe);
      evaluations++;
      if (fe < fr) {
        pts[worst] = xe;
        vals[worst] = fe;
      } else {
        pts[worst] = xr;
        vals[worst] = fr;
      }
    } else if (fr < vals[second]) {
      pts[worst] = xr;
      vals[worst] = fr;
    } else {
      const outside = fr < vals[worst];
      const xc = along(outside ? -0.5 : 0.5);
      const fc = safe(xc);
      evaluations++;
      if (fc < (outside ? fr : vals[worst])) {
        pts[worst] = xc;
        vals[worst] = fc;
      } else {
        for (let k = 1; k <= n; k++) {
          const i = order[k];
          pts[i] = pts[i].map((v, d) => pts[best][d] + 0.5 * (v - pts[best][d]));
          vals[i] = safe(pts[i]);
          evaluations++;
        }
      }
    }
  }
  order.sort((i, j) => vals[i] - vals[j]);
  return { x: pts[order[0]].slice(), value: vals[order[0]], converged: false, evaluations, iterations };
}

export function minimise(f: (x: number[]) => number, x0: number[], opts: OptimiseOptions = {}): OptimiseResult {
  const step = opts.step ?? 0.5;
  const fTol = opts.fTol ?? 1e-9;
  const xTol = opts.xTol ?? 1e-7;
  const maxEval = opts.maxEvaluations ?? 5000;
  const restarts = opts.restarts ?? 3;
  let evaluations = 0;
  let iterations = 0;
  let best: RunResult | undefined;
  for (const start of [x0, ...(opts.extraStarts ?? [])]) {
    const run = nelderMead(f, start, step, fTol, xTol, maxEval);
    evaluations += run.evaluations;
    iterations += run.iterations;
    if (!best || run.value < best.value) best = run;
  }
  let restartsUsed = 0;
  for (let i = 0; i < restarts && best; i++) {
    const run = nelderMead(f, best.x, step / 4, fTol, xTol, maxEval);
    evaluations += run.evaluations;
    iterations += run.iterations;
    restartsUsed++;
    const improved = best.value - run.value;
    if (run.value <= best.value) best = run;
    if (improved <= fTol * 10 && run.converged) break;
  }
  if (!best || !Number.isFinite(best.value)) {
    return { x: x0.slice(), value: NaN, converged: false, evaluations, iterations, restartsUsed, message: 'no finite objective value found' };
  }
  return {
    x: best.x,
    value: best.value,
    converged: best.converged,
    evaluations,
    iterations,
    restartsUsed,
    message: best.converged ? 'converged' : `stopped after ${maxEval} evaluations without meeting the tolerance`,
  };
}
