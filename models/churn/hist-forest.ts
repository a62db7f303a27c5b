/**
 * Histogram random forest: the learner behind `histForestLearner`. Features are binned once
 * (<= 255 bins, typed arrays); each split search builds per-bin counts for the node's rows and scans
 * the bins, so a node costs O(rows x features tried) instead of CART's sort-and-scan per threshold.
 * Bagging (bootstrap counts as weights), a random subset of features per split, Gini impurity and
 * min_samples_leaf follow scikit-learn's RandomForestClassifier, so its results are comparable.
 */
import { binCount, fitBinning, type Binning } from './binning.js';
import { binRowMajor, leavesOf, packedSplits, type Forest } from './forest.js';
import type { Matrix } from './matrix.js';
import { seededRng, subSeed, type Rng } from './rng.js';

export interface HistForestParams {
  trees: number;
  minSamplesLeaf: number;
  maxDepth: number;
  /** Features tried per split (at least 1). */
  maxFeatures: number;
  /** Bootstrap draws per tree; 0 = as many as rows. */
  sampleSize: number;
  bins: number;
  seed: number;
}

export interface HistForestFit {
  forest: Forest;
  /** Out-of-bag mean prediction per training row (NaN when a row was in every bag). */
  oob: Float64Array;
  /** Mean decrease in Gini impurity per feature, normalised to sum 1. */
  importance: Float64Array;
}

export interface TreeBuf {
  feature: number[];
  threshold: number[];
  right: number[];
  value: number[];
}

interface Ctx {
  /** Row-major bins: rb[i * nc + j] is the bin of row i, feature j (a row's features share a cache line). */
  rb: Uint8Array;
  n: number;
  nc: number;
  nBins: number[];
  /**
   * The node rows (bag row numbers), and beside them each row's weight and its weight if churned (else 0);
   * in a packed tree (bags of fewer than FIELD draws) the two are one packed entry per row instead (pk).
   */
  idx: Int32Array;
  wk: Int32Array;
  wyk: Int32Array;
  pk: Float64Array;
  packed: boolean;
  /** Scratch for the stable partition (as long as idx). */
  scratch: Int32Array;
  scratchW: Int32Array;
  scratchWy: Int32Array;
  scratchPk: Float64Array;
  p: HistForestParams;
  rng: Rng;
  perm: Int32Array;
  /**
   * The features drawn at a node, and their histograms: (slot * stride + bin) * 3 + {0: rows, 1: weight,
   * 2: churned weight}; packed: one entry per bin, histP[slot * stride + bin].
   */
  drawn: Int32Array;
  hist: Int32Array;
  histP: Float64Array;
  stride: number;
  /** Unpacked fields of a packed sum (scratch). */
  fields: Float64Array;
  imp: Float64Array;
  out: TreeBuf;
}

/**
 * Packed histograms (decision 0015): a row's three histogram updates (rows + 1, weight + w, churned
 * weight + wy) as one add of ROWS + w * WEIGHT + wy to one double. Each field stays a whole number below
 * FIELD when the bag has fewer than FIELD draws (every sum in a node is at most the bag's draws), so the
 * packed sums are exact below 2^53 and unpack to the same integers: one memory update instead of three.
 * Larger bags (sampleSize 0 on more than FIELD - 1 rows, or a larger sampleSize) take the three-field path.
 */
const FIELD = 2 ** 17;
const WEIGHT = FIELD;
const ROWS = FIELD * FIELD;

/** The rows, weight and churned weight of a packed sum. */
function unpack(v: number, out: Float64Array): void {
  const rows = Math.floor(v / ROWS);
  const rest = v - rows * ROWS;
  const w = Math.floor(rest / WEIGHT);
  out[0] = rows;
  out[1] = w;
  out[2] = rest - w * WEIGHT;
}

/**
 * fillHistograms on the packed layout. The default forest draws six features per split (16 % of 37),
 * and a loop written out for six updates per row runs about a third faster than the general loop over
 * the drawn features (the JIT keeps the six offsets in registers); other counts take the general loop.
 */
