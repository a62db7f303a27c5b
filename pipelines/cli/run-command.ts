import { getJobs } from '../jobs/registry.js';
import { runPipeline } from '../jobs/run-pipeline.js';
import type { Command } from './commands.js';
import { COMMON_OPTIONS } from './commands.js';
import { SERVER_ROUTES } from './lock-advice.js';
import { openContext } from './open-context.js';
import { printRunSummary } from './print-summary.js';

export const runCommand: Command = {
  name: 'run',
  usage: 'cxpulse run [JOB...] [--config PATH] [--as-of YYYY-MM-DD] [--full]',
  summary: 'run jobs once (default: ingest transform score export triggers) and exit',
  // --full: database sources ignore their watermark and files are read even when unchanged, and every job
  // runs even when its inputs are unchanged (pipelines/jobs/up-to-date.ts), for this run.
  options: { ...COMMON_OPTIONS, full: { type: 'boolean' as const } },
  async action({ values, positionals }) {
    const jobs = getJobs(positionals);
    const ctx = await openContext({
      config: values.config as string | undefined,
      asOf: values['as-of'] as string | undefined,
      debug: Boolean(values.debug),
      command: ['run', ...positionals].join(' '),
      route: SERVER_ROUTES.run(positionals),
    });
    if (values.full) for (const src of Object.values(ctx.config.sources)) if (src) src.fullReload = true;
    try {
      const outcome = await runPipeline(jobs, { ...ctx, force: Boolean(values.full) }, { trigger: 'cli' });
      printRunSummary(outcome, process.stdout);
      if (outcome.error) {
        process.stderr.write(`cxpulse: run ${outcome.runId} failed: ${outcome.error.toLine()}\n`);
        return 1;
      }
      return 0;
    } finally {
      ctx.warehouse.close();
    }
  },
};
