import { runAsOf } from '../core/as-of.js';
import { newRunId } from '../jobs/run-pipeline.js';
import { trainAndActivate } from '../../models/churn/score-step.js';
import { isoDate } from '../core/clock.js';
import { isCxpError } from '../core/errors.js';
import type { Command } from './commands.js';
import { COMMON_OPTIONS } from './commands.js';
import { SERVER_ROUTES } from './lock-advice.js';
import { openContext, type CliContext } from './open-context.js';
import type { TrainSummary } from '../core/admin-tasks.js';

/**
 * Trains a churn model for the run's as-of (ctx.asOfOverride, else the data's) and makes it the active
 * one; returns its summary and the lines `cxpulse train` prints. The server runs the same for
 * POST /api/churn/train.
 */
export async function trainNow(ctx: CliContext): Promise<{ summary: TrainSummary; lines: string[] }> {
  const jobCtx = { ...ctx, runId: newRunId(ctx.clock), results: {} };
  const asOf = await runAsOf(jobCtx);
  const m = await trainAndActivate(jobCtx, asOf);
  const oot = m.metrics.out_of_time as { calibrated: Record<string, number>; raw: Record<string, number> } | null;
  const lines = [
    `churn model ${m.modelId} trained for ${isoDate(asOf)} and active`,
    `  training rows ${m.countTrainRows} (${m.countTrainChurned} churned), features as of ${isoDate(m.trainCutoff)}, ${m.trainingMs} ms`,
    `  calibration ${m.calibrator.kind}`,
    oot
      ? `  out of time: ROC AUC ${oot.calibrated.roc_auc}, PR AUC ${oot.calibrated.pr_auc}, Brier ${oot.calibrated.brier}, top-decile lift ${oot.calibrated.top_decile_lift}, capture ${oot.calibrated.top_decile_capture}`
      : `  out of time: not validated (${String(m.metrics.out_of_time_skipped)})`,
    `  top features: ${m.importance.slice(0, 5).map((f) => `${f.feature} ${f.importance}`).join(', ')}`,
  ];
  const summary: TrainSummary = {
    model_id: m.modelId,
    as_of: isoDate(asOf),
    count_train_rows: m.countTrainRows,
    count_train_churned: m.countTrainChurned,
    calibration: m.calibrator.kind,
    out_of_time: oot?.calibrated ?? null,
    training_ms: m.trainingMs,
  };
  return { summary, lines };
}

/** `cxpulse train`: trains a churn model for the as-of date and makes it active, fresh or not. */
export const trainCommand: Command = {
  name: 'train',
  usage: 'cxpulse train [--config PATH] [--as-of YYYY-MM-DD]',
  summary: 'train the churn model (out-of-time validated) and make it the active one',
  options: COMMON_OPTIONS,
  async action({ values }) {
    const asOfArg = values['as-of'] as string | undefined;
    const ctx = await openContext({
      config: values.config as string | undefined,
      asOf: asOfArg,
      debug: Boolean(values.debug),
      command: asOfArg ? `train --as-of ${asOfArg}` : 'train',
      route: SERVER_ROUTES.train(asOfArg),
    });
    try {
      const { lines } = await trainNow(ctx);
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } catch (err) {
      if (isCxpError(err)) {
        process.stderr.write(`cxpulse: train failed: ${err.toLine()}\n`);
        return 1;
      }
      throw err;
    } finally {
      ctx.warehouse.close();
    }
  },
};
