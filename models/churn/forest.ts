/**
 * A trained forest of binary trees over binned features, stored flat in typed arrays (all trees
 * concatenated, `offsets[t]` = first node of tree t) so it serialises compactly and can be handed
 * to worker threads without copying node objects.
 *
 * Node layout is pre-order: the left child of node k is k + 1, the right child is right[k].
 * feature[k] = -1 marks a leaf. A row goes left when its bin <= threshold[k] (bin 0 = missing).
 * value[k] is the share of churned (weighted) training rows in the node; a tree's prediction is its
 * leaf value and the forest's the mean over trees, like scikit-learn's predict_proba.
 */
import type { Binning } from './binning.js';

export interface Forest {
  nFeatures: number;
  binning: Binning;
  offsets: Int32Array;
  feature: Int16Array;
  threshold: Uint8Array;
  right: Int32Array;
  value: Float32Array;
}

export function treeCount(f: Forest): number {
  return f.offsets.length;
}

/**
 * Rows are walked through the trees in blocks of this many, tree by tree: one tree's nodes stay in
 * cache while the block's rows walk it, instead of every row walking all trees' nodes (megabytes)
 * in turn. Each row still sums over trees in tree order, so the results are the same to the bit.
 */
const ROW_BLOCK = 256;

/**
 * The leaf each of rows[0, count) reaches in the tree rooted at `root` (`split` from packedSplits),
 * into leaf[0, count). Four rows walk the tree together, each step branch-free: a walk is a chain of
 * dependent loads, and four independent chains keep the core busy while one waits (about a fifth
 * less time than one row at a time). Which leaf a row reaches does not depend on it.
 */
export function leavesOf(split: Int32Array, right: Int32Array, rowBins: Uint8Array, nc: number, root: number, rows: Int32Array, count: number, leaf: Int32Array): void {
  const s = split[root];
  let q = 0;
  for (; q + 3 < count; q += 4) {
    const b0 = rows[q] * nc;
    const b1 = rows[q + 1] * nc;
    const b2 = rows[q + 2] * nc;
    const b3 = rows[q + 3] * nc;
    let k0 = root;
    let k1 = root;
    let k2 = root;
    let k3 = root;
    let s0 = s;
    let s1 = s;
    let s2 = s;
    let s3 = s;
    // Until all four are at a leaf (split -1: the AND of the four is negative only then). A step: left
    // (k + 1) when bin <= threshold, else right[k]; g is -1 for left, 0 for right.
    while ((s0 & s1 & s2 & s3) >= 0) {
      if (s0 >= 0) {
        const g = (rowBins[b0 + (s0 >> 8)] - (s0 & 255) - 1) >> 31;
        const r = right[k0];
        k0 = r + (g & (k0 + 1 - r));
        s0 = split[k0];
      }
      if (s1 >= 0) {
        const g = (rowBins[b1 + (s1 >> 8)] - (s1 & 255) - 1) >> 31;
        const r = right[k1];
        k1 = r + (g & (k1 + 1 - r));
        s1 = split[k1];
      }
      if (s2 >= 0) {
        const g = (rowBins[b2 + (s2 >> 8)] - (s2 & 255) - 1) >> 31;
        const r = right[k2];
        k2 = r + (g & (k2 + 1 - r));
        s2 = split[k2];
      }
      if (s3 >= 0) {
        const g = (rowBins[b3 + (s3 >> 8)] - (s3 & 255) - 1) >> 31;
        const r = right[k3];
        k3 = r + (g & (k3 + 1 - r));
        s3 = split[k3];
      }
    }
    leaf[q] = k0;
    leaf[q + 1] = k1;
    leaf[q + 2] = k2;
    leaf[q + 3] = k3;
  }
  for (; q < count; q++) {
    const base = rows[q] * nc;
    let k = root;
    let sk = s;
    while (sk >= 0) {
      const g = (rowBins[base + (sk >> 8)] - (sk & 255) - 1) >> 31;
      const r = right[k];
      k = r + (g & (k + 1 - r));
      sk = split[k];
    }
    leaf[q] = k;
  }
}

