import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { deliverPending, deliveryConfig } from '../../../pipelines/triggers/deliver.js';
import { evaluateRules } from '../../../pipelines/triggers/evaluate.js';
import { replayActions } from '../../../pipelines/triggers/replay.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';
import { verifySignature } from '../../../pipelines/triggers/signature.js';
import { openFixture, setCustomers, type Fixture } from './customer-360-fixture.js';
import { freePort, startReceiver, type Receiver } from './receiver.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Setup {
  fx: Fixture;
  clock: ReturnType<typeof fixedClock>;
  deliver: (opts?: { random?: () => number; actionIds?: string[] }) => ReturnType<typeof deliverPending>;
  statuses: () => Promise<Record<string, { status: string; attempts: number; last_error: string | null; last_status_code: number | null }>>;
}

/** A warehouse whose outbox holds one pending webhook action per customer id, aimed at 127.0.0.1:port. */
async function setup(port: number, customers: string[], delivery: Record<string, unknown> = {}): Promise<Setup> {
  const fx = await openFixture({
    triggers: { useDefaultRules: false, rules: [{ name: 'wb', channel: 'webhook', holdoutShare: 0, requiresConsent: false, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } }] },
    delivery: { endpoints: { default: { url: `http://127.0.0.1:${port}/hooks/cxpulse`, secret: SECRET } }, ...delivery },
  });
  cleanup.push(() => fx.close());
  const clock = fixedClock('2026-11-21T03:00:00Z');
  await setCustomers(fx.warehouse, customers.map((customer_id) => ({ customer_id, rfm_segment: 'At Risk' })));
  await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf: new Date('2026-11-20'), now: clock.now() });
  const cfg = deliveryConfig(fx.config);
  return {
    fx,
    clock,
    deliver: (o = {}) => deliverPending(fx.warehouse, cfg, { clock, random: o.random ?? (() => 0.5), actionIds: o.actionIds }),
    statuses: async () =>
      Object.fromEntries(
        (await fx.warehouse.all<{ customer_id: string; status: string; attempts: number; last_error: string | null; last_status_code: number | null }>(
          'select customer_id, status, attempts, last_error, last_status_code from retention_actions',
        )).map((r) => [r.customer_id, { status: r.status, attempts: r.attempts, last_error: r.last_error, last_status_code: r.last_status_code }]),
      ),
  };
}

async function receiver(port = 0, respond?: Parameters<typeof startReceiver>[2]): Promise<Receiver> {
  const r = await startReceiver(SECRET, port, respond);
  cleanup.push(() => r.close());
  return r;
}

