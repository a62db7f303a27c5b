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

/** DuckDB refused memory (its `memory_limit`): the error, or one it caused. */
export function isOutOfMemory(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = (e as Error & { cause?: unknown }).cause, depth++) {
    if (/Out of Memory Error/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Runs the steps side by side: a step reads canonical tables, marts and its own module's tables, never
 * another step's output (module.ts ScoreStep), so one step's single-threaded parts (the value fit, the
 * churn forest's joins) overlap another's SQL, where a core would otherwise sit idle. Returns each
 * step's summary (with its `ms`) in list order; once all have settled, the first failure in list order
 * is thrown (the steps that succeeded keep their results).
 *
 * Side by side, the steps share DuckDB's memory_limit: near it (3M customers in 1.5GB), one step's query
 * can be refused memory the others hold at that moment. Such a step runs again on its own once the
 * others have finished (each step writes in one transaction, so its failed attempt left nothing), and its
 * summary says `retried_alone`. Any other failure is not retried.
 */
export async function runScoreSteps(steps: { name: string; run: ScoreStep }[], ctx: StepContext, asOf: Date): Promise<JobSummary> {
  const attempt = async (step: { name: string; run: ScoreStep }) => {
    const t0 = performance.now();
    return { ...(await step.run(ctx, asOf)), ms: Math.round(performance.now() - t0) };
  };
  const settled: PromiseSettledResult<JobSummary>[] = await Promise.allSettled(steps.map(attempt));
  for (const [i, r] of settled.entries()) {
    if (r.status === 'fulfilled' || !isOutOfMemory(r.reason)) continue;
    ctx.logger?.warn(`score step ${steps[i].name} ran out of DuckDB memory beside the other steps; running it again on its own`, {
      error: (r.reason as Error).message.split('\n')[0],
    });
    try {
      settled[i] = { status: 'fulfilled', value: { ...(await attempt(steps[i])), retried_alone: true } };
    } catch (err) {
      settled[i] = { status: 'rejected', reason: err };
    }
  }
  const out: JobSummary = {};
  for (const [i, r] of settled.entries()) {
    if (r.status === 'rejected') throw r.reason;
    out[steps[i].name] = r.value;
  }
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
    if (ctx.signal?.aborted) {
      // A partial score run must not be recorded as a success.
      throw new CxpError('CXP_ERR_JOB_FAILED', 'score stopped before its steps: shutting down', {
        hint: 'the score tables keep their previous results; run `cxpulse run score` again',
      });
    }
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
