import { CxpError } from '../core/errors.js';
import { collectGarbage } from '../core/collect-garbage.js';
import { runAsOf } from '../core/as-of.js';
import { isoDate } from '../core/clock.js';
import { configTimeZone } from '../core/time-zone.js';
import type { Job, JobSummary } from './types.js';
import { tablesExist } from './up-to-date.js';
import type { ScoreStep, StepContext } from '../core/module.js';
import { MODULES } from '../../models/modules.js';
import { buildCustomer360 } from './customer-360.js';
import { buildAtRiskList, lostThresholds } from '../../models/churn/at-risk-list.js';
import { activeModelId } from '../../models/churn/model-store.js';

/** The score job's steps: each module's own (AnalyticsModule.scoreStep), listed in module-list order. */
export const SCORE_STEPS: { name: string; run: ScoreStep }[] = MODULES.flatMap((m) => (m.scoreStep ? [{ name: m.name, run: m.scoreStep }] : []));

/**
 * Runs the steps one after another, in list order. A step reads canonical tables, marts and its own
 * module's tables, never another step's output (module.ts ScoreStep), so the order does not change any
 * result. They used to run side by side; measured on 2 cores (docs/decisions/0017) that gained no time:
 * each step's SQL already keeps both cores busy, so side by side the steps fought over the cores and
 * DuckDB's memory_limit. At 1M the job's time spread wider, at 3M in 1.5GB steps were refused memory and
 * the peak RSS was higher. Returns each step's summary (with its `ms`) in list order. A
 * failing step does not stop the later ones; once all have run, the first failure in list order is
 * thrown (the steps that succeeded keep their results). Once `ctx.signal` is aborted (shutdown), no
 * further step starts.
 */
export async function runScoreSteps(steps: { name: string; run: ScoreStep }[], ctx: StepContext, asOf: Date): Promise<JobSummary> {
  const out: JobSummary = {};
  let failure: { error: unknown } | undefined;
  for (const step of steps) {
    // Shutting down: the steps done keep their results; the job fails, so the next run scores again.
    if (ctx.signal?.aborted) {
      failure ??= {
        error: new CxpError('CXP_ERR_JOB_FAILED', `score stopped before its step ${step.name}: shutting down`, {
          hint: 'the steps not run keep their previous results; run `cxpulse run score` again',
        }),
      };
      break;
    }
    const t0 = performance.now();
    try {
      out[step.name] = { ...(await step.run(ctx, asOf)), ms: Math.round(performance.now() - t0) };
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
  return out;
}

export const scoreJob: Job = {
  name: 'score',
  description: 'satisfaction statistics and drivers, RFM/lifecycle/CLV, churn risk (trains when no fresh model)',
  // Reads the marts; scores with the active churn model, which `cxpulse train` may replace between runs.
  // The two tables only this job creates must still be there.
  upToDate: {
    after: ['transform'],
    state: async (ctx) => `churn model ${await activeModelId(ctx.warehouse)}`,
    inPlace: (ctx) => tablesExist(ctx.warehouse, ['at_risk_list', 'customer_360']),
  },
  async run(ctx) {
    const asOf = await runAsOf(ctx);
    const out: JobSummary = { as_of: isoDate(asOf) };
    // Stops between steps once shutting down, and then fails: a partial score run is not a success.
    Object.assign(out, await runScoreSteps(SCORE_STEPS, ctx, asOf));
    // The steps' arrays (the churn feature matrix and reasons: ~0.5 GB at 1M) freed before the SQL below
    // fills DuckDB's buffer pool: otherwise they stay until the process ends and the peak RSS is both.
    collectGarbage();
    // The at-risk list ranked once per run (value at stake, the lost apart): pages read it in order.
    // Built first: customer_360 carries its is_lost and value_at_stake.
    out.at_risk_list = { rows: await buildAtRiskList(ctx.warehouse, lostThresholds(ctx.config)) };
    out.customer_360 = { rows: await buildCustomer360(ctx.warehouse, asOf, configTimeZone(ctx.config)) };
    return out;
  },
};
