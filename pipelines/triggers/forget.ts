import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import { trimSourceText } from '../core/source-text.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { Db, Warehouse } from '../core/warehouse.js';

export interface ForgetResult {
  customerId: string;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  cancelledActions: number;
  anonymisedActions: number;
  rejectedRows: number;
  /** True when the customer had been erased before (this run resumes or re-checks the erasure). */
  alreadyErased: boolean;
  /** The customer's order, interaction and response ids: exports keyed by them are cleaned with these. */
  relatedKeys: RelatedKeys;
  /** Places still to clean after the database (from the erasure journal). */
  pending: string[];
  /** The customer's e-mail addresses as they were stored (to verify the warehouse file's bytes). */
  emails: string[];
}

export interface RelatedKeys {
  order_id: string[];
  interaction_id: string[];
  response_id: string[];
}

/** Places forget cleans after the database, in order; the erasure journal lists those still to do. */
export const ERASURE_PLACES = ['exports', 'temp_files', 'warehouse_file'] as const;

export function customerKeyHash(customerId: string): string {
  return createHash('sha256').update(customerId).digest('hex');
}

/** Characters that may surround an id inside a raw CSV/JSON line without being part of the id. */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function emailHash(email: string): string {
  return createHash('sha256').update(trimSourceText(email).toLowerCase()).digest('hex');
}

function mergeKeys(a: Partial<RelatedKeys> | null | undefined, b: RelatedKeys): RelatedKeys {
  const out: RelatedKeys = { order_id: [], interaction_id: [], response_id: [] };
  for (const k of Object.keys(out) as (keyof RelatedKeys)[]) out[k] = [...new Set([...(a?.[k] ?? []), ...b[k]])].sort();
  return out;
}

/**
 * GDPR erasure of the database, in one transaction: deletes the customer's rows from every base table
 * with a customer_id column (found in information_schema, so tables added later are covered, score
 * history included), their survey answers, and rejected source lines naming their id or e-mail; cancels
 * their undelivered actions (pending, failed, and listed ones, so at-risk lists drop them) and strips
 * the id and payload from all their actions (kept, anonymised, so outbox counts stay true).
 *
 * The erasure journal (erasure_journal) gets, in the same transaction, the places still to clean after
 * the database (exports, temp files, the warehouse file's bytes) and the customer's order/interaction/
 * response ids that exports keyed by them need. Running it again is safe: a customer erased before is
 * not "not found"; the database is re-checked and the pending places are returned for the caller
 * (pipelines/jobs/erase-customer.ts) to resume.
 */
