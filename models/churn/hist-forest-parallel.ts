/**
 * Training across worker threads: the main thread bins once, each worker grows a contiguous range
 * of trees from the same bins and seeds, and the parts are joined in tree order. The forest is
 * identical to fitHistForest's for any number of workers.
 */
import { availableParallelism } from 'node:os';
import { assembleForest, binTraining, fitHistForest, type GrownTrees, type HistForestFit, type HistForestParams } from './hist-forest.js';
import type { Matrix } from './matrix.js';
import { runModuleWorker } from './worker-spawn.js';

/** Worker threads pay off from a few thousand rows on; below that, training is well under a second. */
export function defaultTrainWorkers(rows: number): number {
  return rows >= 5_000 ? Math.min(2, availableParallelism()) : 0;
}

/** Trees grown (in workers), not yet joined: `finish()` joins them and computes OOB and importances on this thread. */
export interface GrownForest {
  finish(): HistForestFit;
}

/**
 * Bins on this thread, grows the trees across `workers` worker threads and resolves once they are
 * grown. The caller may start other work before calling finish() (train.ts starts the next forest's
 * workers first, so this thread's share overlaps with them).
 */
export async function growHistForestParallel(x: Matrix, y: Uint8Array, params: HistForestParams, workers: number, onTrees?: (n: number) => void): Promise<GrownForest> {
  const w = Math.min(workers, params.trees);
  if (w <= 1) {
    const fit = fitHistForest(x, y, params, onTrees && (() => onTrees(1)));
    return { finish: () => fit };
  }
  const { binning, data } = binTraining(x, y, params);
  const per = Math.ceil(params.trees / w);
  const parts = await Promise.all(
    Array.from({ length: w }, (_, k) =>
      runModuleWorker<GrownTrees>('train-worker', { data, params, from: k * per, to: Math.min(params.trees, (k + 1) * per), ticks: onTrees !== undefined }, [], onTrees),
    ),
  );
  return { finish: () => assembleForest(binning, data, params, parts) };
}

/** `onTrees(n)`: n more trees grown (progress on a terminal). */
export async function fitHistForestParallel(x: Matrix, y: Uint8Array, params: HistForestParams, workers: number, onTrees?: (n: number) => void): Promise<HistForestFit> {
  return (await growHistForestParallel(x, y, params, workers, onTrees)).finish();
}
