import { isoDate, parseIsoDate } from './clock.js';
import { CxpError } from './errors.js';
import { localDay } from './time-zone.js';
import type { Db } from './warehouse.js';

/**
 * The analysis date: explicit (CLI/config) when given, otherwise the local date, in the company's zone
 * (config `timezone`, IANA), of the latest event loaded (purchase, interaction, survey or cancellation;
 * else the latest signup). Undefined when the warehouse holds no events yet.
 */
export async function latestEventDate(db: Db, zone = 'UTC'): Promise<Date | undefined> {
  // Cancellations are events too; a customer table alone (no orders, contacts or surveys) dates
  // itself by its latest signup or cancellation. Timestamps are UTC instants: the day is taken in `zone`
  // (a Shanghai order at 07:00 local time, 23:00 UTC the day before, dates the data to its local day).
  const row = await db.one<{ t: Date | null; s: Date | null }>(`
    select (select max(t) from (
              select max(ordered_at) as t from purchases
              union all select max(opened_at) from interactions
              union all select max(submitted_at) from surveys
              union all select max(churned_at) from customers
            )) as t,
           (select max(signup_at) from customers) as s`);
  const latest = row?.t ?? row?.s ?? undefined;
  return latest ? localDay(latest, zone) : undefined;
}

/** What the as-of is resolved from: an explicit date, the config's `asOf`, else the data. */
export interface AsOfInputs {
  asOfOverride?: Date;
  /** `timezone`: the IANA zone whose local date a derived as-of is (default UTC). */
  config: { asOf?: string; timezone?: string };
  warehouse: Db;
}

export async function resolveAsOf(ctx: AsOfInputs): Promise<Date | undefined> {
  if (ctx.asOfOverride) return ctx.asOfOverride;
  if (ctx.config.asOf) return parseIsoDate(ctx.config.asOf);
  return latestEventDate(ctx.warehouse, ctx.config.timezone ?? 'UTC');
}

export async function requireAsOf(ctx: AsOfInputs): Promise<Date> {
  const d = await resolveAsOf(ctx);
  if (!d) {
    throw new CxpError('CXP_ERR_MODEL_INSUFFICIENT_DATA', 'no as-of date: the warehouse holds no events yet', {
      hint: 'run the ingest job first, or pass --as-of YYYY-MM-DD',
    });
  }
  return d;
}

/**
 * The run's as-of date: resolved at most once per run and kept in the context (runPipeline resolves it
 * before the first job that needs it, so after ingest when it comes from the data). Throws when there is none.
 */
export async function runAsOf(ctx: AsOfInputs & { asOf?: Date }): Promise<Date> {
  ctx.asOf ??= await requireAsOf(ctx);
  return ctx.asOf;
}

export { isoDate };
