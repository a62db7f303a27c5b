/**
 * Cohort retention read from the cohort_retention mart (sql/marts/cohort_retention.sql, built by the
 * transform): per cohort month and months since, the share of the cohort that bought in that month.
 * The mart is kept per country; this sums the counts over the countries asked for, so a share is
 * always buyers / cohort size of the same customers (never an average of shares).
 */
import { CxpError } from '../../pipelines/core/errors.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import type { Db, SqlValue } from '../../pipelines/core/warehouse.js';

export const COHORT_BASES = ['first_purchase', 'signup'] as const;
export type CohortBasis = (typeof COHORT_BASES)[number];

export interface CohortQuery {
  basis: CohortBasis;
  /** First and last cohort month, 'YYYY-MM-DD' (any day of the month). Default: every cohort. */
  fromMonth?: string;
  toMonth?: string;
  country?: string;
  /** Only months since up to this (default all). */
  maxMonthsSince?: number;
}

export interface CohortCell {
  /** 'YYYY-MM-01' */
  cohort_month_on: string;
  months_since: number;
  count_customers: number;
  count_buying: number;
  share_buying: number;
  is_partial_month: boolean;
}

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/** The cells of the cohort x months-since grid, ordered by cohort month then months since. */
export async function readCohortRetention(db: Db, q: CohortQuery): Promise<CohortCell[]> {
  if (!(COHORT_BASES as readonly string[]).includes(q.basis)) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `unknown cohort basis "${q.basis}"`, { where: 'basis', field: 'basis', hint: `use one of ${COHORT_BASES.join(', ')}` });
  }
  const conds = ['cohort_basis = $basis'];
  const params: Record<string, SqlValue> = { basis: q.basis };
  if (q.fromMonth !== undefined) { conds.push("cohort_month_on >= date_trunc('month', $from_month)"); params.from_month = sqlDate(q.fromMonth); }
  if (q.toMonth !== undefined) { conds.push("cohort_month_on <= date_trunc('month', $to_month)"); params.to_month = sqlDate(q.toMonth); }
  if (q.country !== undefined) { conds.push('country = $country'); params.country = q.country; }
  if (q.maxMonthsSince !== undefined) { conds.push('months_since <= $max_months'); params.max_months = q.maxMonthsSince; }
  const rows = await db.all(
    `select cohort_month_on, months_since,
            sum(count_customers)::bigint as count_customers,
            sum(count_buying)::bigint as count_buying,
            bool_or(is_partial_month) as is_partial_month
     from cohort_retention where ${conds.join(' and ')}
     group by all order by cohort_month_on, months_since`,
    params,
  );
  return rows.map((r) => {
    const customers = Number(r.count_customers);
    const buying = Number(r.count_buying);
    return {
      cohort_month_on: day(r.cohort_month_on),
      months_since: Number(r.months_since),
      count_customers: customers,
      count_buying: buying,
      share_buying: customers > 0 ? buying / customers : 0,
      is_partial_month: Boolean(r.is_partial_month),
    };
  });
}
