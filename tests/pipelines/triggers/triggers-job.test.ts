import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { triggersJob } from '../../../pipelines/jobs/triggers-job.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import { startScheduler } from '../../../pipelines/scheduler/scheduler.js';
import { fakeCron, until } from '../scheduler/fakes.js';
import { openFixture, setCustomers, type Fixture } from './customer-360-fixture.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(rx: Receiver, sources: Record<string, unknown> = { customers: { path: 'c.csv' } }): Promise<Fixture> {
  const fx = await openFixture({
    sources,
    triggers: { defaultChannel: 'webhook', defaultHoldoutShare: 0 },
    delivery: { endpoints: { default: { url: rx.url, secretEnv: 'CXP_TEST_WEBHOOK_SECRET' } } },
  });
  cleanup.push(() => fx.close());
  await setCustomers(fx.warehouse, [
    { customer_id: 'd1', last_nps: 1, last_nps_at: '2026-11-19 08:00:00', marketing_consent: false },
    { customer_id: 'w1', rfm_segment: 'At Risk', marketing_consent: true, churn_reasons: [{ feature: 'recency_days', text: 'no order for 200 days', contribution: 0.4 }] },
  ]);
  return fx;
}

describe('triggers job', () => {
  it('evaluates the default rules, commits the actions, then delivers them signed', async () => {
    process.env.CXP_TEST_WEBHOOK_SECRET = SECRET;
    cleanup.push(() => delete process.env.CXP_TEST_WEBHOOK_SECRET);
    const rx = await startReceiver(SECRET);
    cleanup.push(() => rx.close());
    const fx = await setup(rx);
    const clock = fixedClock('2026-11-20T03:00:00Z');
    const out = await runPipeline([triggersJob], { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });
    expect(out.status).toBe('succeeded');
    const summary = out.results.triggers as { rules: Record<string, { fired: number }>; delivery: { delivered: number } };
    expect(summary.rules['detractor-callback'].fired).toBe(1);
    expect(summary.rules['win-back'].fired).toBe(1);
    expect(summary.delivery.delivered).toBe(2);
    expect(rx.received.every((r) => r.verified)).toBe(true);
    const winBack = rx.received.map((r) => JSON.parse(r.body).data).find((d) => d.rule === 'win-back');
    expect(winBack.churn_reasons).toEqual([{ feature: 'recency_days', text: 'no order for 200 days', contribution: 0.4 }]);
    // A second run: nobody newly entered, nothing sent.
    clock.advance(86_400_000);
    await runPipeline([triggersJob], { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });
    expect(rx.received).toHaveLength(2);
  });

  it('holds back rules that depend on a stale source, and says so in the run summary', async () => {
    process.env.CXP_TEST_WEBHOOK_SECRET = SECRET;
    cleanup.push(() => delete process.env.CXP_TEST_WEBHOOK_SECRET);
    const rx = await startReceiver(SECRET);
    cleanup.push(() => rx.close());
    const fx = await setup(rx, { customers: { path: 'c.csv' }, surveys: { path: 's.parquet', maxAgeHours: 24 } });
    const clock = fixedClock('2026-11-20T03:00:00Z');
    const out = await runPipeline([triggersJob], { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });
    const summary = out.results.triggers as { rules: Record<string, { status: string; reason?: string }>; stale_sources: string[] };
    expect(summary.stale_sources).toEqual(['surveys']);
    expect(summary.rules['detractor-callback']).toMatchObject({ status: 'held_stale', reason: 'held back: stale data in surveys' });
    expect(summary.rules['welcome-bad-first-experience'].status).toBe('held_stale');
    expect(summary.rules['win-back'].status).toBe('evaluated');
    expect(rx.received.map((r) => JSON.parse(r.body).data.rule)).toEqual(['win-back']);
  });

  it('the scheduler delivery sweep retries due webhook actions while idle', async () => {
    process.env.CXP_TEST_WEBHOOK_SECRET = SECRET;
    cleanup.push(() => delete process.env.CXP_TEST_WEBHOOK_SECRET);
    let up = false;
    const rx = await startReceiver(SECRET, 0, () => ({ status: up ? 200 : 503 }));
    cleanup.push(() => rx.close());
    const fx = await setup(rx);
    const clock = fixedClock('2026-11-20T03:00:00Z');
    await runPipeline([triggersJob], { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });
    expect((await fx.warehouse.all("select 1 from retention_actions where status = 'failed'")).length).toBe(2);
    up = true;
    const cron = fakeCron();
    const scheduler = startScheduler({ config: fx.config, warehouse: fx.warehouse, clock, cron });
    cleanup.push(() => scheduler.stop({ timeoutMs: 100 }));
    clock.advance(3_600_000);
    cron.fire('delivery-sweep');
    await until(() => rx.received.length === 4);
    await scheduler.idle();
    expect((await fx.warehouse.all("select 1 from retention_actions where status = 'delivered'")).length).toBe(2);
    expect(rx.uniqueIds()).toHaveLength(2);
  });

  it('scheduler.replay re-delivers dead-lettered actions (the API replay endpoint), and a bad rule stops startup', async () => {
    process.env.CXP_TEST_WEBHOOK_SECRET = SECRET;
    cleanup.push(() => delete process.env.CXP_TEST_WEBHOOK_SECRET);
    let code = 400;
    const rx = await startReceiver(SECRET, 0, () => ({ status: code }));
    cleanup.push(() => rx.close());
    const fx = await setup(rx);
    const clock = fixedClock('2026-11-20T03:00:00Z');
    await runPipeline([triggersJob], { config: fx.config, warehouse: fx.warehouse, clock, logger: silentLogger, asOfOverride: new Date('2026-11-20') }, { trigger: 'cli' });
    expect((await fx.warehouse.all("select 1 from retention_actions where status = 'dead'")).length).toBe(2);
    code = 200;
    const scheduler = startScheduler({ config: fx.config, warehouse: fx.warehouse, clock, cron: fakeCron() });
    cleanup.push(() => scheduler.stop({ timeoutMs: 100 }));
    const r = await scheduler.replay({ dead: true });
    expect(r.actionIds).toHaveLength(2);
    expect(r.delivery).toMatchObject({ attempted: 2, delivered: 2 });
    expect(rx.uniqueIds()).toHaveLength(2);
    expect(rx.received).toHaveLength(4);

    const bad = { ...fx.config, triggers: { rules: [{ name: 'x', when: { field: 'email', op: '=', value: 'a' } }] } };
    expect(() => startScheduler({ config: bad, warehouse: fx.warehouse, clock, cron: fakeCron() })).toThrow(/triggers\.rules\[0\]\.when\.field: "email" is not a rule field/);
  });
});
