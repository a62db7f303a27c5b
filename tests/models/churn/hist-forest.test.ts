import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { binRowMajor, contributionsBinned, contributionsBlock, forestFromJSON, forestToJSON, predictBinned } from '../../../models/churn/forest.js';
import { assembleForest, binTraining, fitHistForest, growTrees, oobSumsExact, outOfBag, type HistForestParams } from '../../../models/churn/hist-forest.js';
import { fitHistForestParallel } from '../../../models/churn/hist-forest-parallel.js';
import { predictForest } from '../../../models/churn/learner.js';
import type { Matrix } from '../../../models/churn/matrix.js';
import { rocAuc } from '../../../models/churn/metrics.js';
import { seededRng } from '../../../models/churn/rng.js';

/** x0, x1 uniform; churn when exactly one exceeds 0.5 (an interaction no single split finds); x2..x4 noise. */
function xorData(n: number, seed: number, missingSignal = false): { x: Matrix; y: Uint8Array } {
  const rng = seededRng(seed);
  const nc = 5;
  const data = new Float64Array(n * nc);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nc; j++) data[i * nc + j] = rng.next();
    let label = (data[i * nc] > 0.5) !== (data[i * nc + 1] > 0.5) ? 1 : 0;
    if (rng.next() < 0.1) label = 1 - label;
    if (missingSignal) {
      // Feature 4 is missing exactly for one group, which then always churns.
      if (rng.next() < 0.2) {
        data[i * nc + 4] = Number.NaN;
        label = 1;
      }
    }
    y[i] = label;
  }
  return { x: { nRows: n, nCols: nc, data }, y };
}

const P: HistForestParams = { trees: 40, minSamplesLeaf: 5, maxDepth: 12, maxFeatures: 2, sampleSize: 0, bins: 32, seed: 9 };

