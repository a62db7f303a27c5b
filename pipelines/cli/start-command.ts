import { getJobs } from '../jobs/registry.js';
import { runPipeline } from '../jobs/run-pipeline.js';
import type { Command } from './commands.js';
import { openContext } from './open-context.js';
import { printRunSummary } from './print-summary.js';
import { checkServeSettings, parsePort, serveUntilSignal } from './serve-command.js';
import { assertPortFree } from './port-free.js';

/**
 * `npm start`: the whole product on one command. Uses ./cxpulse.config.json when present, else the
 * checked-in demo data; runs the pipeline once, then serves the dashboards and keeps the scheduler running.
 */
export const startCommand: Command = {
  name: 'start',
  usage: 'cxpulse start [--config PATH] [--port N] [--host H] [--as-of YYYY-MM-DD]',
  summary: 'run the full pipeline once, then serve the dashboards and run the scheduler (what `npm start` does)',
  options: {
    config: { type: 'string', short: 'c' },
    'as-of': { type: 'string' },
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    debug: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  async action({ values }) {
    // A port that is no port fails before anything is opened or run.
    parsePort(values.port);
    const ctx = await openContext({
      config: values.config as string | undefined,
      asOf: values['as-of'] as string | undefined,
      debug: Boolean(values.debug),
      command: 'start',
    });
    let bind: { host: string; port: number };
    try {
      // Server settings are checked before the first job: an unsafe bind must not run the pipeline first.
      bind = checkServeSettings(ctx.config, { host: values.host as string | undefined, port: values.port });
    } catch (err) {
      ctx.warehouse.close();
      throw err;
    }
    const out = process.stdout;
    // A busy port is found before the first run, not after it.
    try {
      await assertPortFree(bind.host, bind.port);
    } catch (err) {
      ctx.warehouse.close();
      throw err;
    }
    out.write(`cxpulse: config     ${ctx.config.configPath ?? 'built-in demo (data-samples/demo.config.json)'}\n`);
    out.write(`cxpulse: warehouse  ${ctx.config.warehouse}\n`);
    out.write(`cxpulse: exports    ${ctx.config.exports.dir}\n`);
    const outcome = await runPipeline(getJobs([]), ctx, { trigger: 'start' });
    printRunSummary(outcome, out);
    if (outcome.error) {
      // Serve anyway: the dashboards show the last good state and the failed run in /api/jobs.
      process.stderr.write(`cxpulse: first run failed: ${outcome.error.toLine()}\n`);
    }
    await serveUntilSignal(ctx, bind);
    return 0;
  },
};
