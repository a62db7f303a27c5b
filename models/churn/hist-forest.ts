/**
 * Histogram random forest: the learner behind `histForestLearner`. Features are binned once
 * (<= 255 bins, typed arrays); each split search builds per-bin counts for the node's rows and scans
 * the bins, so a node costs O(rows x features tried) instead of CART's sort-and-scan per threshold.
 * Bagging (bootstrap counts as weights), a random subset of features per split, Gini impurity and
 * min_samples_leaf follow scikit-learn's RandomForestClassifier, so its results are comparable.
 */
import { applyBinning, binCount, fitBinning, type Binning } from './binning.js';
import type { Forest } from './forest.js';
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
  bins: Uint8Array;
  n: number;
  nc: number;
  nBins: number[];
  /** The node rows (bag row numbers), and beside them each row's weight and its weight if churned (else 0). */
  idx: Int32Array;
  wk: Float64Array;
  wyk: Float64Array;
  /** Scratch for the stable partition (as long as idx). */
  scratch: Int32Array;
  scratchW: Float64Array;
  scratchWy: Float64Array;
  p: HistForestParams;
  rng: Rng;
  perm: Int32Array;
  hc: Int32Array;
  hw: Float64Array;
  hp: Float64Array;
  imp: Float64Array;
  out: TreeBuf;
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
  let bestF = -1;
  let bestT = 0;
  // Partial Fisher-Yates over features: try maxFeatures; if none of them can split, keep drawing.
  const perm = c.perm;
  for (let j = 0; j < c.nc; j++) perm[j] = j;
  for (let tried = 0; tried < c.nc; tried++) {
    if (tried >= p.maxFeatures && bestF >= 0) break;
    const r = tried + c.rng.int(c.nc - tried);
    const f = perm[r];
    perm[r] = perm[tried];
    perm[tried] = f;
    const nb = c.nBins[f];
    const { hc, hw, hp, bins, idx, wk, wyk } = c;
    // The histograms are all zero here (each scan clears the bins it used, below).
    const base = f * c.n;
    let bLo = nb;
    let bHi = 0;
    for (let k = start; k < end; k++) {
      const i = idx[k];
      const b = bins[base + i];
      hc[b]++;
      hw[b] += wk[k];
      // wyk = the weight for churned rows, 0 otherwise: adding +0 changes no sum, and no branch on the label.
      hp[b] += wyk[k];
      if (b < bLo) bLo = b;
      if (b > bHi) bHi = b;
    }
    // Only bins [bLo, bHi] hold rows. Below bLo nothing is on the left (fewer than minSamplesLeaf >= 1
    // rows: skipped); at bHi everything is on the left (the right side is empty: the scan stops). So
    // scanning [bLo, bHi) finds the same split as scanning every bin, at a fraction of the cost in
    // the many small nodes near the leaves.
    let cl = 0;
    let wl = 0;
    let pl = 0;
    const tEnd = Math.min(bHi, nb - 1);
    for (let t = bLo; t < tEnd; t++) {
      cl += hc[t];
      wl += hw[t];
      pl += hp[t];
      if (hc[t] === 0 && t > 0) continue;
      if (cl < p.minSamplesLeaf) continue;
      if (cnt - cl < p.minSamplesLeaf) break;
      const wr = w - wl;
      const pr = wp - pl;
      const s = (pl * pl + (wl - pl) * (wl - pl)) / wl + (pr * pr + (wr - pr) * (wr - pr)) / wr;
      if (s > bestScore) {
        bestScore = s;
        bestF = f;
        bestT = t;
      }
    }
    hc.fill(0, bLo, bHi + 1);
    hw.fill(0, bLo, bHi + 1);
    hp.fill(0, bLo, bHi + 1);
  }
  if (bestF < 0) return;

  c.imp[bestF] += bestScore - parentScore;
  // Stable partition of idx[start, end): bins <= bestT to the left, the rest through the scratch
  // buffer. Each node's rows stay in ascending row order (the bag is built in order), so the histogram
  // loops above read bins, w and wy front to back instead of at random. (Sums of bootstrap counts are
  // exact in doubles, so the order changes no split.)
  const base = bestF * c.n;
  const { idx, wk, wyk, scratch, scratchW, scratchWy, bins } = c;
  let lo = start;
  let r = 0;
  let wl = 0;
  let pl = 0;
  for (let k = start; k < end; k++) {
    const i = idx[k];
    if (bins[base + i] <= bestT) {
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
  c.out.feature[node] = bestF;
  c.out.threshold[node] = bestT;
  grow(c, start, lo, wl, pl, depth + 1);
  c.out.right[node] = c.out.feature.length;
  grow(c, lo, end, w - wl, wp - pl, depth + 1);
}

/** The binned training data every tree (and every worker) grows from. */
export interface BinnedTraining {
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
}

/** Rows drawn per tree: sampleSize caps the bootstrap on large histories (cost is linear in it); 0 = n. */
function bagSize(params: HistForestParams, n: number): number {
  return params.sampleSize > 0 ? Math.min(params.sampleSize, n) : n;
}

export function growTrees(d: BinnedTraining, params: HistForestParams, from: number, to: number): GrownTrees {
  const { bins, n, nc, nBins, y } = d;
  const maxB = Math.max(...nBins);
  const p = { ...params, maxFeatures: Math.max(1, Math.min(nc, Math.round(params.maxFeatures))) };
  const draws = bagSize(params, n);
  const imps: Float64Array[] = [];
  const counts = new Float64Array(n);
  const idxAll = new Int32Array(n);
  const wAll = new Float64Array(n);
  const wyAll = new Float64Array(n);
  const scratch = new Int32Array(n);
  const scratchW = new Float64Array(n);
  const scratchWy = new Float64Array(n);
  const trees: TreeBuf[] = [];
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
        wAll[m] = counts[i];
        wyAll[m] = y[i] ? counts[i] : 0;
        idxAll[m++] = i;
        w += counts[i];
        if (y[i]) wp += counts[i];
      }
    }
    const out: TreeBuf = { feature: [], threshold: [], right: [], value: [] };
    const imp = new Float64Array(nc);
    imps.push(imp);
    const ctx: Ctx = {
      bins, n, nc, nBins, idx: idxAll.subarray(0, m), wk: wAll.subarray(0, m), wyk: wyAll.subarray(0, m), scratch, scratchW, scratchWy, p, rng,
      perm: new Int32Array(nc), hc: new Int32Array(maxB), hw: new Float64Array(maxB), hp: new Float64Array(maxB), imp, out,
    };
    grow(ctx, 0, m, w, wp, 0);
    trees.push(out);
  }
  return { trees, imps };
}

