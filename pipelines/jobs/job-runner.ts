import type { Clock } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Warehouse } from '../core/warehouse.js';
import type { Config } from '../config/types.js';
import { getJobs } from './registry.js';
import type { JobRunner } from '../core/job-runner.js';
import { newRunId, runPipeline, type RunOutcome } from './run-pipeline.js';

export type { JobRunner };

/** A runner without schedules (`cxpulse serve` on its own): one run at a time, 409 while busy. */

export function createJobRunner(ctx: { config: Config; warehouse: Warehouse; clock: Clock; logger: Logger; asOfOverride?: Date; signal?: AbortSignal }): JobRunner {
  let running: Promise<RunOutcome> | undefined;
  return {
    isRunning: () => running !== undefined,
    start(names, trigger) {
      if (running) throw new CxpError('CXP_ERR_JOB_RUNNING', 'a pipeline run is in progress', { hint: 'wait for it to finish (GET /api/jobs), then try again' });
      const jobs = getJobs(names);
      const runId = newRunId(ctx.clock);
      const done = runPipeline(jobs, { ...ctx, runId }, { trigger }).finally(() => {
        running = undefined;
      });
      running = done;
      return { runId, done };
    },
  };
}