function fillPacked(c: Ctx, start: number, end: number, m: number): void {
  const { rb, idx, pk, histP: hist, drawn, nc, stride } = c;
  if (m === 6) {
    const f0 = drawn[0];
    const f1 = drawn[1];
    const f2 = drawn[2];
    const f3 = drawn[3];
    const f4 = drawn[4];
    const f5 = drawn[5];
    const b2 = 2 * stride;
    const b3 = 3 * stride;
    const b4 = 4 * stride;
    const b5 = 5 * stride;
    for (let k = start; k < end; k++) {
      const row = idx[k] * nc;
      const v = pk[k];
      hist[rb[row + f0]] += v;
      hist[stride + rb[row + f1]] += v;
      hist[b2 + rb[row + f2]] += v;
      hist[b3 + rb[row + f3]] += v;
      hist[b4 + rb[row + f4]] += v;
      hist[b5 + rb[row + f5]] += v;
    }
    return;
  }
  for (let k = start; k < end; k++) {
    const row = idx[k] * nc;
    const v = pk[k];
    for (let q = 0, base = 0; q < m; q++, base += stride) hist[base + rb[row + drawn[q]]] += v;
  }
}

/** scanHistogram on the packed layout: the same scan, on the running packed sum of the bins on the left. */
function scanPacked(c: Ctx, slot: number, nb: number, cnt: number, w: number, wp: number, bestScore: number, found: { f: number; t: number }, f: number): number {
  const { histP: hist, p } = c;
  const base = slot * c.stride;
  let bLo = 0;
  while (bLo < nb && hist[base + bLo] === 0) bLo++;
  if (bLo === nb) return bestScore;
  let bHi = nb - 1;
  while (hist[base + bHi] === 0) bHi--;
  const f3 = c.fields;
  let left = 0;
  const tEnd = Math.min(bHi, nb - 1);
  for (let t = bLo; t < tEnd; t++) {
    const v = hist[base + t];
    left += v;
    if (v === 0 && t > 0) continue;
    unpack(left, f3);
    const cl = f3[0];
    if (cl < p.minSamplesLeaf) continue;
    if (cnt - cl < p.minSamplesLeaf) break;
    const s = giniScore(f3[1], f3[2], w, wp);
    if (s > bestScore) {
      bestScore = s;
      found.f = f;
      found.t = t;
    }
  }
  hist.fill(0, base + bLo, base + bHi + 1);
  return bestScore;
}

/** The split score both scans maximise: the weighted Gini purity of the two sides (wl, pl on the left of w, wp). */
function giniScore(wl: number, pl: number, w: number, wp: number): number {
  const wr = w - wl;
  const pr = wp - pl;
  return (pl * pl + (wl - pl) * (wl - pl)) / wl + (pr * pr + (wr - pr) * (wr - pr)) / wr;
}

/**
 * Histograms of the features in slots [0, m) (features drawn[0..m)) over the node rows idx[start, end),
 * in one pass over the rows: each row's bins are read from one place, and the m histograms take
 * independent updates. Integer sums (bootstrap counts) are exact, so they equal the double sums.
 */
function fillHistograms(c: Ctx, start: number, end: number, m: number): void {
  const { rb, idx, wk, wyk, hist, drawn, nc, stride } = c;
  if (m === 1) {
    const f = drawn[0];
    for (let k = start; k < end; k++) {
      const o = rb[idx[k] * nc + f] * 3;
      hist[o]++;
      hist[o + 1] += wk[k];
      hist[o + 2] += wyk[k];
    }
    return;
  }
  const s3 = stride * 3;
  for (let k = start; k < end; k++) {
    const row = idx[k] * nc;
    const w = wk[k];
    const wy = wyk[k];
    for (let q = 0, base = 0; q < m; q++, base += s3) {
      const o = base + rb[row + drawn[q]] * 3;
      hist[o]++;
      hist[o + 1] += w;
      hist[o + 2] += wy;
    }
  }
}

/**
 * Scans the histogram in `slot` (feature f) for the best split better than c's current best, then
 * clears it. Returns the new best score (unchanged when no threshold beats it) and sets c.bestT.
 */
