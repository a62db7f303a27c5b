import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { CxpError } from '../../../pipelines/core/errors.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { triggersJob } from '../../../pipelines/jobs/triggers-job.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import { deliverPending, deliveryConfig } from '../../../pipelines/triggers/deliver.js';
import { evaluateRules } from '../../../pipelines/triggers/evaluate.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';
import { openFixture, setCustomers, type Fixture } from './customer-360-fixture.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const RULE = { name: 'wb', channel: 'webhook', holdoutShare: 0, requiresConsent: false, when: { field: 'rfm_segment', op: '=', value: 'At Risk' } };

async function outbox(rx: Receiver, n: number, delivery: Record<string, unknown>): Promise<Fixture> {
  const fx = await openFixture({
    triggers: { useDefaultRules: false, rules: [RULE] },
    delivery: { endpoints: { default: { url: rx.url, secret: SECRET } }, ...delivery },
  });
  cleanup.push(() => fx.close());
  const ids = Array.from({ length: n }, (_, i) => `C${String(i).padStart(3, '0')}`);
  await setCustomers(fx.warehouse, ids.map((customer_id) => ({ customer_id, rfm_segment: 'At Risk' })));
  return fx;
}

async function receiver(respond: Parameters<typeof startReceiver>[2]): Promise<Receiver> {
  const r = await startReceiver(SECRET, 0, respond);
  cleanup.push(() => r.close());
  return r;
}

describe('webhook delivery: bounded parallelism per endpoint and a deadline per pass', () => {
  it('keeps at most `concurrency` requests in flight, and more than one', async () => {
    let inFlight = 0;
    let peak = 0;
    const rx = await receiver(() => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => inFlight--, 150);
      return { status: 200, delayMs: 150 };
    });
    const fx = await outbox(rx, 12, { concurrency: 3 });
    const clock = fixedClock('2026-11-21T03:00:00Z');
    await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf: new Date('2026-11-20'), now: clock.now() });
    const s = await deliverPending(fx.warehouse, deliveryConfig(fx.config), { clock, random: () => 0.5 });
    expect(s).toMatchObject({ attempted: 12, delivered: 12, deferred: 0 });
    // Each request is held 150 ms: with 3 workers, 3 overlap (never more); one at a time would give 1.
    expect(peak).toBe(3);
  });

  it('a receiver that never answers: no new request after the pass deadline; the rest stays due for the next sweep', async () => {
    const rx = await receiver(() => ({ status: 200, delayMs: 60_000 }));
    const fx = await outbox(rx, 10, { concurrency: 2, timeoutSeconds: 0.4, passDeadlineSeconds: 0.5 });
    const clock = fixedClock('2026-11-21T03:00:00Z');
    await evaluateRules(fx.warehouse, resolveRules(fx.config), { asOf: new Date('2026-11-20'), now: clock.now() });
    const s = await deliverPending(fx.warehouse, deliveryConfig(fx.config), { clock, random: () => 0.5 });
    // Two workers, each request timing out after 0.4 s: the first round (2) starts at once, a second one
    // only if it begins before 0.5 s (machine load decides); never the 5 rounds all 10 would need.
    expect([2, 4]).toContain(s.attempted);
    expect(s.retrying).toBe(s.attempted);
    expect(s.deferred).toBe(10 - s.attempted);
    const untouched = await fx.warehouse.one<{ n: number }>("select count(*) as n from retention_actions where status = 'pending' and attempts = 0");
    expect(untouched?.n).toBe(s.deferred);
    expect(rx.received.length).toBe(s.attempted);
  });
});

describe('triggers job: every delivery dead-lettered', () => {
  it('fails the run with CXP_ERR_DELIVERY_FAILED (status failed, the CLI exits 1); the actions stay recorded', async () => {
    const rx = await receiver(() => ({ status: 400 }));
    const fx = await outbox(rx, 3, {});
    const clock = fixedClock('2026-11-21T03:00:00Z');
    const outcome = await runPipeline(
      [triggersJob],
      { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger, asOfOverride: new Date('2026-11-20') },
      { trigger: 'cli' },
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(CxpError);
    expect(outcome.error?.code).toBe('CXP_ERR_DELIVERY_FAILED');
    expect(outcome.error?.message).toBe('every webhook delivery of this run was dead-lettered (3 of 3); nothing reached a receiver');
    const run = await fx.warehouse.one<{ status: string; error: string }>('select status, error from pipeline_runs');
    expect(run?.status).toBe('failed');
    expect(run?.error).toMatch(/^CXP_ERR_DELIVERY_FAILED/);
    const dead = await fx.warehouse.one<{ n: number }>("select count(*) as n from retention_actions where status = 'dead'");
    expect(dead?.n).toBe(3);
  });

  it('one delivered, the others dead: the run succeeds and the summary counts them', async () => {
    const rx = await receiver((_r, n) => ({ status: n === 1 ? 200 : 400 }));
    const fx = await outbox(rx, 3, { concurrency: 1 });
    const outcome = await runPipeline(
      [triggersJob],
      { config: fx.config, warehouse: fx.warehouse, clock: fixedClock('2026-11-21T03:00:00Z'), logger: silentLogger, asOfOverride: new Date('2026-11-20') },
      { trigger: 'cli' },
    );
    expect(outcome.status).toBe('succeeded');
    expect((outcome.results.triggers as { delivery: unknown }).delivery).toMatchObject({ attempted: 3, delivered: 1, dead: 2 });
  });
});
