import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { silentLogger, type Logger } from '../pipelines/core/logger.js';
import { systemClock, type Clock } from '../pipelines/core/clock.js';
import type { Warehouse } from '../pipelines/core/warehouse.js';
import type { DashboardConfig as Config } from './config.js';
import { serverConfigOf, type ServerConfig } from '../pipelines/core/server-settings.js';
import type { JobRunner } from '../pipelines/core/job-runner.js';
import type { AdminTasks } from '../pipelines/core/admin-tasks.js';
import { adminRoutes } from './routes/admin.js';
import { authPlugin, loadApiKeys } from './plugins/auth.js';
import { errorSchema, installErrorHandling } from './plugins/errors.js';
import { requestLogPlugin } from './plugins/request-log.js';
import { securityPlugin } from './plugins/security.js';
import { warehousePlugin } from './plugins/warehouse.js';
import { actionRoutes } from './routes/actions.js';
import { customerRoutes } from './routes/customers.js';
import { dashboardRoutes } from './routes/dashboards.js';
import { jobRoutes } from './routes/jobs.js';
import { listRoutes } from './routes/lists.js';
import { displayCurrency } from './routes/request-context.js';
import { metaRoutes } from './routes/meta.js';
import { pageRoutes } from './routes/pages.js';
import { rfmRoutes } from './routes/rfm.js';

export interface BuildAppOptions {
  warehouse: Warehouse;
  /** The full config, when there is one: module settings (satisfaction.minSample, ...) and the default `server`. */
  config?: Config;
  /** The `server` config section (defaults fill what is missing); default config.server. */
  server?: Partial<ServerConfig> | Record<string, unknown>;
  /** The address the app will listen on; an open app (no keys) is refused anywhere but loopback. */
  host?: string;
  /** Where CXPULSE_API_KEYS is read from (default process.env). */
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Runs jobs for POST /api/jobs/:name/run; without one that route answers that it cannot. */
  jobRunner?: JobRunner;
  /** What POST /api/actions/replay and /api/churn/train run (the CLI wires them; absent: those answer they cannot). */
  adminTasks?: AdminTasks;
  /** The pipeline's job names (GET /api/jobs lists them; POST /api/jobs/:name/run accepts them). */
  jobNames?: readonly string[];
  /** Fastify's own (pino) logger; off by default. The access and error logs go to `log`. */
  logger?: FastifyServerOptions['logger'];
  /** The project logger: access log (one line per request), failed API keys, 5xx errors. Default silent. */
  log?: Logger;
}

/** Builds the Fastify app without listening: tests call app.inject(), startServer() listens. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const server = serverConfigOf((opts.server ?? opts.config?.server) as Record<string, unknown> | undefined);
  const host = opts.host ?? server.host;
  const keys = loadApiKeys(server.apiKeys, (opts.env ?? process.env).CXPULSE_API_KEYS);
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: server.bodyLimit,
    // Our own request ids (a client's X-Request-Id is not trusted into the log).
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  });
  const log = opts.log ?? silentLogger;
  installErrorHandling(app, log);
  await app.register(requestLogPlugin, { log });
  app.addSchema(errorSchema);
  // Pages, vendored Vega libraries (~1 MB) and large JSON/CSV answers go compressed to clients that accept
  // it; small answers are not worth the CPU.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'cxpulse API', version: '0.1.0', description: 'Customer-intelligence dashboards and lists. Send `Authorization: Bearer <key>`.' },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      },
      security: [{ apiKey: [] }, { apiKeyHeader: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false });
  await app.register(securityPlugin, { corsOrigins: server.cors.origins });
  await app.register(authPlugin, {
    keys,
    host,
    log,
    failedKeys: { max: server.rateLimit.failedKeyMax, timeWindow: server.rateLimit.timeWindowMs },
  });
  await app.register(warehousePlugin, {
    warehouse: opts.warehouse,
    clock: opts.clock ?? systemClock,
    staleAfterHours: server.staleAfterHours,
    cacheSeconds: server.cacheSeconds,
    config: opts.config,
  });
  const limit = { max: server.rateLimit.max, timeWindow: server.rateLimit.timeWindowMs };
  await app.register(metaRoutes);
  await app.register(dashboardRoutes, { server, config: opts.config });
  await app.register(rfmRoutes);
  await app.register(customerRoutes, { rateLimit: limit, config: opts.config });
  await app.register(listRoutes, { rateLimit: limit, config: opts.config });
  await app.register(actionRoutes, { rateLimit: limit });
  await app.register(jobRoutes, { runner: opts.jobRunner, jobNames: opts.jobNames ?? [], rateLimit: limit });
  await app.register(adminRoutes, { tasks: opts.adminTasks, rateLimit: limit });
  await app.register(pageRoutes, { currency: displayCurrency(opts.config) });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
