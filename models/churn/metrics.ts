/**
 * Validation metrics for a churn probability against observed outcomes (1 = churned). All pure; ties
 * in scores are handled exactly (mid-rank AUC, grouped PR steps) so metrics do not depend on row order.
 */

export interface ReliabilityBin {
  bin: number;
  lower: number;
  upper: number;
  count: number;
  mean_predicted: number | null;
  observed_rate: number | null;
}

export interface ChurnMetrics {
  count: number;
  count_churned: number;
  base_rate: number;
  roc_auc: number;
  pr_auc: number;
  brier: number;
  top_decile_lift: number;
  top_decile_capture: number;
  /** Expected calibration error: count-weighted |mean predicted - observed| over the reliability bins. */
  ece: number;
  reliability: ReliabilityBin[];
  /** ROC curve: one point per distinct score threshold, thinned to at most ~100 points for charts. */
  roc_curve: RocPoint[];
}

export interface RocPoint {
  fpr: number;
  tpr: number;
}

/**
 * The distinct scores, highest first, with how many rows (count) and how many churned rows (pos) have
 * each: what every ranking metric below reads. One native sort of the scores and a binary search per
 * row, instead of a comparator sort of the row numbers per metric. NaN scores (none in practice) form
 * the last group, below every number.
 */
export interface ScoreGroups {
  n: number;
  nPos: number;
  value: Float64Array;
  count: Int32Array;
  pos: Int32Array;
}

export function scoreGroups(score: ArrayLike<number>, y: ArrayLike<number>): ScoreGroups {
  const n = score.length;
  const sorted = Float64Array.from(score).sort(); // ascending, NaN last
  let nNum = n;
  while (nNum > 0 && Number.isNaN(sorted[nNum - 1])) nNum--;
  const asc = new Float64Array(nNum);
  let d = 0;
  for (let i = 0; i < nNum; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) asc[d++] = sorted[i];
  const hasNaN = nNum < n ? 1 : 0;
  const cnt = new Int32Array(d + hasNaN);
  const pos = new Int32Array(d + hasNaN);
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    const v = score[i];
    let g = d; // NaN
    if (!Number.isNaN(v)) {
      let lo = 0;
      let hi = d - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (asc[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      g = d - 1 - lo; // descending
    }
    cnt[g]++;
    if (y[i]) {
      pos[g]++;
      nPos++;
    }
  }
  const value = new Float64Array(d + hasNaN);
  for (let g = 0; g < d; g++) value[g] = asc[d - 1 - g];
  if (hasNaN) value[d] = Number.NaN;
  return { n, nPos, value, count: cnt, pos };
}

/**
 * ROC curve points from (0,0) to (1,1), one per distinct score (ties move both rates at once, a diagonal
 * step), thinned to about `maxPoints` by keeping points spread along the curve; the ends are always kept.
 */
export function rocCurve(score: ArrayLike<number>, y: ArrayLike<number>, maxPoints = 101): RocPoint[] {
  return rocCurveOf(scoreGroups(score, y), maxPoints);
}

function rocCurveOf(s: ScoreGroups, maxPoints = 101): RocPoint[] {
  const nPos = s.nPos;
  const nNeg = s.n - nPos;
  if (nPos === 0 || nNeg === 0) return [];
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let g = 0; g < s.value.length; g++) {
    tp += s.pos[g];
    fp += s.count[g] - s.pos[g];
    points.push({ fpr: fp / nNeg, tpr: tp / nPos });
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  const thinned: RocPoint[] = [];
  for (let k = 0; k < maxPoints; k++) thinned.push(points[Math.round(k * step)]);
  return thinned;
}

/** ROC AUC via the Mann-Whitney statistic with mid-ranks for ties. */
export function rocAuc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  return rocAucOf(scoreGroups(score, y));
}

