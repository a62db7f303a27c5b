import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { memoryLogger } from '../../pipelines/core/logger.js';
import { createFixture, type Fixture } from './fixtures.js';

const MARKETING = 'marketing-key-0123456789';
const ADMIN = 'admin-key-0123456789abcd';
const FAILED_MAX = 3;

let fx: Fixture;
let app: FastifyInstance;
const log = memoryLogger();
beforeAll(async () => {
  fx = await createFixture();
  app = await buildApp({
    warehouse: fx.warehouse,
    server: {
      apiKeys: [
        { name: 'crm-sync', role: 'marketing', keyHash: sha256Hex(MARKETING) },
        { name: 'ops', role: 'admin', keyHash: sha256Hex(ADMIN) },
      ],
      cacheSeconds: 0,
      rateLimit: { max: 1000, timeWindowMs: 60_000, failedKeyMax: FAILED_MAX },
    },
    env: {},
    clock: fixedClock('2026-06-30T12:00:00Z'),
    adminTasks: {
      replay: async () => ({ action_ids: [], delivered: 0, retrying: 0, dead: 0 }),
      train: async () => {
        throw new Error('disk on fire');
      },
    },
    log,
  });
});
afterAll(async () => {
  await app.close();
  fx.close();
});

/** Every logged line as text: what an operator (or a log collector) would store. */
function logText(): string {
  return log.lines.map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.fields ?? {})}`).join('\n');
}

describe('serve logs: access, failed keys, 500s', () => {
  it('one access line per request: method, route pattern, status, ms, key name; no path values, query values or keys', async () => {
    log.lines.length = 0;
    const res = await app.inject({
      url: '/api/customers/c00001?lang=lv&secret=jane.doe%40example.com',
      headers: { authorization: `Bearer ${MARKETING}`, 'x-request-id': 'forged' },
    });
    const access = log.lines.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    const f = access[0]!.fields!;
    expect(f).toMatchObject({ method: 'GET', route: '/api/customers/:id', status: res.statusCode, key: 'crm-sync' });
    expect(typeof f.ms).toBe('number');
    // Our own request id, sent back in the header; the client's is not trusted.
    expect(f.id).toBe(res.headers['x-request-id']);
    expect(f.id).not.toBe('forged');
    const text = logText();
    for (const secret of ['c00001', 'jane.doe', 'example.com', MARKETING, sha256Hex(MARKETING)]) expect(text).not.toContain(secret);
  });

  it('a 500 answers with a request id that the error log carries with the cause', async () => {
    log.lines.length = 0;
    const res = await app.inject({ method: 'POST', url: '/api/churn/train', headers: { authorization: `Bearer ${ADMIN}` }, payload: {} });
    expect(res.statusCode).toBe(500);
    const body = res.json() as { error: { code: string; hint: string; request_id: string } };
    expect(body.error.code).toBe('CXP_ERR_INTERNAL');
    expect(body.error.request_id).toBe(res.headers['x-request-id']);
    expect(body.error.hint).toContain(body.error.request_id);
    expect(res.body).not.toContain('disk on fire');
    const errors = log.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fields).toMatchObject({ id: body.error.request_id, route: '/api/churn/train', status: 500, error: 'disk on fire' });
    expect(String(errors[0]!.fields!.stack)).toMatch(/disk on fire/);
  });

  it('refused keys are logged (without the key) and counted: past the limit, 429 even with a valid key', async () => {
    log.lines.length = 0;
    const wrong = 'wrong-key-0123456789abcdef';
    const ip = '10.9.8.7';
    const statuses: number[] = [];
    for (let i = 0; i < FAILED_MAX; i++) {
      const r = await app.inject({ url: '/api/customers/at-risk', headers: { authorization: `Bearer ${wrong}` }, remoteAddress: ip });
      statuses.push(r.statusCode);
    }
    expect(statuses).toEqual(Array(FAILED_MAX).fill(401));
    const refused = log.lines.filter((l) => l.msg === 'API key refused');
    expect(refused).toHaveLength(FAILED_MAX);
    expect(refused[0]!.fields).toMatchObject({ reason: 'invalid key', client: ip, route: '/api/customers/at-risk' });
    expect(logText()).not.toContain(wrong);
    expect(logText()).not.toContain(sha256Hex(wrong));
    // The limit is reached: a further wrong key and even a valid one from that address get 429.
    const more = await app.inject({ url: '/api/customers/at-risk', headers: { authorization: `Bearer ${wrong}` }, remoteAddress: ip });
    expect(more.statusCode).toBe(429);
    expect(more.json().error.code).toBe('CXP_ERR_RATE_LIMITED');
    expect(Number(more.headers['retry-after'])).toBeGreaterThan(0);
    const valid = await app.inject({ url: '/api/customers/at-risk', headers: { authorization: `Bearer ${MARKETING}` }, remoteAddress: ip });
    expect(valid.statusCode).toBe(429);
    // Another address is not affected; a missing key counts too.
    const other = await app.inject({ url: '/api/customers/at-risk', headers: { authorization: `Bearer ${MARKETING}` }, remoteAddress: '10.1.1.1' });
    expect(other.statusCode).toBe(200);
    for (let i = 0; i < FAILED_MAX; i++) {
      const r = await app.inject({ url: '/api/customers/at-risk', remoteAddress: '10.2.2.2' });
      expect(r.statusCode).toBe(401);
    }
    expect(log.lines.filter((l) => l.fields?.reason === 'no key')).toHaveLength(FAILED_MAX);
    expect((await app.inject({ url: '/api/customers/at-risk', remoteAddress: '10.2.2.2' })).statusCode).toBe(429);
    // Public pages need no key and are never refused.
    expect((await app.inject({ url: '/api/health', remoteAddress: '10.2.2.2' })).statusCode).not.toBe(429);
  });
});
