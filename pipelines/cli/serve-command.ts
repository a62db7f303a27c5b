import { CxpError } from '../core/errors.js';
import type { Command } from './commands.js';
import { openContext, type CliContext } from './open-context.js';
import { startServer, type RunningServer } from '../../dashboards/server.js';
import { createJobRunner, type JobRunner } from '../../dashboards/jobs.js';
import { serverConfigOf } from '../config/sections/server.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Share the scheduler's runner so API-triggered and scheduled runs never overlap. */
  jobRunner?: JobRunner;
}

/**
 * Serves the dashboards and API on an already-open warehouse (the `start` command calls this after its
 * first pipeline run). Prints the address and, in open demo mode, says so loudly.
 */
export async function serveWarehouse(ctx: CliContext, opts: ServeOptions = {}): Promise<RunningServer & { jobRunner: JobRunner }> {
  const server = serverConfigOf(ctx.config.server);
  const jobRunner = opts.jobRunner ?? createJobRunner(ctx);
  const running = await startServer({
    warehouse: ctx.warehouse,
    config: ctx.config,
    server,
    host: opts.host ?? server.host,
    port: opts.port ?? server.port,
    clock: ctx.clock,
    jobRunner,
  });
  ctx.logger.info(`dashboards at ${running.url}/overview  API docs at ${running.url}/api/docs`);
  if (running.app.authMode === 'open') {
    ctx.logger.warn('OPEN DEMO MODE: no API keys configured; anyone who can reach this loopback address has admin access. Set server.apiKeys or CXPULSE_API_KEYS.');
  }
  return { ...running, jobRunner };
}

function parsePort(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `--port "${String(v)}" is not a port number`, { where: '--port', hint: 'give 0-65535' });
  }
  return n;
}

export const serveCommand: Command = {
  name: 'serve',
  usage: 'cxpulse serve [--config PATH] [--port N] [--host H]',
  summary: 'serve the dashboards and the API on the warehouse (default 127.0.0.1:3000); runs jobs posted to /api/jobs',
  options: {
    config: { type: 'string', short: 'c' },
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    debug: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  async action({ values }) {
    const port = parsePort(values.port);
    const ctx = await openContext({ config: values.config as string | undefined, debug: Boolean(values.debug) });
    let running: Awaited<ReturnType<typeof serveWarehouse>>;
    try {
      running = await serveWarehouse(ctx, { host: values.host as string | undefined, port });
    } catch (err) {
      ctx.warehouse.close();
      throw err;
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    ctx.logger.info('shutting down: waiting for requests and any running job');
    await running.close();
    while (running.jobRunner.isRunning()) await new Promise((r) => setTimeout(r, 200));
    ctx.warehouse.close();
    return 0;
  },
};