describe('webhook delivery', () => {
  it('does not send a marketing action to a customer who withdrew consent after it fired', async () => {
    const rx = await receiver();
    const fx = await openFixture({
      triggers: { useDefaultRules: false, rules: [{ name: 'offer', kind: 'marketing', channel: 'webhook', holdoutShare: 0, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } }] },
      delivery: { endpoints: { default: { url: `http://127.0.0.1:${rx.port}/hooks/cxpulse`, secret: SECRET } } },
    });
    cleanup.push(() => fx.close());
    const clock = fixedClock('2026-11-21T03:00:00Z');
    await fx.warehouse.run("insert into customers (customer_id, marketing_consent) values ('c1', true), ('c2', true)");
    await setCustomers(fx.warehouse, ['c1', 'c2'].map((customer_id) => ({ customer_id, rfm_segment: 'At Risk', marketing_consent: true })));
    await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf: new Date('2026-11-20'), now: clock.now() });
    // c2 opts out before the outbox worker runs.
    await fx.warehouse.run("update customers set marketing_consent = false where customer_id = 'c2'");
    const out = await deliverPending(fx.warehouse, deliveryConfig(fx.config), { clock, random: () => 0.5 });
    expect(out).toMatchObject({ attempted: 1, delivered: 1 });
    expect(rx.received.map((r) => JSON.parse(r.body).data.customer_id)).toEqual(['c1']);
    const rows = await fx.warehouse.all<{ customer_id: string; status: string; last_error: string | null }>(
      'select customer_id, status, last_error from retention_actions order by customer_id',
    );
    expect(rows).toEqual([
      { customer_id: 'c1', status: 'delivered', last_error: null },
      { customer_id: 'c2', status: 'cancelled', last_error: 'cancelled: marketing consent withdrawn' },
    ]);
  });

  it('signs each webhook per Standard Webhooks; the receiver verifies it and gets the action as data', async () => {
    const rx = await receiver();
    const s = await setup(rx.port, ['c1']);
    const out = await s.deliver();
    expect(out).toEqual({ attempted: 1, delivered: 1, retrying: 0, dead: 0, deferred: 0 });
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0];
    expect(r.verified).toBe(true);
    expect(r.id).toMatch(/^act_/);
    expect(r.idempotencyKey).toBe(r.id);
    expect(Number(r.timestamp)).toBe(Math.floor(s.clock.now().getTime() / 1000));
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ type: 'action.entered', data: { action_id: r.id, rule: 'wb', customer_id: 'c1' } });
    // The exported verifier agrees, and rejects a tampered body or an old timestamp.
    const h = { id: r.id, timestamp: r.timestamp, signature: r.signature };
    expect(verifySignature(SECRET, h, r.body, Number(r.timestamp))).toBe(true);
    expect(verifySignature(SECRET, h, r.body.replace('c1', 'c2'), Number(r.timestamp))).toBe(false);
    expect(verifySignature(SECRET, h, r.body, Number(r.timestamp) + 600)).toBe(false);
    expect((await s.statuses()).c1).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    expect(await s.deliver()).toMatchObject({ attempted: 0 });
  });

  it('receiver down, then up: nothing lost, each action delivered once', async () => {
    const port = await freePort();
    const s = await setup(port, ['c1', 'c2', 'c3']);
    const down = await s.deliver({ random: () => 0 });
    expect(down).toEqual({ attempted: 3, delivered: 0, retrying: 3, dead: 0, deferred: 0 });
    const st = await s.statuses();
    expect(st.c1.status).toBe('failed');
    expect(st.c1.last_error).toMatch(/^network error: ECONNREFUSED/);
    // random 0 -> half of the 30 s first backoff: not due 14 s later, due at 15 s.
    s.clock.advance(14_000);
    expect((await s.deliver()).attempted).toBe(0);
    s.clock.advance(1_000);
    const rx = await receiver(port);
    expect(await s.deliver()).toEqual({ attempted: 3, delivered: 3, retrying: 0, dead: 0, deferred: 0 });
    s.clock.advance(3_600_000);
    expect((await s.deliver()).attempted).toBe(0);
    expect(rx.received.map((r) => r.customerId).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(rx.uniqueIds()).toHaveLength(3);
    expect(rx.received.every((r) => r.verified)).toBe(true);
  });

  it('slow receiver: the attempt times out, is retried, and the receiver dedupes on webhook-id', async () => {
    const rx = await receiver(0, (_r, n) => (n === 1 ? { status: 200, delayMs: 1500 } : { status: 200 }));
    const s = await setup(rx.port, ['c1'], { timeoutSeconds: 0.3 });
    expect(await s.deliver()).toMatchObject({ retrying: 1 });
    expect((await s.statuses()).c1).toMatchObject({ status: 'failed', last_error: 'timeout after 300 ms' });
    s.clock.advance(60_000);
    expect(await s.deliver()).toMatchObject({ delivered: 1 });
    // The slow first request did arrive: two requests, one action.
    expect(rx.received).toHaveLength(2);
    expect(rx.uniqueIds()).toHaveLength(1);
  });

  it('4xx is permanent (dead at once); 5xx, 408 and 429 are retried', async () => {
    const codes: Record<string, number> = { c400: 400, c404: 404, c500: 500, c503: 503, c408: 408, c429: 429 };
    const rx = await receiver(0, (r) => ({ status: codes[r.customerId ?? ''] ?? 200 }));
    const s = await setup(rx.port, Object.keys(codes));
    expect(await s.deliver()).toEqual({ attempted: 6, delivered: 0, retrying: 4, dead: 2, deferred: 0 });
    const st = await s.statuses();
    expect(st.c400).toMatchObject({ status: 'dead', attempts: 1, last_status_code: 400 });
    expect(st.c404.status).toBe('dead');
    for (const c of ['c500', 'c503', 'c408', 'c429']) expect(st[c]).toMatchObject({ status: 'failed', attempts: 1, last_status_code: codes[c] });
    s.clock.advance(3_600_000);
    expect(await s.deliver()).toMatchObject({ attempted: 4 });
    expect(rx.received.filter((r) => r.customerId === 'c400')).toHaveLength(1);
  });

  it('backs off exponentially with jitter, dead-letters after maxAttempts, and replay delivers it', async () => {
    const rx = await receiver(0, () => ({ status: 502 }));
    const s = await setup(rx.port, ['c1'], { maxAttempts: 4, initialDelaySeconds: 10, factor: 3, maxDelaySeconds: 60 });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = s.clock.now().getTime();
      await s.deliver({ random: () => 1 });
      const next = await s.fx.warehouse.one<{ t: Date | null }>('select next_attempt_at as t from retention_actions');
      if (next?.t) {
        waits.push(next.t.getTime() - before);
        s.clock.set(next.t);
      }
    }
    // random 1 = the full backoff: 10 s, 30 s, then 90 s capped at 60 s; the 4th attempt dead-letters.
    expect(waits).toEqual([10_000, 30_000, 60_000]);
    expect((await s.statuses()).c1).toMatchObject({ status: 'dead', attempts: 4 });
    expect((await s.statuses()).c1.last_error).toMatch(/HTTP 502.*gave up after 4 attempts/);
    const attempts = await s.fx.warehouse.all<{ outcome: string }>('select outcome from delivery_attempts order by attempt');
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'dead']);
    rx.setRespond(() => ({ status: 204 }));
    const ids = await replayActions(s.fx.warehouse, { dead: true });
    expect(ids).toHaveLength(1);
    expect(await s.deliver({ actionIds: ids })).toMatchObject({ delivered: 1 });
    expect(rx.uniqueIds()).toEqual(ids);
    await expect(replayActions(s.fx.warehouse, { actionId: 'act_nope' })).rejects.toThrow(/no action act_nope/);
  });

  it('a missing signing secret fails the pass and leaves actions pending, not dead', async () => {
    const port = await freePort();
    const s = await setup(port, ['c1']);
    const cfg = deliveryConfig(s.fx.config);
    cfg.endpoints.default = { url: cfg.endpoints.default.url, secretEnv: 'CXP_TEST_NO_SUCH_SECRET' };
    await expect(deliverPending(s.fx.warehouse, cfg, { clock: s.clock, env: {} })).rejects.toThrow(/has no signing secret/);
    expect((await s.statuses()).c1.status).toBe('pending');
  });
});
