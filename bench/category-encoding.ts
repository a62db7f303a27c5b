/**
 * How to give a categorical attribute to the churn forest (docs/decisions/0006): held-out ROC AUC of
 * the histogram forest with the category coded by its churn-rate rank learned on the training rows
 * (the product, models/churn/encoding.ts), one-hot (one 0/1 column per category), and arbitrary codes
 * (category names in alphabetical order), next to the AUC of the planted probabilities. Synthetic:
 * one category with K levels whose logits are drawn at random (unrelated to their names), one
 * informative number, 30 noise columns (about the product's behavioural feature count, all
 * uninformative for a customer table alone); 20,000 training and 20,000 test rows; the product's
 * default forest (60 trees here, bins 64, depth 12, leaf 5, features per split 16 %).
 *
 * `npx tsx bench/category-encoding.ts [--levels 4,12,40] [--seeds 1,2]`. No timing; quality only.
 */
import { fitHistForest } from '../models/churn/hist-forest.js';
import { predictForest } from '../models/churn/learner.js';
import { rocAuc } from '../models/churn/metrics.js';
import { fitCategoryEncodings } from '../models/churn/encoding.js';
import type { Matrix } from '../models/churn/matrix.js';
import { mulberry32 } from '../tests/helpers/prng.js';

const NOISE = 30;
type Mode = 'rank' | 'onehot' | 'alphabetical';

interface Data {
  cat: string[];
  num: number[];
  noise: Float64Array;
  y: Uint8Array;
  p: Float64Array;
}

function generate(n: number, names: string[], logits: number[], u: () => number): Data {
  const d: Data = { cat: [], num: [], noise: new Float64Array(n * NOISE), y: new Uint8Array(n), p: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const k = Math.floor(u() * names.length);
    const z = 2 * u() - 1;
    d.cat.push(names[k]);
    d.num.push(z);
    for (let j = 0; j < NOISE; j++) d.noise[i * NOISE + j] = u();
    d.p[i] = 1 / (1 + Math.exp(-(logits[k] + z)));
    d.y[i] = u() < d.p[i] ? 1 : 0;
  }
  return d;
}

function matrix(d: Data, names: string[], mode: Mode, ranked: string[]): Matrix {
  const extra = mode === 'onehot' ? names.length : 1;
  const nCols = 1 + NOISE + extra;
  const n = d.y.length;
  const data = new Float64Array(n * nCols);
  for (let i = 0; i < n; i++) {
    const row = i * nCols;
    data[row] = d.num[i];
    for (let j = 0; j < NOISE; j++) data[row + 1 + j] = d.noise[i * NOISE + j];
    const k = names.indexOf(d.cat[i]);
    if (mode === 'onehot') data[row + 1 + NOISE + k] = 1;
    else data[row + 1 + NOISE] = mode === 'alphabetical' ? k : ranked.indexOf(d.cat[i]);
  }
  return { nRows: n, nCols, data };
}

export function compareEncodings(levels: number, seed: number): Record<string, number> {
  const u = mulberry32(seed);
  const names = Array.from({ length: levels }, (_, k) => `level${String(k).padStart(2, '0')}`);
  const logits = names.map(() => -2.5 + 3 * u());
  const train = generate(20_000, names, logits, u);
  const test = generate(20_000, names, logits, u);
  const [enc] = fitCategoryEncodings({ categorical: { c: train.cat }, y: train.y });
  const out: Record<string, number> = { levels, seed, planted: rocAuc(test.p, test.y) };
  for (const mode of ['rank', 'onehot', 'alphabetical'] as const) {
    const x = matrix(train, names, mode, enc.categories);
    const fit = fitHistForest(x, train.y, { trees: 60, minSamplesLeaf: 5, maxDepth: 12, bins: 64, seed: 42, sampleSize: 0, maxFeatures: Math.max(1, Math.round(0.16 * x.nCols)) });
    out[mode] = rocAuc(predictForest(fit.forest, matrix(test, names, mode, enc.categories)), test.y);
  }
  return out;
}

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : def).split(',').map(Number);
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('| levels | seed | planted | rank (product) | one-hot | alphabetical codes |');
  console.log('|---|---|---|---|---|---|');
  for (const levels of arg('levels', '4,12,40')) {
    for (const seed of arg('seeds', '1,2')) {
      const r = compareEncodings(levels, seed);
      console.log(`| ${levels} | ${seed} | ${r.planted.toFixed(4)} | ${r.rank.toFixed(4)} | ${r.onehot.toFixed(4)} | ${r.alphabetical.toFixed(4)} |`);
    }
  }
}
