import { addDays, isoDate, parseIsoDate } from './clock.js';

/**
 * The date range of every dashboard, metric endpoint and module read API (`from`, `to`: inclusive days,
 * YYYY-MM-DD). One default, here: the DEFAULT_RANGE_DAYS days ending at the as-of date (`to` defaults
 * to the as-of, `from` to DEFAULT_RANGE_DAYS - 1 days before `to`). Documented in dashboards/README.md
 * and models/satisfaction/README.md.
 */
export const DEFAULT_RANGE_DAYS = 365;

export interface DateRange {
  from: Date;
  /** Inclusive last day. */
  to: Date;
}

/** How a caller reports a bad field (each API keeps its own error `where`). */
export type RangeError = (field: 'from' | 'to', message: string, hint: string) => Error;

function day(raw: unknown, field: 'from' | 'to', bad: RangeError): Date | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const d = typeof raw === 'string' ? parseIsoDate(raw) : undefined;
  if (!d) throw bad(field, `${field}: ${JSON.stringify(raw)} is not a real date written YYYY-MM-DD`, `e.g. ${field}=2026-01-31`);
  return d;
}

/** Parses `from`/`to`, fills the defaults from `asOf` and checks the order. */
export function resolveDateRange(raw: { from?: unknown; to?: unknown }, asOf: Date, bad: RangeError): DateRange {
  const to = day(raw.to, 'to', bad) ?? parseIsoDate(isoDate(asOf))!;
  const from = day(raw.from, 'from', bad) ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to) throw bad('from', `from: ${isoDate(from)} is after to (${isoDate(to)})`, 'swap the dates');
  return { from, to };
}