function scanHistogram(c: Ctx, slot: number, nb: number, cnt: number, w: number, wp: number, bestScore: number, found: { f: number; t: number }, f: number): number {
  const { hist, p } = c;
  const base = slot * c.stride * 3;
  // Only bins [bLo, bHi] hold rows. Below bLo nothing is on the left (fewer than minSamplesLeaf >= 1
  // rows: skipped); at bHi everything is on the left (the right side is empty: the scan stops). So
  // scanning [bLo, bHi) finds the same split as scanning every bin, at a fraction of the cost in
  // the many small nodes near the leaves.
  let bLo = 0;
  while (bLo < nb && hist[base + bLo * 3] === 0) bLo++;
  if (bLo === nb) return bestScore;
  let bHi = nb - 1;
  while (hist[base + bHi * 3] === 0) bHi--;
  let cl = 0;
  let wl = 0;
  let pl = 0;
  const tEnd = Math.min(bHi, nb - 1);
  for (let t = bLo; t < tEnd; t++) {
    const o = base + t * 3;
    const ct = hist[o];
    cl += ct;
    wl += hist[o + 1];
    pl += hist[o + 2];
    if (ct === 0 && t > 0) continue;
    if (cl < p.minSamplesLeaf) continue;
    if (cnt - cl < p.minSamplesLeaf) break;
    const s = giniScore(wl, pl, w, wp);
    if (s > bestScore) {
      bestScore = s;
      found.f = f;
      found.t = t;
    }
  }
  hist.fill(0, base + bLo * 3, base + (bHi + 1) * 3);
  return bestScore;
}

function grow(c: Ctx, start: number, end: number, w: number, wp: number, depth: number): void {
  const node = c.out.feature.length;
  c.out.feature.push(-1);
  c.out.threshold.push(0);
  c.out.right.push(-1);
  c.out.value.push(wp / w);
  const cnt = end - start;
  const { p } = c;
  if (depth >= p.maxDepth || cnt < 2 * p.minSamplesLeaf || wp <= 0 || wp >= w) return;

  const parentScore = (wp * wp + (w - wp) * (w - wp)) / w;
  let bestScore = parentScore + 1e-9 * w;
  const found = { f: -1, t: 0 };
  // Partial Fisher-Yates over features: try maxFeatures; if none of them can split, keep drawing.
  // The first maxFeatures draws do not depend on any histogram, so they are drawn first and their
  // histograms built in one pass; they are then scanned in draw order, as if one by one.
  const perm = c.perm;
  for (let j = 0; j < c.nc; j++) perm[j] = j;
  const draw = (tried: number): number => {
    const r = tried + c.rng.int(c.nc - tried);
    const f = perm[r];
    perm[r] = perm[tried];
    perm[tried] = f;
    return f;
  };
  const m = p.maxFeatures;
  const fill = c.packed ? fillPacked : fillHistograms;
  const scan = c.packed ? scanPacked : scanHistogram;
  for (let q = 0; q < m; q++) c.drawn[q] = draw(q);
  fill(c, start, end, m);
  for (let q = 0; q < m; q++) bestScore = scan(c, q, c.nBins[c.drawn[q]], cnt, w, wp, bestScore, found, c.drawn[q]);
  for (let tried = m; tried < c.nc && found.f < 0; tried++) {
    c.drawn[0] = draw(tried);
    fill(c, start, end, 1);
    bestScore = scan(c, 0, c.nBins[c.drawn[0]], cnt, w, wp, bestScore, found, c.drawn[0]);
  }
  const bestF = found.f;
  const bestT = found.t;
  if (bestF < 0) return;

  c.imp[bestF] += bestScore - parentScore;
  // Stable partition of idx[start, end): bins <= bestT to the left, the rest through the scratch
  // buffer. Each node's rows stay in ascending row order (the bag is built in order), so the histogram
  // loops above read the bins front to back instead of at random. (Sums of bootstrap counts are
  // exact, so the order changes no split.)
  const { idx, wk, wyk, scratch, scratchW, scratchWy, rb, nc } = c;
  let lo = start;
  let r = 0;
  let wl = 0;
  let pl = 0;
  if (c.packed) {
    const { pk, scratchPk } = c;
    let left = 0;
    for (let k = start; k < end; k++) {
      const i = idx[k];
      if (rb[i * nc + bestF] <= bestT) {
        left += pk[k];
        idx[lo] = i;
        pk[lo] = pk[k];
        lo++;
      } else {
        scratch[r] = i;
        scratchPk[r] = pk[k];
        r++;
      }
    }
    idx.set(scratch.subarray(0, r), lo);
    pk.set(scratchPk.subarray(0, r), lo);
    unpack(left, c.fields);
    wl = c.fields[1];
    pl = c.fields[2];
  } else {
    for (let k = start; k < end; k++) {
      const i = idx[k];
      if (rb[i * nc + bestF] <= bestT) {
        wl += wk[k];
        pl += wyk[k];
        idx[lo] = i;
        wk[lo] = wk[k];
        wyk[lo] = wyk[k];
        lo++;
      } else {
        scratch[r] = i;
        scratchW[r] = wk[k];
        scratchWy[r] = wyk[k];
        r++;
      }
    }
    idx.set(scratch.subarray(0, r), lo);
    wk.set(scratchW.subarray(0, r), lo);
    wyk.set(scratchWy.subarray(0, r), lo);
  }
  c.out.feature[node] = bestF;
  c.out.threshold[node] = bestT;
  grow(c, start, lo, wl, pl, depth + 1);
  c.out.right[node] = c.out.feature.length;
  grow(c, lo, end, w - wl, wp - pl, depth + 1);
}

