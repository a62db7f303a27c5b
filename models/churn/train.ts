/**
 * Trains the churn model for an as-of date, out of time:
 *   final model      features at asOf - h,  labels from (asOf - h, asOf]
 *   validation model features at asOf - 2h, labels from (asOf - 2h, asOf - h], scored on the final
 *                    model's training window (a later period it never saw) -> the stored metrics.
 * When the earlier window cannot be used (too few examples: e.g. a customer table whose history does
 * not reach back two horizons), the training window is cross-validated instead (churn.cvFolds folds)
 * and the metrics say so (metrics.validation = 'cross_validation' with a note).
 * Categorical attributes are encoded by churn-rate order learned on each model's own training rows
 * (encoding.ts). Base-rate shift: the validation model's mean prediction on the later window is
 * compared with that window's observed churn rate (metrics.base_rate); beyond
 * churn.baseRateShiftWarning a warning is logged and stored. The final model is fitted and
 * calibrated on the latest window, i.e. at the latest observed base rate.
 * Calibration is fitted on out-of-bag predictions; with calibration 'auto' it is applied when the
 * out-of-bag reliability table says the raw forest is off (ECE above AUTO_ECE).
 */
import { addDays, isoDate } from '../../pipelines/core/clock.js';
import { CxpError } from '../../pipelines/core/errors.js';
import type { Logger } from '../../pipelines/core/logger.js';
import { silentProgress, type Progress } from '../../pipelines/core/progress.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import { latestEventDate } from '../../pipelines/core/as-of.js';
import type { ChurnConfig } from './settings.js';
import { applyCalibratorAll, fitIsotonic, fitPlatt, type Calibrator } from './calibration.js';
import { applyCategoryEncodings, fitCategoryEncodings, type CategoryEncoding } from './encoding.js';
import { featureNames, loadChurnFeatures, resolveLabelMode, type AttributeTypes, type FeatureSet, type FirstResponseSla, type LabelMode } from './features.js';
import { selectRows } from './matrix.js';
import { seededRng } from './rng.js';
import type { Forest } from './forest.js';
import type { HistForestFit, HistForestParams } from './hist-forest.js';
import { defaultTrainWorkers, fitHistForestParallel, growHistForestParallel } from './hist-forest-parallel.js';
import { predictForest } from './learner.js';
import { churnMetrics, reliabilityTable, type ChurnMetrics } from './metrics.js';

export const AUTO_ECE = 0.02;

export interface TrainedChurnModel {
  modelId: string;
  trainedAt: Date;
  asOf: Date;
  learner: 'hist-forest';
  features: string[];
  forest: Forest;
  calibrator: Calibrator;
  encodings: CategoryEncoding[];
  labelMode: LabelMode;
  trainCutoff: Date;
  trainLabelEnd: Date;
  countTrainRows: number;
  countTrainChurned: number;
  parameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
  importance: { feature: string; importance: number }[];
  trainingMs: number;
}

export function forestParams(cfg: ChurnConfig, nFeatures: number): HistForestParams {
  return {
    trees: cfg.trees,
    minSamplesLeaf: cfg.minSamplesLeaf,
    maxDepth: cfg.maxDepth,
    maxFeatures: Math.max(1, Math.round(cfg.maxFeaturesFraction * nFeatures)),
    sampleSize: cfg.sampleSize,
    bins: cfg.bins,
    seed: cfg.seed,
  };
}

function workersFor(cfg: ChurnConfig, rows: number): number {
  return cfg.workers > 0 ? cfg.workers : defaultTrainWorkers(rows);
}

function count(y: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i];
  return s;
}

/** Throws CXP_ERR_MODEL_INSUFFICIENT_DATA unless both classes have at least minChurnExamples rows. */
export function assertEnoughExamples(set: FeatureSet, cfg: ChurnConfig, what: string): void {
  const churned = count(set.y);
  const retained = set.y.length - churned;
  if (churned < cfg.minChurnExamples || retained < cfg.minChurnExamples) {
    throw new CxpError(
      'CXP_ERR_MODEL_INSUFFICIENT_DATA',
      `cannot train the churn model: ${what} (features as of ${set.cutoff}, labels from the ${cfg.horizonDays} days after) ` +
        `has ${churned} churned and ${retained} retained customers; at least ${cfg.minChurnExamples} of each are needed`,
      {
        where: 'churn.minChurnExamples',
        churned,
        retained,
        hint: `load more history (at least ${cfg.horizonDays + cfg.lookbackDays} days of purchases before the as-of date), or lower churn.minChurnExamples knowingly`,
      },
    );
  }
}

