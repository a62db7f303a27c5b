import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import type { AdminTasks } from '../../pipelines/core/admin-tasks.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { CxpError } from '../../pipelines/core/errors.js';
import { createFixture, type Fixture } from './fixtures.js';

const KEYS = { viewer: 'viewer-key-0123456789', marketing: 'marketing-key-0123456789', admin: 'admin-key-0123456789' };
const apiKeys = Object.entries(KEYS).map(([role, key]) => ({ name: `${role}-test`, role, keyHash: sha256Hex(key) }));
const auth = (role: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[role]}` });

const calls: unknown[] = [];
const tasks: AdminTasks = {
  async replay(target) {
    calls.push(['replay', target]);
    if ('actionId' in target && target.actionId === 'missing') throw new CxpError('CXP_ERR_NOT_FOUND', 'no action missing');
    return { action_ids: 'dead' in target ? ['a1', 'a2'] : [target.actionId], delivered: 1, retrying: 0, dead: 0 };
  },
  async train(asOf) {
    calls.push(['train', asOf?.toISOString().slice(0, 10) ?? null]);
    return { model_id: 'churn-x', as_of: asOf?.toISOString().slice(0, 10) ?? '2026-06-30' };
  },
};

let fx: Fixture;
let app: FastifyInstance;
beforeAll(async () => {
  fx = await createFixture();
  app = await buildApp({ warehouse: fx.warehouse, server: { apiKeys, cacheSeconds: 0 }, env: {}, clock: fixedClock('2026-06-30T12:00:00Z'), adminTasks: tasks });
});
afterAll(async () => {
  await app.close();
  fx.close();
});

describe('admin routes for cxpulse replay and train', () => {
  const routes: [string, unknown][] = [
    ['/api/actions/replay', { dead: true }],
    ['/api/churn/train', {}],
  ];
  for (const [url, body] of routes) {
    it(`POST ${url}: admin only (role matrix)`, async () => {
      const expected = { none: 401, viewer: 403, marketing: 403, admin: 200 };
      for (const who of ['none', 'viewer', 'marketing', 'admin'] as const) {
        calls.length = 0;
        const res = await app.inject({ method: 'POST', url, payload: body as object, headers: who === 'none' ? {} : auth(who) });
        expect({ who, status: res.statusCode }).toEqual({ who, status: expected[who] });
        if (res.statusCode === 401) expect(res.json().error.code).toBe('CXP_ERR_UNAUTHORIZED');
        if (res.statusCode === 403) expect(res.json().error.code).toBe('CXP_ERR_FORBIDDEN');
        // Only an admin's request reaches the task.
        expect(calls.length).toBe(who === 'admin' ? 1 : 0);
      }
    });
  }

  it('replay takes one action id or dead: true, and passes errors through', async () => {
    calls.length = 0;
    const one = await app.inject({ method: 'POST', url: '/api/actions/replay', payload: { action_id: 'act-1' }, headers: auth('admin') });
    expect(one.json()).toEqual({ action_ids: ['act-1'], delivered: 1, retrying: 0, dead: 0 });
    expect(calls).toEqual([['replay', { actionId: 'act-1' }]]);
    for (const payload of [{}, { action_id: 'a', dead: true }, { dead: false }, { action_id: '' }, { id: 'a' }]) {
      const bad = await app.inject({ method: 'POST', url: '/api/actions/replay', payload, headers: auth('admin') });
      expect({ payload, status: bad.statusCode }).toEqual({ payload, status: 400 });
    }
    const missing = await app.inject({ method: 'POST', url: '/api/actions/replay', payload: { action_id: 'missing' }, headers: auth('admin') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CXP_ERR_NOT_FOUND');
  });

  it('train takes an optional as_of date', async () => {
    calls.length = 0;
    const res = await app.inject({ method: 'POST', url: '/api/churn/train', payload: { as_of: '2026-05-31' }, headers: auth('admin') });
    expect(res.json()).toEqual({ model_id: 'churn-x', as_of: '2026-05-31' });
    expect(calls).toEqual([['train', '2026-05-31']]);
    const noBody = await app.inject({ method: 'POST', url: '/api/churn/train', headers: auth('admin') });
    expect(noBody.statusCode).toBe(200);
    for (const as_of of ['2026-13-45', 'yesterday']) {
      const bad = await app.inject({ method: 'POST', url: '/api/churn/train', payload: { as_of }, headers: auth('admin') });
      expect({ as_of, status: bad.statusCode }).toEqual({ as_of, status: 400 });
    }
  });

  it('the OpenAPI spec describes 401 and 403 on both', async () => {
    const spec = (await app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, { post: { responses: Record<string, unknown> } }> };
    for (const path of ['/api/actions/replay', '/api/churn/train']) {
      expect(Object.keys(spec.paths[path].post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '409']));
    }
  });

  it('a server built without the tasks says so', async () => {
    const bare = await buildApp({ warehouse: fx.warehouse, server: { apiKeys, cacheSeconds: 0 }, env: {} });
    try {
      const res = await bare.inject({ method: 'POST', url: '/api/churn/train', payload: {}, headers: auth('admin') });
      expect(res.statusCode).toBe(500);
      expect(res.json().error.hint).toMatch(/cxpulse serve/);
    } finally {
      await bare.close();
    }
  });
});
