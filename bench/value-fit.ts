/**
 * Value fit time against customers (10k, 100k, 1M) on well-identified and on degenerate synthetic
 * histories, the gradient fit (models/value: BFGS + identification checks, the product's path via
 * fitValueModels, sampling above value.fitSampleSize) side by side with the previous optimiser
 * (Nelder-Mead with multi-start and restarts, bench/nelder-mead.ts, on the same likelihoods and
 * the same sample). Times are wall and process CPU; the machine is shared, so CPU is the steadier one.
 *
 * `npx tsx bench/value-fit.ts [--sizes 10000,100000,1000000] [--no-nelder-mead]`; also
 * `npm run bench -- --only value-fit`.
 */
import { pathToFileURL } from 'node:url';
import { fitValueModels, type FitPolicy } from '../models/value/fit-value.js';
import { prepareHistories, purchaseObjective, startPoint, LOG_BOUND } from '../models/value/bgnbd.js';
import { gammaGammaLogLikelihood } from '../models/value/gamma-gamma.js';
import { groupHistoriesDays } from '../models/value/history.js';
import { DEFAULT_VALUE_SETTINGS } from '../models/value/settings.js';
import { gammaDraw, mulberry32 } from '../tests/models/value/simulate.js';
import { minimise } from './nelder-mead.js';

export interface ValueFitRow {
  data: string;
  customers: number;
  optimiser: string;
  wall_ms: number;
  cpu_ms: number;
  evaluations: number;
  converged: boolean;
  identification: string;
  params: string;
}

interface Synthetic {
  x: Float64Array;
  txDays: Float64Array;
  ageDays: Float64Array;
  repeatMean: Float64Array;
  isBuyer: Float64Array;
  draw: Float64Array;
}

/**
 * BG/NBD customers in whole days over up to three years: rates Gamma(0.8, 40 days), dropout
 * p ~ Beta(a, b) after each repeat purchase; spend per purchase day Gamma(6, ν) with ν ~ Gamma(4, 15).
 * "degenerate": everyone has the same dropout chance 0.15 (Beta with a, b in the millions).
 */
export function syntheticHistories(n: number, kind: 'identified' | 'degenerate', seed = 7): Synthetic {
  const u = mulberry32(seed);
  const [a, b] = kind === 'identified' ? [0.8, 3] : [0.15e7, 0.85e7];
  const out: Synthetic = {
    x: new Float64Array(n),
    txDays: new Float64Array(n),
    ageDays: new Float64Array(n),
    repeatMean: new Float64Array(n),
    isBuyer: new Float64Array(n).fill(1),
    draw: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const lambda = gammaDraw(0.8, u) / 40;
    const ga = gammaDraw(a, u);
    const p = ga / (ga + gammaDraw(b, u));
    const T = Math.floor(30 + 1065 * u());
    let t = 0;
    let x = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(1 - u()) / lambda;
      if (t > T) break;
      const day = Math.floor(t);
      if (day > last) {
        x++;
        last = day;
      }
      if (u() < p) break;
    }
    const nu = gammaDraw(4, u) / 15;
    let spend = 0;
    for (let k = 0; k < x; k++) spend += gammaDraw(6, u) / nu;
    out.x[i] = x;
    out.txDays[i] = last;
    out.ageDays[i] = T;
    out.repeatMean[i] = x > 0 ? spend / x : NaN;
    out.draw[i] = u();
  }
  return out;
}

const POLICY: FitPolicy = { ...DEFAULT_VALUE_SETTINGS, model: 'bgnbd' };

function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, wall: Math.round(performance.now() - t0), cpu: Math.round((c.user + c.system) / 1000) };
}