function rocAucOf(s: ScoreGroups): number {
  // Ranks ascend from the lowest score: the group at descending positions [a, a + count) holds
  // ascending ranks n - a - count + 1 .. n - a. The rank sum is of halves far below 2^53: exact in any order.
  const n = s.n;
  let rankSumPos = 0;
  let a = 0;
  for (let g = 0; g < s.value.length; g++) {
    const i = n - a - s.count[g];
    const j = n - a - 1;
    rankSumPos += s.pos[g] * ((i + j) / 2 + 1);
    a += s.count[g];
  }
  const nPos = s.nPos;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Average precision (area under the precision-recall step curve), tied scores taken as one threshold. */
export function prAuc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  return prAucOf(scoreGroups(score, y));
}

function prAucOf(s: ScoreGroups): number {
  const nPos = s.nPos;
  if (nPos === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let g = 0; g < s.value.length; g++) {
    const tpHere = s.pos[g];
    tp += tpHere;
    seen += s.count[g];
    ap += (tpHere / nPos) * (tp / seen);
  }
  return ap;
}

export function brier(score: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < score.length; i++) s += (score[i] - (y[i] ? 1 : 0)) ** 2;
  return s / score.length;
}

/** Lift and capture in the top 10% by score (ties broken by index, so deterministic). */
export function topDecile(score: ArrayLike<number>, y: ArrayLike<number>): { lift: number; capture: number } {
  return topDecileOf(scoreGroups(score, y), score, y);
}

function topDecileOf(s: ScoreGroups, score: ArrayLike<number>, y: ArrayLike<number>): { lift: number; capture: number } {
  const { n, nPos } = s;
  if (nPos === 0) return { lift: Number.NaN, capture: Number.NaN };
  const k = Math.max(1, Math.ceil(n / 10));
  // Whole groups above the k-th row, then the first rows (by index) of the group it falls in.
  let g = 0;
  let before = 0;
  let top = 0;
  while (before + s.count[g] < k) {
    before += s.count[g];
    top += s.pos[g];
    g++;
  }
  const v = s.value[g];
  const isNaN = Number.isNaN(v);
  for (let i = 0, need = k - before; need > 0; i++) {
    if (score[i] === v || (isNaN && Number.isNaN(score[i]))) {
      if (y[i]) top++;
      need--;
    }
  }
  return { lift: top / k / (nPos / n), capture: top / nPos };
}

/** Equal-width reliability table over [0, 1]. */
export function reliabilityTable(score: ArrayLike<number>, y: ArrayLike<number>, bins = 10): { table: ReliabilityBin[]; ece: number } {
  const cnt = new Array<number>(bins).fill(0);
  const sp = new Array<number>(bins).fill(0);
  const sy = new Array<number>(bins).fill(0);
  for (let i = 0; i < score.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(score[i] * bins)));
    cnt[b]++;
    sp[b] += score[i];
    sy[b] += y[i] ? 1 : 0;
  }
  let ece = 0;
  const table = cnt.map((c, b) => {
    if (c > 0) ece += (c / score.length) * Math.abs(sp[b] / c - sy[b] / c);
    return {
      bin: b,
      lower: b / bins,
      upper: (b + 1) / bins,
      count: c,
      mean_predicted: c > 0 ? sp[b] / c : null,
      observed_rate: c > 0 ? sy[b] / c : null,
    };
  });
  return { table, ece };
}

export function churnMetrics(score: ArrayLike<number>, y: ArrayLike<number>): ChurnMetrics {
  let nPos = 0;
  for (let i = 0; i < y.length; i++) if (y[i]) nPos++;
  const groups = scoreGroups(score, y);
  const { lift, capture } = topDecileOf(groups, score, y);
  const { table, ece } = reliabilityTable(score, y);
  return {
    count: score.length,
    count_churned: nPos,
    base_rate: nPos / score.length,
    roc_auc: rocAucOf(groups),
    pr_auc: prAucOf(groups),
    brier: brier(score, y),
    top_decile_lift: lift,
    top_decile_capture: capture,
    ece,
    reliability: table,
    roc_curve: rocCurveOf(groups),
  };
}
