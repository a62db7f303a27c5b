/**
 * Dashboards in the company's time zone (config `timezone`): date ranges start and end at local midnight,
 * weekly/monthly buckets are local. Expected values are worked out by hand: Asia/Shanghai = UTC+8, no DST.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveFilters } from '../../dashboards/filters.js';
import { surveyTotals, surveyTrend } from '../../dashboards/data/surveys.js';
import { tempWarehouse } from '../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const AS_OF = new Date('2026-06-30T00:00:00Z');

describe('dashboard filters in the config zone', () => {
  it('a range of local days starts and ends at local midnight (UTC+8: 16:00 UTC the day before)', () => {
    const f = resolveFilters({ from: '2026-03-01', to: '2026-03-31' }, AS_OF, 'Asia/Shanghai');
    expect(f.fromAt.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(f.toAt.toISOString()).toBe('2026-03-31T16:00:00.000Z');
    // The previous period is February (whole months compare with whole months): from 01-31 16:00 UTC.
    expect(f.prevFromAt.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    const utc = resolveFilters({ from: '2026-03-01', to: '2026-03-31' }, AS_OF);
    expect([utc.fromAt.toISOString(), utc.toAt.toISOString()]).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
  });

  it('a survey at 04:00 local on March 1st (20:00 UTC on Feb 28th) is in March: range and monthly bucket', async () => {
    const { wh, cleanup } = await tempWarehouse('cxp-dash-local-');
    cleanups.push(cleanup);
    await wh.run(
      `insert into surveys (response_id, customer_id, submitted_at, survey_type, score) values
         ('r1', 'c1', '2026-02-28 20:00:00', 'nps', 10),
         ('r2', 'c1', '2026-03-31 17:00:00', 'nps', 0)`, // 04-01 01:00 local: April
    );
    const range = { from: '2026-01-01', to: '2026-06-30' }; // > 120 days: monthly buckets
    const local = resolveFilters(range, AS_OF, 'Asia/Shanghai');
    const trend = await surveyTrend(wh, local, false);
    expect(trend.map((r) => [r.period, r.n])).toEqual([['2026-03-01', 1], ['2026-04-01', 1]]);
    const march = resolveFilters({ from: '2026-03-01', to: '2026-03-31' }, AS_OF, 'Asia/Shanghai');
    expect((await surveyTotals(wh, march, 'current', false)).get('nps')?.promoters).toBe(1);
    expect((await surveyTotals(wh, march, 'current', false)).get('nps')?.detractors ?? 0).toBe(0);
    // In UTC both fall in the months of their UTC dates.
    const utc = await surveyTrend(wh, resolveFilters(range, AS_OF), false);
    expect(utc.map((r) => [r.period, r.n])).toEqual([['2026-02-01', 1], ['2026-03-01', 1]]);
  });
});
