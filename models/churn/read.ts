/**
 * The churn module's read API: what dashboards, exports and triggers read from its tables, by the
 * column names of sql/scores/040_churn.sql and the metrics layout written by train.ts.
 */
import type { Db } from '../../pipelines/core/warehouse.js';
import type { ChurnMetrics, ReliabilityBin, RocPoint } from './metrics.js';

/** The active model's validation, for charts. */
export interface ActiveModelQuality {
  modelId: string;
  trainedAt: Date;
  /**
   * Which validation the figures come from: the out-of-time test (a model trained on an earlier window,
   * judged on the later one, after calibration) when there was enough history, else cross-validation
   * of the training window (with its note), else out-of-bag.
   */
  validation: 'out_of_time' | 'cross_validation' | 'out_of_bag' | null;
  /** Why the validation is not out of time, when it is not. */
  validationNote: string | null;
  /** metrics.base_rate: churn rate of the previous and latest windows, and the shift between them. */
  baseRate: BaseRate | null;
  rocAuc: number | null;
  rocCurve: RocPoint[];
  reliability: ReliabilityBin[];
  /** Feature importance, strongest first (churn_models.feature_importance). */
  importance: { feature: string; importance: number }[];
}

export interface BaseRate {
  previous_window_observed: number | null;
  latest_window_observed: number | null;
  latest_window_predicted_by_previous_model: number | null;
  shift: number | null;
  is_shifted: boolean | null;
  action: string;
}

/** churn_models.metrics as train.ts writes it. */
interface StoredMetrics {
  out_of_time?: { calibrated?: ChurnMetrics } | null;
  cross_validation?: { calibrated?: ChurnMetrics; note?: string } | null;
  out_of_bag?: ChurnMetrics;
  base_rate?: BaseRate;
}

const parse = <T>(v: unknown): T | null => (typeof v === 'string' ? (JSON.parse(v) as T) : ((v as T) ?? null));

/** The active churn model's quality, or null when no model is active (or the table is missing). */
export async function activeModelQuality(db: Db): Promise<ActiveModelQuality | null> {
  const row = await db.one<{ model_id: string; trained_at: Date; metrics: string | null; feature_importance: string }>(
    `select model_id, trained_at, metrics::varchar as metrics, feature_importance::varchar as feature_importance
     from churn_models where is_active order by trained_at desc limit 1`,
  );
  if (!row) return null;
  const metrics = parse<StoredMetrics>(row.metrics) ?? {};
  const oot = metrics.out_of_time?.calibrated ?? null;
  const cv = oot ? null : (metrics.cross_validation?.calibrated ?? null);
  const chosen = oot ?? cv ?? metrics.out_of_bag ?? null;
  const importance = parse<{ feature: string; importance: number }[]>(row.feature_importance) ?? [];
  return {
    modelId: row.model_id,
    trainedAt: row.trained_at,
    validation: oot ? 'out_of_time' : cv ? 'cross_validation' : chosen ? 'out_of_bag' : null,
    validationNote: cv ? (metrics.cross_validation?.note ?? null) : null,
    baseRate: metrics.base_rate ?? null,
    rocAuc: chosen?.roc_auc ?? null,
    rocCurve: chosen?.roc_curve ?? [],
    reliability: chosen?.reliability ?? [],
    importance: [...importance].sort((a, b) => b.importance - a.importance),
  };
}
