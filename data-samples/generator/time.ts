// Time as whole seconds since the Unix epoch (UTC); fast 'YYYY-MM-DD HH:MM:SS' formatting through a day cache,
// because the 1M-customer run formats tens of millions of timestamps.

export const DAY = 86_400;

export function parseDate(ymd: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): "${ymd}"`);
  const secs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000;
  if (new Date(secs * 1000).toISOString().slice(0, 10) !== ymd) throw new Error(`not a calendar date: "${ymd}"`);
  return secs;
}

const CACHE_FROM = parseDate('2000-01-01') / DAY;
const CACHE_DAYS = 40 * 366;
const dayStrings: string[] = [];
const dayMonths: number[] = [];
const dayYears: number[] = [];
for (let i = 0; i < CACHE_DAYS; i++) {
  const iso = new Date((CACHE_FROM + i) * DAY * 1000).toISOString();
  dayStrings.push(iso.slice(0, 10));
  dayYears.push(Number(iso.slice(0, 4)));
  dayMonths.push(Number(iso.slice(5, 7)) - 1);
}
const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

function dayIndex(secs: number): number {
  const i = Math.floor(secs / DAY) - CACHE_FROM;
  if (i < 0 || i >= CACHE_DAYS) throw new Error(`timestamp out of supported range: ${secs}`);
  return i;
}

export function formatTs(secs: number): string {
  const s = Math.floor(secs);
  const i = dayIndex(s);
  let r = s - (i + CACHE_FROM) * DAY;
  const h = Math.floor(r / 3600);
  r -= h * 3600;
  const m = Math.floor(r / 60);
  return `${dayStrings[i]} ${two[h]}:${two[m]}:${two[r - m * 60]}`;
}

/** Calendar month 0-11 of a timestamp. */
export function monthOf(secs: number): number {
  return dayMonths[dayIndex(secs)];
}

export function yearOf(secs: number): number {
  return dayYears[dayIndex(secs)];
}

/** 'YYYY-MM' of a timestamp. */
export function yearMonthOf(secs: number): string {
  return dayStrings[dayIndex(secs)].slice(0, 7);
}
