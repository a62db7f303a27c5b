import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { backoffMs, jitteredBackoffMs } from '../../../pipelines/core/backoff.js';
import { cronMatches, scheduleConfig } from '../../../pipelines/scheduler/schedule-config.js';

const JOBS = ['ingest', 'transform', 'score', 'export', 'triggers'];
const cfg = (schedule: unknown, extra: Record<string, unknown> = {}) => resolveConfig({ sources: { customers: { path: 'c.csv' } }, schedule, ...extra }, '/tmp');

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return (err as { details: { problems: string[] } }).details.problems;
  }
  return [];
}

describe('schedule config and cron parsing', () => {
  it('defaults: ingest hourly, the full pipeline nightly, in the top-level time zone, 3 attempts', () => {
    const s = scheduleConfig(cfg(undefined, { timezone: 'Europe/Berlin' }), JOBS);
    expect(s.runs).toEqual([
      { name: 'ingest-hourly', cron: '0 * * * *', jobs: ['ingest'] },
      { name: 'nightly', cron: '30 2 * * *', jobs: [] },
    ]);
    expect(s.timezone).toBe('Europe/Berlin');
    expect(s.retry).toEqual({ maxAttempts: 3, initialDelaySeconds: 60, factor: 2, maxDelaySeconds: 1800 });
  });

  it('puts configured jobs in pipeline order and names every bad key', () => {
    const s = scheduleConfig(cfg({ runs: { x: { cron: '*/15 * * * *', jobs: ['triggers', 'score'] } } }), JOBS);
    expect(s.runs[0].jobs).toEqual(['score', 'triggers']);
    const p = problems(() =>
      scheduleConfig(cfg({ timezone: 'Mars/Olympus', runs: { a: { cron: '61 * * * *' }, b: { cron: 'every day' }, c: { cron: '0 3 * * *', jobs: ['ingest', 'etl'] } } }), JOBS),
    );
    expect(p).toHaveLength(4);
    expect(p[0]).toMatch(/^schedule\.timezone: "Mars\/Olympus" is not an IANA time zone/);
    expect(p[1]).toMatch(/^schedule\.runs\.a\.cron: "61 \* \* \* \*" is invalid \(61 is a invalid expression for minute\)/);
    expect(p[2]).toMatch(/^schedule\.runs\.b\.cron: "every day" is invalid/);
    expect(p[3]).toMatch(/^schedule\.runs\.c\.jobs: unknown job\(s\) etl/);
  });

  it('rejects unknown keys in the section (typos do not pass silently)', () => {
    expect(() => cfg({ retries: 3 })).toThrow(/schedule\.retries: is not a known key/);
  });

  it('reads cron expressions in the configured time zone', () => {
    // 02:30 in Berlin is 01:30 UTC in winter and 00:30 UTC in summer.
    expect(cronMatches('30 2 * * *', 'Europe/Berlin', new Date('2026-11-24T01:30:00Z'))).toBe(true);
    expect(cronMatches('30 2 * * *', 'Europe/Berlin', new Date('2026-11-24T02:30:00Z'))).toBe(false);
    expect(cronMatches('30 2 * * *', 'Europe/Berlin', new Date('2026-07-01T00:30:00Z'))).toBe(true);
    expect(cronMatches('30 2 * * *', 'UTC', new Date('2026-11-24T02:30:00Z'))).toBe(true);
    expect(cronMatches('0 * * * *', 'UTC', new Date('2026-11-24T13:00:00Z'))).toBe(true);
    expect(cronMatches('0 * * * *', 'UTC', new Date('2026-11-24T13:01:00Z'))).toBe(false);
    // Six fields: seconds first. Monday to Friday at 06:00:30.
    expect(cronMatches('30 0 6 * * 1-5', 'UTC', new Date('2026-11-24T06:00:30Z'))).toBe(true);
    expect(cronMatches('30 0 6 * * 1-5', 'UTC', new Date('2026-11-22T06:00:30Z'))).toBe(false);
  });

  it('backoff doubles from the initial delay up to the cap; jitter stays within half and all of it', () => {
    const p = { initialDelaySeconds: 60, factor: 2, maxDelaySeconds: 300 };
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(p, a))).toEqual([60_000, 120_000, 240_000, 300_000, 300_000]);
    expect(jitteredBackoffMs(p, 2, () => 0)).toBe(60_000);
    expect(jitteredBackoffMs(p, 2, () => 1)).toBe(120_000);
    expect(jitteredBackoffMs(p, 2, () => 0.5)).toBe(90_000);
  });
});