export async function forgetCustomer(wh: Warehouse, rawCustomerId: string, clock: Clock): Promise<ForgetResult> {
  // Trimmed exactly like every source value (core/source-text.ts): "C6<TAB>" was loaded as "C6".
  const customerId = trimSourceText(rawCustomerId);
  if (!customerId) throw new CxpError('CXP_ERR_BAD_REQUEST', 'forget needs a customer id', { hint: 'cxpulse forget CUSTOMER_ID' });
  const keyHash = customerKeyHash(customerId);
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
    const erasedBefore = Boolean(await tx.one('select 1 as x from erased_customers where customer_key_sha256 = $1 limit 1', [keyHash]));
    const journal = await tx.one<{ pending: string[]; related_keys: string | null }>(
      'select pending, related_keys::varchar as related_keys from erasure_journal where customer_key_sha256 = $1',
      [keyHash],
    );
    if (found === 0 && !erasedBefore && !journal) {
      throw new CxpError('CXP_ERR_CUSTOMER_NOT_FOUND', `no data for customer ${customerId}`, {
        where: 'every table with a customer_id column, and the erasure journal',
        hint: 'check the id (ids are case-sensitive)',
      });
    }
    const keysOf = async (table: string, key: keyof RelatedKeys) =>
      tables.includes(table)
        ? (await tx.all<{ k: string }>(`select distinct ${quoteIdent(key)} as k from ${quoteIdent(table)} where customer_id = $1 and ${quoteIdent(key)} is not null`, [customerId])).map((r) => r.k)
        : [];
    const relatedKeys = mergeKeys(journal?.related_keys ? (JSON.parse(journal.related_keys) as RelatedKeys) : null, {
      order_id: await keysOf('purchases', 'order_id'),
      interaction_id: await keysOf('interactions', 'interaction_id'),
      response_id: await keysOf('surveys', 'response_id'),
    });
    const emails = tables.includes('customers')
      ? (await tx.all<{ e: string }>('select distinct email as e from customers where customer_id = $1 and email is not null', [customerId])).map((r) => r.e)
      : [];
    const result: ForgetResult = {
      customerId,
      deleted: {},
      cancelledActions: 0,
      anonymisedActions: 0,
      rejectedRows: 0,
      alreadyErased: erasedBefore,
      relatedKeys,
      pending: journal ? [...journal.pending] : [...ERASURE_PLACES],
      emails,
    };
    // survey_answers has no customer_id: remove it through the customer's responses before the surveys go.
    if (await wh.tableExists('survey_answers')) {
      const ids = JSON.stringify(relatedKeys.response_id);
      const inList = `response_id in (select unnest(from_json($1::varchar, '["VARCHAR"]')))`;
      result.deleted.survey_answers = Number((await tx.one<{ n: number }>(`select count(*) as n from survey_answers where ${inList}`, [ids]))?.n ?? 0);
      await tx.run(`delete from survey_answers where ${inList}`, [ids]);
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
      const alternatives = [escapeRegex(customerId), ...emails.map((e) => `(?i:${escapeRegex(e)})`)];
      const pattern = `(^|[^A-Za-z0-9_-])(${alternatives.join('|')})([^A-Za-z0-9_-]|$)`;
      result.rejectedRows = Number(
        (await tx.one<{ n: number }>('select count(*) as n from rejected_rows where regexp_matches(raw_row, $1)', [pattern]))?.n ?? 0,
      );
      await tx.run('delete from rejected_rows where regexp_matches(raw_row, $1)', [pattern]);
    }
    if (!erasedBefore) {
      await tx.run('insert into erased_customers (customer_key_sha256, erased_at, email_sha256) values ($1, $2, $3)', [
        keyHash,
        clock.now(),
        emails[0] ? emailHash(emails[0]) : null,
      ]);
    }
    if (journal) {
      await tx.run('update erasure_journal set related_keys = $2::json, finished_at = null where customer_key_sha256 = $1', [keyHash, JSON.stringify(relatedKeys)]);
    } else {
      await tx.run(
        `insert into erasure_journal (customer_key_sha256, started_at, pending, related_keys)
         values ($1, $2, from_json($3::varchar, '["VARCHAR"]'), $4::json)`,
        [keyHash, clock.now(), JSON.stringify(result.pending), JSON.stringify(relatedKeys)],
      );
    }
    return result;
  });
}

/** Marks a place clean in the erasure journal; when none is left the journal row is finished and the related ids wiped. */
export async function markErasurePlaceDone(db: Db, customerId: string, place: string, now: Date, report?: unknown, table = 'erasure_journal'): Promise<string[]> {
  const keyHash = customerKeyHash(trimSourceText(customerId));
  const row = await db.one<{ pending: string[] }>(`select pending from ${table} where customer_key_sha256 = $1`, [keyHash]);
  const pending = (row?.pending ?? []).filter((p) => p !== place);
  // Once exports are clean, nothing needs the customer's other ids any more.
  const wipeKeys = !pending.includes('exports');
  await db.run(
    `update ${table} set pending = from_json($2::varchar, '["VARCHAR"]'), finished_at = $3,
       related_keys = case when $4 then null else related_keys end,
       report = coalesce($5::json, report)
     where customer_key_sha256 = $1`,
    [keyHash, JSON.stringify(pending), pending.length === 0 ? now : null, wipeKeys, report === undefined ? null : JSON.stringify(report)],
  );
  return pending;
}
