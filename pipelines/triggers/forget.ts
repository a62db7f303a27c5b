import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { Warehouse } from '../core/warehouse.js';

export interface ForgetResult {
  customerId: string;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  cancelledActions: number;
  anonymisedActions: number;
  rejectedRows: number;
}

export function customerKeyHash(customerId: string): string {
  return createHash('sha256').update(customerId).digest('hex');
}

/** Characters that may surround an id inside a raw CSV/JSON line without being part of the id. */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * GDPR erasure, in one transaction: deletes the customer's rows from every base table with a
 * customer_id column (found in information_schema, so tables added later are covered, score history
 * included), their survey answers, and rejected source lines naming them; cancels their undelivered
 * actions (pending, failed, and listed ones, so at-risk lists drop them) and strips the id and payload from all their actions (kept, anonymised, so outbox counts
 * stay true). Future exports read these tables, so they no longer contain the customer.
 */
export async function forgetCustomer(wh: Warehouse, customerId: string, clock: Clock): Promise<ForgetResult> {
  if (!customerId.trim()) throw new CxpError('CXP_ERR_BAD_REQUEST', 'forget needs a customer id', { hint: 'cxpulse forget CUSTOMER_ID' });
  return wh.transaction(async (tx) => {
    const tables = (
      await tx.all<{ table_name: string }>(
        `select distinct c.table_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
         where c.table_schema = 'main' and c.column_name = 'customer_id' and t.table_type = 'BASE TABLE'
         order by 1`,
      )
    ).map((r) => r.table_name);
    const countIn = async (table: string) =>
      Number((await tx.one<{ n: number }>(`select count(*) as n from ${quoteIdent(table)} where customer_id = $1`, [customerId]))?.n ?? 0);
    let found = 0;
    for (const t of tables) found += await countIn(t);
    if (found === 0) {
      throw new CxpError('CXP_ERR_CUSTOMER_NOT_FOUND', `no data for customer ${customerId}`, {
        where: 'every table with a customer_id column',
        hint: 'check the id (ids are case-sensitive)',
      });
    }
    const result: ForgetResult = { customerId, deleted: {}, cancelledActions: 0, anonymisedActions: 0, rejectedRows: 0 };
    // survey_answers has no customer_id: remove it through the customer's responses before the surveys go.
    if (tables.includes('surveys') && (await wh.tableExists('survey_answers'))) {
      const n = Number(
        (await tx.one<{ n: number }>('select count(*) as n from survey_answers where response_id in (select response_id from surveys where customer_id = $1)', [customerId]))?.n ?? 0,
      );
      await tx.run('delete from survey_answers where response_id in (select response_id from surveys where customer_id = $1)', [customerId]);
      result.deleted.survey_answers = n;
    }
    for (const t of tables) {
      if (t === 'retention_actions') continue;
      const n = await countIn(t);
      if (n > 0) await tx.run(`delete from ${quoteIdent(t)} where customer_id = $1`, [customerId]);
      result.deleted[t] = n;
    }
    if (tables.includes('retention_actions')) {
      result.cancelledActions = Number(
        (await tx.one<{ n: number }>("select count(*) as n from retention_actions where customer_id = $1 and status in ('pending', 'failed', 'listed')", [customerId]))?.n ?? 0,
      );
      result.anonymisedActions = await countIn('retention_actions');
      await tx.run(
        `update retention_actions set status = case when status in ('pending', 'failed', 'listed') then 'cancelled' else status end,
           next_attempt_at = null, customer_id = '<erased>', payload = '{"erased": true}'::json,
           last_error = case when status in ('pending', 'failed', 'listed') then 'cancelled: customer erased' else last_error end
         where customer_id = $1`,
        [customerId],
      );
    }
    if (await wh.tableExists('rejected_rows')) {
      const pattern = `(^|[^A-Za-z0-9_-])${escapeRegex(customerId)}([^A-Za-z0-9_-]|$)`;
      result.rejectedRows = Number(
        (await tx.one<{ n: number }>('select count(*) as n from rejected_rows where regexp_matches(raw_row, $1)', [pattern]))?.n ?? 0,
      );
      await tx.run('delete from rejected_rows where regexp_matches(raw_row, $1)', [pattern]);
    }
    await tx.run('insert into erased_customers (customer_key_sha256, erased_at) values ($1, $2)', [customerKeyHash(customerId), clock.now()]);
    return result;
  });
}
