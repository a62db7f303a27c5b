import { CxpError } from '../core/errors.js';
import { runAsOf } from '../core/as-of.js';
import { isoDate } from '../core/clock.js';
import { configTimeZone } from '../core/time-zone.js';
import type { Job, JobSummary } from './types.js';
import type { ScoreStep } from '../core/module.js';
import { MODULES } from '../../models/modules.js';
import { buildCustomer360 } from './customer-360.js';
import { buildAtRiskList, lostThresholds } from '../../models/churn/at-risk-list.js';

/** The score job's steps: each module's own (AnalyticsModule.scoreStep), in module-list order. */
export const SCORE_STEPS: { name: string; run: ScoreStep }[] = MODULES.flatMap((m) => (m.scoreStep ? [{ name: m.name, run: m.scoreStep }] : []));

export const scoreJob: Job = {
  name: 'score',
  description: 'satisfaction statistics and drivers, RFM/lifecycle/CLV, churn risk (trains when no fresh model)',
  async run(ctx) {
    const asOf = await runAsOf(ctx);
    const out: JobSummary = { as_of: isoDate(asOf) };
    for (const step of SCORE_STEPS) {
      if (ctx.signal?.aborted) {
        // A partial score run must not be recorded as a success.
        throw new CxpError('CXP_ERR_JOB_FAILED', `score stopped before step ${step.name}: shutting down`, {
          hint: 'the steps that finished kept their results; run `cxpulse run score` again',
        });
      }
      const t0 = performance.now();
      out[step.name] = { ...(await step.run(ctx, asOf)), ms: Math.round(performance.now() - t0) };
    }
    // The at-risk list ranked once per run (value at stake, the lost apart): pages read it in order.
    // Built first: customer_360 carries its is_lost and value_at_stake.
    out.at_risk_list = { rows: await buildAtRiskList(ctx.warehouse, lostThresholds(ctx.config)) };
    out.customer_360 = { rows: await buildCustomer360(ctx.warehouse, asOf, configTimeZone(ctx.config)) };
    return out;
  },
};
