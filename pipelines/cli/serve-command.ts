import type { AdminTasks } from '../core/admin-tasks.js';
import { CxpError } from '../core/errors.js';
import { trainNow } from './train-command.js';
import { removeServerInfo, writeServerInfo } from '../core/warehouse-lock.js';
import { assertPortFree } from './port-free.js';
import type { Command } from './commands.js';
import { openContext, type CliContext } from './open-context.js';
import { startServer, type RunningServer } from '../../dashboards/server.js';
import type { JobRunner } from '../core/job-runner.js';
import { JOB_NAMES } from '../jobs/registry.js';
import { serverConfigOf } from '../core/server-settings.js';
import { assertSafeBind, loadApiKeys } from '../../dashboards/plugins/auth.js';
import { Scheduler, startScheduler } from '../scheduler/scheduler.js';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Share the scheduler's runner so API-triggered and scheduled runs never overlap. */
  jobRunner?: JobRunner;
  /** Replay and train for the API (POST /api/actions/replay, /api/churn/train). */
  adminTasks?: AdminTasks;
}

/**
 * The admin tasks of a server with a scheduler: replay and train run in turn with pipeline runs (the
 * scheduler's lock), like the CLI commands they stand for.
 */
export function schedulerAdminTasks(ctx: CliContext, scheduler: Scheduler): AdminTasks {
  return {
    async replay(target) {
      const r = await scheduler.replay('dead' in target ? { dead: true } : { actionId: target.actionId });
      return { action_ids: r.actionIds, delivered: r.delivery.delivered, retrying: r.delivery.retrying, dead: r.delivery.dead };
    },
    async train(asOf) {
      return scheduler.exclusive(async () => (await trainNow({ ...ctx, asOfOverride: asOf ?? ctx.asOfOverride })).summary);
    },
  };
}

/**
 * Serves the dashboards and API on an already-open warehouse (the `start` command calls this after its
 * first pipeline run). Prints the address and, in open demo mode, says so loudly.
 */
export async function serveWarehouse(ctx: CliContext, opts: ServeOptions = {}): Promise<RunningServer & { jobRunner: JobRunner }> {
  const server = serverConfigOf(ctx.config.server);
  // The one job runner is the scheduler's; without one given, a scheduler whose cron schedules are
  // not started, so API runs still never overlap.
  const jobRunner = opts.jobRunner ?? new Scheduler({ config: ctx.config, warehouse: ctx.warehouse, logger: ctx.logger, clock: ctx.clock, asOfOverride: ctx.asOfOverride }).asJobRunner();
  const running = await startServer({
    warehouse: ctx.warehouse,
    config: ctx.config,
    server,
    host: opts.host ?? server.host,
    port: opts.port ?? server.port,
    clock: ctx.clock,
    jobRunner,
    jobNames: JOB_NAMES,
    adminTasks: opts.adminTasks,
    log: ctx.logger,
  });
  // Announced beside the warehouse, so a command refused by the lock can point to this server.
  writeServerInfo(ctx.config.warehouse, { pid: process.pid, url: running.url, started_at: ctx.clock.now().toISOString() });
  const close = async () => {
    removeServerInfo(ctx.config.warehouse);
    await running.close();
  };
  ctx.logger.info(`dashboards at ${running.url}/overview  API docs at ${running.url}/api/docs`);
  if (running.app.authMode === 'open') {
    ctx.logger.warn('OPEN DEMO MODE: no API keys configured; anyone who can reach this loopback address has admin access. Set server.apiKeys or CXPULSE_API_KEYS.');
  }
  return { ...running, close, jobRunner };
}

/**
 * Serves the warehouse with the scheduler running (one shared runner, so API-triggered and scheduled
 * runs never overlap) until SIGINT/SIGTERM; then stops taking requests, waits for the running job and
 * closes the warehouse. Prints where things are.
 */
export async function serveUntilSignal(ctx: CliContext, opts: { host?: string; port?: number }): Promise<void> {
  let scheduler: Scheduler | undefined;
  let running: Awaited<ReturnType<typeof serveWarehouse>>;
  try {
    const server = serverConfigOf(ctx.config.server);
    await assertPortFree(opts.host ?? server.host, opts.port ?? server.port);
    scheduler = startScheduler({ config: ctx.config, warehouse: ctx.warehouse, logger: ctx.logger, clock: ctx.clock });
    running = await serveWarehouse(ctx, { ...opts, jobRunner: scheduler.asJobRunner(), adminTasks: schedulerAdminTasks(ctx, scheduler) });
  } catch (err) {
    await scheduler?.stop();
    ctx.warehouse.close();
    throw err;
  }
  process.stdout.write(`cxpulse: dashboards ${running.url}/\ncxpulse: API docs   ${running.url}/api/docs\n`);
  process.stdout.write('cxpulse: scheduler running (Ctrl-C to stop)\n');
  const sig = await new Promise<string>((resolve) => {
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    const stop = (name: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(name);
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  ctx.logger.info(`${sig}: shutting down, waiting for requests and the running job`);
  await running.close();
  await scheduler.stop();
  ctx.warehouse.close();
}

function parsePort(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `--port "${String(v)}" is not a port number`, { where: '--port', hint: 'give 0-65535' });
  }
  return n;
}

export { parsePort };

/**
 * The server settings `start` will use, checked BEFORE any job runs: a bad --port, or a non-loopback
 * host without API keys, must not let the whole pipeline (webhooks included) run before the refusal.
 */
export function checkServeSettings(config: CliContext['config'], opts: { host?: string; port?: unknown }, env = process.env): { host: string; port: number } {
  const server = serverConfigOf(config.server);
  const port = parsePort(opts.port) ?? server.port;
  const host = opts.host ?? server.host;
  assertSafeBind(host, loadApiKeys(server.apiKeys, env.CXPULSE_API_KEYS).length);
  return { host, port };
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
    const ctx = await openContext({ config: values.config as string | undefined, debug: Boolean(values.debug), command: 'serve' });
    await serveUntilSignal(ctx, { host: values.host as string | undefined, port });
    return 0;
  },
};