/** Mean leaf value over trees for each row of a row-major binned matrix (rowBins[i * nFeatures + j]). */
export function predictBinned(f: Forest, rowBins: Uint8Array, nRows: number, out = new Float64Array(nRows)): Float64Array {
  const { right, value, offsets } = f;
  const split = packedSplits(f);
  const nc = f.nFeatures;
  const nt = offsets.length;
  const sum = new Float64Array(ROW_BLOCK);
  const rows = new Int32Array(ROW_BLOCK);
  const leaf = new Int32Array(ROW_BLOCK);
  for (let r0 = 0; r0 < nRows; r0 += ROW_BLOCK) {
    const r1 = Math.min(nRows, r0 + ROW_BLOCK);
    const m = r1 - r0;
    for (let q = 0; q < m; q++) rows[q] = r0 + q;
    sum.fill(0);
    for (let t = 0; t < nt; t++) {
      leavesOf(split, right, rowBins, nc, offsets[t], rows, m, leaf);
      for (let q = 0; q < m; q++) sum[q] += value[leaf[q]];
    }
    for (let q = 0; q < m; q++) out[r0 + q] = sum[q] / nt;
  }
  return out;
}

/**
 * Split feature and threshold of every node packed in one int (feature << 8 | threshold; -1 for a
 * leaf), so a step of a tree walk reads one array instead of two. Built once per forest, cached.
 */
const packedCache = new WeakMap<Forest, Int32Array>();
export function packedSplits(f: Forest): Int32Array {
  let p = packedCache.get(f);
  if (!p) {
    p = new Int32Array(f.feature.length);
    for (let k = 0; k < p.length; k++) p[k] = f.feature[k] < 0 ? -1 : (f.feature[k] << 8) | f.threshold[k];
    packedCache.set(f, p);
  }
  return p;
}

/**
 * Saabas contributions for one row: along each tree's path, the change in node value at every split
 * is credited to the split's feature; averaged over trees. bias + sum(contrib) equals the prediction.
 */
export function contributionsBinned(
  f: Forest,
  rowBins: Uint8Array,
  row: number,
  contrib = new Float64Array(f.nFeatures),
): { bias: number; contrib: Float64Array } {
  const { right, value, offsets } = f;
  const split = packedSplits(f);
  const nc = f.nFeatures;
  const base = row * nc;
  contrib.fill(0);
  let bias = 0;
  for (let t = 0; t < offsets.length; t++) {
    let k = offsets[t];
    let v = value[k];
    bias += v;
    let s = split[k];
    while (s >= 0) {
      const ft = s >> 8;
      const next = rowBins[base + ft] <= (s & 255) ? k + 1 : right[k];
      const vn = value[next];
      contrib[ft] += vn - v;
      v = vn;
      k = next;
      s = split[k];
    }
  }
  const nt = offsets.length;
  for (let j = 0; j < nc; j++) contrib[j] /= nt;
  return { bias: bias / nt, contrib };
}

/**
 * Saabas contributions of rows [from, to) at once (the same figures as contributionsBinned, row by
 * row, to the bit), walked tree by tree over the block (see ROW_BLOCK), four rows together as in
 * leavesOf: contrib[(i - from) * nFeatures + j] and bias[i - from]. Each row still adds its steps in
 * path order and its trees in tree order.
 */
