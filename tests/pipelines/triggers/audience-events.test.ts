import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../dashboards/app.js';
import { sha256Hex } from '../../../dashboards/plugins/auth.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { writeExports } from '../../../pipelines/export/write-exports.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import { triggersJob } from '../../../pipelines/jobs/triggers-job.js';
import { openFixture, setCustomers, type Customer360Row, type Fixture } from './customer-360-fixture.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type Envelope = { type: string; timestamp: string; data: Record<string, unknown> & { customer_id: string; contact: { customer_id: string; email?: string } } };

/** Every event the receiver got, in arrival order, each request verified with the official library. */
function events(rx: Receiver): { request: number; type: string; data: Envelope['data'] }[] {
  const wh = new Webhook(SECRET);
  return rx.received.flatMap((r, i) => {
    const body = wh.verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }) as Envelope | { type: 'action.batch'; data: Envelope[] };
    const list = body.type === 'action.batch' ? (body.data as Envelope[]) : [body as Envelope];
    return list.map((e) => ({ request: i, type: e.type, data: e.data }));
  });
}

const RULE = {
  name: 'save-valuable',
  action: 'retention_call',
  when: { field: 'churn_risk', op: '>=', value: 0.5 },
  channel: 'webhook',
  holdoutShare: 0,
  minClv: 100,
  requireChurnRisk: true,
};

async function setup(rx: Receiver, rule: Record<string, unknown> = RULE, batch = 2): Promise<Fixture> {
  process.env.CXP_TEST_AUDIENCE_SECRET = SECRET;
  cleanup.push(() => delete process.env.CXP_TEST_AUDIENCE_SECRET);
  const fx = await openFixture({
    triggers: { useDefaultRules: false, includeEmail: true, rules: [rule] },
    delivery: { endpoints: { default: { url: rx.url, secretEnv: 'CXP_TEST_AUDIENCE_SECRET', batchMaxActions: batch } } },
  });
  cleanup.push(() => fx.close());
  return fx;
}

const base: Customer360Row[] = [
  { customer_id: 'a', churn_risk: 0.8, clv: 500, marketing_consent: true, email: 'a@example.com' },
  { customer_id: 'b', churn_risk: 0.9, clv: 300, marketing_consent: true, email: 'b@example.com' },
  { customer_id: 'c', churn_risk: 0.7, clv: 50, marketing_consent: true, email: 'c@example.com' }, // below minClv
  { customer_id: 'd', churn_risk: null, clv: 1000, marketing_consent: true, email: 'd@example.com' }, // risk unknown
  { customer_id: 'e', churn_risk: 0.6, clv: 200, marketing_consent: false, email: 'e@example.com' }, // no consent
];

