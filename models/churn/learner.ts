/**
 * The learner interface the churn model trains through, with two implementations: the histogram
 * forest used in production and an adapter over ml-random-forest (kept for the benchmark that
 * motivated the switch; see docs/decisions/0001-churn-learner.md).
 */
import { RandomForestClassifier } from 'ml-random-forest';
import { binRowMajor, predictBinned, type Forest } from './forest.js';
import { fitHistForest, type HistForestParams } from './hist-forest.js';
import type { Matrix } from './matrix.js';

export interface ChurnClassifier {
  readonly kind: string;
  /** P(churn) per row. */
  predict(x: Matrix): Float64Array;
}

export interface ChurnLearner {
  readonly kind: string;
  fit(x: Matrix, y: Uint8Array): ChurnClassifier;
}

export function predictForest(forest: Forest, x: Matrix): Float64Array {
  return predictBinned(forest, binRowMajor(forest.binning, x.data, x.nRows, x.nCols), x.nRows);
}

export function histForestLearner(params: HistForestParams): ChurnLearner {
  return {
    kind: 'hist-forest',
    fit(x, y) {
      const { forest } = fitHistForest(x, y, params);
      return { kind: 'hist-forest', predict: (m) => predictForest(forest, m) };
    },
  };
}

/** ml-random-forest has no missing values: NaN becomes a sentinel below every real value. */
function toRows(x: Matrix): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < x.nRows; i++) {
    const r = new Array<number>(x.nCols);
    for (let j = 0; j < x.nCols; j++) {
      const v = x.data[i * x.nCols + j];
      r[j] = Number.isNaN(v) ? -1e9 : v;
    }
    rows.push(r);
  }
  return rows;
}

export function mlRandomForestLearner(opts: { trees: number; maxFeatures: number; seed: number; minNumSamples?: number }): ChurnLearner {
  return {
    kind: 'ml-random-forest',
    fit(x, y) {
      const rf = new RandomForestClassifier({
        nEstimators: opts.trees,
        maxFeatures: opts.maxFeatures,
        seed: opts.seed,
        replacement: false,
        useSampleBagging: true,
        noOOB: true,
        treeOptions: { minNumSamples: opts.minNumSamples ?? 5 },
      });
      rf.train(toRows(x), Array.from(y));
      return {
        kind: 'ml-random-forest',
        predict: (m) => Float64Array.from(rf.predictProbability(toRows(m), 1) as number[]),
      };
    },
  };
}
