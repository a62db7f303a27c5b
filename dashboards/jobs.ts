import type { Clock } from '../pipelines/core/clock.js';
import { CxpError } from '../pipelines/core/errors.js';
import type { Logger } from '../pipelines/core/logger.js';
import type { Warehouse } from '../pipelines/core/warehouse.js';
import type { Config } from '../pipelines/config/types.js';
import { getJobs } from '../pipelines/jobs/registry.js';
import { newRunId, runPipeline, type RunOutcome, type RunTrigger } from '../pipelines/jobs/run-pipeline.js';

/**
 * Runs jobs inside the process that holds the warehouse. The API and the scheduler share one runner,
 * so a run never overlaps another; `start` returns the run id at once and the outcome as a promise.
 */
export interface JobRunner {
  isRunning(): boolean;
  start(names: string[], trigger: RunTrigger): { runId: string; done: Promise<RunOutcome> };
}

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
