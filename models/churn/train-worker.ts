/** Worker thread: grows trees [from, to) of a histogram forest (see hist-forest-parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { growTrees, type BinnedTraining, type HistForestParams } from './hist-forest.js';

const d = workerData as { data: BinnedTraining; params: HistForestParams; from: number; to: number };
const out = growTrees(d.data, d.params, d.from, d.to);
parentPort!.postMessage(out, [out.oobSum.buffer as ArrayBuffer, out.oobCount.buffer as ArrayBuffer]);
