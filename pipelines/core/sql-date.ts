/**
 * How a date reaches SQL, the one way: bound as a DuckDB DATE value made here.
 *
 * - TypeScript queries bind the run's as-of as the named parameter `$as_of` (`asOfParam(asOf)`) and use it
 *   as a DATE with no cast (`where as_of = $as_of`, `$as_of - 89`); any other calendar date is bound
 *   with `sqlDate(d)` the same way.
 * - SQL model files (sql/intermediate, sql/marts) read `getvariable('as_of')`, a DATE set by the
 *   transform job from the same value (pipelines/transform/variables.ts), also with no cast.
 *
 * A date is never bound as text or as a timestamp to be cast: text needs a cast at every use, and a
 * timestamp cast to a date depends on which zone the cast runs in.
 */
import { DuckDBDateValue } from '@duckdb/node-api';
import { CxpError } from './errors.js';
import { parseIsoDate } from './clock.js';

const DAY_MS = 86_400_000;

/** A calendar date as a bound DATE: a Date (its UTC calendar day, as the clock helpers make them) or 'YYYY-MM-DD'. */
export function sqlDate(d: Date | string): DuckDBDateValue {
  const day = typeof d === 'string' ? parseIsoDate(d) : d;
  if (!day || Number.isNaN(day.getTime())) {
    throw new CxpError('CXP_ERR_INTERNAL', `not a calendar date: ${JSON.stringify(typeof d === 'string' ? d : String(d))}`, {
      where: 'pipelines/core/sql-date.ts',
      hint: 'pass a Date from parseIsoDate/addDays or a YYYY-MM-DD string',
    });
  }
  return new DuckDBDateValue(Math.floor(day.getTime() / DAY_MS));
}

/** The named parameter every TypeScript query reads the as-of from: `{ as_of: DATE }` for `$as_of`. */
export function asOfParam(asOf: Date): { as_of: DuckDBDateValue } {
  return { as_of: sqlDate(asOf) };
}
