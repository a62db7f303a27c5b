import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import type { Logger } from '../../pipelines/core/logger.js';
import { ROLES, type ApiKeyConfig } from '../../pipelines/core/server-settings.js';
import { routeOf } from './request-log.js';
import { global } from './global.js';

export type Role = (typeof ROLES)[number];

export const OPEN_MODE_WARNING =
  'open demo mode: no API keys are configured, so anyone who can reach this loopback address has admin access';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role a route needs; routes without one are public (pages, vendor scripts, health). */
    role?: Role;
  }
  interface FastifyRequest {
    principal?: { name: string; role: Role };
  }
}

interface StoredKey {
  name: string;
  role: Role;
  hash: Buffer;
}

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Keys from config plus `CXPULSE_API_KEYS`: a JSON list of {name, role, keyHash} (sha256 hex), or
 * {name, role, key}, which is hashed here and never kept in clear.
 */
export function loadApiKeys(configKeys: ApiKeyConfig[], env: string | undefined): StoredKey[] {
  const out: StoredKey[] = configKeys.map((k) => ({ name: k.name, role: k.role, hash: Buffer.from(k.keyHash.toLowerCase(), 'hex') }));
  if (env && env.trim() !== '') {
    let list: unknown;
    try {
      list = JSON.parse(env);
    } catch (err) {
      throw new CxpError('CXP_ERR_CONFIG_INVALID', `CXPULSE_API_KEYS is not valid JSON: ${(err as Error).message}`, {
        where: 'env CXPULSE_API_KEYS',
        hint: 'set it to a JSON list like [{"name":"ops","role":"admin","keyHash":"<sha256 hex>"}]',
      });
    }
    if (!Array.isArray(list)) {
      throw new CxpError('CXP_ERR_CONFIG_INVALID', 'CXPULSE_API_KEYS must be a JSON list', { where: 'env CXPULSE_API_KEYS' });
    }
    list.forEach((item: unknown, i) => {
      const k = item as { name?: unknown; role?: unknown; keyHash?: unknown; key?: unknown };
      const where = `env CXPULSE_API_KEYS[${i}]`;
      if (typeof k?.name !== 'string' || k.name === '') throw new CxpError('CXP_ERR_CONFIG_INVALID', 'name is required', { where });
      if (!ROLES.includes(k.role as Role)) {
        throw new CxpError('CXP_ERR_CONFIG_INVALID', `role must be one of ${ROLES.join(', ')}`, { where });
      }
      let hex: string;
      if (typeof k.keyHash === 'string' && /^[0-9a-fA-F]{64}$/.test(k.keyHash)) hex = k.keyHash.toLowerCase();
      else if (typeof k.key === 'string' && k.key.length >= 16) hex = sha256Hex(k.key);
      else {
        throw new CxpError('CXP_ERR_CONFIG_INVALID', 'give keyHash (sha256 hex) or key (at least 16 characters)', { where });
      }
      out.push({ name: k.name, role: k.role as Role, hash: Buffer.from(hex, 'hex') });
    });
  }
  return out;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}

/** Refuses an open server anywhere but loopback. */
export function assertSafeBind(host: string, keyCount: number): void {
  if (keyCount === 0 && !isLoopback(host)) {
    throw new CxpError('CXP_ERR_INSECURE_BIND', `refusing to serve on ${host} without API keys: anyone on the network would have admin access`, {
      where: 'server.host',
      hint: 'configure server.apiKeys (or CXPULSE_API_KEYS), or bind to 127.0.0.1',
    });
  }
}

const RANK: Record<Role, number> = { viewer: 1, marketing: 2, admin: 3 };

export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/**
 * Constant-time lookup: the presented key is hashed (fixed 32 bytes) and compared with every stored
 * hash, without stopping at a match, so timing says nothing about which key or prefix matched.
 */
export function findKey(keys: StoredKey[], presented: string): StoredKey | undefined {
  const h = createHash('sha256').update(presented, 'utf8').digest();
  let found: StoredKey | undefined;
  for (const k of keys) {
    if (timingSafeEqual(h, k.hash) && !found) found = k;
  }
  return found;
}

/** host[:port] or [v6]:port -> host, lowercased; undefined when absent or unparsable. */
function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(hostHeader.trim().toLowerCase());
  return m ? m[1] : undefined;
}

function isLoopbackName(name: string | undefined): boolean {
  return name === 'localhost' || name === '[::1]' || (name !== undefined && /^127(\.\d{1,3}){3}$/.test(name));
}

/**
 * Open demo mode gives everyone admin, which is only safe for requests a local user makes on purpose:
 * the Host must be a loopback name (stops DNS rebinding), and a state-changing request must not come
 * from another site (stops a web page the user visits from starting jobs).
 */
