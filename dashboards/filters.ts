import { addDays, isoDate } from '../pipelines/core/clock.js';
import { DEFAULT_RANGE_DAYS, resolveDateRange } from '../pipelines/core/date-range.js';
import { CxpError } from '../pipelines/core/errors.js';

/** The channels interactions carry (sql/core/010_canonical.sql). */
export const CHANNELS = ['phone', 'email', 'chat', 'social', 'store', 'app', 'other'] as const;

/** The filter bar shared by every dashboard and metric endpoint. */
export interface CommonFilters {
  from?: string;
  to?: string;
  channel?: string;
  country?: string;
  segment?: string;
}

/** A resolved filter: dates filled in from as_of, plus the previous period of the same length. */
export interface ResolvedFilters {
  from: Date;
  /** Exclusive upper bound (the day after `to`). */
  toExclusive: Date;
  fromText: string;
  toText: string;
  prevFrom: Date;
  channel?: string;
  country?: string;
  segment?: string;
}

const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

/** JSON schema properties for the common filters; routes spread these into their querystring schema. */
export const commonFilterProperties = {
  from: { type: 'string', pattern: DATE_PATTERN, description: `first day, YYYY-MM-DD (default: as_of − ${DEFAULT_RANGE_DAYS - 1} days)` },
  to: { type: 'string', pattern: DATE_PATTERN, description: 'last day, YYYY-MM-DD (default: as_of)' },
  channel: { type: 'string', enum: [...CHANNELS], description: 'interaction channel' },
  country: { type: 'string', minLength: 1, maxLength: 64, description: 'customer country, as loaded' },
  segment: { type: 'string', minLength: 1, maxLength: 64, description: 'RFM segment (customer_value.rfm_segment)' },
} as const;

function badField(field: string, message: string, hint?: string): CxpError {
  return new CxpError('CXP_ERR_BAD_REQUEST', message.startsWith(`${field}: `) ? message : `${field}: ${message}`, { where: `query.${field}`, field, hint });
}

/** Checks dates are real and ordered, and fills defaults from the as-of date (pipelines/core/date-range.ts). */
export function resolveFilters(q: CommonFilters, asOf: Date): ResolvedFilters {
  const { from, to } = resolveDateRange(q, asOf, (field, message, hint) => badField(field, message, hint));
  const toExclusive = addDays(to, 1);
  return {
    from,
    toExclusive,
    fromText: isoDate(from),
    toText: isoDate(to),
    prevFrom: previousFrom(from, toExclusive),
    channel: q.channel,
    country: q.country,
    segment: q.segment,
  };
}

const addMonths = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));

/**
 * Where the comparison period starts: whole calendar months (a month, a quarter, a year) are compared
 * with the same number of months before (October with September, not with the 31 days before it);
 * any other range with the same number of days before it.
 */
export function previousFrom(from: Date, toExclusive: Date): Date {
  if (from.getUTCDate() === 1 && toExclusive.getUTCDate() === 1) {
    const months = (toExclusive.getUTCFullYear() - from.getUTCFullYear()) * 12 + toExclusive.getUTCMonth() - from.getUTCMonth();
    if (months > 0) return addMonths(from, -months);
  }
  const days = Math.round((toExclusive.getTime() - from.getTime()) / 86_400_000);
  return addDays(from, -days);
}

export type PeriodKind = 'week' | 'month' | 'quarter';

/** The last `count` complete weeks (Monday to Sunday), months or quarters ending on or before `asOf`, newest first. */
export function recentPeriods(kind: PeriodKind, asOf: Date, count: number): { from: Date; toExclusive: Date }[] {
  const out: { from: Date; toExclusive: Date }[] = [];
  const end = addDays(asOf, 1);
  if (kind === 'week') {
    // The Monday on or before the day after as-of: weeks before it are complete.
    let to = addDays(end, -((end.getUTCDay() + 6) % 7));
    for (let i = 0; i < count; i++, to = addDays(to, -7)) out.push({ from: addDays(to, -7), toExclusive: to });
    return out;
  }
  const step = kind === 'month' ? 1 : 3;
  // The first day of the month (quarter) holding the day after as-of: every one before it is complete.
  let to = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - (end.getUTCMonth() % step), 1));
  for (let i = 0; i < count; i++, to = addMonths(to, -step)) out.push({ from: addMonths(to, -step), toExclusive: to });
  return out;
}

/** Rejects a country or segment the warehouse has never seen, naming the field and the known values. */
export function checkKnownValue(field: 'country' | 'segment', value: string | undefined, known: string[] | undefined): void {
  if (value === undefined) return;
  if (known === undefined) {
    throw badField(field, `no ${field === 'segment' ? 'RFM segments' : 'countries'} exist yet, so "${value}" cannot match`, 'run the pipeline first, or drop this filter');
  }
  if (!known.includes(value)) {
    const shown = known.slice(0, 20).map((k) => JSON.stringify(k)).join(', ');
    throw badField(field, `unknown value ${JSON.stringify(value)}`, `known values: ${shown}${known.length > 20 ? ', …' : ''}`);
  }
}

/**
 * SQL conditions and bound parameters for the common filters over a table with a customer column,
 * an event timestamp and (optionally) a channel expression. Values are bound, never concatenated.
 */
export function filterSql(
  f: ResolvedFilters,
  cols: { customer: string; at?: string; channel?: string },
  opts: { period?: 'current' | 'previous' | 'none'; hasSegments: boolean },
): { where: string; params: Record<string, string | Date> } {
  const conds: string[] = [];
  const params: Record<string, string | Date> = {};
  const period = opts.period ?? 'current';
  if (cols.at && period !== 'none') {
    conds.push(`${cols.at} >= $from_at and ${cols.at} < $to_at`);
    params.from_at = period === 'current' ? f.from : f.prevFrom;
    params.to_at = period === 'current' ? f.toExclusive : f.from;
  }
  if (f.channel !== undefined && cols.channel) {
    conds.push(`${cols.channel} = $channel`);
    params.channel = f.channel;
  }
  if (f.country !== undefined) {
    conds.push(`${cols.customer} in (select customer_id from customers where country = $country)`);
    params.country = f.country;
  }
  if (f.segment !== undefined && opts.hasSegments) {
    conds.push(`${cols.customer} in (select customer_id from customer_value where rfm_segment = $segment)`);
    params.segment = f.segment;
  }
  return { where: conds.length ? conds.join(' and ') : 'true', params };
}
