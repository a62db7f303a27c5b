import { randomUUID } from 'node:crypto';
import { addDays, isoDate } from '../../pipelines/core/clock.js';
import { CxpError } from '../../pipelines/core/errors.js';
import { configTimeZone } from '../../pipelines/core/time-zone.js';
import { collectGarbage } from '../../pipelines/core/collect-garbage.js';
import { progressLine } from '../../pipelines/core/progress.js';
import { churnConfig, type ChurnConfig } from './settings.js';
import { applyCategoryEncodings } from './encoding.js';
import { attributeTypes, featureNames, loadChurnFeatures, resolveLabelMode, slaFromConfig, type AttributeTypes, type LabelMode } from './features.js';
import { loadActiveModel, saveActiveModel, writeScores, type StoredModel } from './model-store.js';
import { bandOf, defaultWorkers, scorePopulation } from './score.js';
import { trainChurnModel, type TrainedChurnModel } from './train.js';
import type { StepContext as JobContext, StepSummary as JobSummary } from '../../pipelines/core/module.js';

/**
 * Why the active model cannot be used for this as-of, or undefined when it is fresh: trained for an
 * as-of within churn.maxModelAgeDays before this one (never after: that model saw later data), on the
 * same features, horizon and lookback.
 */
export function staleReason(m: StoredModel | undefined, asOf: Date, cfg: ChurnConfig, attributes: AttributeTypes = {}, labelMode?: LabelMode): string | undefined {
  if (!m) return 'no active model';
  if (m.asOf.getTime() > asOf.getTime()) return `active model was trained for a later as-of (${isoDate(m.asOf)})`;
  if (m.asOf.getTime() < addDays(asOf, -cfg.maxModelAgeDays).getTime()) {
    return `active model is for ${isoDate(m.asOf)}, older than churn.maxModelAgeDays (${cfg.maxModelAgeDays})`;
  }
  if (JSON.stringify(m.features) !== JSON.stringify(featureNames(attributes))) return 'feature set changed';
  if (JSON.stringify(m.parameters.attributes ?? {}) !== JSON.stringify(attributes)) return 'attribute types changed';
  if (labelMode && (m.parameters.label ?? 'purchase_gap') !== labelMode) return 'churn label changed';
  if (m.parameters.horizonDays !== cfg.horizonDays || m.parameters.lookbackDays !== cfg.lookbackDays) return 'horizon or lookback changed';
  return undefined;
}

function modelSummary(m: TrainedChurnModel): JobSummary {
  const oot = m.metrics.out_of_time as { calibrated?: { roc_auc: number; pr_auc: number; brier: number; top_decile_lift: number } } | null;
  return {
    model_id: m.modelId,
    train_rows: m.countTrainRows,
    train_churned: m.countTrainChurned,
    training_ms: m.trainingMs,
    calibration: m.calibrator.kind,
    oot_roc_auc: oot?.calibrated?.roc_auc ?? null,
    oot_pr_auc: oot?.calibrated?.pr_auc ?? null,
    oot_brier: oot?.calibrated?.brier ?? null,
    oot_top_decile_lift: oot?.calibrated?.top_decile_lift ?? null,
  };
}

/** Trains a model for `asOf` and makes it the active one (atomically). Throws when data is too thin. */
export async function trainAndActivate(ctx: JobContext, asOf: Date): Promise<TrainedChurnModel> {
  const cfg = churnConfig(ctx.config.churn);
  const model = await trainChurnModel(ctx.warehouse, {
    asOf,
    config: cfg,
    now: ctx.clock.now(),
    modelId: `churn-${isoDate(asOf)}-${randomUUID().slice(0, 8)}`,
    sla: slaFromConfig(ctx.config.satisfaction),
    logger: ctx.logger,
    attributes: attributeTypes(ctx.config.sources),
    timezone: configTimeZone(ctx.config),
    // On a terminal: trees grown, trees per second and the time left (the longest step of a large run).
    progress: (trees) => progressLine('churn training', trees, { unit: 'trees' }),
  });
  await ctx.warehouse.transaction((tx) => saveActiveModel(tx, model));
  ctx.logger.info('churn model trained', modelSummary(model));
  return model;
}

