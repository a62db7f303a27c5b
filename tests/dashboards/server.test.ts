import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../dashboards/server.js';
import { serveWarehouse } from '../../pipelines/cli/serve-command.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { silentLogger } from '../../pipelines/core/logger.js';
import { resolveConfig } from '../../pipelines/config/load-config.js';
import { sha256Hex } from '../../dashboards/plugins/auth.js';
import { createFixture, type Fixture } from './fixtures.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture({ customers: 30 });
});
afterAll(() => fx.close());

describe('server config section', () => {
  it('fills defaults and names a bad key', () => {
    const cfg = resolveConfig({ sources: { customers: { path: 'c.csv' } } }, fx.dir);
    expect(cfg.server).toMatchObject({ host: '127.0.0.1', port: 3000, apiKeys: [], rateLimit: { max: 120 } });
    expect(() => resolveConfig({ sources: { customers: { path: 'c.csv' } }, server: { port: 'x' } }, fx.dir)).toThrow(/server\.port/);
    expect(() => resolveConfig({ sources: { customers: { path: 'c.csv' } }, server: { apiKeys: [{ name: 'a', role: 'root', keyHash: 'ab' }] } }, fx.dir)).toThrow(/server\.apiKeys\.0\.(role|keyHash)/);
    expect(() => resolveConfig({ sources: { customers: { path: 'c.csv' } }, server: { prot: 1 } }, fx.dir)).toThrow(/server\.prot/);
  });
});

describe('listening', () => {
  it('startServer listens on loopback and closes', async () => {
    const s = await startServer({ warehouse: fx.warehouse, host: '127.0.0.1', port: 0, env: {} });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${s.url}/api/health`);
      expect(await res.json()).toEqual({ ok: true });
      expect(res.headers.get('x-cxpulse-auth')).toBe('open-demo-mode');
    } finally {
      await s.close();
    }
  });

  it('refuses to bind a non-loopback address without keys, before listening', async () => {
    await expect(startServer({ warehouse: fx.warehouse, host: '0.0.0.0', port: 0, env: {} })).rejects.toMatchObject({ code: 'CXP_ERR_INSECURE_BIND' });
    const keyed = await startServer({ warehouse: fx.warehouse, host: '0.0.0.0', port: 0, env: { CXPULSE_API_KEYS: JSON.stringify([{ name: 'x', role: 'viewer', keyHash: sha256Hex('k-0123456789abcdef') }]) } });
    try {
      const port = new URL(keyed.url.replace('0.0.0.0', '127.0.0.1')).port;
      expect((await fetch(`http://127.0.0.1:${port}/api/dashboards/overview`)).status).toBe(401);
    } finally {
      await keyed.close();
    }
  });

  it('serveWarehouse serves an already-open warehouse with the config server section', async () => {
    const config = resolveConfig({ sources: { customers: { path: 'c.csv' } }, server: { port: 0 } }, fx.dir);
    const running = await serveWarehouse({ config, warehouse: fx.warehouse, clock: fixedClock('2026-06-30T12:00:00Z'), logger: silentLogger });
    try {
      const body = await (await fetch(`${running.url}/api/status`)).json();
      expect(body.as_of).toBe('2026-06-30');
      expect(running.jobRunner.isRunning()).toBe(false);
    } finally {
      await running.close();
    }
  });
});

describe('compression', () => {
  it('sends the vendored Vega library and large answers compressed to clients that accept it, plain to others', async () => {
    const s = await startServer({ warehouse: fx.warehouse, host: '127.0.0.1', port: 0, env: {} });
    try {
      const { gunzipSync } = await import('node:zlib');
      const { get } = await import('node:http');
      // node:http, not fetch: fetch would undo the compression before the test could see it.
      const { encoding, raw } = await new Promise<{ encoding: string | undefined; raw: Buffer }>((resolve, reject) => {
        get(`${s.url}/vendor/vega/vega.min.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], raw: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
      expect(encoding).toBe('gzip');
      const plain = await s.app.inject({ method: 'GET', url: '/vendor/vega/vega.min.js', headers: { 'accept-encoding': 'identity' } });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(raw.length).toBeLessThan(plain.rawPayload.length / 2);
      expect(gunzipSync(raw).equals(plain.rawPayload)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
