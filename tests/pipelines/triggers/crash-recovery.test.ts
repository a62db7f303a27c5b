import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { deliverPending, deliveryConfig } from '../../../pipelines/triggers/deliver.js';
import { CUSTOMER_360_DDL, setCustomers } from './customer-360-fixture.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function rawConfig(port: number) {
  return {
    sources: { customers: { path: 'c.csv' } },
    warehouse: 'wh.duckdb',
    triggers: { useDefaultRules: false, rules: [{ name: 'wb', channel: 'webhook', holdoutShare: 0, requiresConsent: false, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } }] },
    delivery: { endpoints: { default: { url: `http://127.0.0.1:${port}/hooks/cxpulse`, secret: SECRET } } },
  };
}

async function prepare(port: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-crash-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const raw = rawConfig(port);
  const config = resolveConfig(raw, dir);
  const wh = await Warehouse.open(config.warehouse);
  await migrate(wh);
  await wh.run(CUSTOMER_360_DDL);
  await setCustomers(wh, [{ customer_id: 'c1', rfm_segment: 'At Risk' }]);
  wh.close();
  return { dir, raw, config };
}

function runChild(raw: unknown, dir: string, mode: string): { child: ChildProcess; waitFor: (line: string) => Promise<void>; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(raw), dir, mode], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
  let out = '';
  let err = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) if (out.includes(w.line)) w.resolve();
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
  cleanup.push(() => child.kill('SIGKILL'));
  return {
    child,
    exited,
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(line)) return resolve();
        waiters.push({ line, resolve });
        child.on('exit', () => reject(new Error(`child exited before "${line}": ${err}`)));
      }),
  };
}

async function deliverAfterRestart(config: ReturnType<typeof resolveConfig>) {
  const wh = await Warehouse.open(config.warehouse);
  try {
    const clock = fixedClock('2026-11-21T03:05:00Z');
    const first = await deliverPending(wh, deliveryConfig(config), { clock, random: () => 0.5 });
    const second = await deliverPending(wh, deliveryConfig(config), { clock, random: () => 0.5 });
    const rows = await wh.all<{ status: string; n: number }>('select status, count(*) as n from retention_actions group by status');
    return { first, second, rows };
  } finally {
    wh.close();
  }
}

describe('outbox crash recovery', () => {
  it('a process killed between commit and delivery: the restarted worker delivers the action exactly once', async () => {
    const rx: Receiver = await startReceiver(SECRET);
    cleanup.push(() => rx.close());
    const { dir, raw, config } = await prepare(rx.port);
    const c = runChild(raw, dir, 'after-commit');
    await c.waitFor('COMMITTED');
    c.child.kill('SIGKILL');
    expect(await c.exited).toBe('SIGKILL');
    expect(rx.received).toHaveLength(0);
    const r = await deliverAfterRestart(config);
    expect(r.first).toMatchObject({ attempted: 1, delivered: 1 });
    expect(r.second.attempted).toBe(0);
    expect(r.rows).toEqual([{ status: 'delivered', n: 1 }]);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0].verified).toBe(true);
  }, 60_000);

  it('a process killed mid-delivery: the re-send carries the same webhook-id, so the receiver sees one action', async () => {
    let kill: () => void = () => {};
    // First request: never answered, and the sender is killed while waiting. Later ones: 200.
    const rx: Receiver = await startReceiver(SECRET, 0, (_r, n) => {
      if (n === 1) {
        kill();
        return { status: 200, delayMs: 60_000 };
      }
      return { status: 200 };
    });
    cleanup.push(() => rx.close());
    const { dir, raw, config } = await prepare(rx.port);
    const c = runChild(raw, dir, 'deliver');
    kill = () => c.child.kill('SIGKILL');
    expect(await c.exited).toBe('SIGKILL');
    const r = await deliverAfterRestart(config);
    expect(r.first).toMatchObject({ attempted: 1, delivered: 1 });
    expect(r.second.attempted).toBe(0);
    expect(rx.received).toHaveLength(2);
    expect(rx.uniqueIds()).toHaveLength(1);
  }, 60_000);
});
