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