/** The binned training data every tree (and every worker) grows from. */
export interface BinnedTraining {
  /** Row-major: bins[i * nc + j] is the bin of row i, feature j. */
  bins: Uint8Array;
  n: number;
  nc: number;
  nBins: number[];
  y: Uint8Array;
}

/** Trees [from, to): tree t draws from seed subSeed(seed, t), so any split across workers gives the same trees. */
export interface GrownTrees {
  trees: TreeBuf[];
  /** Impurity decrease per feature, one array per tree (summed in tree order by assembleForest). */
  imps: Float64Array[];
  /**
   * Out-of-bag walks of these trees, done where they grew: per training row, the sum (in tree order)
   * of the leaf values of the trees whose bag missed it, and how many trees those were.
   */
  oobSum: Float64Array;
  oobCount: Int32Array;
}

/** Rows drawn per tree: sampleSize caps the bootstrap on large histories (cost is linear in it); 0 = n. */
function bagSize(params: HistForestParams, n: number): number {
  return params.sampleSize > 0 ? Math.min(params.sampleSize, n) : n;
}

/**
 * `layout` 'wide' forces the three-field histograms even for a small bag; tests use it to show that both
 * layouts grow the same trees.
 */
export function growTrees(
  d: BinnedTraining,
  params: HistForestParams,
  from: number,
  to: number,
  layout: 'auto' | 'wide' = 'auto',
  /** Called after each tree (progress on a terminal); it cannot change the forest. */
  onTree?: () => void,
): GrownTrees {
  const { bins, n, nc, nBins, y } = d;
  const maxB = Math.max(...nBins);
  const p = { ...params, maxFeatures: Math.max(1, Math.min(nc, Math.round(params.maxFeatures))) };
  const draws = bagSize(params, n);
  const imps: Float64Array[] = [];
  const counts = new Int32Array(n);
  const idxAll = new Int32Array(n);
  // Packed histograms when every sum fits the packed fields; only the arrays of the layout in use are allocated.
  const packed = layout === 'auto' && draws < FIELD;
  const wide = packed ? 0 : n;
  const wAll = new Int32Array(wide);
  const wyAll = new Int32Array(wide);
  const scratch = new Int32Array(n);
  const scratchW = new Int32Array(wide);
  const scratchWy = new Int32Array(wide);
  const pkAll = new Float64Array(n - wide);
  const scratchPk = new Float64Array(n - wide);
  const hist = new Int32Array(packed ? 0 : p.maxFeatures * maxB * 3);
  const histP = new Float64Array(packed ? p.maxFeatures * maxB : 0);
  const fields = new Float64Array(3);
  const trees: TreeBuf[] = [];
  const oobSum = new Float64Array(n);
  const oobCount = new Int32Array(n);
  const oobRows = new Int32Array(n);
  const oobLeaf = new Int32Array(n);
  for (let t = from; t < to; t++) {
    // The bag is the first `draws` numbers of the tree's stream (outOfBag replays them).
    const rng = seededRng(subSeed(params.seed, t));
    counts.fill(0);
    for (let k = 0; k < draws; k++) counts[rng.int(n)]++;
    let m = 0;
    let w = 0;
    let wp = 0;
    for (let i = 0; i < n; i++) {
      if (counts[i] > 0) {
        if (packed) pkAll[m] = ROWS + counts[i] * WEIGHT + (y[i] ? counts[i] : 0);
        else {
          wAll[m] = counts[i];
          wyAll[m] = y[i] ? counts[i] : 0;
        }
        idxAll[m++] = i;
        w += counts[i];
        if (y[i]) wp += counts[i];
      }
    }
    const out: TreeBuf = { feature: [], threshold: [], right: [], value: [] };
    const imp = new Float64Array(nc);
    imps.push(imp);
    const ctx: Ctx = {
      rb: bins, n, nc, nBins, idx: idxAll.subarray(0, m), wk: wAll.subarray(0, packed ? 0 : m), wyk: wyAll.subarray(0, packed ? 0 : m),
      pk: pkAll.subarray(0, packed ? m : 0), packed, scratch, scratchW, scratchWy, scratchPk, p, rng,
      perm: new Int32Array(nc), drawn: new Int32Array(nc), hist, histP, stride: maxB, fields, imp, out,
    };
    grow(ctx, 0, m, w, wp, 0);
    trees.push(out);
    // Out of bag: the rows this tree's bag missed (counts still holds the bag) walk the tree now.
    let q = 0;
    for (let i = 0; i < n; i++) if (counts[i] === 0) oobRows[q++] = i;
    const { split, right, value } = packedTree(out);
    leavesOf(split, right, bins, nc, 0, oobRows, q, oobLeaf);
    for (let k = 0; k < q; k++) {
      const i = oobRows[k];
      oobSum[i] += value[oobLeaf[k]];
      oobCount[i]++;
    }
    onTree?.();
  }
  return { trees, imps, oobSum, oobCount };
}

