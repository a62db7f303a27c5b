import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forgetCommand } from '../../../pipelines/cli/forget-command.js';
import { replayCommand } from '../../../pipelines/cli/replay-command.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { openFixture, setCustomers } from './customer-360-fixture.js';
import { startReceiver } from './receiver.js';
import { evaluateRules } from '../../../pipelines/triggers/evaluate.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('cxpulse forget / replay', () => {
  it('replay ACTION_ID re-delivers a dead action (exit 1 while still dead); forget erases the customer and anonymises their actions', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const rx = await startReceiver(SECRET, 0, (_r, n) => ({ status: n === 1 ? 410 : 200 }));
    cleanup.push(() => rx.close());
    const raw = {
      sources: { customers: { path: 'c.csv' } },
      warehouse: 'wh.duckdb',
      triggers: { useDefaultRules: false, rules: [{ name: 'wb', channel: 'webhook', holdoutShare: 0, requiresConsent: false, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } }] },
      delivery: { endpoints: { default: { url: rx.url, secret: SECRET } } },
    };
    const fx = await openFixture(raw);
    cleanup.push(() => fx.close());
    const configPath = join(fx.dir, 'cxpulse.config.json');
    writeFileSync(configPath, JSON.stringify(raw));
    await setCustomers(fx.warehouse, [{ customer_id: 'a' }, { customer_id: 'b', rfm_segment: 'At Risk' }]);
    await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf: new Date('2026-11-20'), now: new Date() });
    const id = (await fx.warehouse.one<{ id: string }>('select action_id as id from retention_actions'))!.id;
    await fx.warehouse.run("update retention_actions set status = 'dead', attempts = 1, last_error = 'HTTP 410'");
    fx.warehouse.close(); // the CLI opens the file itself

    // The receiver still answers 410: dead again, and the exit code says so.
    expect(await replayCommand.action({ values: { config: configPath }, positionals: [id] })).toBe(1);
    expect(out.join('')).toContain('replayed 1 action(s): delivered 0, retrying later 0, dead 1');
    expect(await replayCommand.action({ values: { config: configPath }, positionals: [id] })).toBe(0);
    expect(rx.received.map((r) => r.id)).toEqual([id, id]);
    expect(await replayCommand.action({ values: { config: configPath, dead: true }, positionals: [id] })).toBe(2);

    expect(await forgetCommand.action({ values: { config: configPath }, positionals: ['b'] })).toBe(0);
    // forget reports each place it cleaned, one line each (the database first).
    expect(out.join('')).toMatch(/forgot customer b:\n\s+database\s+deleted customer_360 1, trigger_membership 1/);
    const wh = await Warehouse.open(fx.config.warehouse);
    try {
      expect(await wh.all('select customer_id, status from retention_actions')).toEqual([{ customer_id: '<erased>', status: 'delivered' }]);
    } finally {
      wh.close();
    }
  });
});
