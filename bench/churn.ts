/**
 * Churn benchmarks (exported for bench/run.ts; also runnable: `npx tsx bench/churn.ts [--customers N]`):
 *  - learning curve: out-of-time ROC AUC and training time against training-set size, for the
 *    histogram forest and ml-random-forest, plus the scikit-learn baseline on all rows;
 *  - end-to-end training (`trainChurnModel`, both windows) on a 100k-customer history;
 *  - scoring 1M customers (risk + reasons; worker threads), and the full score step on a history;
 *  - peak RSS.
 * History: the shared sample generator (data-samples/generate.ts --format csv), loaded with DuckDB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addDays } from '../pipelines/core/clock.js';
import { silentLogger } from '../pipelines/core/logger.js';
import { migrate } from '../pipelines/core/migrate.js';
import { fromRoot } from '../pipelines/core/paths.js';
import { Warehouse } from '../pipelines/core/warehouse.js';
import { churnConfig } from '../models/churn/settings.js';
import { scoreChurn } from '../models/churn/score-step.js';
import type { JobContext } from '../pipelines/jobs/types.js';
import type { Config } from '../pipelines/config/types.js';
import { fixedClock } from '../pipelines/core/clock.js';
import { loadChurnFeatures, type FeatureSet } from '../models/churn/features.js';
import { histForestLearner, mlRandomForestLearner, type ChurnLearner } from '../models/churn/learner.js';
import { selectRows, type Matrix } from '../models/churn/matrix.js';
import { rocAuc } from '../models/churn/metrics.js';
import { loadActiveModel, writeScores } from '../models/churn/model-store.js';
import { seededRng } from '../models/churn/rng.js';
import { bandOf, scorePopulation } from '../models/churn/score.js';
import { trainChurnModel } from '../models/churn/train.js';
import { loadDemo } from '../tests/models/churn/demo-data.js';

export interface BenchHistory {
  wh: Warehouse;
  asOf: Date;
  dir: string;
  customers: number;
  close(): void;
}

const AS_OF = new Date('2026-10-31T00:00:00Z'); // the generator's default last day of events

/** Generates (once, cached in `dir`) and loads an N-customer history into a fresh warehouse. */
export async function loadChurnBenchHistory(customers: number, dir = `/tmp/cxpulse-bench/churn-${customers}`): Promise<BenchHistory> {
  if (!existsSync(join(dir, 'customers.csv'))) {
    execFileSync('npx', ['tsx', fromRoot('data-samples', 'generate.ts'), '--customers', String(customers), '--format', 'csv', '--out', dir], {
      stdio: 'inherit',
      cwd: fromRoot(),
    });
  }
  const path = join(dir, 'bench.duckdb');
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const wh = await Warehouse.open(path, { settings: { threads: '2' } });
  await migrate(wh);
  await loadDemo(wh, dir, 'csv');
  return { wh, asOf: AS_OF, dir, customers, close: () => wh.close() };
}

/** Stratified sample without replacement: the same churn share as the full set. */
export function stratifiedSample(y: Uint8Array, n: number, seed: number): Int32Array {
  if (n >= y.length) return Int32Array.from({ length: y.length }, (_, i) => i);
  const rng = seededRng(seed);
  const pos: number[] = [];
  const neg: number[] = [];
  y.forEach((v, i) => (v ? pos : neg).push(i));
  const take = (arr: number[], k: number) => {
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(arr.length - i);
      [arr[i], arr[j]] = [arr[j], arr[i]];
    }
    return arr.slice(0, k);
  };
  const kPos = Math.round((n * pos.length) / y.length);
  return Int32Array.from([...take(pos, kPos), ...take(neg, n - kPos)].sort((a, b) => a - b));
}

function sub(set: FeatureSet, idx: Int32Array): { x: Matrix; y: Uint8Array } {
  return { x: selectRows(set.x, idx), y: Uint8Array.from(idx, (i) => set.y[i]) };
}

