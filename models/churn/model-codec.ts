/** The serialised churn model: forest + calibrator + feature names, gzip(JSON) for churn_models.model. */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Calibrator } from './calibration.js';
import type { CategoryEncoding } from './encoding.js';
import { forestFromJSON, forestToJSON, type Forest } from './forest.js';

export interface ChurnModelBody {
  features: string[];
  forest: Forest;
  calibrator: Calibrator;
  /** Categorical attribute encodings learned on the training window (absent in models without attributes). */
  encodings?: CategoryEncoding[];
}

export const MODEL_FORMAT = 'cxpulse.churn.hist-forest/1';

export function encodeModel(m: ChurnModelBody): Uint8Array {
  const json = JSON.stringify({ format: MODEL_FORMAT, features: m.features, forest: forestToJSON(m.forest), calibrator: m.calibrator, encodings: m.encodings ?? [] });
  return gzipSync(json);
}

export function decodeModel(bytes: Uint8Array): ChurnModelBody {
  const o = JSON.parse(gunzipSync(bytes).toString('utf8')) as {
    format: string;
    features: string[];
    forest: Parameters<typeof forestFromJSON>[0];
    calibrator: Calibrator;
    encodings?: CategoryEncoding[];
  };
  if (o.format !== MODEL_FORMAT) throw new Error(`unknown churn model format ${o.format}`);
  return { features: o.features, forest: forestFromJSON(o.forest), calibrator: o.calibrator, encodings: o.encodings ?? [] };
}