/** One grown tree as the walks read it (packedSplits' layout, right children local; Float32 values as stored in the forest). */
function packedTree(t: TreeBuf): { split: Int32Array; right: Int32Array; value: Float32Array } {
  const len = t.feature.length;
  const split = new Int32Array(len);
  const right = new Int32Array(len);
  for (let k = 0; k < len; k++) {
    split[k] = t.feature[k] < 0 ? -1 : (t.feature[k] << 8) | t.threshold[k];
    right[k] = t.right[k];
  }
  return { split, right, value: Float32Array.from(t.value) };
}

/**
 * Whether the out-of-bag sums of the trees' parts may be added in any grouping and still equal the
 * tree-order sums to the bit. Every leaf value is a float32 in [0, 1]: when the smallest non-zero one
 * is at least 2^-m, each is a whole multiple of 2^-(m + 23), so every partial sum over at most T trees is
 * a whole multiple of it below T, and exact in a double as long as T * 2^(m + 23) <= 2^53. (Leaf values
 * are weighted churn shares >= 1 / bag size: with 100 trees this holds for bags of up to 2^23 draws.)
 */
export function oobSumsExact(value: Float32Array, trees: number): boolean {
  let min = Infinity;
  for (let k = 0; k < value.length; k++) {
    const v = value[k];
    if (!(v >= 0 && v <= 1)) return false;
    if (v > 0 && v < min) min = v;
  }
  if (min === Infinity) return true;
  let m = 0;
  while (2 ** -m > min) m++;
  return trees * 2 ** (m + 23) <= 2 ** 53;
}

/** Bootstrap counts of tree t: the first draws of its seeded stream, replayed (growTrees draws them first). */
function bagOf(t: number, n: number, params: HistForestParams, counts: Int32Array): void {
  const rng = seededRng(subSeed(params.seed, t));
  const draws = bagSize(params, n);
  counts.fill(0);
  for (let k = 0; k < draws; k++) counts[rng.int(n)]++;
}

/**
 * Out-of-bag prediction per training row: the mean over the trees whose bag missed it, summed in
 * tree order so the result does not depend on how trees were split across workers. (growTrees does
 * these walks as it goes; this is the fallback when the parts' sums cannot be joined exactly.)
 */