/** Calibrator from out-of-bag predictions, and the OOB reliability that justified the choice. */
function chooseCalibrator(mode: ChurnConfig['calibration'], oob: Float64Array, y: Uint8Array): { calibrator: Calibrator; oobEce: number } {
  const keep: number[] = [];
  for (let i = 0; i < oob.length; i++) if (!Number.isNaN(oob[i])) keep.push(i);
  const p = keep.map((i) => oob[i]);
  const yy = keep.map((i) => y[i]);
  const { ece } = reliabilityTable(p, yy);
  if (mode === 'none' || p.length === 0) return { calibrator: { kind: 'none' }, oobEce: ece };
  if (mode === 'platt') return { calibrator: fitPlatt(p, yy), oobEce: ece };
  if (mode === 'isotonic' || ece > AUTO_ECE) return { calibrator: fitIsotonic(p, yy), oobEce: ece };
  return { calibrator: { kind: 'none' }, oobEce: ece };
}

function slim(m: ChurnMetrics): ChurnMetrics {
  const r = (x: number) => Math.round(x * 1e5) / 1e5;
  return {
    ...m,
    base_rate: r(m.base_rate),
    roc_auc: r(m.roc_auc),
    pr_auc: r(m.pr_auc),
    brier: r(m.brier),
    top_decile_lift: r(m.top_decile_lift),
    top_decile_capture: r(m.top_decile_capture),
    ece: r(m.ece),
    roc_curve: m.roc_curve.map((pt) => ({ fpr: r(pt.fpr), tpr: r(pt.tpr) })),
    reliability: m.reliability.map((b) => ({
      ...b,
      mean_predicted: b.mean_predicted === null ? null : r(b.mean_predicted),
      observed_rate: b.observed_rate === null ? null : r(b.observed_rate),
    })),
  };
}

export interface TrainOptions {
  asOf: Date;
  config: ChurnConfig;
  now: Date;
  modelId: string;
  sla?: FirstResponseSla;
  logger?: Logger;
  /** Declared customer attributes (sources.customers.attributes), used as features. */
  attributes?: AttributeTypes;
  /** The company's IANA zone (config `timezone`): cutoffs end at local midnight, ages count local days. */
  timezone?: string;
  /** A progress line for this many trees (every forest the training grows); none when omitted. */
  progress?: (trees: number) => Progress;
}

const mean = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : Number.NaN;
};
const r5 = (x: number) => Math.round(x * 1e5) / 1e5;

const cvFolds = (cfg: ChurnConfig, rows: number) => Math.min(cfg.cvFolds, rows);

/**
 * K-fold cross-validation of the whole training procedure (encodings, forest, calibration) on one
 * window: every row is predicted by a model that did not see it. Folds are a seeded shuffle.
 */
async function crossValidate(
  set: FeatureSet,
  cfg: ChurnConfig,
  params: HistForestParams,
  onTrees?: (n: number) => void,
): Promise<{ raw: Float64Array; calibrated: Float64Array; folds: number }> {
  const n = set.y.length;
  const folds = cvFolds(cfg, n);
  const rng = seededRng(cfg.seed + 1);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Int32Array(n);
  order.forEach((row, k) => (fold[row] = k % folds));
  const raw = new Float64Array(n);
  const calibrated = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? testRows : trainRows).push(i);
    const enc = fitCategoryEncodings(set, trainRows);
    const x = applyCategoryEncodings(set, enc);
    const yTrain = Uint8Array.from(trainRows, (i) => set.y[i]);
    const fit = await fitHistForestParallel(selectRows(x, trainRows), yTrain, params, workersFor(cfg, trainRows.length), onTrees);
    const cal = chooseCalibrator(cfg.calibration, fit.oob, yTrain);
    const p = predictForest(fit.forest, selectRows(x, testRows));
    const pc = applyCalibratorAll(cal.calibrator, p);
    testRows.forEach((row, k) => {
      raw[row] = p[k];
      calibrated[row] = pc[k];
    });
  }
  return { raw, calibrated, folds };
}