function writeFeatureCsv(set: FeatureSet, path: string): void {
  const lines = [[...set.features, 'is_churned'].join(',')];
  for (let i = 0; i < set.x.nRows; i++) {
    const r: string[] = [];
    for (let j = 0; j < set.x.nCols; j++) {
      const v = set.x.data[i * set.x.nCols + j];
      r.push(Number.isNaN(v) ? '' : String(v));
    }
    r.push(String(set.y[i]));
    lines.push(r.join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

export interface CurvePoint {
  learner: string;
  rows: number;
  trees: number;
  fit_seconds: number;
  roc_auc: number;
}

/** The production out-of-time split: train on features at asOf-2h, test on features at asOf-h. */
export async function churnBenchWindows(h: BenchHistory): Promise<{ train: FeatureSet; test: FeatureSet }> {
  const cfg = churnConfig({});
  const q = { lookbackDays: cfg.lookbackDays, horizonDays: cfg.horizonDays };
  const train = await loadChurnFeatures(h.wh, { ...q, cutoff: addDays(h.asOf, -2 * cfg.horizonDays), dataEnd: addDays(h.asOf, -cfg.horizonDays) });
  const test = await loadChurnFeatures(h.wh, { ...q, cutoff: addDays(h.asOf, -cfg.horizonDays), dataEnd: h.asOf });
  return { train, test };
}

export async function benchChurnLearningCurve(
  h: BenchHistory,
  opts: {
    histSizes?: number[];
    histTrees?: number[];
    /** ml-random-forest runs: its split search is quadratic in node size, so only small samples. */
    mlrfRuns?: { rows: number; trees: number }[];
    seed?: number;
    log?: (s: string) => void;
  } = {},
): Promise<{ points: CurvePoint[]; trainRows: number; testRows: number; trainChurnRate: number }> {
  const log = opts.log ?? (() => {});
  const { train, test } = await churnBenchWindows(h);
  const cfg = churnConfig({});
  const nf = train.features.length;
  const points: CurvePoint[] = [];
  const run = (learner: ChurnLearner, rows: number, trees: number) => {
    const s = sub(train, stratifiedSample(train.y, rows, opts.seed ?? 1));
    const t0 = performance.now();
    const model = learner.fit(s.x, s.y);
    const fit = (performance.now() - t0) / 1000;
    const auc = rocAuc(model.predict(test.x), test.y);
    const p = { learner: learner.kind, rows: s.y.length, trees, fit_seconds: Math.round(fit * 100) / 100, roc_auc: Math.round(auc * 1e4) / 1e4 };
    log(`  ${p.learner.padEnd(17)} rows ${String(p.rows).padStart(6)} trees ${String(trees).padStart(3)}  fit ${p.fit_seconds.toFixed(2).padStart(7)} s  OOT AUC ${p.roc_auc}`);
    points.push(p);
  };
  const mlrf = opts.mlrfRuns ?? [
    { rows: 1000, trees: 10 },
    { rows: 2000, trees: 10 },
    { rows: 4000, trees: 10 },
    { rows: 1000, trees: 50 },
  ];
  for (const { rows, trees } of mlrf) {
    run(mlRandomForestLearner({ trees, maxFeatures: Math.round(Math.sqrt(nf)), seed: 1 }), rows, trees);
  }
  for (const trees of opts.histTrees ?? [cfg.trees]) {
    for (const rows of opts.histSizes ?? [1000, 4000, 16000, train.y.length]) {
      const params = { trees, minSamplesLeaf: cfg.minSamplesLeaf, maxDepth: cfg.maxDepth, maxFeatures: Math.round(cfg.maxFeaturesFraction * nf), sampleSize: 0, bins: cfg.bins, seed: 1 };
      run(histForestLearner(params), rows, trees);
    }
  }
  const rate = train.y.reduce((a, b) => a + b, 0) / train.y.length;
  return { points, trainRows: train.y.length, testRows: test.y.length, trainChurnRate: rate };
}

/** scikit-learn RandomForestClassifier(500 trees, min_samples_leaf 5) on all training rows. */
export async function benchChurnSklearn(h: BenchHistory, opts: { trees?: number; python?: string } = {}): Promise<Record<string, unknown>> {
  const { train, test } = await churnBenchWindows(h);
  const dir = join(h.dir, 'features');
  mkdirSync(dir, { recursive: true });
  writeFeatureCsv(train, join(dir, 'train.csv'));
  writeFeatureCsv(test, join(dir, 'test.csv'));
  const python = opts.python ?? '/usr/bin/python3';
  const r = spawnSync(python, [fromRoot('bench', 'churn_sklearn_baseline.py'), join(dir, 'train.csv'), join(dir, 'test.csv'), '--trees', String(opts.trees ?? 500)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return { skipped: `scikit-learn baseline failed (apt-get install -y python3-sklearn python3-pandas): ${r.stderr.slice(-400)}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function benchCtx(wh: Warehouse, churn: Record<string, unknown> = {}): JobContext {
  return { config: { churn } as unknown as Config, warehouse: wh, runId: 'bench', clock: fixedClock(new Date()), logger: silentLogger, results: {} };
}

/** The production training path (features for both windows, validation model, final model). */
export async function benchChurnTraining(h: BenchHistory, churn: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const m = await trainChurnModel(h.wh, { asOf: h.asOf, config: churnConfig(churn), now: new Date(), modelId: 'bench' });
  const oot = m.metrics.out_of_time as { raw: Record<string, number>; calibrated: Record<string, number> } | null;
  return {
    seconds: Math.round((performance.now() - t0) / 10) / 100,
    train_rows: m.countTrainRows,
    nodes: m.forest.feature.length,
    calibration: m.calibrator.kind,
    oot_roc_auc: oot?.calibrated.roc_auc,
    oot_pr_auc: oot?.calibrated.pr_auc,
    oot_brier_raw: oot?.raw.brier,
    oot_brier: oot?.calibrated.brier,
    oot_ece_raw: oot?.raw.ece,
    oot_ece: oot?.calibrated.ece,
    oot_top_decile_lift: oot?.calibrated.top_decile_lift,
    oot_top_decile_capture: oot?.calibrated.top_decile_capture,
  };
}

/** Trains on `h`, then scores `rows` customers (rows resampled from h's population) with risk + reasons. */
export async function benchChurnScoring(h: BenchHistory, opts: { rows?: number; workers?: number[] } = {}): Promise<Record<string, unknown>> {
  const ctx = benchCtx(h.wh);
  const step0 = performance.now();
  await scoreChurn(ctx, h.asOf); // trains (no model yet) and scores the real population
  const stepTrainAndScore = (performance.now() - step0) / 1000;
  const step1 = performance.now();
  const summary = await scoreChurn({ ...ctx, runId: 'bench-2' }, h.asOf); // fresh model: scoring only
  const stepScore = (performance.now() - step1) / 1000;
  const model = (await loadActiveModel(h.wh))!;
  const pop = await loadChurnFeatures(h.wh, { cutoff: h.asOf, lookbackDays: 365, horizonDays: 90 });
  const n = opts.rows ?? 1_000_000;
  const rng = seededRng(3);
  const idx = Int32Array.from({ length: n }, () => rng.int(pop.x.nRows));
  const x = selectRows(pop.x, idx);
  const out: Record<string, unknown> = {
    seconds: null, // filled below: scoring 1M rows on worker threads + writing them
    score_step_population: summary.scored,
    score_step_train_and_score_seconds: Math.round(stepTrainAndScore * 100) / 100,
    score_step_seconds: Math.round(stepScore * 100) / 100,
  };
  for (const workers of opts.workers ?? [2]) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage(); // process-wide: includes the worker threads
    const scored = await scorePopulation(model.body, x, { reasons: 3, workers });
    const cpu = process.cpuUsage(cpu0);
    out[`score_${n}_rows_workers_${workers}_seconds`] = Math.round((performance.now() - t0) / 10) / 100;
    out[`score_${n}_rows_workers_${workers}_cpu_seconds`] = Math.round((cpu.user + cpu.system) / 1e4) / 100;
    if (scored.risk.length !== n || scored.reasons.length !== n) throw new Error('scoring lost rows');
    // Writing them: churn_scores replaced + churn_score_history appended, one transaction.
    const t1 = performance.now();
    const ids = Array.from({ length: n }, (_, i) => `B${String(i).padStart(7, '0')}`);
    const bands = Array.from(scored.risk, (r) => bandOf(r, { medium: 0.3, high: 0.6 }));
    await h.wh.transaction((tx) => writeScores(tx, { customerIds: ids, scored, bands, asOf: h.asOf, scoredAt: new Date(), modelId: model.modelId, runId: 'bench-write' }));
    out[`write_${n}_rows_seconds`] = Math.round((performance.now() - t1) / 10) / 100;
    out.seconds = Math.round((performance.now() - t0) / 10) / 100;
  }
  return out;
}

/**
 * The whole score step (features SQL at the as-of, scoring with reasons on worker threads, writing
 * churn_scores + churn_score_history) on a large history. The model is trained first with bootstrap
 * samples of `sampleSize` rows per tree (config churn.sampleSize), which keeps training near the
 * 100k-customer cost; the timed part is the second run, which reuses the fresh model.
 */
export async function benchChurnScoreStep(h: BenchHistory, opts: { sampleSize?: number } = {}): Promise<Record<string, unknown>> {
  const churn = { sampleSize: opts.sampleSize ?? 60_000 };
  const t0 = performance.now();
  await scoreChurn(benchCtx(h.wh, churn), h.asOf);
  const first = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const s = await scoreChurn({ ...benchCtx(h.wh, churn), runId: 'bench-step-2' }, h.asOf);
  const cpu = process.cpuUsage(cpu0);
  return {
    customers: h.customers,
    scored: s.scored,
    train_and_score_seconds: Math.round(first * 100) / 100,
    score_step_seconds: Math.round((performance.now() - t1) / 10) / 100,
    score_step_cpu_seconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
  };
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export async function runChurnBench(opts: { customers?: number; sklearn?: boolean; scoreRows?: number; log?: (s: string) => void } = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const customers = opts.customers ?? 100_000;
  const t0 = performance.now();
  const h = await loadChurnBenchHistory(customers);
  log(`churn bench: ${customers}-customer history loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  try {
    log('learning curve (out-of-time ROC AUC vs training rows):');
    const curve = await benchChurnLearningCurve(h, { log });
    const sk = opts.sklearn === false ? { skipped: 'disabled' } : await benchChurnSklearn(h);
    log(`  scikit-learn RF 500 trees, all rows: ${JSON.stringify(sk)}`);
    const training = await benchChurnTraining(h);
    log(`training (production path, 2 windows): ${JSON.stringify(training)}`);
    const skAuc = typeof sk.roc_auc === 'number' ? sk.roc_auc : undefined;
    const ours = training.oot_roc_auc as number | undefined;
    const sklearn =
      skAuc === undefined || ours === undefined
        ? sk
        : { churn_model_roc_auc: ours, sklearn_roc_auc: Math.round(skAuc * 1e5) / 1e5, gap: Math.round((skAuc - ours) * 1e5) / 1e5, within_0_02: skAuc - ours <= 0.02, ...sk };
    log(`out-of-time ROC AUC vs scikit-learn: ${JSON.stringify(sklearn)}`);
    const scoring = await benchChurnScoring(h, { rows: opts.scoreRows });
    log(`scoring: ${JSON.stringify(scoring)}`);
    const rss = peakRssMb();
    log(`peak RSS ${rss} MB; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (other processes share the cores)`);
    return { customers, curve, sklearn, training, scoring, peak_rss_mb: rss, load_average: loadavg() };
  } finally {
    h.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--customers');
  const customers = i > 0 ? Number(process.argv[i + 1]) : undefined;
  runChurnBench({ customers, sklearn: !process.argv.includes('--no-sklearn') }).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
