/** churn_models / churn_scores / churn_score_history I/O. The warehouse is passed in. */
import { asOfParam, sqlDate } from '../../pipelines/core/sql-date.js';
import type { ConnDb, Db } from '../../pipelines/core/warehouse.js';
import { decodeModel, encodeModel, type ChurnModelBody } from './model-codec.js';
import type { ScoredRows } from './score.js';
import type { TrainedChurnModel } from './train.js';

export interface StoredModel {
  modelId: string;
  asOf: Date;
  trainedAt: Date;
  parameters: Record<string, unknown>;
  features: string[];
  metrics: Record<string, unknown> | null;
  body: ChurnModelBody;
}

/** Inserts the model and makes it the only active one (one transaction: the caller passes it). */
export async function saveActiveModel(tx: Db, m: TrainedChurnModel): Promise<void> {
  const blob = Buffer.from(encodeModel({ features: m.features, forest: m.forest, calibrator: m.calibrator, encodings: m.encodings })).toString('base64');
  await tx.run('update churn_models set is_active = false where is_active');
  await tx.run(
    `insert into churn_models (model_id, trained_at, as_of_on, is_active, learner, features, train_cutoff_on, train_label_end_on,
       count_train_rows, count_train_churned, parameters, calibration, metrics, feature_importance, training_ms, model)
     values ($model_id, $trained_at, $as_of, true, $learner, $features::json, $train_cutoff, $label_end,
       $rows, $churned, $parameters::json, $calibration, $metrics::json, $importance::json, $ms, from_base64($blob))`,
    {
      model_id: m.modelId,
      trained_at: m.trainedAt,
      ...asOfParam(m.asOf),
      learner: m.learner,
      features: JSON.stringify(m.features),
      train_cutoff: sqlDate(m.trainCutoff),
      label_end: sqlDate(m.trainLabelEnd),
      rows: m.countTrainRows,
      churned: m.countTrainChurned,
      parameters: JSON.stringify(m.parameters),
      calibration: m.calibrator.kind,
      metrics: JSON.stringify(m.metrics),
      importance: JSON.stringify(m.importance),
      ms: m.trainingMs,
      blob,
    },
  );
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export async function loadActiveModel(db: Db): Promise<StoredModel | undefined> {
  const r = await db.one<{
    model_id: string;
    as_of_on: Date;
    trained_at: Date;
    parameters: unknown;
    features: unknown;
    metrics: unknown;
    blob: string;
  }>(
    `select model_id, as_of_on, trained_at, parameters::varchar as parameters, features::varchar as features,
            metrics::varchar as metrics, to_base64(model) as blob
     from churn_models where is_active order by trained_at desc limit 1`,
  );
  if (!r) return undefined;
  return {
    modelId: r.model_id,
    asOf: r.as_of_on,
    trainedAt: r.trained_at,
    parameters: parse(r.parameters),
    features: parse(r.features),
    metrics: parse(r.metrics),
    body: decodeModel(Buffer.from(r.blob, 'base64')),
  };
}

/** The active model's id ('none' without one): what scores depend on besides the data (`cxpulse train` swaps it). */
export async function activeModelId(db: Db): Promise<string> {
  const r = await db.one<{ model_id: string }>('select model_id from churn_models where is_active order by trained_at desc limit 1');
  return r?.model_id ?? 'none';
}

export interface ScoreWrite {
  customerIds: string[];
  scored: ScoredRows;
  bands: string[];
  asOf: Date;
  scoredAt: Date;
  modelId: string;
  runId: string;
}

/**
 * Replaces churn_scores with this run's scores and appends them to churn_score_history, in the
 * caller's transaction. Rows go through an appender into a temp table, then set-based inserts.
 */
export async function writeScores(tx: ConnDb, w: ScoreWrite): Promise<void> {
  await tx.run('create or replace temp table churn_scores_incoming (customer_id varchar, churn_risk double, churn_band varchar, churn_reasons varchar)');
  const app = await tx.connection.createAppender('churn_scores_incoming', 'main', 'temp');
  try {
    for (let i = 0; i < w.customerIds.length; i++) {
      app.appendVarchar(w.customerIds[i]);
      app.appendDouble(w.scored.risk[i]);
      app.appendVarchar(w.bands[i]);
      app.appendVarchar(w.scored.reasons[i]);
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
  const p = { ...asOfParam(w.asOf), scored_at: w.scoredAt, model_id: w.modelId };
  await tx.run('delete from churn_scores');
  await tx.run(
    `insert into churn_scores (customer_id, churn_risk, churn_band, churn_reasons, as_of_on, scored_at, model_id)
     select customer_id, churn_risk, churn_band, churn_reasons::json, $as_of, $scored_at, $model_id from churn_scores_incoming`,
    p,
  );
  // From churn_scores, whose reasons are already parsed JSON: the text is validated once, not twice.
  await tx.run(
    `insert into churn_score_history (run_id, customer_id, churn_risk, churn_band, churn_reasons, as_of_on, scored_at, model_id)
     select $run_id, customer_id, churn_risk, churn_band, churn_reasons, as_of_on, scored_at, model_id from churn_scores`,
    { run_id: w.runId },
  );
  await tx.run('drop table churn_scores_incoming');
}

