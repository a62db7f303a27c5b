/**
 * Business-hours SLAs against a hand computation. Calendar "support": Monday-Friday 09:00-17:00 in
 * Europe/Riga (UTC+2 in November), holiday Wednesday 18 November 2026. Targets: email first response
 * 240 min, resolution 24 h. Timestamps below are UTC; local = UTC + 2 h.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../../pipelines/config/types.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { buildSatisfactionMarts, insertInteractions, tempWarehouse, type TempWarehouse } from './fixtures.js';

let t: TempWarehouse;
const sla = {
  firstResponseMinutes: { chat: 15, email: 240 },
  resolutionHours: 24,
  calendars: {
    support: {
      timezone: 'Europe/Riga',
      hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] },
      holidays: ['2026-11-18'],
    },
  },
  businessHours: { email: 'support' },
};
const config = { timezone: 'Europe/Riga', satisfaction: { sla } } as unknown as Config;

beforeAll(async () => {
  t = await tempWarehouse();
  await insertInteractions(t.wh, [
    // Fri 13 Nov 16:00 local -> Mon 16 Nov 10:00 -> resolved Thu 19 Nov 11:00 local.
    { id: 'E1', customer: 'c1', channel: 'email', opened: '2026-11-13 14:00:00', responded: '2026-11-16 08:00:00', resolved: '2026-11-19 09:00:00' },
    // Sat 14 Nov 12:00 local -> Mon 16 Nov 09:30 local.
    { id: 'E2', customer: 'c2', channel: 'email', opened: '2026-11-14 10:00:00', responded: '2026-11-16 07:30:00' },
    // Chat has no calendar: calendar time only.
    { id: 'C1', customer: 'c3', channel: 'chat', opened: '2026-11-14 10:00:00', responded: '2026-11-14 10:05:00' },
    // Tue 17 Nov 16:30 local, unanswered at the end of Thu 19 Nov (local).
    { id: 'E4', customer: 'c4', channel: 'email', opened: '2026-11-17 14:30:00' },
  ]);
  await buildSatisfactionMarts(t.wh, '2026-11-19', config);
});
afterAll(() => t?.cleanup());

describe('business-hours SLA (weekend and holiday)', () => {
  test('elapsed business time and compliance, beside calendar time', async () => {
    const rows = await t.wh.all<Record<string, unknown>>(
      `select interaction_id, first_response_minutes, first_response_business_minutes, resolution_hours, resolution_business_hours,
              is_first_response_sla_met, is_first_response_business_sla_met, is_resolution_sla_met, is_resolution_business_sla_met
       from int_interaction_times order by interaction_id`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.interaction_id, r]));
    // E1: calendar 66 h = 3960 min; business Fri 16-17 (60) + Mon 9-10 (60) = 120 min.
    //     resolution: calendar Fri 14:00 -> Thu 09:00 UTC = 5 d 19 h = 139 h; business Fri 1 + Mon 8 + Tue 8 + Wed 0 (holiday) + Thu 2 = 19 h.
    expect(by.E1).toMatchObject({
      first_response_minutes: 3960,
      first_response_business_minutes: 120,
      resolution_hours: 139,
      resolution_business_hours: 19,
      is_first_response_sla_met: false,
      is_first_response_business_sla_met: true,
      is_resolution_sla_met: false,
      is_resolution_business_sla_met: true,
    });
    // E2: opened on a Saturday; the business clock starts Monday 09:00: 30 min. Calendar: 45.5 h.
    expect(by.E2).toMatchObject({ first_response_minutes: 2730, first_response_business_minutes: 30, is_first_response_business_sla_met: true, is_first_response_sla_met: false });
    // C1: no calendar for chat.
    expect(by.C1).toMatchObject({ first_response_minutes: 5, first_response_business_minutes: null, is_first_response_business_sla_met: null });
    // E4: unanswered. Business age at the end of Thu 19 Nov: Tue 30 min + Wed 0 + Thu 480 = 510 min > 240 -> breached;
    //     8.5 business hours < 24 -> resolution not due yet (null). Calendar age 55.5 h: both breached.
    expect(by.E4).toMatchObject({
      first_response_business_minutes: null,
      is_first_response_business_sla_met: false,
      is_resolution_business_sla_met: null,
      is_first_response_sla_met: false,
      is_resolution_sla_met: false,
    });
  });

  test('service_kpis_daily reports both ways: email on Fri 13 Nov (local) met in business hours, breached in calendar time', async () => {
    const r = await t.wh.one<Record<string, unknown>>(
      `select count_first_response_sla_met, count_first_response_sla_due, count_first_response_business_sla_met,
              count_first_response_business_sla_due, first_response_business_sla_rate, median_first_response_business_minutes
       from service_kpis_daily where channel = 'email' and opened_on = '2026-11-13'`,
    );
    expect(r).toMatchObject({
      count_first_response_sla_met: 0,
      count_first_response_sla_due: 1,
      count_first_response_business_sla_met: 1,
      count_first_response_business_sla_due: 1,
      first_response_business_sla_rate: 1,
      median_first_response_business_minutes: 120,
    });
  });

  test('config checks: an unknown calendar, a period ending before it starts, a bad zone', () => {
    const bad = {
      calendars: { a: { timezone: 'Europe/Rigga', hours: { mon: ['17:00-09:00'] } } },
      businessHours: { email: 'b' },
    };
    const load = () => resolveConfig({ sources: { surveys: { path: 's.csv' } }, satisfaction: { sla: bad } }, '/tmp');
    expect(load).toThrow(/calendars."a".timezone: "Europe\/Rigga" is not an IANA time zone/);
    expect(load).toThrow(/hours.mon: "17:00-09:00" ends before it starts/);
    expect(load).toThrow(/businessHours.email: calendar "b" is not in satisfaction.sla.calendars/);
  });
});