describe('histogram forest', () => {
  it('learns an interaction and generalises to new rows', () => {
    const train = xorData(3000, 1);
    const test = xorData(2000, 2);
    const fit = fitHistForest(train.x, train.y, P);
    const auc = rocAuc(predictForest(fit.forest, test.x), test.y);
    // Best possible with 10% label noise is about 0.9; chance is 0.5.
    expect(auc).toBeGreaterThan(0.85);
    // The two informative features carry most of the importance.
    expect(fit.importance[0] + fit.importance[1]).toBeGreaterThan(0.6);
  });

  it('treats missing values as their own bin', () => {
    const train = xorData(3000, 3, true);
    const test = xorData(2000, 4, true);
    const fit = fitHistForest(train.x, train.y, P);
    const p = predictForest(fit.forest, test.x);
    let missMean = 0;
    let nMiss = 0;
    for (let i = 0; i < test.x.nRows; i++) {
      if (Number.isNaN(test.x.data[i * 5 + 4])) {
        missMean += p[i];
        nMiss++;
      }
    }
    expect(nMiss).toBeGreaterThan(300);
    expect(missMean / nMiss).toBeGreaterThan(0.85);
  });

  it('is reproducible with a seed, and a different seed gives a different forest', () => {
    const { x, y } = xorData(1500, 5);
    const a = fitHistForest(x, y, P);
    const b = fitHistForest(x, y, P);
    const c = fitHistForest(x, y, { ...P, seed: 10 });
    expect(forestToJSON(b.forest)).toEqual(forestToJSON(a.forest));
    expect(Array.from(b.oob)).toEqual(Array.from(a.oob));
    expect(forestToJSON(c.forest).value).not.toEqual(forestToJSON(a.forest).value);
  });

  it('Saabas contributions add up to each prediction (bias + sum of contributions)', () => {
    const { x, y } = xorData(1500, 6);
    const { forest } = fitHistForest(x, y, P);
    const rb = binRowMajor(forest.binning, x.data, x.nRows, x.nCols);
    const pred = predictBinned(forest, rb, x.nRows);
    for (let i = 0; i < 200; i++) {
      const { bias, contrib } = contributionsBinned(forest, rb, i);
      expect(bias + contrib.reduce((s, v) => s + v, 0)).toBeCloseTo(pred[i], 6);
      // Noise features matter little on average; x0/x1 drive the path.
      expect(Math.abs(contrib[0]) + Math.abs(contrib[1])).toBeGreaterThan(Math.abs(contrib[2]));
    }
  });

  it('serialises and restores to the same predictions', () => {
    const { x, y } = xorData(1000, 7);
    const { forest } = fitHistForest(x, y, P);
    const back = forestFromJSON(JSON.parse(JSON.stringify(forestToJSON(forest))));
    expect(Array.from(predictForest(back, x))).toEqual(Array.from(predictForest(forest, x)));
  });

  it('respects min_samples_leaf: every leaf is reached by at least that many training rows', () => {
    const { x, y } = xorData(800, 8);
    const { forest } = fitHistForest(x, y, { ...P, trees: 3, minSamplesLeaf: 20 });
    const rb = binRowMajor(forest.binning, x.data, x.nRows, x.nCols);
    // Each leaf was made from >= 20 distinct in-bag rows; out-of-bag rows can only add to that.
    for (let t = 0; t < 3; t++) {
      const reached = new Map<number, number>();
      for (let i = 0; i < x.nRows; i++) {
        let k = forest.offsets[t];
        while (forest.feature[k] >= 0) k = rb[i * 5 + forest.feature[k]] <= forest.threshold[k] ? k + 1 : forest.right[k];
        reached.set(k, (reached.get(k) ?? 0) + 1);
      }
      const end = t + 1 < 3 ? forest.offsets[t + 1] : forest.feature.length;
      let leaves = 0;
      for (let k = forest.offsets[t]; k < end; k++) if (forest.feature[k] < 0) leaves++;
      expect(reached.size).toBe(leaves);
      expect(leaves).toBeGreaterThan(3);
      for (const c of reached.values()) expect(c).toBeGreaterThanOrEqual(20);
    }
  });

  it('training on worker threads gives exactly the in-process forest', async () => {
    const { x, y } = xorData(1500, 12);
    const serial = fitHistForest(x, y, { ...P, trees: 7 });
    const parallel = await fitHistForestParallel(x, y, { ...P, trees: 7 }, 2);
    expect(forestToJSON(parallel.forest)).toEqual(forestToJSON(serial.forest));
    expect(Array.from(parallel.oob)).toEqual(Array.from(serial.oob));
    expect(Array.from(parallel.importance)).toEqual(Array.from(serial.importance));
  });

  it('counts every tree once as it is grown, on worker threads and in-process, without changing the forest', async () => {
    const { x, y } = xorData(1500, 12);
    const serial = fitHistForest(x, y, { ...P, trees: 7 });
    for (const workers of [2, 1]) {
      const ticks: number[] = [];
      const fit = await fitHistForestParallel(x, y, { ...P, trees: 7 }, workers, (n) => ticks.push(n));
      expect(ticks, `${workers} workers`).toEqual([1, 1, 1, 1, 1, 1, 1]);
      expect(forestToJSON(fit.forest)).toEqual(forestToJSON(serial.forest));
      expect(Array.from(fit.oob)).toEqual(Array.from(serial.oob));
    }
  });

  it('out-of-bag sums joined from several parts are the tree-order walks to the bit, and say when they would not be', () => {
    const { x, y } = xorData(2100, 15, true);
    for (const params of [{ ...P, trees: 23 }, { ...P, trees: 11, sampleSize: 700, minSamplesLeaf: 1 }, { ...P, trees: 3 }]) {
      const { binning, data } = binTraining(x, y, params);
      const cut = [0, 1, Math.ceil(params.trees / 2), params.trees];
      const parts = [0, 1, 2].map((k) => growTrees(data, params, cut[k], cut[k + 1]));
      const fit = assembleForest(binning, data, params, parts);
      expect(oobSumsExact(fit.forest.value, params.trees)).toBe(true);
      expect(Array.from(fit.oob)).toEqual(Array.from(outOfBag(fit.forest, data, params)));
      expect(Array.from(fit.oob)).toEqual(Array.from(fitHistForest(x, y, params).oob));
      // With 3 full bootstraps, many rows are in every bag (NaN); the sums still match there.
      expect(fit.oob.some((v) => Number.isNaN(v))).toBe(params.trees === 3);
    }
    // Leaves down to 2^-17 (a bag of 100k draws) with 100 trees: sums within 2^53 units of 2^-40. With 10k
    // trees, or leaves down to 2^-29 with more than 2 trees, they might not be.
    expect(oobSumsExact(Float32Array.of(0, 1, 2 ** -17, 0.3), 100)).toBe(true);
    expect(oobSumsExact(Float32Array.of(0, 1, 2 ** -17, 0.3), 10_000)).toBe(false);
    expect(oobSumsExact(Float32Array.of(0.5, 2 ** -29), 2)).toBe(true);
    expect(oobSumsExact(Float32Array.of(0.5, 2 ** -29), 3)).toBe(false);
    expect(oobSumsExact(Float32Array.of(0.5, 1.5 * 2 ** -30), 2)).toBe(false);
  });

  it('grows exactly the forests of the feature-by-feature implementation (pinned digests)', () => {
    // Digests of forest + OOB + importances computed by the implementation before decision 0009
    // (feature-major bins, one histogram at a time, double weights). Ties, missing values, a count-like
    // column, bootstrap caps and nodes where the first maxFeatures draws cannot split (more draws follow)
    // all occur here; any change in a split, a leaf value or the draw order changes a digest.
    const rng = seededRng(31);
    const n = 2500;
    const nc = 8;
    const data = new Float64Array(n * nc);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < nc; j++) data[i * nc + j] = rng.next();
      data[i * nc + 2] = Math.floor(rng.next() * rng.next() * 6);
      if (rng.next() < 0.7) data[i * nc + 3] = Number.NaN;
      let label = (data[i * nc] > 0.5) !== (data[i * nc + 1] > 0.4) ? 1 : 0;
      if (rng.next() < 0.2) label = 1 - label;
      y[i] = label;
    }
    const x: Matrix = { nRows: n, nCols: nc, data };
    const cases: [HistForestParams, number, string][] = [
      [{ trees: 12, minSamplesLeaf: 5, maxDepth: 12, maxFeatures: 2, sampleSize: 0, bins: 32, seed: 9 }, 4382, 'bb54e99299e23252'],
      [{ trees: 12, minSamplesLeaf: 3, maxDepth: 20, maxFeatures: 1, sampleSize: 1800, bins: 255, seed: 4 }, 6758, 'c0cb09ae75905666'],
      [{ trees: 12, minSamplesLeaf: 40, maxDepth: 8, maxFeatures: 5, sampleSize: 0, bins: 16, seed: 77 }, 678, '6d9162f4a8d58328'],
    ];
    for (const [params, nodes, digest] of cases) {
      const fit = fitHistForest(x, y, params);
      const h = createHash('sha256')
        .update(JSON.stringify(forestToJSON(fit.forest)))
        .update(Buffer.from(fit.oob.buffer))
        .update(Buffer.from(fit.importance.buffer));
      expect([fit.forest.feature.length, h.digest('hex').slice(0, 16)]).toEqual([nodes, digest]);
    }
  });

  it('packed histograms grow exactly the trees of the three-field histograms, six features per split included', () => {
    // Decision 0015: bags below 2^17 draws pack rows, weight and churned weight into one double per bin.
    // The three-field layout (still used for larger bags) is the reference; six features per split take
    // the written-out loop, the other counts the general one.
    const rng = seededRng(41);
    const n = 3000;
    const nc = 9;
    const data = new Float64Array(n * nc);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < nc; j++) data[i * nc + j] = rng.next() < 0.1 ? Number.NaN : Math.floor(rng.next() * (j + 2) * 7);
      y[i] = (data[i * nc] > 20) !== (data[i * nc + 5] > 30) || rng.next() < 0.15 ? 1 : 0;
    }
    const x: Matrix = { nRows: n, nCols: nc, data };
    const cases: HistForestParams[] = [
      { trees: 6, minSamplesLeaf: 5, maxDepth: 12, maxFeatures: 6, sampleSize: 0, bins: 64, seed: 3 },
      { trees: 6, minSamplesLeaf: 1, maxDepth: 30, maxFeatures: 6, sampleSize: 4000, bins: 255, seed: 5 },
      { trees: 6, minSamplesLeaf: 3, maxDepth: 10, maxFeatures: 3, sampleSize: 0, bins: 16, seed: 8 },
      { trees: 6, minSamplesLeaf: 2, maxDepth: 14, maxFeatures: 9, sampleSize: 1000, bins: 32, seed: 13 },
    ];
    for (const params of cases) {
      const { data: d } = binTraining(x, y, params);
      const packed = growTrees(d, params, 0, params.trees);
      const wide = growTrees(d, params, 0, params.trees, 'wide');
      expect(packed.trees.reduce((a, t) => a + t.feature.length, 0)).toBeGreaterThan(params.trees * 20);
      expect(packed.trees).toEqual(wide.trees);
      expect(packed.imps.map((v) => Array.from(v))).toEqual(wide.imps.map((v) => Array.from(v)));
      expect(Array.from(packed.oobSum)).toEqual(Array.from(wide.oobSum));
      expect(Array.from(packed.oobCount)).toEqual(Array.from(wide.oobCount));
    }
  });

  it('predicts, four rows at a time, exactly what one-row-at-a-time walks sum to', () => {
    const { x, y } = xorData(1203, 13, true);
    const { forest } = fitHistForest(x, y, { ...P, trees: 9 });
    const rb = binRowMajor(forest.binning, x.data, x.nRows, x.nCols);
    const expected = new Float64Array(x.nRows);
    for (let i = 0; i < x.nRows; i++) {
      let s = 0;
      for (let t = 0; t < forest.offsets.length; t++) {
        let k = forest.offsets[t];
        while (forest.feature[k] >= 0) k = rb[i * 5 + forest.feature[k]] <= forest.threshold[k] ? k + 1 : forest.right[k];
        s += forest.value[k];
      }
      expected[i] = s / forest.offsets.length;
    }
    // 1203 rows: blocks of 256 and a last block whose row count is not a multiple of four.
    expect(Array.from(predictBinned(forest, rb, x.nRows))).toEqual(Array.from(expected));
  });

  it('contributions of a block, four rows at a time, are those of contributionsBinned row by row, to the bit', () => {
    const { x, y } = xorData(263, 14, true);
    const { forest } = fitHistForest(x, y, { ...P, trees: 9 });
    const rb = binRowMajor(forest.binning, x.data, x.nRows, x.nCols);
    // Rows [3, 262): 259 rows, not a multiple of four, not starting at 0.
    const m = 259;
    const contrib = new Float64Array(m * 5);
    const bias = new Float64Array(m);
    contributionsBlock(forest, rb, 3, 3 + m, contrib, bias);
    for (let r = 0; r < m; r++) {
      const one = contributionsBinned(forest, rb, 3 + r);
      expect(bias[r]).toBe(one.bias);
      expect(Array.from(contrib.subarray(r * 5, r * 5 + 5))).toEqual(Array.from(one.contrib));
    }
  });
});
