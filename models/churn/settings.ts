import { defineSettings, type SettingsSchema } from '../../pipelines/core/settings.js';

/** The churn section after defaults are applied (see churnSchema). */
export interface ChurnConfig {
  /** A customer has churned at T when they make no completed purchase in (T, T + horizonDays]. */
  horizonDays: number;
  /**
   * The label: 'purchase_gap' (no completed order in the horizon), 'cancellation' (customers.churned_at
   * in the horizon; population = customers signed up and not cancelled), 'auto' = cancellation when any
   * customer has a churned_at.
   */
  label: 'auto' | 'purchase_gap' | 'cancellation';
  /** Folds of the cross-validation used when no earlier window allows out-of-time validation. */
  cvFolds: number;
  /** Warn when a model from the previous window misses the next window's churn rate by more than this. */
  baseRateShiftWarning: number;
  /** Scored population: customers with a completed purchase in (T - lookbackDays, T]. */
  lookbackDays: number;
  /** churn_band: risk >= high -> high, >= medium -> medium, else low. */
  bands: { medium: number; high: number };
  /** Training refuses (CXP_ERR_MODEL_INSUFFICIENT_DATA) with fewer churned (and fewer retained) examples. */
  minChurnExamples: number;
  /** The forest. */
  trees: number;
  minSamplesLeaf: number;
  maxDepth: number;
  /** Features tried per split, as a fraction of all features (default ~ sqrt(37) = 6, like scikit-learn). */
  maxFeaturesFraction: number;
  /** Histogram bins per feature. */
  bins: number;
  /** Rows drawn (with replacement) per tree, at most; 0 = as many as the training set. Caps training time on large histories. */
  sampleSize: number;
  seed: number;
  /** `run score` retrains when the active model is older than this (days of data, by as-of). */
  maxModelAgeDays: number;
  /** Calibration: auto = isotonic when it improves the out-of-bag reliability, else none. */
  calibration: 'auto' | 'isotonic' | 'platt' | 'none';
  /** Reasons kept per customer. */
  reasons: number;
  /** Worker threads for training and scoring; 0 = automatic (up to 2 for large populations), 1 = in-process. */
  workers: number;
  /**
   * "Already lost" (is_lost: nothing left to save, listed apart from the at-risk list): p_alive below
   * maxPAlive, or lifecycle stage lapsed with CLV below maxClv. The one definition: at_risk_list, and from
   * it customer_360, the tiles and the trigger field is_lost.
   */
  lost: { maxPAlive: number; maxClv: number };
}

const num = (def: number, min: number, max?: number) => ({ type: 'number', default: def, minimum: min, ...(max === undefined ? {} : { maximum: max }) });
const int = (def: number, min: number, max?: number) => ({ ...num(def, min, max), type: 'integer' });

/** Config key `churn`. Every property has a default, so `{}` is valid. */
export const churnSchema: SettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    horizonDays: int(90, 7, 730),
    label: { type: 'string', enum: ['auto', 'purchase_gap', 'cancellation'], default: 'auto' },
    cvFolds: int(5, 2, 20),
    baseRateShiftWarning: num(0.05, 0, 1),
    lookbackDays: int(365, 30, 3650),
    bands: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: { medium: num(0.3, 0, 1), high: num(0.6, 0, 1) },
    },
    minChurnExamples: int(50, 1),
    trees: int(100, 1, 5000),
    minSamplesLeaf: int(5, 1),
    maxDepth: int(12, 1, 40),
    maxFeaturesFraction: num(0.16, 0.01, 1),
    bins: int(64, 4, 255),
    sampleSize: int(100_000, 0),
    seed: int(42, 0),
    maxModelAgeDays: int(7, 0),
    calibration: { type: 'string', enum: ['auto', 'isotonic', 'platt', 'none'], default: 'auto' },
    reasons: int(3, 1, 10),
    workers: int(0, 0, 64),
    lost: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: { maxPAlive: num(0.05, 0, 1), maxClv: num(1, 0) },
    },
  },
};

export const CHURN_SETTINGS = defineSettings<ChurnConfig>(churnSchema);

/** The defaults, as the schema gives them. */
export const CHURN_DEFAULTS: ChurnConfig = CHURN_SETTINGS.read({});

/** The churn section with defaults filled in (the loader does this too; tests build configs by hand). */
export function churnConfig(section: unknown): ChurnConfig {
  return CHURN_SETTINGS.read(section);
}
