import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../dashboards/app.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { JOB_NAMES } from '../../pipelines/jobs/registry.js';
import { createFixture, type Fixture } from './fixtures.js';

const KEY = 'marketing-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };

let fx: Fixture;
let app: FastifyInstance;
beforeAll(async () => {
  fx = await createFixture();
  app = await buildApp({
    warehouse: fx.warehouse,
    server: { apiKeys: [{ name: 'm', role: 'marketing', keyHash: sha256Hex(KEY) }], cacheSeconds: 0 },
    env: {},
    clock: fixedClock('2026-06-30T12:00:00Z'),
    jobNames: JOB_NAMES,
  });
});
afterAll(async () => {
  await app.close();
  fx.close();
});

describe('API limits on personal data', () => {
  it('an absurd offset is a 400 naming the field, not a 500', async () => {
    const res = await app.inject({ url: '/api/customers/at-risk?offset=99999999999999999999', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/offset/);
    const ok = await app.inject({ url: '/api/customers/at-risk?offset=1000000000', headers: auth });
    expect(ok.statusCode).toBe(200);
  });

  it('responses with personal data say Cache-Control: no-store', async () => {
    for (const url of ['/api/customers/at-risk', '/api/customers/c00001']) {
      const res = await app.inject({ url, headers: auth });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });
});