export function outOfBag(forest: Forest, d: BinnedTraining, params: HistForestParams): Float64Array {
  const { bins, n, nc } = d;
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  const counts = new Int32Array(n);
  const rows = new Int32Array(n);
  const leaf = new Int32Array(n);
  const { right, value, offsets } = forest;
  const split = packedSplits(forest);
  for (let t = 0; t < offsets.length; t++) {
    bagOf(t, n, params, counts);
    let m = 0;
    for (let i = 0; i < n; i++) if (counts[i] === 0) rows[m++] = i;
    leavesOf(split, right, bins, nc, offsets[t], rows, m, leaf);
    for (let q = 0; q < m; q++) {
      const i = rows[q];
      sum[i] += value[leaf[q]];
      cnt[i]++;
    }
  }
  for (let i = 0; i < n; i++) sum[i] = cnt[i] > 0 ? sum[i] / cnt[i] : Number.NaN;
  return sum;
}

export function binTraining(x: Matrix, y: Uint8Array, params: HistForestParams): { binning: Binning; data: BinnedTraining } {
  const binning = fitBinning(x, Math.min(255, Math.max(4, params.bins)), params.seed);
  const bins = binRowMajor(binning, x.data, x.nRows, x.nCols);
  const nBins = binning.edges.map((_, j) => binCount(binning, j));
  return { binning, data: { bins, n: x.nRows, nc: x.nCols, nBins, y } };
}

/** Joins grown parts (in tree order) into one flat forest, then computes OOB predictions and importances. */
export function assembleForest(binning: Binning, d: BinnedTraining, params: HistForestParams, parts: GrownTrees[]): HistForestFit {
  const nc = d.nc;
  let total = 0;
  for (const part of parts) for (const t of part.trees) total += t.feature.length;
  const feature = new Int16Array(total);
  const threshold = new Uint8Array(total);
  const right = new Int32Array(total);
  const value = new Float32Array(total);
  const offsets: number[] = [];
  const imp = new Float64Array(nc);
  let off = 0;
  for (const part of parts) {
    for (const ti of part.imps) for (let j = 0; j < nc; j++) imp[j] += ti[j];
    for (const t of part.trees) {
      offsets.push(off);
      for (let k = 0; k < t.feature.length; k++) {
        feature[off + k] = t.feature[k];
        threshold[off + k] = t.threshold[k];
        right[off + k] = t.right[k] < 0 ? -1 : t.right[k] + off;
        value[off + k] = t.value[k];
      }
      off += t.feature.length;
    }
  }
  const sum = imp.reduce((a, b) => a + b, 0);
  if (sum > 0) for (let j = 0; j < nc; j++) imp[j] /= sum;
  const forest: Forest = { nFeatures: nc, binning, offsets: Int32Array.from(offsets), feature, threshold, right, value };
  return { forest, oob: joinOutOfBag(forest, d, params, parts), importance: imp };
}

/**
 * The out-of-bag predictions from the parts' sums: one part's are already in tree order; several
 * parts' add up to the same bits when oobSumsExact says so, else the walks are done again here, in
 * tree order (outOfBag).
 */
function joinOutOfBag(forest: Forest, d: BinnedTraining, params: HistForestParams, parts: GrownTrees[]): Float64Array {
  const n = d.n;
  if (parts.length > 1 && !oobSumsExact(forest.value, forest.offsets.length)) return outOfBag(forest, d, params);
  const sum = new Float64Array(n);
  const cnt = new Int32Array(n);
  for (const part of parts) {
    for (let i = 0; i < n; i++) {
      sum[i] += part.oobSum[i];
      cnt[i] += part.oobCount[i];
    }
  }
  for (let i = 0; i < n; i++) sum[i] = cnt[i] > 0 ? sum[i] / cnt[i] : Number.NaN;
  return sum;
}

/** In-process training. */
export function fitHistForest(x: Matrix, y: Uint8Array, params: HistForestParams, onTree?: () => void): HistForestFit {
  const { binning, data } = binTraining(x, y, params);
  return assembleForest(binning, data, params, [growTrees(data, params, 0, params.trees, 'auto', onTree)]);
}
