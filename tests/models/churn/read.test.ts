import { afterEach, describe, expect, it } from 'vitest';
import { activeModelQuality } from '../../../models/churn/read.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const metricsOf = (auc: number) => ({
  roc_auc: auc,
  roc_curve: [{ fpr: 0, tpr: 0 }, { fpr: 0.2, tpr: 0.6 }, { fpr: 1, tpr: 1 }],
  reliability: [
    { bin: 0, lower: 0, upper: 0.1, count: 50, mean_predicted: 0.05, observed_rate: 0.04 },
    { bin: 1, lower: 0.1, upper: 0.2, count: 0, mean_predicted: null, observed_rate: null },
  ],
});

async function withModels(rows: { id: string; active: boolean; trainedAt: string; metrics: unknown }[]) {
  const t = await tempWarehouse();
  cleanups.push(t.cleanup);
  for (const r of rows) {
    await t.wh.run(
      `insert into churn_models (model_id, trained_at, as_of_on, is_active, learner, features, train_cutoff_on, train_label_end_on, count_train_rows,
         count_train_churned, parameters, calibration, metrics, feature_importance, training_ms, model)
       values ($id, $at::timestamp, date '2026-06-30', $active, 'hist-forest', '[]', date '2026-04-01', date '2026-06-30', 100, 30, '{}', 'none',
         $metrics::json, $imp::json, 10, ''::blob)`,
      { id: r.id, at: r.trainedAt, active: r.active, metrics: JSON.stringify(r.metrics), imp: JSON.stringify([{ feature: 'a', importance: 0.1 }, { feature: 'b', importance: 0.7 }]) },
    );
  }
  return t.wh;
}

describe('activeModelQuality', () => {
  it('reads the active model: the calibrated out-of-time validation, importance strongest first', async () => {
    const wh = await withModels([
      { id: 'old', active: false, trainedAt: '2026-07-01 00:00:00', metrics: { out_of_time: { calibrated: metricsOf(0.5) } } },
      { id: 'm1', active: true, trainedAt: '2026-06-30 00:00:00', metrics: { out_of_time: { raw: metricsOf(0.7), calibrated: metricsOf(0.8) }, out_of_bag: metricsOf(0.9) } },
    ]);
    const q = await activeModelQuality(wh);
    expect(q).toMatchObject({ modelId: 'm1', validation: 'out_of_time', rocAuc: 0.8 });
    expect(q?.rocCurve).toHaveLength(3);
    expect(q?.reliability).toHaveLength(2);
    expect(q?.importance.map((f) => f.feature)).toEqual(['b', 'a']);
  });

  it('falls back to the out-of-bag validation when there was no out-of-time test, and says so', async () => {
    const wh = await withModels([{ id: 'm1', active: true, trainedAt: '2026-06-30 00:00:00', metrics: { out_of_time: null, out_of_bag: metricsOf(0.9) } }]);
    expect(await activeModelQuality(wh)).toMatchObject({ validation: 'out_of_bag', rocAuc: 0.9 });
  });

  it('is null without an active model', async () => {
    const wh = await withModels([{ id: 'm1', active: false, trainedAt: '2026-06-30 00:00:00', metrics: {} }]);
    expect(await activeModelQuality(wh)).toBeNull();
  });
});
