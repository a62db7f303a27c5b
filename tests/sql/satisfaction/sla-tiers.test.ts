/**
 * SLA policies per channel and customer tier, against a hand computation written here.
 *
 * Tier = RFM segment of the latest rfm_history snapshot dated before the interaction's local day, mapped
 * by the default sla.tiers.rfmSegments (Champions -> vip, others -> standard). Policies:
 *   vip, any channel:  first response 5 min
 *   vip, email:        first response 60 min, resolution 8 h
 *   email, any tier:   resolution 48 h
 *   chat (firstResponseMinutes): 15 min; email 240 min; default resolution 24 h.
 * Email is also measured in business hours: Mon-Fri 09:00-17:00 Europe/Riga (UTC+2 in November),
 * holiday Wednesday 18 November 2026. Timestamps below are UTC.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../../pipelines/config/types.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { buildSatisfactionMarts, insertInteractions, tempWarehouse, type TempWarehouse } from './fixtures.js';

let t: TempWarehouse;
const calendars = {
  support: {
    timezone: 'Europe/Riga',
    hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] },
    holidays: ['2026-11-18'],
  },
};
const policies = [
  { tier: 'vip', firstResponseMinutes: 5 },
  { tier: 'vip', channel: 'email', firstResponseMinutes: 60, resolutionHours: 8 },
  { channel: 'email', resolutionHours: 48 },
];
const sla = { firstResponseMinutes: { chat: 15, email: 240 }, resolutionHours: 24, calendars, businessHours: { email: 'support' }, policies };
const config = { timezone: 'Europe/Riga', satisfaction: { sla } } as unknown as Config;

type Row = Record<string, unknown>;
let by: Record<string, Row>;

async function snapshot(asOf: string, customer: string, segment: string) {
  await t.wh.run(
    `insert into rfm_history (as_of, customer_id, frequency, monetary, rfm_segment, lifecycle_stage, run_id)
     values ($1::date, $2, 3, 100, $3, 'active', 'test')`,
    [asOf, customer, segment],
  );
}

async function times(): Promise<Record<string, Row>> {
  const rows = await t.wh.all<Row>(
    `select interaction_id, customer_tier, first_response_target_minutes, resolution_target_hours,
            first_response_minutes, first_response_business_minutes, resolution_hours, resolution_business_hours,
            is_first_response_sla_met, is_first_response_business_sla_met, is_resolution_sla_met, is_resolution_business_sla_met
     from int_interaction_times order by interaction_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.interaction_id as string, r]));
}

beforeAll(async () => {
  t = await tempWarehouse();
  // v1: Champions as of 1 Nov, At Risk as of 16 Nov (known from 17 Nov). v2: Champions only as of 20 Nov,
  // after every interaction of v2 (must not leak back). s1: Loyal Customers.
  await snapshot('2026-11-01', 'v1', 'Champions');
  await snapshot('2026-11-16', 'v1', 'At Risk');
  await snapshot('2026-11-20', 'v2', 'Champions');
  await snapshot('2026-11-01', 's1', 'Loyal Customers');
  await insertInteractions(t.wh, [
    // Mon 16 Nov: v1 is VIP (the 16 Nov snapshot is not before the day); answered in 7 min.
    { id: 'V1', customer: 'v1', channel: 'chat', opened: '2026-11-16 08:00:00', responded: '2026-11-16 08:07:00', resolved: '2026-11-16 09:00:00' },
    // The same 7 min for a standard customer.
    { id: 'S1', customer: 's1', channel: 'chat', opened: '2026-11-16 08:00:00', responded: '2026-11-16 08:07:00', resolved: '2026-11-16 09:00:00' },
    // Tue 17 Nov: v1 is At Risk by then -> standard.
    { id: 'V2', customer: 'v1', channel: 'chat', opened: '2026-11-17 08:00:00', responded: '2026-11-17 08:07:00' },
    // v2 on 14 Nov: no snapshot before -> standard (the 20 Nov Champions snapshot is later).
    { id: 'V3', customer: 'v2', channel: 'chat', opened: '2026-11-14 10:00:00', responded: '2026-11-14 10:07:00' },
    // VIP email: Fri 13 Nov 16:00 local -> Mon 16 Nov 09:30 local -> resolved Thu 19 Nov 10:00 local.
    { id: 'VE', customer: 'v1', channel: 'email', opened: '2026-11-13 14:00:00', responded: '2026-11-16 07:30:00', resolved: '2026-11-19 08:00:00' },
    // Standard email: Sat 14 Nov 12:00 local -> Mon 16 Nov 11:00 local -> resolved Wed 18 Nov (holiday) 12:00 local.
    { id: 'SE', customer: 's1', channel: 'email', opened: '2026-11-14 10:00:00', responded: '2026-11-16 09:00:00', resolved: '2026-11-18 10:00:00' },
    // A customer with no snapshot at all, phone (no channel target): default tier and default targets.
    { id: 'P1', customer: 'n1', channel: 'phone', opened: '2026-11-16 08:00:00', responded: '2026-11-16 08:30:00' },
  ]);
  await buildSatisfactionMarts(t.wh, '2026-11-19', config);
  by = await times();
});
afterAll(() => t?.cleanup());

describe('SLA policies per channel and customer tier', () => {
  test('tier as of the interaction: the latest snapshot before its day, never a later one', () => {
    expect(by.V1.customer_tier).toBe('vip');
    expect(by.VE.customer_tier).toBe('vip');
    expect(by.V2.customer_tier).toBe('standard');
    expect(by.V3.customer_tier).toBe('standard');
    expect(by.S1.customer_tier).toBe('standard');
    expect(by.P1.customer_tier).toBe('standard');
  });

  test('the most specific policy sets each target', () => {
    // vip chat: tier policy 5 min; resolution: default 24 h.
    expect(by.V1).toMatchObject({ first_response_target_minutes: 5, resolution_target_hours: 24 });
    // standard chat: channel table 15 min.
    expect(by.S1).toMatchObject({ first_response_target_minutes: 15, resolution_target_hours: 24 });
    // vip email: tier+channel policy 60 min / 8 h beats the tier policy (5 min) and the channel policy (48 h).
    expect(by.VE).toMatchObject({ first_response_target_minutes: 60, resolution_target_hours: 8 });
    // standard email: channel table 240 min, channel policy 48 h.
    expect(by.SE).toMatchObject({ first_response_target_minutes: 240, resolution_target_hours: 48 });
    // phone: nothing configured -> firstResponseDefaultMinutes 1440, resolutionHours 24.
    expect(by.P1).toMatchObject({ first_response_target_minutes: 1440, resolution_target_hours: 24 });
  });

  test('a VIP chat answered in 7 min breaches VIP 5 min; the same 7 min meets the standard 15 min', () => {
    expect(by.V1).toMatchObject({ first_response_minutes: 7, is_first_response_sla_met: false, is_resolution_sla_met: true });
    expect(by.S1).toMatchObject({ first_response_minutes: 7, is_first_response_sla_met: true });
    expect(by.V2).toMatchObject({ first_response_minutes: 7, is_first_response_sla_met: true });
    expect(by.V3).toMatchObject({ first_response_minutes: 7, is_first_response_sla_met: true });
  });

  test('business hours across the weekend and the holiday, against the tier targets', () => {
    // VE: first response Fri 16-17 (60) + Mon 09:00-09:30 (30) = 90 business min > 60 (VIP email) -> breached;
    //     it would meet the standard 240. Calendar: Fri 14:00 -> Mon 07:30 UTC = 65.5 h = 3930 min.
    //     Resolution: Fri 1 h + Mon 8 + Tue 8 + Wed 0 (holiday) + Thu 09:00-10:00 1 = 18 business h > 8 -> breached;
    //     calendar Fri 14:00 -> Thu 08:00 UTC = 138 h.
    expect(by.VE).toMatchObject({
      first_response_minutes: 3930,
      first_response_business_minutes: 90,
      is_first_response_sla_met: false,
      is_first_response_business_sla_met: false,
      resolution_hours: 138,
      resolution_business_hours: 18,
      is_resolution_sla_met: false,
      is_resolution_business_sla_met: false,
    });
    // SE: opened Saturday; the business clock starts Mon 09:00 local: Mon 09:00-11:00 = 120 min <= 240 -> met
    //     (calendar 47 h = 2820 min: breached). Resolution: Mon 8 + Tue 8 + Wed holiday 0 = 16 business h <= 48 -> met;
    //     calendar Sat 10:00 -> Wed 10:00 UTC = 96 h > 48 -> breached.
    expect(by.SE).toMatchObject({
      first_response_minutes: 2820,
      first_response_business_minutes: 120,
      is_first_response_sla_met: false,
      is_first_response_business_sla_met: true,
      resolution_hours: 96,
      resolution_business_hours: 16,
      is_resolution_sla_met: false,
      is_resolution_business_sla_met: true,
    });
  });

  test('service_kpis_tier_daily reports compliance per tier (the per-channel mart is unchanged in shape)', async () => {
    const rows = await t.wh.all<Row>(
      `select strftime(opened_on, '%Y-%m-%d') as d, customer_tier, interactions, count_first_response_sla_due, count_first_response_sla_met,
              first_response_sla_rate, count_first_response_business_sla_due, count_first_response_business_sla_met, median_first_response_minutes
       from service_kpis_tier_daily order by d, customer_tier`,
    );
    // Local days (Riga): VE Fri 13, V3 and SE Sat 14, V1 S1 P1 Mon 16, V2 Tue 17.
    expect(rows).toEqual([
      { d: '2026-11-13', customer_tier: 'vip', interactions: 1, count_first_response_sla_due: 1, count_first_response_sla_met: 0, first_response_sla_rate: 0, count_first_response_business_sla_due: 1, count_first_response_business_sla_met: 0, median_first_response_minutes: 3930 },
      { d: '2026-11-14', customer_tier: 'standard', interactions: 2, count_first_response_sla_due: 2, count_first_response_sla_met: 1, first_response_sla_rate: 0.5, count_first_response_business_sla_due: 1, count_first_response_business_sla_met: 1, median_first_response_minutes: (7 + 2820) / 2 },
      // S1 met (7 <= 15), P1 met (30 <= 1440).
      { d: '2026-11-16', customer_tier: 'standard', interactions: 2, count_first_response_sla_due: 2, count_first_response_sla_met: 2, first_response_sla_rate: 1, count_first_response_business_sla_due: 0, count_first_response_business_sla_met: 0, median_first_response_minutes: (7 + 30) / 2 },
      { d: '2026-11-16', customer_tier: 'vip', interactions: 1, count_first_response_sla_due: 1, count_first_response_sla_met: 0, first_response_sla_rate: 0, count_first_response_business_sla_due: 0, count_first_response_business_sla_met: 0, median_first_response_minutes: 7 },
      { d: '2026-11-17', customer_tier: 'standard', interactions: 1, count_first_response_sla_due: 1, count_first_response_sla_met: 1, first_response_sla_rate: 1, count_first_response_business_sla_due: 0, count_first_response_business_sla_met: 0, median_first_response_minutes: 7 },
    ]);
  });

  test('tier from a customer attribute: mapped values, or the value itself when no map is given', async () => {
    await t.wh.run(`insert into customers (customer_id, country, attributes) values ('v1', 'LV', '{"plan": "Gold"}'), ('s1', 'LV', '{"plan": "Basic"}'), ('v2', 'LV', '{}')`);
    const mapped = { timezone: 'Europe/Riga', satisfaction: { sla: { ...sla, tiers: { from: 'attribute', attribute: 'plan', attributeValues: { Gold: 'vip' } } } } } as unknown as Config;
    await buildSatisfactionMarts(t.wh, '2026-11-19', mapped);
    let r = await times();
    expect([r.V1.customer_tier, r.V2.customer_tier, r.S1.customer_tier, r.V3.customer_tier, r.P1.customer_tier]).toEqual(['vip', 'vip', 'standard', 'standard', 'standard']);
    // V2 is vip now (the attribute is stable), so its 7 min breaches 5 min.
    expect(r.V2).toMatchObject({ first_response_target_minutes: 5, is_first_response_sla_met: false });

    const raw = { timezone: 'Europe/Riga', satisfaction: { sla: { tiers: { from: 'attribute', attribute: 'plan' } } } } as unknown as Config;
    await buildSatisfactionMarts(t.wh, '2026-11-19', raw);
    r = await times();
    expect([r.V1.customer_tier, r.S1.customer_tier, r.V3.customer_tier]).toEqual(['Gold', 'Basic', 'standard']);

    const none = { timezone: 'Europe/Riga', satisfaction: { sla: { tiers: { from: 'none' } } } } as unknown as Config;
    await buildSatisfactionMarts(t.wh, '2026-11-19', none);
    r = await times();
    expect(new Set(Object.values(r).map((x) => x.customer_tier))).toEqual(new Set(['standard']));
  });

  test('config: defaults filled in; bad policies rejected with their key', () => {
    const load = (s: Record<string, unknown>) => resolveConfig({ sources: { surveys: { path: 's.csv' } }, satisfaction: { sla: s } }, '/tmp');
    const cfg = load({}) as unknown as { satisfaction: { sla: Record<string, unknown> } };
    expect(cfg.satisfaction.sla.tiers).toEqual({ from: 'rfm_segment', rfmSegments: { Champions: 'vip', "Can't Lose Them": 'vip' }, attribute: 'tier', attributeValues: {}, default: 'standard' });
    expect(cfg.satisfaction.sla.policies).toEqual([]);
    expect(() => load({ policies: [{ tier: 'gold', firstResponseMinutes: 5 }] })).toThrow(/satisfaction.sla.policies\[0\].tier: "gold" is not a tier satisfaction.sla.tiers can give \(standard, vip\)/);
    expect(() => load({ policies: [{ tier: 'vip' }] })).toThrow(/satisfaction.sla.policies\[0\]: sets no target/);
    expect(() => load({ policies: [{ tier: 'vip', firstResponseMinutes: 5 }, { tier: 'vip', firstResponseMinutes: 10 }] })).toThrow(
      /satisfaction.sla.policies\[1\].firstResponseMinutes: policies\[0\] already sets it/,
    );
    expect(() => load({ policies: [{ channel: 'chat', firstResponseMinutes: 10 }] })).toThrow(/satisfaction.sla.firstResponseMinutes.chat already sets it/);
    expect(() => load({ policies: [{ firstResponseMinutes: 10 }] })).toThrow(/policies/);
    expect(() => load({ policies: [{ tier: 'vip', firstResponseMinutes: -1 }] })).toThrow(/policies\/0\/firstResponseMinutes|policies\[0\].firstResponseMinutes|firstResponseMinutes/);
    expect(() => load({ tiers: { from: 'clv' } })).toThrow(/tiers.*from|from.*rfm_segment/);
    // With an attribute and no value map, any tier name may appear: not rejected.
    expect(() => load({ tiers: { from: 'attribute', attribute: 'plan' }, policies: [{ tier: 'Gold', firstResponseMinutes: 5 }] })).not.toThrow();
  });
});
