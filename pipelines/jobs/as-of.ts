import { isoDate, parseIsoDate } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import type { Db } from '../core/warehouse.js';
import type { JobContext } from './types.js';

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

export async function resolveAsOf(ctx: Pick<JobContext, 'asOfOverride' | 'config' | 'warehouse'>): Promise<Date | undefined> {
  if (ctx.asOfOverride) return ctx.asOfOverride;
  if (ctx.config.asOf) return parseIsoDate(ctx.config.asOf);
  return latestEventDate(ctx.warehouse);
}

export async function requireAsOf(ctx: Pick<JobContext, 'asOfOverride' | 'config' | 'warehouse'>): Promise<Date> {
  const d = await resolveAsOf(ctx);
  if (!d) {
    throw new CxpError('CXP_ERR_MODEL_INSUFFICIENT_DATA', 'no as-of date: the warehouse holds no events yet', {
      hint: 'run the ingest job first, or pass --as-of YYYY-MM-DD',
    });
  }
  return d;
}

export { isoDate };
