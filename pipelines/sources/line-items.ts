/**
 * Line-grained purchases: the staged lines (stg_purchase_lines, one row per source line) become
 * orders before the merge, so every line of an invoice adds to its order instead of overwriting it.
 *
 * - An order = the valid lines sharing an order key: amount = |sum of line values| rounded to cents
 *   once, ordered_at / status / channel = the first line's (file order, then line; channel and time
 *   from the first line that has them), count_lines = the number of lines. Its customer is the lines'
 *   customer (lines without one, as in Shopify's export, take the order's).
 * - A refunded_amount on an order that stays completed (Shopify's partially_refunded) is a return row
 *   `<key>-refund` (the order's time and customer, counted as 0 lines); an order refunded whole keeps
 *   its status refunded, and a `-refund` row an earlier load made for it becomes cancelled.
 * - Returns are their own rows (status 'returned', positive amount = the credit): a whole cancellation
 *   document (every line a return: prefix, negative quantities) keeps its key (C536379); the return
 *   lines of an order that also has sold lines become `<key>-return`.
 * - An order whose lines cannot all be loaded is not loaded in part: when one of its lines is rejected,
 *   its lines name different customers, or none names a customer or a time, all its lines are
 *   rejected with the reason.
 * - Accounting stays per source line: the merge counts each order row as its lines (weight `_lines`),
 *   so read = loaded + updated + duplicate + rejected holds in lines.
 *
 * Limitation: an order's lines must arrive in the same run (one file, several files of one run, or one
 * database pull, which reads whole orders); a later file with more lines of a loaded order replaces it.
 */
import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';

export const LINE_WEIGHT_COLUMN = '_lines';
const LINES = 'cxp_stg_purchase_lines';

/**
 * Replaces the staged lines in `stagedTable` with staged orders (same columns as stg_purchases plus
 * `_lines`). Lines rejected here are added to cxp_rejects; returns how many.
 */
export async function collapseLines(db: ConnDb, stagedTable: string, source: string, fileNames: string[]): Promise<number> {
  const stg = quoteIdent(stagedTable);
  await db.run(`drop table if exists ${LINES}`);
  await db.run(`alter table ${stg} rename to ${LINES}`);
  // Whole-order rejections: a sibling line was rejected, or the lines disagree on the customer.
  await db.run(`
    create or replace temp table cxp_bad_orders as
    with problems as (
        select order_id,
               'another line of order ' || order_id || ' was rejected (line ' || min(_line) filter (where reject_reason is not null) || ')' as reason,
               count(*) filter (where reject_reason is not null) > 0 as bad
        from ${LINES} where order_id is not null group by order_id
        union all
        select order_id,
               'the lines of order ' || order_id || ' name different customers (' || string_agg(distinct customer_id, ', ' order by customer_id) || ')',
               count(distinct customer_id) > 1
        from ${LINES} where order_id is not null and reject_reason is null group by order_id
        union all
        select order_id, 'missing key customer_id (no line of order ' || order_id || ' has one)', count(customer_id) = 0
        from ${LINES} where order_id is not null and reject_reason is null group by order_id
        union all
        select order_id, 'missing ordered_at (no line of order ' || order_id || ' has one)', count(ordered_at) = 0
        from ${LINES} where order_id is not null and reject_reason is null group by order_id
    )
    select order_id, first(reason) as reason from problems where bad group by order_id`);
  await db.run(
    `create or replace temp table cxp_line_rejects as
     select l._file_idx, l._line, b.reason
     from ${LINES} l join cxp_bad_orders b using (order_id)
     where l.reject_reason is null`,
  );
  await db.run(
    `insert into cxp_rejects (source, file, line, reason, raw_row)
     select $1, (from_json($2::varchar, '["VARCHAR"]'))[r._file_idx + 1], r._line, r.reason,
            to_json({'order_id': l.order_id, 'customer_id': l.customer_id, 'ordered_at': l.ordered_at,
                     'quantity': l.quantity, 'line_value': l.line_value})::varchar
     from cxp_line_rejects r join ${LINES} l on l._file_idx = r._file_idx and l._line = r._line`,
    [source, JSON.stringify(fileNames)],
  );
  const rejected = Number((await db.one<{ n: number }>('select count(*) as n from cxp_line_rejects'))?.n ?? 0);
  await db.run(
    `update ${LINES} l set reject_reason = r.reason
     from cxp_line_rejects r where l._file_idx = r._file_idx and l._line = r._line`,
  );
  await db.run(`
    create temp table ${stg} as
    with valid as (
        select *, row_number() over (order by _file_idx, _line) as _seq
        from ${LINES} where reject_reason is null
    ),
    order_kinds as (
        select order_id, bool_and(is_return) as all_return from valid group by order_id
    ),
    parts as (
        select v.*,
               v.order_id || case when v.is_return and not k.all_return then '-return' else '' end as part_id
        from valid v join order_kinds k using (order_id)
    ),
    orders as (
        select
            arg_min(_file_idx, _seq)                                        as _file_idx,
            arg_min(_line, _seq)                                            as _line,
            arg_min(_rowid, _seq)                                           as _rowid,
            part_id                                                         as order_id,
            arg_min(customer_id, _seq) filter (where customer_id is not null) as customer_id,
            arg_min(ordered_at, _seq) filter (where ordered_at is not null)   as ordered_at,
            round(abs(sum(line_value)), 2)::decimal(18, 2)                  as amount,
            case when bool_or(is_return) then 'returned' else arg_min(status, _seq) end as status,
            arg_min(channel, _seq) filter (where channel is not null)       as channel,
            count(*)::integer                                               as count_lines,
            null::varchar                                                   as reject_reason,
            count(*)                                                        as ${LINE_WEIGHT_COLUMN}
        from parts
        group by part_id
    ),
    -- A refund on an order that stays completed (partially refunded) is its own return row. An order
    -- refunded or cancelled whole cancels a refund row an earlier load made for it, so no money counts twice.
    refunds as (
        select
            arg_min(v._file_idx, v._seq)                                    as _file_idx,
            arg_min(v._line, v._seq)                                        as _line,
            arg_min(v._rowid, v._seq)                                       as _rowid,
            v.order_id || '-refund'                                         as order_id,
            arg_min(v.customer_id, v._seq) filter (where v.customer_id is not null) as customer_id,
            arg_min(v.ordered_at, v._seq) filter (where v.ordered_at is not null)   as ordered_at,
            -- A cancelled refund row keeps the amount it had.
            case when arg_min(v.status, v._seq) = 'completed' then max(v.refunded_amount) else any_value(p.amount) end::decimal(18, 2) as amount,
            case when arg_min(v.status, v._seq) = 'completed' then 'returned' else 'cancelled' end as status,
            arg_min(v.channel, v._seq) filter (where v.channel is not null) as channel,
            0::integer                                                      as count_lines,
            null::varchar                                                   as reject_reason,
            -- Its lines are counted by the order's row.
            0::bigint                                                       as ${LINE_WEIGHT_COLUMN}
        from valid v left join purchases p on p.order_id = v.order_id || '-refund'
        group by v.order_id
        having max(v.refunded_amount) > 0 and (arg_min(v.status, v._seq) = 'completed' or count(p.order_id) > 0)
    ),
    final as (
        select * from orders
        union all by name
        select * from refunds
    )
    select * from final`);
  await db.run(`drop table ${LINES}`);
  await db.run('drop table cxp_bad_orders');
  await db.run('drop table cxp_line_rejects');
  return rejected;
}
