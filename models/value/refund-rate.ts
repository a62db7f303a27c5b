/**
 * The refund rate, defined once: refunded orders + returns and credits (status 'returned': cancellation
 * invoices, returned lines, refund rows not linked to an order) over what was sold (completed orders +
 * orders refunded later), by amount; null when nothing was sold.
 *
 * The refunds_monthly mart (sql/marts/refunds_monthly.sql) reads it through the macros below, which the
 * transform sets on its connection; the RFM page's filtered tile (dashboards/data/rfm.ts) inlines the
 * same SQL, since dashboard queries run on connections of their own (as with localOnSql).
 */
import type { ConnDb } from '../../pipelines/core/warehouse.js';

/** What was sold. */
export const SOLD_STATUSES = ['completed', 'refunded'] as const;
/** What was given back. */
export const REFUNDED_STATUSES = ['refunded', 'returned'] as const;

// Our own constant words, never input: safe as literals.
const inList = (xs: readonly string[]) => xs.map((s) => `'${s}'`).join(', ');

/** SQL aggregate: the amount sold among the rows, 0 when none (exact: the amount's own type; cast where stored). */
export function soldAmountSql(status: string, amount: string): string {
  return `coalesce(sum(${amount}) filter (where ${status} in (${inList(SOLD_STATUSES)})), 0)`;
}

/** SQL aggregate: the amount refunded, returned or credited among the rows, 0 when none. */
export function refundedAmountSql(status: string, amount: string): string {
  return `coalesce(sum(${amount}) filter (where ${status} in (${inList(REFUNDED_STATUSES)})), 0)`;
}

/** The rate from the two sums (SQL expressions or columns): null when nothing was sold. */
export function refundRateSql(refunded: string, sold: string): string {
  return `((${refunded}) / nullif(${sold}, 0))::double`;
}

/**
 * cxp_sold_amount(status, amount), cxp_refunded_amount(status, amount): the aggregates above;
 * cxp_refund_rate(status, amount): their rate.
 */
export const REFUND_RATE_MACROS = [
  `create or replace temp macro cxp_sold_amount(status, amount) as ${soldAmountSql('status', 'amount')}`,
  `create or replace temp macro cxp_refunded_amount(status, amount) as ${refundedAmountSql('status', 'amount')}`,
  `create or replace temp macro cxp_refund_rate(status, amount) as ${refundRateSql(refundedAmountSql('status', 'amount'), soldAmountSql('status', 'amount'))}`,
];

/** Sets the refund-rate macros on one connection (or transaction). */
export async function useRefundRate(db: ConnDb): Promise<void> {
  for (const m of REFUND_RATE_MACROS) await db.run(m);
}