describe('rule audiences as webhook events', () => {
  it('entered, left and cancelled arrive in order, signed, batched, with contact fields, reasons and scores', async () => {
    const rx = await startReceiver(SECRET);
    cleanup.push(() => rx.close());
    const fx = await setup(rx);
    // Near the real time: the official verifier rejects timestamps more than 5 minutes off.
    const clock = fixedClock(new Date());
    const ctx = { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger };
    await setCustomers(fx.warehouse, base);
    await runPipeline([triggersJob], { ...ctx, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });

    let ev = events(rx);
    expect(rx.received).toHaveLength(1); // two actions, one request (batchMaxActions 2)
    expect(ev.map((e) => [e.type, e.data.customer_id])).toEqual([['action.entered', 'a'], ['action.entered', 'b']]);
    const a = ev[0].data as Envelope['data'] & { reasons: { field: string; op: string }[]; customer: Record<string, number> };
    expect(a.contact).toEqual({ customer_id: 'a', email: 'a@example.com' });
    expect(a.reasons.map((x) => `${x.field} ${x.op}`)).toEqual(['churn_risk >=', 'clv >=', 'churn_risk is_not_null']);
    expect(a.customer.churn_risk).toBe(0.8);
    expect(a.customer.clv).toBe(500);
    expect(a.customer.value_at_stake).toBe(400);

    // Next run: a no longer matches, b withdraws consent, f enters.
    clock.advance(60_000);
    await setCustomers(fx.warehouse, [
      { ...base[0], churn_risk: 0.2 },
      { ...base[1], marketing_consent: false },
      ...base.slice(2),
      { customer_id: 'f', churn_risk: 0.55, clv: 150, marketing_consent: true, email: null },
    ]);
    const out = await runPipeline([triggersJob], { ...ctx, asOfOverride: new Date('2026-11-21') }, { trigger: 'cli' });
    const rules = (out.results.triggers as { rules: Record<string, { left: number; cancelled: number; fired: number }> }).rules;
    expect(rules['save-valuable']).toMatchObject({ left: 1, cancelled: 1, fired: 1 });

    ev = events(rx);
    expect(rx.received).toHaveLength(3); // three more events, at most two per request
    expect(ev.slice(2).map((e) => [e.type, e.data.customer_id]).sort()).toEqual([['action.cancelled', 'b'], ['action.entered', 'f'], ['action.left', 'a']]);
    // Per customer, entered comes before left / cancelled.
    for (const id of ['a', 'b']) {
      const types = ev.filter((e) => e.data.customer_id === id).map((e) => e.type);
      expect(types[0]).toBe('action.entered');
      expect(types).toHaveLength(2);
    }
    const left = ev.find((e) => e.type === 'action.left')!.data as Record<string, unknown>;
    expect(left).toMatchObject({ reason: 'no_longer_matches', contact: { customer_id: 'a', email: 'a@example.com' }, action_id: ev[0].data.action_id });
    const cancelled = ev.find((e) => e.type === 'action.cancelled')!.data as Record<string, unknown>;
    // After a withdrawal the e-mail is not sent again.
    expect(cancelled).toMatchObject({ reason: 'consent_withdrawn', contact: { customer_id: 'b' }, action_id: ev[1].data.action_id });
    expect(ev.find((e) => e.data.customer_id === 'f')!.data.contact).toEqual({ customer_id: 'f' });

    // The outbox says the same.
    const outbox = await fx.warehouse.all<{ customer_id: string; status: string; left_reason: string | null }>(
      'select customer_id, status, left_reason from retention_actions order by customer_id',
    );
    expect(outbox).toEqual([
      { customer_id: 'a', status: 'delivered', left_reason: 'no_longer_matches' },
      { customer_id: 'b', status: 'delivered', left_reason: 'consent_withdrawn' },
      { customer_id: 'f', status: 'delivered', left_reason: null },
    ]);
    expect(await fx.warehouse.all("select event_type, customer_id, status from action_events order by customer_id")).toEqual([
      { event_type: 'action.left', customer_id: 'a', status: 'delivered' },
      { event_type: 'action.cancelled', customer_id: 'b', status: 'delivered' },
    ]);

    // GET /api/actions and the retention_actions export agree with the outbox. Contact data comes from
    // the customers table (the fixture fills customer_360 only, so the same state goes there too).
    await fx.warehouse.run(`insert into customers (customer_id, email, marketing_consent) values
      ('a', 'a@example.com', true), ('b', 'b@example.com', false), ('f', null, true)`);
    const keys = { viewer: 'viewer-key-0123456789', marketing: 'marketing-key-0123456789', admin: 'admin-key-0123456789' };
    const app = await buildApp({
      warehouse: fx.warehouse, env: {}, clock,
      server: { apiKeys: Object.entries(keys).map(([role, key]) => ({ name: role, role, keyHash: sha256Hex(key) })), cacheSeconds: 0 },
    });
    cleanup.push(() => app.close());
    const get = (url: string, who: keyof typeof keys | 'none' = 'marketing') => app.inject({ url, headers: who === 'none' ? {} : { authorization: `Bearer ${keys[who]}` } });
    expect([(await get('/api/actions', 'none')).statusCode, (await get('/api/actions', 'viewer')).statusCode, (await get('/api/actions', 'admin')).statusCode]).toEqual([401, 403, 200]);
    const all = (await get('/api/actions')).json();
    expect(all.total).toBe(3);
    expect(all.rows.map((r: Record<string, unknown>) => [r.customer_id, r.status, r.is_current, r.left_reason]).sort()).toEqual([
      ['a', 'delivered', false, 'no_longer_matches'],
      ['b', 'delivered', false, 'consent_withdrawn'],
      ['f', 'delivered', true, null],
    ]);
    // E-mail only with consent: a yes, b withdrew, f has none.
    expect(Object.fromEntries(all.rows.map((r: Record<string, unknown>) => [r.customer_id, r.email]))).toEqual({ a: 'a@example.com', b: null, f: null });
    const current = (await get('/api/actions?current=true&rule=save-valuable')).json();
    expect(current.rows.map((r: Record<string, unknown>) => r.customer_id)).toEqual(['f']);
    expect((await get('/api/actions?status=listed')).json().total).toBe(0);
    const page = (await get('/api/actions?limit=2')).json();
    const page2 = (await get(`/api/actions?limit=2&offset=${page.next_offset}`)).json();
    expect([...page.rows, ...page2.rows].map((r: Record<string, unknown>) => r.action_id).sort()).toEqual(all.rows.map((r: Record<string, unknown>) => r.action_id).sort());
    expect(page2.next_offset).toBeNull();
    const csv = (await get('/api/actions?format=csv')).body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csv).toHaveLength(4);
    expect(csv[0].split(',').slice(0, 3)).toEqual(['action_id', 'rule', 'action']);
    const arrow = tableFromIPC((await get('/api/actions?format=arrow')).rawPayload);
    expect(arrow.numRows).toBe(3);
    expect((await get('/api/actions?since=2099-01-01')).json().total).toBe(0);
    expect((await get('/api/actions?status=nope')).statusCode).toBe(400);

    const outDir = join(fx.dir, 'exports');
    await writeExports(fx.warehouse, EXPORT_DATASETS.filter((d) => d.name === 'retention_actions'), { dir: outDir, asOf: '2026-11-21', includePii: false, runId: 'r', now: clock.now() });
    const exported = await fx.warehouse.all('select * from read_parquet($1)', [join(outDir, 'latest', 'retention_actions', 'data.parquet')]);
    expect(exported.map((r) => [r.action_id, r.status, r.is_current]).sort()).toEqual(all.rows.map((r: Record<string, unknown>) => [r.action_id, r.status, r.is_current]).sort());
    expect(Object.keys(exported[0])).not.toContain('email'); // PII stays out unless exports.includePii
  });

  it('an action still undelivered when its customer leaves is cancelled, not sent', async () => {
    let up = false;
    const rx = await startReceiver(SECRET, 0, () => ({ status: up ? 200 : 503 }));
    cleanup.push(() => rx.close());
    const fx = await setup(rx, RULE, 1);
    const clock = fixedClock(new Date());
    const ctx = { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger };
    await setCustomers(fx.warehouse, base.slice(0, 1));
    await runPipeline([triggersJob], { ...ctx, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });
    expect(await fx.warehouse.all('select status from retention_actions')).toEqual([{ status: 'failed' }]);
    up = true;
    clock.advance(60_000);
    await setCustomers(fx.warehouse, [{ ...base[0], churn_risk: 0.1 }]);
    await runPipeline([triggersJob], { ...ctx, asOfOverride: new Date('2026-11-21') }, { trigger: 'cli' });
    expect(await fx.warehouse.all('select status, left_reason from retention_actions')).toEqual([{ status: 'cancelled', left_reason: 'no_longer_matches' }]);
    expect(rx.received).toHaveLength(1); // only the failed first attempt
    expect(await fx.warehouse.all('select * from action_events')).toEqual([]);
  });

  it('renaming a rule keeps its members (nothing re-sent); removing one sends action.left; a channel change says what happens', async () => {
    const rx = await startReceiver(SECRET);
    cleanup.push(() => rx.close());
    const fx = await setup(rx, RULE, 1);
    const clock = fixedClock(new Date());
    await setCustomers(fx.warehouse, base);
    const run = async (triggers: Record<string, unknown>) => {
      clock.advance(60_000);
      const config = resolveConfig({ sources: { customers: { path: 'c.csv' } }, warehouse: 'wh.duckdb', triggers: { useDefaultRules: false, ...triggers },
        delivery: { endpoints: { default: { url: rx.url, secretEnv: 'CXP_TEST_AUDIENCE_SECRET' } } } }, fx.dir);
      const out = await runPipeline([triggersJob], { config, warehouse: fx.warehouse, clock, logger: silentLogger, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });
      expect(out.status).toBe('succeeded');
      return out.results.triggers as { rule_changes: { rule: string; change: string; members: number; effect: string }[]; rules: Record<string, { fired: number }> };
    };
    await run({ rules: [RULE] });
    expect(rx.received).toHaveLength(2);

    const renamed = await run({ rules: [{ ...RULE, name: 'keep-valuable', previousNames: ['save-valuable'] }] });
    expect(renamed.rule_changes).toEqual([expect.objectContaining({ rule: 'keep-valuable', change: 'renamed', members: 2 })]);
    expect(renamed.rules['keep-valuable'].fired).toBe(0);
    expect(rx.received).toHaveLength(2);

    const listed = await run({ rules: [{ ...RULE, name: 'keep-valuable', channel: 'list' }] });
    expect(listed.rule_changes).toEqual([expect.objectContaining({ change: 'channel_changed', members: 2 })]);
    expect(listed.rule_changes[0].effect).toMatch(/2 current member\(s\) stay/);

    const removed = await run({ rules: [{ ...RULE, name: 'other' , when: { field: 'clv', op: '>=', value: 10_000 } }] });
    expect(removed.rule_changes).toEqual([expect.objectContaining({ rule: 'keep-valuable', change: 'removed', members: 2 })]);
    const types = events(rx).map((e) => `${e.type} ${e.data.customer_id} ${String(e.data.reason ?? '')}`);
    expect(types.slice(2).sort()).toEqual(['action.left a rule_removed', 'action.left b rule_removed']);
  });
});