export function contributionsBlock(f: Forest, rowBins: Uint8Array, from: number, to: number, contrib: Float64Array, bias: Float64Array): void {
  const { right, value, offsets } = f;
  const split = packedSplits(f);
  const nc = f.nFeatures;
  const nt = offsets.length;
  const m = to - from;
  contrib.fill(0, 0, m * nc);
  bias.fill(0, 0, m);
  for (let t = 0; t < nt; t++) {
    const root = offsets[t];
    const v0 = value[root];
    const sRoot = split[root];
    let r = 0;
    for (; r + 3 < m; r += 4) {
      const b0 = (from + r) * nc;
      const b1 = b0 + nc;
      const b2 = b1 + nc;
      const b3 = b2 + nc;
      const c0 = r * nc;
      const c1 = c0 + nc;
      const c2 = c1 + nc;
      const c3 = c2 + nc;
      bias[r] += v0;
      bias[r + 1] += v0;
      bias[r + 2] += v0;
      bias[r + 3] += v0;
      let k0 = root;
      let k1 = root;
      let k2 = root;
      let k3 = root;
      let v0r = v0;
      let v1r = v0;
      let v2r = v0;
      let v3r = v0;
      let s0 = sRoot;
      let s1 = sRoot;
      let s2 = sRoot;
      let s3 = sRoot;
      while ((s0 & s1 & s2 & s3) >= 0) {
        if (s0 >= 0) {
          const ft = s0 >> 8;
          const g = (rowBins[b0 + ft] - (s0 & 255) - 1) >> 31;
          const rk = right[k0];
          k0 = rk + (g & (k0 + 1 - rk));
          const vn = value[k0];
          contrib[c0 + ft] += vn - v0r;
          v0r = vn;
          s0 = split[k0];
        }
        if (s1 >= 0) {
          const ft = s1 >> 8;
          const g = (rowBins[b1 + ft] - (s1 & 255) - 1) >> 31;
          const rk = right[k1];
          k1 = rk + (g & (k1 + 1 - rk));
          const vn = value[k1];
          contrib[c1 + ft] += vn - v1r;
          v1r = vn;
          s1 = split[k1];
        }
        if (s2 >= 0) {
          const ft = s2 >> 8;
          const g = (rowBins[b2 + ft] - (s2 & 255) - 1) >> 31;
          const rk = right[k2];
          k2 = rk + (g & (k2 + 1 - rk));
          const vn = value[k2];
          contrib[c2 + ft] += vn - v2r;
          v2r = vn;
          s2 = split[k2];
        }
        if (s3 >= 0) {
          const ft = s3 >> 8;
          const g = (rowBins[b3 + ft] - (s3 & 255) - 1) >> 31;
          const rk = right[k3];
          k3 = rk + (g & (k3 + 1 - rk));
          const vn = value[k3];
          contrib[c3 + ft] += vn - v3r;
          v3r = vn;
          s3 = split[k3];
        }
      }
    }
    for (; r < m; r++) {
      const base = (from + r) * nc;
      const cb = r * nc;
      let k = root;
      let v = v0;
      bias[r] += v;
      let sk = sRoot;
      while (sk >= 0) {
        const ft = sk >> 8;
        const next = rowBins[base + ft] <= (sk & 255) ? k + 1 : right[k];
        const vn = value[next];
        contrib[cb + ft] += vn - v;
        v = vn;
        k = next;
        sk = split[k];
      }
    }
  }
  for (let r = 0; r < m; r++) {
    bias[r] /= nt;
    for (let j = 0; j < nc; j++) contrib[r * nc + j] /= nt;
  }
}

/** Row-major bins for prediction (the learner works feature-major). */
export function binRowMajor(binning: Binning, data: Float64Array, nRows: number, nCols: number): Uint8Array {
  const out = new Uint8Array(nRows * nCols);
  for (let j = 0; j < nCols; j++) {
    const e = binning.edges[j];
    for (let i = 0; i < nRows; i++) {
      const v = data[i * nCols + j];
      let b = 0;
      if (!Number.isNaN(v)) {
        let lo = 0;
        let hi = e.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (e[mid] < v) lo = mid + 1;
          else hi = mid;
        }
        b = lo + 1;
      }
      out[i * nCols + j] = b;
    }
  }
  return out;
}

interface SerialForest {
  nFeatures: number;
  edges: number[][];
  offsets: string;
  feature: string;
  threshold: string;
  right: string;
  value: string;
}

const b64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromB64<T>(s: string, make: (buf: ArrayBuffer) => T): T {
  const buf = Buffer.from(s, 'base64');
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return make(copy);
}

export function forestToJSON(f: Forest): SerialForest {
  return {
    nFeatures: f.nFeatures,
    edges: f.binning.edges,
    offsets: b64(f.offsets),
    feature: b64(f.feature),
    threshold: b64(f.threshold),
    right: b64(f.right),
    value: b64(f.value),
  };
}

export function forestFromJSON(s: SerialForest): Forest {
  return {
    nFeatures: s.nFeatures,
    binning: { edges: s.edges },
    offsets: fromB64(s.offsets, (b) => new Int32Array(b)),
    feature: fromB64(s.feature, (b) => new Int16Array(b)),
    threshold: fromB64(s.threshold, (b) => new Uint8Array(b)),
    right: fromB64(s.right, (b) => new Int32Array(b)),
    value: fromB64(s.value, (b) => new Float32Array(b)),
  };
}
