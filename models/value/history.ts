/**
 * Purchase histories in the BG/NBD convention: x = repeat purchases (distinct purchase days − 1),
 * tx = time of the last purchase and T = age, both measured from the first purchase, in one time
 * unit (weeks in the published fits). Customers with identical (x, tx, T) contribute identical
 * likelihood terms, so they are fitted as one group with a weight.
 */
export interface HistoryGroups {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** How many customers share this history. */
  n: Float64Array;
  /** For each input customer, the index of its group (when built by groupHistories). */
  groupOf?: Int32Array;
}

export function groupHistories(x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>): HistoryGroups {
  const len = x.length;
  if (tx.length !== len || T.length !== len) throw new RangeError('groupHistories: x, tx and T must have the same length');
  const index = new Map<string, number>();
  const groupOf = new Int32Array(len);
  const gx: number[] = [];
  const gtx: number[] = [];
  const gT: number[] = [];
  const gn: number[] = [];
  for (let i = 0; i < len; i++) {
    // Exact float keys: grouping must not merge histories that differ.
    const key = `${x[i]}|${tx[i]}|${T[i]}`;
    let g = index.get(key);
    if (g === undefined) {
      g = gx.length;
      index.set(key, g);
      gx.push(x[i]);
      gtx.push(tx[i]);
      gT.push(T[i]);
      gn.push(0);
    }
    gn[g]++;
    groupOf[i] = g;
  }
  return { x: Float64Array.from(gx), tx: Float64Array.from(gtx), T: Float64Array.from(gT), n: Float64Array.from(gn), groupOf };
}

/** Checks the invariants the likelihood relies on; returns the first problem, or undefined. */
export function historyProblem(h: HistoryGroups): string | undefined {
  for (let i = 0; i < h.x.length; i++) {
    const x = h.x[i];
    const tx = h.tx[i];
    const T = h.T[i];
    if (!(Number.isInteger(x) && x >= 0)) return `group ${i}: x = ${x} is not a non-negative integer`;
    if (!(tx >= 0 && T >= tx)) return `group ${i}: need 0 <= tx <= T, got tx = ${tx}, T = ${T}`;
    if (x === 0 && tx !== 0) return `group ${i}: a customer without repeat purchases must have tx = 0, got ${tx}`;
    if (!(h.n[i] > 0)) return `group ${i}: weight ${h.n[i]} is not positive`;
  }
  return undefined;
}

/**
 * Groups histories given in whole days (the warehouse's case) with exact numeric keys, then converts
 * to the model's time unit. Falls back to groupHistories for non-integral input.
 */
export function groupHistoriesDays(x: ArrayLike<number>, txDays: ArrayLike<number>, TDays: ArrayLike<number>, unitDays: number): HistoryGroups {
  const len = x.length;
  let integral = true;
  for (let i = 0; i < len && integral; i++) {
    integral = Number.isInteger(txDays[i]) && Number.isInteger(TDays[i]) && TDays[i] >= 0 && TDays[i] < 1_048_576 && txDays[i] >= 0 && x[i] < 4096;
  }
  if (!integral) {
    return groupHistories(
      Float64Array.from(x),
      Float64Array.from(txDays, (v) => v / unitDays),
      Float64Array.from(TDays, (v) => v / unitDays),
    );
  }
  const index = new Map<number, number>();
  const groupOf = new Int32Array(len);
  const gx: number[] = [];
  const gtx: number[] = [];
  const gT: number[] = [];
  const gn: number[] = [];
  for (let i = 0; i < len; i++) {
    const key = (x[i] * 1_048_576 + txDays[i]) * 1_048_576 + TDays[i];
    let g = index.get(key);
    if (g === undefined) {
      g = gx.length;
      index.set(key, g);
      gx.push(x[i]);
      gtx.push(txDays[i] / unitDays);
      gT.push(TDays[i] / unitDays);
      gn.push(0);
    }
    gn[g]++;
    groupOf[i] = g;
  }
  return { x: Float64Array.from(gx), tx: Float64Array.from(gtx), T: Float64Array.from(gT), n: Float64Array.from(gn), groupOf };
}