export async function trainChurnModel(db: Db, opts: TrainOptions): Promise<TrainedChurnModel> {
  const { config: cfg, asOf } = opts;
  const t0 = performance.now();
  const h = cfg.horizonDays;
  const trainCutoff = addDays(asOf, -h);
  const valCutoff = addDays(asOf, -2 * h);
  const attributes = opts.attributes ?? {};
  const features = featureNames(attributes);
  const labelMode = await resolveLabelMode(db, cfg.label);
  // Labels need the whole horizon after the training cutoff in the data: an as-of past the latest event
  // would count the days not loaded yet as "no purchase" and inflate churn.
  const dataEnd = await latestEventDate(db, opts.timezone);
  const q = { lookbackDays: cfg.lookbackDays, horizonDays: h, dataEnd, sla: opts.sla, labelMode, attributes, timezone: opts.timezone };
  const train = await loadChurnFeatures(db, { ...q, cutoff: trainCutoff }, features);
  if (!train.labelObserved) {
    throw new CxpError(
      'CXP_ERR_MODEL_INSUFFICIENT_DATA',
      `cannot train the churn model for ${isoDate(asOf)}: its labels need data up to ${isoDate(asOf)}, but the latest event loaded is ${dataEnd ? isoDate(dataEnd) : 'none'}`,
      { where: 'as-of', hint: `train with an as-of on or before ${dataEnd ? isoDate(dataEnd) : 'the latest event'} (the default), or load the missing data first` },
    );
  }
  assertEnoughExamples(train, cfg, 'the training window');
  const params = forestParams(cfg, features.length);
  const trainRate = mean(train.y);

  // Out-of-time validation: an earlier window's model, judged on the later window.
  const metrics: Record<string, unknown> = { label: labelMode };
  const val = await loadChurnFeatures(db, { ...q, cutoff: valCutoff, dataEnd: trainCutoff }, features);
  const valChurned = count(val.y);
  const encodings = fitCategoryEncodings(train);
  const trainX = applyCategoryEncodings(train, encodings);
  let finalFit: Promise<HistForestFit> | undefined;
  let fit: HistForestFit;
  const outOfTime = valChurned >= cfg.minChurnExamples && val.y.length - valChurned >= cfg.minChurnExamples;
  // Every forest this training grows: the validation forest (or one per fold) and the final one.
  const progress = opts.progress?.((outOfTime ? 2 : cvFolds(cfg, train.y.length) + 1) * params.trees) ?? silentProgress;
  // Off a terminal the line is silent: then the workers post nothing per tree either.
  const onTrees = progress !== silentProgress ? (n: number) => progress.tick(n) : undefined;
  try {
    if (outOfTime) {
      const valEnc = fitCategoryEncodings(val);
      const vgrown = await growHistForestParallel(applyCategoryEncodings(val, valEnc), val.y, params, workersFor(cfg, val.y.length), onTrees);
      // The final model's trees grow in the workers while this thread joins the validation forest and
      // scores the later window with it: the same work, with both cores busy.
      finalFit = fitHistForestParallel(trainX, train.y, params, workersFor(cfg, train.y.length), onTrees);
      finalFit.catch(() => undefined); // awaited below; this only keeps an early failure here from being "unhandled"
      const vfit = vgrown.finish();
      const vcal = chooseCalibrator(cfg.calibration, vfit.oob, val.y);
      const raw = predictForest(vfit.forest, applyCategoryEncodings(train, valEnc));
      const calibrated = applyCalibratorAll(vcal.calibrator, raw);
      metrics.validation = 'out_of_time';
      metrics.out_of_time = {
        train_cutoff_on: val.cutoff,
        test_cutoff_on: train.cutoff,
        count_train_rows: val.y.length,
        raw: slim(churnMetrics(raw, train.y)),
        calibrated: slim(churnMetrics(calibrated, train.y)),
        calibration: vcal.calibrator.kind,
      };
      // Base-rate shift: what a model of the earlier window expects for the later one vs what happened.
      const predicted = mean(calibrated);
      const shift = trainRate - predicted;
      const warn = Math.abs(shift) > cfg.baseRateShiftWarning;
      metrics.base_rate = {
        previous_window_observed: r5(mean(val.y)),
        latest_window_observed: r5(trainRate),
        latest_window_predicted_by_previous_model: r5(predicted),
        shift: r5(shift),
        threshold: cfg.baseRateShiftWarning,
        is_shifted: warn,
        action: warn
          ? `the churn rate moved from ${pct1(mean(val.y))} to ${pct1(trainRate)}; a model of the earlier window predicted ${pct1(predicted)}. This model is fitted and calibrated on the latest window (${pct1(trainRate)}); check the scored mean risk against later outcomes.`
          : 'none: the previous window\'s model predicted the latest churn rate within the threshold',
      };
      if (warn) opts.logger?.warn('churn: base-rate shift between training windows', metrics.base_rate as Record<string, unknown>);
    } else {
      metrics.out_of_time = null;
      metrics.out_of_time_skipped = `the earlier window (features as of ${val.cutoff}) has ${valChurned} churned and ${val.y.length - valChurned} retained customers, fewer than churn.minChurnExamples (${cfg.minChurnExamples}) of each`;
      const cv = await crossValidate(train, cfg, params, onTrees);
      metrics.validation = 'cross_validation';
      metrics.cross_validation = {
        folds: cv.folds,
        cutoff_on: train.cutoff,
        count_rows: train.y.length,
        raw: slim(churnMetrics(cv.raw, train.y)),
        calibrated: slim(churnMetrics(cv.calibrated, train.y)),
        note: `out-of-time validation is impossible (${metrics.out_of_time_skipped}); the training window was cross-validated (${cv.folds} folds) instead, which does not measure how the model holds up in a later period and is usually optimistic`,
      };
      metrics.base_rate = {
        previous_window_observed: val.y.length ? r5(mean(val.y)) : null,
        latest_window_observed: r5(trainRate),
        latest_window_predicted_by_previous_model: null,
        shift: null,
        threshold: cfg.baseRateShiftWarning,
        is_shifted: null,
        action: 'not measured: no earlier window to compare with',
      };
      opts.logger?.warn('churn: no out-of-time validation, too little history; cross-validated instead', { cutoff: val.cutoff, folds: cv.folds });
    }

    fit = await (finalFit ?? fitHistForestParallel(trainX, train.y, params, workersFor(cfg, train.y.length), onTrees));
  } finally {
    progress.done();
  }
  const cal = chooseCalibrator(cfg.calibration, fit.oob, train.y);
  const oobRows: number[] = [];
  for (let i = 0; i < fit.oob.length; i++) if (!Number.isNaN(fit.oob[i])) oobRows.push(i);
  metrics.out_of_bag = slim(churnMetrics(oobRows.map((i) => fit.oob[i]), oobRows.map((i) => train.y[i])));
  metrics.calibration = { method: cal.calibrator.kind, mode: cfg.calibration, oob_ece_raw: Math.round(cal.oobEce * 1e5) / 1e5, auto_threshold: AUTO_ECE };
  if (encodings.length) metrics.attribute_encodings = encodings;

  const importance = features.map((feature, j) => ({ feature, importance: Math.round(fit.importance[j] * 1e5) / 1e5 })).sort(
    (a, b) => b.importance - a.importance,
  );
  return {
    modelId: opts.modelId,
    trainedAt: opts.now,
    asOf,
    learner: 'hist-forest',
    features,
    forest: fit.forest,
    calibrator: cal.calibrator,
    encodings,
    labelMode,
    trainCutoff,
    trainLabelEnd: asOf,
    countTrainRows: train.y.length,
    countTrainChurned: count(train.y),
    parameters: { ...params, horizonDays: h, lookbackDays: cfg.lookbackDays, calibration: cfg.calibration, label: labelMode, attributes },
    metrics,
    importance,
    trainingMs: Math.round(performance.now() - t0),
  };
}

const pct1 = (x: number) => `${(x * 100).toFixed(1)}%`;

export { isoDate };
