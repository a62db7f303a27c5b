import { describe, expect, it } from 'vitest';
import { fitHistForest } from '../../../models/churn/hist-forest.js';
import { predictForest } from '../../../models/churn/learner.js';
import { decodeModel, encodeModel } from '../../../models/churn/model-codec.js';
import { bandOf, scoreMatrix, scorePopulation } from '../../../models/churn/score.js';
import { seededRng } from '../../../models/churn/rng.js';

function data(n: number, seed: number) {
  const rng = seededRng(seed);
  const nc = 4;
  const x = new Float64Array(n * nc);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nc; j++) x[i * nc + j] = Math.round(rng.next() * 10);
    y[i] = rng.next() < 0.1 + 0.08 * x[i * nc] ? 1 : 0; // risk grows with count_unresolved_complaints (column 0)
  }
  return { x: { nRows: n, nCols: nc, data: x }, y };
}

const FEATURES = ['count_unresolved_complaints', 'tenure_days', 'csat_avg_365d', 'noise'];

describe('scoring', () => {
  const train = data(2000, 1);
  const { forest } = fitHistForest(train.x, train.y, { trees: 20, minSamplesLeaf: 10, maxDepth: 8, maxFeatures: 2, sampleSize: 0, bins: 16, seed: 3 });
  const model = { features: FEATURES, forest, calibrator: { kind: 'none' as const } };

  it('risk equals the forest prediction when uncalibrated, and reasons name the driving feature', () => {
    const test = data(300, 2);
    const s = scoreMatrix(model, test.x, 3);
    const p = predictForest(forest, test.x);
    for (let i = 0; i < 300; i++) expect(s.risk[i]).toBeCloseTo(p[i], 6);
    // The riskiest customers' first reason is their unresolved complaints, stated with their value.
    const top = Array.from(s.risk.keys()).sort((a, b) => s.risk[b] - s.risk[a])[0];
    const first = JSON.parse(s.reasons[top])[0];
    expect(first.feature).toBe('count_unresolved_complaints');
    expect(first.text).toBe(`${test.x.data[top * 4]} unresolved complaints (raises risk)`);
  });

  it('worker threads give the same scores and reasons as in-process scoring', async () => {
    const test = data(500, 4);
    const inProcess = scoreMatrix(model, test.x, 3);
    const viaWorkers = await scorePopulation(model, test.x, { reasons: 3, workers: 2 });
    expect(Array.from(viaWorkers.risk)).toEqual(Array.from(inProcess.risk));
    expect(viaWorkers.reasons).toEqual(inProcess.reasons);
  });

  it('the serialised model scores the same', () => {
    const test = data(200, 5);
    const back = decodeModel(encodeModel(model));
    expect(scoreMatrix(back, test.x, 3)).toEqual(scoreMatrix(model, test.x, 3));
  });

  it('bands follow the configured cut points (high inclusive)', () => {
    const b = { medium: 0.3, high: 0.6 };
    expect([0, 0.29, 0.3, 0.59, 0.6, 1].map((r) => bandOf(r, b))).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
  });
});
