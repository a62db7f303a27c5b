/**
 * Dashboard/API filters for the satisfaction queries: validated, then turned into SQL with bound values.
 * - from, to: 'YYYY-MM-DD' (days, inclusive); default: the range every API shares (pipelines/core/date-range.ts,
 *   the 365 days ending at asOf); `to` <= asOf.
 * - channel: one or more channels (survey channel: the rated interaction's channel, 'none', 'unknown').
 * - country: one or more customers.country values.
 * - segment: one or more customer_value.rfm_segment values (needs the value module's table).
 */
import { addDays, isoDate, parseIsoDate } from '../../pipelines/core/clock.js';
import { resolveDateRange } from '../../pipelines/core/date-range.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import { CxpError } from '../../pipelines/core/errors.js';
import type { Db, SqlValue } from '../../pipelines/core/warehouse.js';

export interface SatisfactionFilters {
  from?: string;
  to?: string;
  channel?: string | string[];
  country?: string | string[];
  segment?: string | string[];
}

export interface ResolvedFilters {
  from: Date;
  to: Date;
  channels: string[];
  countries: string[];
  segments: string[];
}

const MAX_RANGE_DAYS = 3700;
const MAX_VALUES = 50;

function bad(message: string, where: string, hint: string): CxpError {
  return new CxpError('CXP_ERR_BAD_REQUEST', message, { where, hint });
}

function list(raw: unknown, key: string): string[] {
  if (raw === undefined || raw === null || raw === '') return [];
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length > MAX_VALUES) throw bad(`${key}: at most ${MAX_VALUES} values`, key, 'narrow the filter');
  return values.map((v) => {
    if (typeof v !== 'string' || v.length === 0 || v.length > 100 || v.includes('\u0000')) {
      throw bad(`${key}: each value must be a non-empty string of at most 100 characters`, key, `e.g. ${key}=chat`);
    }
    return v;
  });
}

export function resolveFilters(raw: SatisfactionFilters | undefined, asOf: Date): ResolvedFilters {
  const f = (raw ?? {}) as Record<string, unknown>;
  const known = new Set(['from', 'to', 'channel', 'country', 'segment']);
  for (const k of Object.keys(f)) {
    if (!known.has(k)) throw bad(`unknown filter "${k}"`, k, 'filters are from, to, channel, country, segment');
  }
  const asOfDay = parseIsoDate(isoDate(asOf))!;
  const { from, to } = resolveDateRange(f, asOf, (field, message, hint) => bad(message, field, hint));
  if (to > asOfDay) throw bad(`to: ${isoDate(to)} is after the as-of date ${isoDate(asOfDay)}`, 'to', 'pick a date up to the as-of date');
  if ((to.getTime() - from.getTime()) / 86_400_000 > MAX_RANGE_DAYS) {
    throw bad(`the range ${isoDate(from)}..${isoDate(to)} is longer than ${MAX_RANGE_DAYS} days`, 'from', 'narrow the range');
  }
  return { from, to, channels: list(f.channel, 'channel'), countries: list(f.country, 'country'), segments: list(f.segment, 'segment') };
}

/** The period of the same length right before `f` (for "change vs previous period"). */
export function previousPeriod(f: ResolvedFilters): ResolvedFilters {
  const days = Math.round((f.to.getTime() - f.from.getTime()) / 86_400_000) + 1;
  return { ...f, from: addDays(f.from, -days), to: addDays(f.to, -days) };
}

export interface FilterSql {
  joins: string;
  where: string;
  params: Record<string, SqlValue>;
}

/**
 * SQL for a fact alias `alias` with a day column and a customer_id. Placeholders are generated
 * ($f_0, $f_1, ...); every value is bound. `prefix` keeps two filter sets apart in one query.
 */
export function filterSql(f: ResolvedFilters, alias: string, dayColumn: string, prefix = 'f'): FilterSql {
  const params: Record<string, SqlValue> = {};
  let i = 0;
  const bind = (v: SqlValue) => {
    const name = `${prefix}_${i++}`;
    params[name] = v;
    return `$${name}`;
  };
  const where = [`${alias}.${dayColumn} between ${bind(sqlDate(f.from))} and ${bind(sqlDate(f.to))}`];
  let joins = '';
  if (f.channels.length) where.push(`${alias}.channel in (${f.channels.map(bind).join(', ')})`);
  if (f.countries.length) {
    joins += ` join customers ${prefix}_c on ${prefix}_c.customer_id = ${alias}.customer_id`;
    where.push(`${prefix}_c.country in (${f.countries.map(bind).join(', ')})`);
  }
  if (f.segments.length) {
    joins += ` join customer_value ${prefix}_v on ${prefix}_v.customer_id = ${alias}.customer_id`;
    where.push(`${prefix}_v.rfm_segment in (${f.segments.map(bind).join(', ')})`);
  }
  return { joins, where: where.join(' and '), params };
}

/** The segment filter reads customer_value; without it the filter is a bad request naming the field. */
export async function requireSegmentTable(db: Db, f: ResolvedFilters): Promise<void> {
  if (!f.segments.length) return;
  const r = await db.one<{ n: number }>(`select count(*) as n from information_schema.tables where table_name = 'customer_value'`);
  if (!r?.n) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', 'the segment filter needs table customer_value, which does not exist yet', {
      where: 'segment',
      hint: 'run the score job (value step) first, or drop the segment filter',
    });
  }
}
