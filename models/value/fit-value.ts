/**
 * Fitting policy around the two models: who is fitted (buyers, a deterministic sample when there are
 * many), the minimum data below which no model is fitted, and the holdout check of predicted against
 * actual repeat purchases by calibration frequency.
 */
import {
  expectedPurchases,
  fitPurchaseModelPrepared,
  prepareHistories,
  type BgNbdFit,
  type BgNbdParams,
  type PurchaseModel,
  type PurchaseScorer,
} from './bgnbd.js';
import { fitGammaGamma, type GammaGammaFit } from './gamma-gamma.js';
import { groupHistoriesDays, type HistoryGroups } from './history.js';
import { assessPurchaseFit, assessSpendFit, type Identification, type SpendIdentification } from './identification.js';

export interface FitPolicy {
  /** 'bgnbd' (dropout only after repeat purchases) or 'mbgnbd' (also right after the first). */
  model: PurchaseModel;
  timeUnitDays: number;
  minCustomersForFit: number;
  minRepeatBuyersForFit: number;
  fitSampleSize: number;
  holdoutDays: number;
}

export interface FitInputs {
  /** Repeat purchases: distinct purchase days − 1. */
  x: ArrayLike<number>;
  txDays: ArrayLike<number>;
  ageDays: ArrayLike<number>;
  /** Mean value of repeat purchase days; NaN without repeats. */
  repeatMean: ArrayLike<number>;
  /** 1 for customers with at least one purchase. */
  isBuyer: ArrayLike<number>;
  /** A deterministic uniform draw in [0, 1) per customer (hash of the id), for sampling. */
  draw: ArrayLike<number>;
}

export interface ValueFit {
  status: 'fitted' | 'insufficient_data';
  message?: string;
  bgnbd?: BgNbdFit;
  /** What the data identify, and what the product does about it. */
  identification?: Identification;
  /** What scores customers: the fit, or its limiting model when a and b are not identified. */
  scorer?: PurchaseScorer;
  gammaGamma?: GammaGammaFit;
  /** Whether spend varies between customers, i.e. Gamma-Gamma's q and γ are identified. */
  spendIdentification?: SpendIdentification;
  sampled: { buyers: number; fraction: number };
}

function sampleFraction(buyers: number, size: number): number {
  return buyers > size ? size / buyers : 1;
}

/** The fit population in whole days (sampled buyers), for groupHistoriesDays. */
function bgInputs(inp: Pick<FitInputs, 'x' | 'txDays' | 'ageDays' | 'isBuyer' | 'draw'>, fraction: number) {
  let n = 0;
  for (let i = 0; i < inp.x.length; i++) if (inp.isBuyer[i] && inp.draw[i] < fraction) n++;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < inp.x.length; i++) {
    if (!inp.isBuyer[i] || inp.draw[i] >= fraction) continue;
    x[k] = inp.x[i];
    tx[k] = inp.txDays[i];
    T[k] = inp.ageDays[i];
    k++;
  }
  return { x, tx, T };
}

export function fitValueModels(inp: FitInputs, p: FitPolicy): ValueFit {
  let buyers = 0;
  let repeat = 0;
  for (let i = 0; i < inp.x.length; i++) {
    if (!inp.isBuyer[i]) continue;
    buyers++;
    if (inp.x[i] > 0 && inp.repeatMean[i] > 0) repeat++;
  }
  const fraction = sampleFraction(buyers, p.fitSampleSize);
  const sampled = { buyers, fraction };
  if (buyers < p.minCustomersForFit || repeat < p.minRepeatBuyersForFit) {
    return {
      status: 'insufficient_data',
      message: `need at least ${p.minCustomersForFit} customers with a purchase and ${p.minRepeatBuyersForFit} repeat buyers; have ${buyers} and ${repeat}`,
      sampled,
    };
  }
  const h = bgInputs(inp, fraction);
  const prep = prepareHistories(groupHistoriesDays(h.x, h.tx, h.T, p.timeUnitDays));
  const bgnbd = fitPurchaseModelPrepared(prep, p.model);
  const { identification, scorer } = assessPurchaseFit(prep, bgnbd);
  const gx: number[] = [];
  const gm: number[] = [];
  for (let i = 0; i < inp.x.length; i++) {
    if (inp.isBuyer[i] && inp.x[i] > 0 && inp.repeatMean[i] > 0 && inp.draw[i] < fraction) {
      gx.push(inp.x[i]);
      gm.push(inp.repeatMean[i]);
    }
  }
  const gammaGamma = gx.length >= p.minRepeatBuyersForFit ? fitGammaGamma(gx, gm) : undefined;
  const spendIdentification = gammaGamma ? assessSpendFit(gx, gm, gammaGamma) : undefined;
  return {
    status: 'fitted',
    bgnbd,
    identification,
    scorer,
    gammaGamma,
    ...(spendIdentification ? { spendIdentification } : {}),
    sampled,
    ...(gammaGamma ? {} : { message: 'too few sampled repeat buyers for Gamma-Gamma' }),
  };
}

