import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../dashboards/app.js';
import { fixedClock } from '../../pipelines/core/clock.js';
import { silentLogger } from '../../pipelines/core/logger.js';
import { resolveConfig } from '../../pipelines/config/load-config.js';
import { transformJob } from '../../pipelines/jobs/transform-job.js';
import { createFixture, type Fixture } from './fixtures.js';

/**
 * Once the transform has built int_survey_responses, satisfaction figures come from the satisfaction
 * module's query API; before that, from the dashboards' own SQL over `surveys`. The two are separate
 * implementations of the same definitions, so on the same rows they must agree.
 */
let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
});
afterAll(() => fx.close());

type Tile = { id: string; value: number | null; ci_low: number | null; ci_high: number | null; n: number };

describe('satisfaction source', () => {
  it('switches to models/satisfaction after the transform and agrees with the fallback', async () => {
    const config = resolveConfig({ sources: { customers: { path: 'unused.csv' } } }, fx.dir);
    const app = await buildApp({ warehouse: fx.warehouse, env: {}, config, server: { cacheSeconds: 0 } });
    try {
      const q = '?from=2026-01-01&to=2026-06-30';
      const before = (await app.inject(`/api/metrics/overview${q}`)).json();
      const sBefore = (await app.inject(`/api/metrics/satisfaction${q}`)).json();
      const vBefore = (await app.inject(`/api/metrics/service${q}`)).json();
      expect(vBefore.data.source).toMatch(/fallback/);
      expect(vBefore.tiles).toEqual([]);
      expect(sBefore.data.source).toMatch(/fallback/);
      await transformJob.run({ config, warehouse: fx.warehouse, runId: 't1', clock: fixedClock('2026-06-30T12:00:00Z'), logger: silentLogger, asOfOverride: new Date('2026-06-30T00:00:00Z'), results: {} });
      app.data.invalidate();
      const after = (await app.inject(`/api/metrics/overview${q}`)).json();
      const sAfter = (await app.inject(`/api/metrics/satisfaction${q}`)).json();
      expect(sAfter.data.source).toMatch(/models\/satisfaction/);
      for (const id of ['nps', 'csat', 'ces']) {
        const a = before.tiles.find((t: Tile) => t.id === id) as Tile;
        const b = after.tiles.find((t: Tile) => t.id === id) as Tile;
        expect(b.n, id).toBe(a.n);
        expect(b.value!, id).toBeCloseTo(a.value!, 1);
        expect(b.ci_low!, id).toBeCloseTo(a.ci_low!, 0);
        expect(b.ci_high!, id).toBeCloseTo(a.ci_high!, 0);
      }
      // Service: per-channel KPIs from int_interaction_times agree with the fallback over `interactions`.
      const vAfter = (await app.inject(`/api/metrics/service${q}`)).json();
      expect(vAfter.data.source).toMatch(/int_interaction_times/);
      type Ch = { channel: string; volume: number; complaints: number; fcr_rate: number; response_median_minutes: number };
      const pick = (rows: Ch[]) => rows.map((r) => [r.channel, r.volume, r.complaints, r.fcr_rate, Math.round(r.response_median_minutes)]);
      expect(pick(vAfter.data.by_channel)).toEqual(pick(vBefore.data.by_channel));
      const volume = vAfter.tiles.find((t: { id: string }) => t.id === 'interactions');
      expect(volume.value).toBe(vBefore.data.by_channel.reduce((s: number, r: Ch) => s + r.volume, 0));
      expect(vAfter.tiles.map((t: { id: string }) => t.id)).toContain('first_response_sla_rate');
      // Per customer SLA tier: the fixture's rfm_history has snapshots of 31 May and 30 June; an interaction
      // takes the segment of the latest one dated before its day (Champions -> vip, the default map), so June
      // contacts use 31 May and earlier ones have no snapshot yet (standard). Counted here independently.
      expect(vBefore.data.by_tier).toEqual([]);
      const expectedTiers = await fx.warehouse.all<{ tier: string; volume: number }>(
        `select case when h.rfm_segment in ('Champions', 'Can''t Lose Them') then 'vip' else 'standard' end as tier, count(*)::integer as volume
         from interactions i
         left join rfm_history h on h.customer_id = i.customer_id and h.as_of = date '2026-05-31' and i.opened_at >= timestamp '2026-06-01'
         where i.opened_at >= timestamp '2026-01-01' and i.opened_at < timestamp '2026-07-01'
         group by all order by tier`,
      );
      expect(expectedTiers.map((r) => r.tier)).toEqual(['standard', 'vip']);
      type Tier = { tier: string; volume: number; sla_rate: number | null; resolution_sla_rate: number | null };
      expect((vAfter.data.by_tier as Tier[]).map((r) => ({ tier: r.tier, volume: r.volume }))).toEqual(expectedTiers);
      const page = (await app.inject(`/api/dashboards/service${q}`)).json();
      const tierChart = page.charts.find((c: { id: string }) => c.id === 'sla-by-tier');
      expect(tierChart.spec).not.toBeNull();
      const sum = (rows: { n: number }[]) => rows.reduce((s, r) => s + r.n, 0);
      expect(sum(sAfter.data.nps_trend)).toBe(sum(sBefore.data.nps_trend));
      expect(sum(sAfter.data.nps_by_channel)).toBe(sum(sBefore.data.nps_by_channel));
    } finally {
      await app.close();
    }
  });
});
