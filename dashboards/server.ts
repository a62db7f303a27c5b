import type { FastifyInstance } from 'fastify';
import { serverConfigOf } from '../pipelines/core/server-settings.js';
import { buildApp, type BuildAppOptions } from './app.js';
import { assertSafeBind, loadApiKeys } from './plugins/auth.js';

export interface StartServerOptions extends BuildAppOptions {
  port?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the app and listens. Refuses (CXP_ERR_INSECURE_BIND) to listen on a non-loopback address
 * without API keys, before anything is bound. Closing the server does not close the warehouse: the
 * caller opened it and closes it.
 */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const server = serverConfigOf((opts.server ?? opts.config?.server) as Record<string, unknown> | undefined);
  const host = opts.host ?? server.host;
  const port = opts.port ?? server.port;
  assertSafeBind(host, loadApiKeys(server.apiKeys, (opts.env ?? process.env).CXPULSE_API_KEYS).length);
  const app = await buildApp({ ...opts, host });
  await app.listen({ host, port });
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shown}:${actualPort}`, close: () => app.close() };
}
