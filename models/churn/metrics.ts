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
 * ROC curve points from (0,0) to (1,1), one per distinct score (ties move both rates at once, a diagonal
 * step), thinned to about `maxPoints` by keeping points spread along the curve; the ends are always kept.
 */
export function rocCurve(score: ArrayLike<number>, y: ArrayLike<number>, maxPoints = 101): RocPoint[] {
  const n = score.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) if (y[i]) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return [];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    for (let k = i; k <= j; k++) {
      if (y[order[k]]) tp++;
      else fp++;
    }
    points.push({ fpr: fp / nNeg, tpr: tp / nPos });
    i = j + 1;
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  const thinned: RocPoint[] = [];
  for (let k = 0; k < maxPoints; k++) thinned.push(points[Math.round(k * step)]);
  return thinned;
}

/** ROC AUC via the Mann-Whitney statistic with mid-ranks for ties. */
export function rocAuc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[order[k]]) {
        rankSumPos += midRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Average precision (area under the precision-recall step curve), tied scores taken as one threshold. */
export function prAuc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (y[i]) nPos++;
  if (nPos === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    let tpHere = 0;
    while (j < n && score[order[j]] === score[order[i]]) {
      if (y[order[j]]) tpHere++;
      j++;
    }
    tp += tpHere;
    seen += j - i;
    ap += (tpHere / nPos) * (tp / seen);
    i = j;
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
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  const k = Math.max(1, Math.ceil(n / 10));
  let nPos = 0;
  let top = 0;
  for (let i = 0; i < n; i++) if (y[i]) nPos++;
  for (let i = 0; i < k; i++) if (y[order[i]]) top++;
  if (nPos === 0) return { lift: Number.NaN, capture: Number.NaN };
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
  const { lift, capture } = topDecile(score, y);
  const { table, ece } = reliabilityTable(score, y);
  return {
    count: score.length,
    count_churned: nPos,
    base_rate: nPos / score.length,
    roc_auc: rocAuc(score, y),
    pr_auc: prAuc(score, y),
    brier: brier(score, y),
    top_decile_lift: lift,
    top_decile_capture: capture,
    ece,
    reliability: table,
    roc_curve: rocCurve(score, y),
  };
}