export interface HoldoutBucket {
  /** Calibration repeat purchases: "0".."6", "7+". */
  bucket: string;
  customers: number;
  actual_mean: number;
  predicted_mean: number;
}

export interface HoldoutReport {
  model: PurchaseModel;
  params: BgNbdParams;
  /** Set when the calibration fit was scored with the fixed-dropout limit (a, b not identified). */
  fixedDropout?: number;
  logLikelihood: number;
  converged: boolean;
  customers: number;
  buckets: HoldoutBucket[];
  /** Mean absolute error of the bucket means (repeat purchases per customer). */
  mae: number;
  /** (Σ predicted − Σ actual) / Σ actual over all calibration customers. */
  totalError: number;
  predictedTotal: number;
  actualTotal: number;
}

export const HOLDOUT_BUCKETS = 8;

/** Conditional expectations per customer bucketed by calibration x, compared with the actual counts. */
export function holdoutBuckets(scorer: PurchaseScorer | BgNbdParams, groups: HistoryGroups, actual: ArrayLike<number>, horizon: number) {
  const cnt = new Float64Array(HOLDOUT_BUCKETS);
  const act = new Float64Array(HOLDOUT_BUCKETS);
  const pred = new Float64Array(HOLDOUT_BUCKETS);
  const groupOf = groups.groupOf;
  if (!groupOf || groupOf.length !== actual.length) throw new RangeError('holdoutBuckets: groups must come with groupOf for every customer');
  const e = new Float64Array(groups.x.length);
  for (let g = 0; g < groups.x.length; g++) e[g] = expectedPurchases(scorer, horizon, groups.x[g], groups.tx[g], groups.T[g]);
  let predictedTotal = 0;
  let actualTotal = 0;
  for (let i = 0; i < actual.length; i++) {
    const g = groupOf[i];
    const b = Math.min(groups.x[g], HOLDOUT_BUCKETS - 1);
    cnt[b]++;
    act[b] += actual[i];
    pred[b] += e[g];
    predictedTotal += e[g];
    actualTotal += actual[i];
  }
  const buckets: HoldoutBucket[] = [];
  let absErr = 0;
  for (let b = 0; b < HOLDOUT_BUCKETS; b++) {
    if (cnt[b] === 0) continue;
    const bucket = { bucket: b === HOLDOUT_BUCKETS - 1 ? `${b}+` : String(b), customers: cnt[b], actual_mean: act[b] / cnt[b], predicted_mean: pred[b] / cnt[b] };
    buckets.push(bucket);
    absErr += Math.abs(bucket.predicted_mean - bucket.actual_mean);
  }
  return { buckets, mae: buckets.length ? absErr / buckets.length : NaN, predictedTotal, actualTotal, totalError: actualTotal > 0 ? (predictedTotal - actualTotal) / actualTotal : NaN };
}

/**
 * Refits the purchase model on the calibration period (purchases up to as_of − holdoutDays), scores
 * it the way the product would (limiting model when a and b are not identified), and compares its
 * conditional expectations over the holdout with the purchase days that actually happened there.
 */
export function holdoutCheck(
  inp: Pick<FitInputs, 'x' | 'txDays' | 'ageDays' | 'isBuyer' | 'draw'> & { actual: ArrayLike<number> },
  p: FitPolicy,
  start?: BgNbdParams,
): HoldoutReport | undefined {
  let buyers = 0;
  for (let i = 0; i < inp.x.length; i++) if (inp.isBuyer[i]) buyers++;
  if (buyers < p.minCustomersForFit) return undefined;
  const fraction = sampleFraction(buyers, p.fitSampleSize);
  const h = bgInputs(inp, fraction);
  const prep = prepareHistories(groupHistoriesDays(h.x, h.tx, h.T, p.timeUnitDays));
  const fit = fitPurchaseModelPrepared(prep, p.model, { start });
  const { scorer } = assessPurchaseFit(prep, fit);
  // Predictions for every calibration buyer, computed once per distinct history.
  const all = bgInputs(inp, 1);
  const groups = groupHistoriesDays(all.x, all.tx, all.T, p.timeUnitDays);
  const actual = new Float64Array(all.x.length);
  let k = 0;
  for (let i = 0; i < inp.x.length; i++) if (inp.isBuyer[i]) actual[k++] = inp.actual[i];
  const report = holdoutBuckets(scorer, groups, actual, p.holdoutDays / p.timeUnitDays);
  return {
    model: p.model,
    params: fit.params,
    ...(scorer.fixedDropout !== undefined ? { fixedDropout: scorer.fixedDropout } : {}),
    logLikelihood: fit.logLikelihood, converged: fit.optimiser.converged, customers: actual.length, ...report };
}
