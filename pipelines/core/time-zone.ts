import type { ConnDb } from './warehouse.js';

/** Time-zone names: the config's `timezone` and each source's are IANA names (as DuckDB's ICU reads them). */

/** True when `zone` is an IANA time zone name this runtime knows (e.g. "Europe/Riga", "Asia/Shanghai", "UTC"). */
export function isIanaZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Offset of `zone` from UTC at `instant`, in milliseconds (wall clock minus UTC). */
function offsetMs(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The UTC instant at which the local day `day` (a date at UTC midnight, as the clock helpers make them)
 * starts in `zone`: what SQL's cxp_day_start_at computes (pipelines/transform/run-transform.ts).
 */
export function dayStartUtc(day: Date, zone = 'UTC'): Date {
  if (zone === 'UTC') return day;
  const wall = day.getTime();
  const first = wall - offsetMs(wall, zone);
  // Around a DST change the offset at the guess can differ from the offset at the answer.
  const second = wall - offsetMs(first, zone);
  return new Date(second);
}

/**
 * The local calendar date of `instant` in `zone`, as a Date at UTC midnight (the form the clock helpers
 * and `sqlDate` use for a calendar date).
 */
export function localDay(instant: Date, zone = 'UTC'): Date {
  const ms = zone === 'UTC' ? instant.getTime() : instant.getTime() + offsetMs(instant.getTime(), zone);
  return new Date(Math.floor(ms / 86_400_000) * 86_400_000);
}

/**
 * SQL: the local date of the UTC timestamp expression `ts` in the zone named by the SQL expression `zone`:
 * `$timezone` (bound to the config's zone) in a query that runs on a connection of its own (dashboards),
 * `getvariable('timezone')` in the macro cxp_local_on below. The one formula for a local day.
 */
export function localOnSql(ts: string, zone = '$timezone'): string {
  return `(case when coalesce(${zone}, 'UTC') = 'UTC' then (${ts})::date else timezone(${zone}, timezone('UTC', ${ts}))::date end)`;
}

/**
 * Local days in SQL, written once. Canonical timestamps are UTC (`timestamp` without zone); the company
 * lives in the IANA zone held by the connection's variable `timezone` (UTC when null):
 *   cxp_local_on(ts)    UTC timestamp -> the local date it falls on
 *   cxp_day_start_at(d) local date    -> the UTC timestamp of its local midnight (the as-of day ends at
 *                                        cxp_day_start_at(as_of + 1))
 * The transform sets them on its connection (run-transform.ts); a score step or query that runs SQL
 * over local days calls useLocalDays on its connection first.
 */
export const LOCAL_DAY_MACROS = [
  `create or replace temp macro cxp_local_on(ts) as ${localOnSql('ts', "getvariable('timezone')")}`,
  `create or replace temp macro cxp_day_start_at(d) as
     case when coalesce(getvariable('timezone'), 'UTC') = 'UTC' then d::timestamp
          else timezone('UTC', timezone(getvariable('timezone'), d::timestamp)) end`,
];

/** Sets the zone (bound) and the local-day macros on one connection (or transaction). */
export async function useLocalDays(db: ConnDb, zone: string | null): Promise<void> {
  await db.run('set variable timezone = $1::varchar', [zone]);
  for (const m of LOCAL_DAY_MACROS) await db.run(m);
}

/** The company's zone from a config (top-level `timezone`, validated as IANA at load); UTC when unset. */
export function configTimeZone(config: { readonly timezone?: unknown } | undefined): string {
  return typeof config?.timezone === 'string' && config.timezone !== '' ? config.timezone : 'UTC';
}
