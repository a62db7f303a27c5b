/**
 * Local days (issue 15): with timezone "Asia/Shanghai" (UTC+8, no DST) a complaint at 07:00 local time
 * counts on its local day, and the as-of day ends at local midnight. Expected values are worked out by
 * hand below from the wall-clock times the test writes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { dayStartUtc } from '../../../pipelines/core/time-zone.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import type { Config } from '../../../pipelines/config/types.js';
import { runIngest } from '../../../pipelines/sources/run-ingest.js';
import { ingestEnv, type IngestEnv } from '../../pipelines/sources/ingest-helpers.js';
import { buildSatisfactionMarts } from './fixtures.js';

let env: IngestEnv;
let config: Config;

const iso = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 19).replace('T', ' ') : String(d));

beforeAll(async () => {
  env = await ingestEnv('cxp-tz-');
  env.write(
    'interactions.csv',
    [
      'interaction_id,customer_id,channel,kind,opened_at,first_response_at,resolved_at',
      // 07:00 Shanghai on 10 March = 23:00 UTC on 9 March.
      'I1,C1,email,complaint,2026-03-10 07:00:00,2026-03-10 07:30:00,2026-03-10 09:00:00',
      // 23:30 local on 10 March (15:30 UTC): still the as-of day.
      'I2,C2,chat,complaint,2026-03-10 23:30:00,,',
      // 00:30 local on 11 March (16:30 UTC on 10 March): after the as-of day, not counted.
      'I3,C3,chat,complaint,2026-03-11 00:30:00,,',
      // An explicit offset is an instant: 2026-03-10T01:00:00Z = 09:00 local on 10 March.
      'I4,C4,phone,inquiry,2026-03-10T01:00:00Z,,',
    ].join('\n') + '\n',
  );
  // A second source declares its own zone: Riga (UTC+2 in March).
  env.write('surveys.csv', 'response_id,customer_id,submitted_at,survey_type,score\nS1,C1,2026-03-10 01:30:00,nps,9\n');
  config = resolveConfig(
    {
      timezone: 'Asia/Shanghai',
      sources: { interactions: { path: 'interactions.csv' }, surveys: { path: 'surveys.csv', timezone: 'Europe/Riga' } },
    },
    env.dir,
  );
  await runIngest({ warehouse: env.wh, config, runId: 'tz', clock: fixedClock('2026-03-12T00:00:00Z'), logger: silentLogger });
  await buildSatisfactionMarts(env.wh, '2026-03-10', config);
}, 60_000);
afterAll(() => env?.close());

describe('time zone: Asia/Shanghai', () => {
  test('naive source timestamps are read in the declared zone and stored as UTC', async () => {
    const rows = await env.wh.all<{ id: string; at: Date }>('select interaction_id as id, opened_at as at from interactions order by 1');
    expect(rows.map((r) => [r.id, iso(r.at)])).toEqual([
      ['I1', '2026-03-09 23:00:00'],
      ['I2', '2026-03-10 15:30:00'],
      ['I3', '2026-03-10 16:30:00'],
      ['I4', '2026-03-10 01:00:00'],
    ]);
    // Riga is UTC+2 in March: 01:30 local = 23:30 UTC the day before.
    const s = await env.wh.one<{ at: Date }>('select submitted_at as at from surveys');
    expect(iso(s!.at)).toBe('2026-03-09 23:30:00');
    expect(config.sources.interactions!.timezone).toBe('Asia/Shanghai');
  });

  test('a 07:00 local complaint counts on its local day; the as-of day ends at local midnight', async () => {
    const days = await env.wh.all<{ on: Date; channel: string; n: number }>(
      'select opened_on as on, channel, sum(complaints)::integer as n from complaints_daily group by all order by 1, 2',
    );
    // I1 (email) and I2 (chat) on 10 March; the phone inquiry I4 too (no complaint); I3 is after the
    // as-of day; nothing on 9 March.
    expect(days.map((d) => [iso(d.on).slice(0, 10), d.channel, d.n])).toEqual([
      ['2026-03-10', 'chat', 1],
      ['2026-03-10', 'email', 1],
      ['2026-03-10', 'phone', 0],
    ]);
    const t = await env.wh.all<{ id: string; on: Date }>('select interaction_id as id, opened_on as on from int_interaction_times order by 1');
    expect(t.map((r) => [r.id, iso(r.on).slice(0, 10)])).toEqual([
      ['I1', '2026-03-10'],
      ['I2', '2026-03-10'],
      ['I4', '2026-03-10'],
    ]);
    // The survey at 23:30 UTC on 9 March is 07:30 in Shanghai on 10 March: the company's day.
    const r = await env.wh.one<{ on: Date }>('select response_on as on from int_survey_responses');
    expect(iso(r!.on).slice(0, 10)).toBe('2026-03-10');
  });

  test('the same data with timezone UTC puts the complaint on 9 March (the test can fail)', async () => {
    await buildSatisfactionMarts(env.wh, '2026-03-10', { ...config, timezone: 'UTC' });
    const days = await env.wh.all<{ on: Date }>('select distinct opened_on as on from complaints_daily order by 1');
    expect(days.map((d) => iso(d.on).slice(0, 10))).toEqual(['2026-03-09', '2026-03-10']);
    await buildSatisfactionMarts(env.wh, '2026-03-10', config);
  });

  test('TypeScript cutoffs agree with SQL: local midnight of 11 March in Shanghai is 16:00 UTC on 10 March', () => {
    expect(dayStartUtc(new Date('2026-03-11T00:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-03-10T16:00:00.000Z');
    // Riga switches to summer time on 29 March 2026: midnight is UTC+2 before, UTC+3 after.
    expect(dayStartUtc(new Date('2026-03-29T00:00:00Z'), 'Europe/Riga').toISOString()).toBe('2026-03-28T22:00:00.000Z');
    expect(dayStartUtc(new Date('2026-03-30T00:00:00Z'), 'Europe/Riga').toISOString()).toBe('2026-03-29T21:00:00.000Z');
  });
});