export function assertLoopbackRequest(host: string | undefined, origin: string | undefined, fetchSite: string | string[] | undefined, method: string): void {
  if (!isLoopbackName(hostnameOf(host))) {
    throw new CxpError('CXP_ERR_FORBIDDEN', `open demo mode only answers requests addressed to a loopback name, not Host "${host ?? ''}"`, {
      where: 'Host header',
      hint: 'open http://localhost:<port>/ or http://127.0.0.1:<port>/, or configure server.apiKeys',
    });
  }
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return;
  let originHost: string | undefined;
  try {
    originHost = origin && origin !== 'null' ? new URL(origin).hostname : undefined;
  } catch {
    originHost = 'invalid';
  }
  const crossSite = fetchSite === 'cross-site' || fetchSite === 'same-site' || origin === 'null' || (originHost !== undefined && !isLoopbackName(originHost === '::1' ? '[::1]' : originHost));
  if (crossSite) {
    throw new CxpError('CXP_ERR_FORBIDDEN', 'open demo mode refuses state-changing requests from another site', {
      where: 'Origin header',
      hint: 'run jobs from the cxpulse pages or a local client, or configure server.apiKeys',
    });
  }
}

export interface AuthOptions {
  keys: StoredKey[];
  host: string;
  log: Logger;
  /** Refused keys (bad or missing) per client address per window (ms) before 429. */
  failedKeys: { max: number; timeWindow: number };
}

/**
 * Checks every request against its route's `config.role`; in open mode everyone is admin, and told so.
 * A refused key (bad, or missing where a role is needed) is logged (`API key refused`: request id,
 * method, route, client address, reason; never the key) and counted per client address by the rate
 * limiter; past `failedKeys.max` in a window, every request from that address that presents a key or
 * needs one gets 429, valid key or not (so the answer says nothing about which keys are valid).
 */
export const authPlugin: FastifyPluginAsync<AuthOptions> = global(async (app, opts) => {
  const open = opts.keys.length === 0;
  assertSafeBind(opts.host, opts.keys.length);
  app.decorate('authMode', open ? 'open' : 'keys');
  const failed = open
    ? undefined
    : app.createRateLimit({ max: opts.failedKeys.max, timeWindow: opts.failedKeys.timeWindow, keyGenerator: (req) => `failed-key:${req.ip}` });
  app.addHook('onRequest', async (req, reply) => {
    if (open) {
      reply.header('x-cxpulse-auth', 'open-demo-mode');
      reply.header('x-cxpulse-warning', OPEN_MODE_WARNING);
      assertLoopbackRequest(req.headers.host, req.headers.origin, req.headers['sec-fetch-site'], req.method);
      req.principal = { name: 'open-demo', role: 'admin' };
      return;
    }
    const key = presentedKey(req);
    const need = req.routeOptions.config?.role;
    if (key === undefined && !need) return;
    const seen = await failed!(req, { increment: false });
    if (!seen.isAllowed && seen.remaining === 0) {
      opts.log.warn('API key refused: too many failed keys', { id: req.id, method: req.method, route: routeOf(req), client: req.ip });
      reply.header('retry-after', String(seen.ttlInSeconds));
      throw new CxpError('CXP_ERR_RATE_LIMITED', `too many refused API keys from this address: at most ${seen.max} per ${Math.round(seen.timeWindow / 1000)} s`, {
        where: 'Authorization header',
        hint: `retry after ${seen.ttlInSeconds} s with a valid key`,
      });
    }
    if (key !== undefined) {
      const k = findKey(opts.keys, key);
      if (k) req.principal = { name: k.name, role: k.role };
    }
    const refused = !req.principal && (key !== undefined || need !== undefined);
    if (refused) {
      await failed!(req);
      opts.log.warn('API key refused', {
        id: req.id,
        method: req.method,
        route: routeOf(req),
        client: req.ip,
        reason: key === undefined ? 'no key' : 'invalid key',
      });
    }
    if (!need) return;
    if (!req.principal) {
      reply.header('www-authenticate', 'Bearer realm="cxpulse"');
      throw new CxpError('CXP_ERR_UNAUTHORIZED', key === undefined ? 'an API key is required' : 'the API key is not valid', {
        where: 'Authorization header',
        hint: 'send "Authorization: Bearer <key>" (or X-API-Key) with a key from server.apiKeys',
      });
    }
    if (!roleAllows(req.principal.role, need)) {
      throw new CxpError('CXP_ERR_FORBIDDEN', `this needs the ${need} role; key "${req.principal.name}" is ${req.principal.role}`, {
        where: `${req.method} ${req.routeOptions.url ?? req.url}`,
        hint: `use a key with role ${need} or higher`,
      });
    }
  });
});

declare module 'fastify' {
  interface FastifyInstance {
    authMode: 'open' | 'keys';
  }
}
