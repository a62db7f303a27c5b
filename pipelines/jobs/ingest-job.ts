import { runIngest } from '../sources/run-ingest.js';
import type { Job } from './types.js';

/**
 * Loads the configured sources into the canonical tables. The summary's `sources` holds per-source
 * counts (read / loaded / updated / duplicate / rejected / files / skipped_files) that runPipeline
 * records in pipeline_runs and `cxpulse run` prints.
 */
export const ingestJob: Job = {
  name: 'ingest',
  description: 'load the configured sources into the canonical tables',
  async run(ctx) {
    const summary = await runIngest({
      warehouse: ctx.warehouse,
      config: ctx.config,
      runId: ctx.runId,
      clock: ctx.clock,
      logger: ctx.logger,
      signal: ctx.signal,
    });
    return { ...summary };
  },
};
