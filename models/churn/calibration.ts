/**
 * Probability calibration fitted on out-of-bag predictions (so the rows were not used by the trees
 * that scored them). Isotonic: pool-adjacent-violators, a monotone step function interpolated
 * linearly between block centres. Platt: logistic regression of the outcome on the logit of the score.
 */

export type Calibrator =
  | { kind: 'none' }
  | { kind: 'isotonic'; x: number[]; y: number[] }
  | { kind: 'platt'; a: number; b: number };

export function fitIsotonic(score: ArrayLike<number>, y: ArrayLike<number>): Calibrator {
  const order = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  // Blocks: weighted mean of y, with their score range.
  const bx: number[] = [];
  const by: number[] = [];
  const bw: number[] = [];
  for (const i of order) {
    bx.push(score[i]);
    by.push(y[i] ? 1 : 0);
    bw.push(1);
    while (by.length > 1 && by[by.length - 2] >= by[by.length - 1]) {
      const w = bw[bw.length - 2] + bw[bw.length - 1];
      const m = (by[by.length - 2] * bw[bw.length - 2] + by[by.length - 1] * bw[bw.length - 1]) / w;
      const xm = (bx[bx.length - 2] * bw[bw.length - 2] + bx[bx.length - 1] * bw[bw.length - 1]) / w;
      bx.pop();
      by.pop();
      bw.pop();
      bx[bx.length - 1] = xm;
      by[by.length - 1] = m;
      bw[bw.length - 1] = w;
    }
  }
  return { kind: 'isotonic', x: bx, y: by };
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

export function fitPlatt(score: ArrayLike<number>, y: ArrayLike<number>): Calibrator {
  // Newton's method on the logistic log-likelihood with Platt's smoothed targets.
  let nPos = 0;
  for (let i = 0; i < y.length; i++) if (y[i]) nPos++;
  const nNeg = y.length - nPos;
  const tPos = (nPos + 1) / (nPos + 2);
  const tNeg = 1 / (nNeg + 2);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let g0 = 0;
    let g1 = 0;
    let h00 = 1e-9;
    let h01 = 0;
    let h11 = 1e-9;
    for (let i = 0; i < score.length; i++) {
      const z = logit(score[i]);
      const p = 1 / (1 + Math.exp(-(a * z + b)));
      const d = p - (y[i] ? tPos : tNeg);
      const v = p * (1 - p);
      g0 += d * z;
      g1 += d;
      h00 += v * z * z;
      h01 += v * z;
      h11 += v;
    }
    const det = h00 * h11 - h01 * h01;
    if (Math.abs(det) < 1e-12) break;
    const da = (h11 * g0 - h01 * g1) / det;
    const db = (h00 * g1 - h01 * g0) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { kind: 'platt', a, b };
}

export function applyCalibrator(c: Calibrator, p: number): number {
  if (c.kind === 'none') return p;
  if (c.kind === 'platt') return 1 / (1 + Math.exp(-(c.a * logit(p) + c.b)));
  const { x, y } = c;
  if (x.length === 0) return p;
  if (p <= x[0]) return y[0];
  if (p >= x[x.length - 1]) return y[y.length - 1];
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= p) lo = mid;
    else hi = mid;
  }
  const t = x[hi] === x[lo] ? 0 : (p - x[lo]) / (x[hi] - x[lo]);
  return y[lo] + t * (y[hi] - y[lo]);
}

export function applyCalibratorAll(c: Calibrator, p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = applyCalibrator(c, p[i]);
  return out;
}
