/** Worker thread: scores one chunk of rows (see score.ts scorePopulation). */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeModel } from './model-codec.js';
import { scoreMatrix } from './score.js';

const d = workerData as { model: Uint8Array; data: Float64Array; nRows: number; nCols: number; reasons: number };
const out = scoreMatrix(decodeModel(d.model), { nRows: d.nRows, nCols: d.nCols, data: d.data }, d.reasons);
// One string instead of a million: structured clone copies it in one go. JSON text has no raw newline.
parentPort!.postMessage({ risk: out.risk, reasons: out.reasons.join('\n') }, [out.risk.buffer as ArrayBuffer]);
