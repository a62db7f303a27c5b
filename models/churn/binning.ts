import type { Matrix } from './matrix.js';
import { seededRng } from './rng.js';

/**
 * Per-feature bin edges from quantiles of (a sample of) the training rows. A value v falls in bin
 * 1 + (number of edges < v), so bin k holds edges[k-2] < v <= edges[k-1]; bin 0 is "missing".
 * A split "bin <= t" is therefore "missing, or value <= edges[t-1]" for t >= 1.
 */
export interface Binning {
  edges: number[][];
}

const EDGE_SAMPLE = 200_000;

export function fitBinning(x: Matrix, maxBins: number, seed = 1): Binning {
  const rng = seededRng(seed);
  const take = Math.min(x.nRows, EDGE_SAMPLE);
  const rows = new Int32Array(take);
  for (let k = 0; k < take; k++) rows[k] = x.nRows <= EDGE_SAMPLE ? k : rng.int(x.nRows);
  const edges: number[][] = [];
  const col = new Float64Array(take);
  for (let j = 0; j < x.nCols; j++) {
    let m = 0;
    for (let k = 0; k < take; k++) {
      const v = x.data[rows[k] * x.nCols + j];
      if (!Number.isNaN(v)) col[m++] = v;
    }
    const sorted = col.subarray(0, m).slice().sort();
    const distinct: number[] = [];
    for (let k = 0; k < m; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) distinct.push(sorted[k]);
    const e: number[] = [];
    const valueBins = maxBins - 1; // bin 0 is missing
    if (distinct.length <= valueBins) {
      // Few distinct values (counts, scores): one bin each, edges midway so any value maps exactly.
      for (let k = 0; k + 1 < distinct.length; k++) e.push((distinct[k] + distinct[k + 1]) / 2);
    } else {
      for (let q = 1; q < valueBins; q++) {
        const v = sorted[Math.min(m - 1, Math.floor((q * m) / valueBins))];
        if (e.length === 0 || v > e[e.length - 1]) e.push(v);
      }
    }
    edges.push(e);
  }
  return { edges };
}

export function binCount(b: Binning, j: number): number {
  return b.edges[j].length + 2;
}
