/** Worker thread: scores one chunk of rows (see score.ts scorePopulation). */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChurnModelBody } from './model-codec.js';
import { scoreMatrix } from './score.js';

const d = workerData as { model: ChurnModelBody; data: Float64Array; nRows: number; nCols: number; reasons: number };
const out = scoreMatrix(d.model, { nRows: d.nRows, nCols: d.nCols, data: d.data }, d.reasons);
// One string instead of a million: structured clone copies it in one go. JSON text has no raw newline.
parentPort!.postMessage({ risk: out.risk, reasons: out.reasons.join('\n') }, [out.risk.buffer as ArrayBuffer]);