/** Bootstrap counts of tree t: the first draws of its seeded stream, replayed (growTrees draws them first). */
function bagOf(t: number, n: number, params: HistForestParams, counts: Float64Array): void {
  const rng = seededRng(subSeed(params.seed, t));
  const draws = bagSize(params, n);
  counts.fill(0);
  for (let k = 0; k < draws; k++) counts[rng.int(n)]++;
}

/**
 * Out-of-bag prediction per training row: the mean over the trees whose bag missed it, summed in
 * tree order so the result does not depend on how trees were split across workers.
 */
function outOfBag(forest: Forest, d: BinnedTraining, params: HistForestParams): Float64Array {
  const { bins, n } = d;
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  const counts = new Float64Array(n);
  const { feature, threshold, right, value, offsets } = forest;
  for (let t = 0; t < offsets.length; t++) {
    bagOf(t, n, params, counts);
    for (let i = 0; i < n; i++) {
      if (counts[i] > 0) continue;
      let k = offsets[t];
      while (feature[k] >= 0) k = bins[feature[k] * n + i] <= threshold[k] ? k + 1 : right[k];
      sum[i] += value[k];
      cnt[i]++;
    }
  }
  for (let i = 0; i < n; i++) sum[i] = cnt[i] > 0 ? sum[i] / cnt[i] : Number.NaN;
  return sum;
}

export function binTraining(x: Matrix, y: Uint8Array, params: HistForestParams): { binning: Binning; data: BinnedTraining } {
  const binning = fitBinning(x, Math.min(255, Math.max(4, params.bins)), params.seed);
  const bins = applyBinning(binning, x);
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
  return { forest, oob: outOfBag(forest, d, params), importance: imp };
}

/** In-process training. */
export function fitHistForest(x: Matrix, y: Uint8Array, params: HistForestParams): HistForestFit {
  const { binning, data } = binTraining(x, y, params);
  return assembleForest(binning, data, params, [growTrees(data, params, 0, params.trees)]);
}
