import { isoDate, parseIsoDate } from './clock.js';
import { CxpError } from './errors.js';
import type { Db } from './warehouse.js';

/**
 * The analysis date: explicit (CLI/config) when given, otherwise the date of the latest event loaded
 * (purchase, interaction, survey or cancellation; else the latest signup). Undefined when the
 * warehouse holds no events yet.
 */
export async function latestEventDate(db: Db): Promise<Date | undefined> {
  // Cancellations are events too; a customer table alone (no orders, contacts or surveys) dates
  // itself by its latest signup or cancellation.
  const row = await db.one<{ d: Date | null; s: Date | null }>(`
    select (select max(d)::date from (
              select max(ordered_at) as d from purchases
              union all select max(opened_at) from interactions
              union all select max(submitted_at) from surveys
              union all select max(churned_at) from customers
            )) as d,
           (select max(signup_at)::date from customers) as s`);
  return row?.d ?? row?.s ?? undefined;
}

/** What the as-of is resolved from: an explicit date, the config's `asOf`, else the data. */
export interface AsOfInputs {
  asOfOverride?: Date;
  config: { asOf?: string };
  warehouse: Db;
}

export async function resolveAsOf(ctx: AsOfInputs): Promise<Date | undefined> {
  if (ctx.asOfOverride) return ctx.asOfOverride;
  if (ctx.config.asOf) return parseIsoDate(ctx.config.asOf);
  return latestEventDate(ctx.warehouse);
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
