import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import { global } from './global.js';

export interface SecurityOptions {
  corsOrigins: string[];
}

/**
 * Security headers, CORS for configured origins only, and the rate limiter (applied per route through
 * `config.rateLimit` on the list/export routes). CSP: scripts only from this server; 'unsafe-eval'
 * because vega compiles chart expressions with Function() (vega 6 ships no interpreter build).
 */
export const securityPlugin: FastifyPluginAsync<SecurityOptions> = global(async (app, opts) => {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new CxpError('CXP_ERR_RATE_LIMITED', `too many requests: at most ${ctx.max} per ${ctx.after}`, { hint: `retry after ${ctx.after}` }),
  });
  const allowed = new Set(opts.corsOrigins);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (req.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'Authorization, X-API-Key, Content-Type')
        .header('access-control-max-age', '600')
        .status(204)
        .send();
    }
  });
});
