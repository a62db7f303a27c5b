import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Logger } from '../../pipelines/core/logger.js';
import { global } from './global.js';

export interface RequestLogOptions {
  log: Logger;
}

/**
 * The route a request matched, as its pattern (`/api/customers/:id`), never the path itself: paths and
 * query strings carry customer ids, e-mail searches and filters, which stay out of the log.
 */
export function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? '(no route)';
}

/**
 * The access log: one line per request (`request` with id, method, route pattern, status, ms and the
 * API key's NAME when one was accepted), logged when the response is sent. Every response carries the
 * request id in `x-request-id`, so an error body (which repeats it) can be found in the log.
 */
export const requestLogPlugin: FastifyPluginAsync<RequestLogOptions> = global(async (app, opts) => {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const fields: Record<string, unknown> = {
      id: req.id,
      method: req.method,
      route: routeOf(req),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (req.principal) fields.key = req.principal.name;
    opts.log.info('request', fields);
  });
});