/** The previous fit: the same sample and likelihoods, Nelder-Mead with the previous policy (3 starts up to 20k groups, 3 restarts, 5,000 evaluations per run). */
function nelderMeadFit(s: Synthetic) {
  const fraction = Math.min(1, POLICY.fitSampleSize / s.x.length);
  const keep: number[] = [];
  for (let i = 0; i < s.x.length; i++) if (s.draw[i] < fraction) keep.push(i);
  const pick = (arr: Float64Array) => Float64Array.from(keep, (i) => arr[i]);
  const prep = prepareHistories(groupHistoriesDays(pick(s.x), pick(s.txDays), pick(s.ageDays), POLICY.timeUnitDays));
  const obj = purchaseObjective(prep, 'bgnbd', 'beta');
  const scratch = [0, 0, 0, 0];
  const f = (v: number[]) => (v.some((c) => Math.abs(c) > LOG_BOUND) ? Infinity : obj.f(v, scratch));
  const x0 = startPoint(prep);
  const extraStarts =
    prep.h.x.length <= 20_000
      ? [
          [Math.log(0.25), x0[1] - 1, Math.log(0.8), Math.log(2.5)],
          [Math.log(3), x0[1] + 1, Math.log(2), Math.log(8)],
        ]
      : [];
  const bg = minimise(f, x0, { extraStarts, restarts: 3, fTol: 1e-12 });
  const gx: number[] = [];
  const gm: number[] = [];
  for (const i of keep) {
    if (s.x[i] > 0) {
      gx.push(s.x[i]);
      gm.push(s.repeatMean[i]);
    }
  }
  let meanM = 0;
  for (const m of gm) meanM += m / gm.length;
  const gg = minimise(
    (v) => (v.some((c) => Math.abs(c) > LOG_BOUND) ? Infinity : -gammaGammaLogLikelihood({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) }, gx, gm) / gx.length),
    [0, Math.log(2), Math.log(meanM)],
    {
      restarts: 3,
      fTol: 1e-12,
      extraStarts:
        gx.length <= 20_000
          ? [
              [Math.log(5), Math.log(4), Math.log(meanM)],
              [Math.log(0.5), Math.log(1.5), Math.log(meanM) - 2],
            ]
          : [],
    },
  );
  return { bg, gg };
}

const fmt = (v: number) => Number(v.toPrecision(4));

/** The product's path (fitValueModels) timed on one synthetic set under a given policy. */
function gradientRow(kind: string, n: number, s: Synthetic, policy: FitPolicy, optimiser: string): ValueFitRow {
  const g = timed(() => fitValueModels(s, policy));
  const fit = g.value;
  const p = fit.bgnbd!.params;
  return {
    data: kind,
    customers: n,
    optimiser,
    wall_ms: g.wall,
    cpu_ms: g.cpu,
    evaluations: fit.bgnbd!.optimiser.evaluations + (fit.identification?.evaluations ?? 0) + (fit.gammaGamma?.optimiser.evaluations ?? 0),
    converged: fit.bgnbd!.optimiser.converged && (fit.gammaGamma?.optimiser.converged ?? true),
    identification: `${fit.identification!.status}${fit.scorer?.fixedDropout !== undefined ? ` (p = ${fmt(fit.scorer.fixedDropout)})` : ''}`,
    params: `r ${fmt(p.r)} α ${fmt(p.alpha)} a ${fmt(p.a)} b ${fmt(p.b)}`,
  };
}

export function runValueFitBench(sizes: number[], withNelderMead = true, log: (s: string) => void = () => {}): ValueFitRow[] {
  const rows: ValueFitRow[] = [];
  for (const kind of ['identified', 'degenerate'] as const) {
    for (const n of sizes) {
      log(`value fit: ${kind} ${n} ...`);
      const s = syntheticHistories(n, kind);
      rows.push(gradientRow(kind, n, s, POLICY, 'BFGS + identification checks'));
      // The product samples above fitSampleSize; this row shows the same fit on every customer,
      // so the sample is a choice about time, not a crutch for the optimiser.
      if (n > POLICY.fitSampleSize) rows.push(gradientRow(kind, n, s, { ...POLICY, fitSampleSize: n }, 'BFGS + identification checks, no sample'));
      if (!withNelderMead) continue;
      const m = timed(() => nelderMeadFit(s));
      const v = m.value.bg.x.map(Math.exp);
      rows.push({
        data: kind,
        customers: n,
        optimiser: 'Nelder-Mead (previous)',
        wall_ms: m.wall,
        cpu_ms: m.cpu,
        evaluations: m.value.bg.evaluations + m.value.gg.evaluations,
        converged: m.value.bg.converged && m.value.gg.converged,
        identification: '-',
        params: `r ${fmt(v[0])} α ${fmt(v[1])} a ${fmt(v[2])} b ${fmt(v[3])}`,
      });
    }
  }
  return rows;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = (arg('sizes') ?? '10000,100000,1000000').split(',').map(Number);
  console.table(runValueFitBench(sizes, !process.argv.includes('--no-nelder-mead'), (s) => process.stderr.write(`${s}\n`)));
}