/** Score step: trains when no fresh active model exists, then scores the population at `asOf`. */
export async function scoreChurn(ctx: JobContext, asOf: Date): Promise<JobSummary> {
  const cfg = churnConfig(ctx.config.churn);
  const out: JobSummary = {};
  let active = await loadActiveModel(ctx.warehouse);
  const attributes = attributeTypes(ctx.config.sources);
  const stale = staleReason(active, asOf, cfg, attributes, await resolveLabelMode(ctx.warehouse, cfg.label));
  if (stale) {
    try {
      const trained = await trainAndActivate(ctx, asOf);
      out.trained = { reason: stale, ...modelSummary(trained) };
      active = await loadActiveModel(ctx.warehouse);
      // Training's feature sets and forests freed before the scored population's feature query runs.
      collectGarbage();
    } catch (err) {
      if (!(err instanceof CxpError && err.code === 'CXP_ERR_MODEL_INSUFFICIENT_DATA')) throw err;
      // Refusing to train is not a failed run: the rest of the pipeline goes on, scores stay as they were.
      ctx.logger.warn('churn: not scored', { error: err.toLine() });
      return { skipped: err.toLine(), code: err.code };
    }
  }
  if (!active) throw new CxpError('CXP_ERR_MODEL_NOT_FOUND', 'no active churn model after training', { where: 'churn_models' });

  const labelMode = (active.parameters.label as LabelMode | undefined) ?? 'purchase_gap';
  const feats = await loadChurnFeatures(
    ctx.warehouse,
    {
      cutoff: asOf,
      lookbackDays: cfg.lookbackDays,
      horizonDays: cfg.horizonDays,
      sla: slaFromConfig(ctx.config.satisfaction),
      labelMode,
      timezone: configTimeZone(ctx.config),
      attributes: (active.parameters.attributes as AttributeTypes | undefined) ?? {},
    },
    active.features,
  );
  const x = applyCategoryEncodings(feats, active.body.encodings ?? []);
  const scored = await scorePopulation(active.body, x, { reasons: cfg.reasons, workers: cfg.workers > 0 ? cfg.workers : defaultWorkers(feats.x.nRows) });
  const bands = Array.from(scored.risk, (r) => bandOf(r, cfg.bands));
  await ctx.warehouse.transaction((tx) =>
    writeScores(tx, {
      customerIds: feats.customerIds,
      scored,
      bands,
      asOf,
      scoredAt: ctx.clock.now(),
      modelId: active.modelId,
      runId: ctx.runId,
    }),
  );
  const count = (b: string) => bands.filter((v) => v === b).length;
  // Drift of the scored population against the churn rate the model was trained on.
  let meanRisk = 0;
  for (let i = 0; i < scored.risk.length; i++) meanRisk += scored.risk[i] / scored.risk.length;
  const trainedRate = active.metrics ? ((active.metrics.base_rate as { latest_window_observed?: number } | undefined)?.latest_window_observed ?? null) : null;
  const drift = trainedRate !== null && scored.risk.length ? meanRisk - trainedRate : null;
  if (drift !== null && Math.abs(drift) > cfg.baseRateShiftWarning) {
    ctx.logger.warn('churn: scored mean risk differs from the training churn rate', { mean_risk: meanRisk, training_rate: trainedRate });
  }
  return {
    ...out,
    model_id: active.modelId,
    scored: feats.customerIds.length,
    high: count('high'),
    medium: count('medium'),
    low: count('low'),
    label: labelMode,
    mean_risk: scored.risk.length ? Math.round(meanRisk * 1e4) / 1e4 : null,
    training_churn_rate: trainedRate,
  };
}
