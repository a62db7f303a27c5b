/** Worker thread: grows trees [from, to) of a histogram forest (see hist-forest-parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { growTrees, type BinnedTraining, type HistForestParams } from './hist-forest.js';
import type { WorkerTick } from './worker-spawn.js';

const d = workerData as { data: BinnedTraining; params: HistForestParams; from: number; to: number; ticks?: boolean };
// A tick per tree only when the caller shows progress (a terminal): otherwise nothing extra crosses threads.
const tick: WorkerTick = { cxpTick: 1 };
const out = growTrees(d.data, d.params, d.from, d.to, 'auto', d.ticks ? () => parentPort!.postMessage(tick) : undefined);
parentPort!.postMessage(out, [out.oobSum.buffer as ArrayBuffer, out.oobCount.buffer as ArrayBuffer]);
