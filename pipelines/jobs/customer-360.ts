import type { Db } from '../core/warehouse.js';
import { asOfParam } from '../core/sql-date.js';
import { tableColumns } from '../core/table-columns.js';
import { addDays } from '../core/clock.js';
import { dayStartUtc } from '../core/time-zone.js';
import { quoteIdent } from '../core/sql-ident.js';
import { MODULES } from '../../models/modules.js';

/**
 * customer_360: one row per customer with everything known so far. Each module names its columns
 * (AnalyticsModule.customer360); columns from a table that does not exist yet are present as typed
 * NULLs, so readers (API, triggers, exports) see one stable shape. One join per table.
 */
function parts(): { table: string; alias: string; columns: [name: string, type: string][] }[] {
  const byTable = new Map<string, [string, string][]>();
  for (const m of MODULES) {
    for (const p of m.customer360 ?? []) byTable.set(p.table, [...(byTable.get(p.table) ?? []), ...p.columns]);
  }
  return [...byTable].map(([table, columns], i) => ({ table, alias: `m${i}`, columns }));
}

/** `timezone`: the company's zone; orders count up to the end of the local as-of day. */
export async function buildCustomer360(db: Db, asOf: Date, timezone = 'UTC'): Promise<number> {
  const selects: string[] = [];
  const joins: string[] = [];
  for (const part of parts()) {
    const have = await tableColumns(db, part.table);
    if (have.has('customer_id')) {
      joins.push(`left join ${quoteIdent(part.table)} ${part.alias} using (customer_id)`);
    }
    for (const [name, type] of part.columns) {
      const expr = have.has(name) ? `${part.alias}.${quoteIdent(name)}` : 'null';
      selects.push(`cast(${expr} as ${type}) as ${quoteIdent(name)}`);
    }
  }
  await db.run(
    `create or replace table customer_360 as
     with orders as (
         select
             customer_id,
             count(*) filter (where status = 'completed') as count_orders,
             count(*) filter (where status = 'refunded') as count_refunds,
             count(*) filter (where status = 'returned') as count_returns,
             min(ordered_at) filter (where status = 'completed') as first_order_at,
             max(ordered_at) filter (where status = 'completed') as last_order_at,
             coalesce(sum(amount) filter (where status = 'completed'), 0)
               - coalesce(sum(amount) filter (where status = 'refunded'), 0)
               - coalesce(sum(amount) filter (where status = 'returned'), 0) as net_revenue
         from purchases
         where ordered_at < $cutoff_at
         group by 1
     )
     select
         c.customer_id, c.signup_at, c.country, c.email, c.marketing_consent, c.is_bare,
         -- Subscriptions: the cancellation known at the as-of (a later one is not yet), and the declared
         -- attributes (sources.customers.attributes) as stored: their current values, JSON.
         case when c.churned_at < $cutoff_at then c.churned_at end as churned_at,
         c.attributes,
         coalesce(o.count_orders, 0) as count_orders,
         coalesce(o.count_refunds, 0) as count_refunds,
         coalesce(o.count_returns, 0) as count_returns,
         o.first_order_at, o.last_order_at,
         cast(coalesce(o.net_revenue, 0) as double) as net_revenue,
         ${selects.join(',\n         ')},
         $as_of as as_of_on
     from customers c
     left join orders o using (customer_id)
     ${joins.join('\n     ')}`,
    { ...asOfParam(asOf), cutoff_at: dayStartUtc(addDays(asOf, 1), timezone) },
  );
  const n = await db.one<{ n: number }>('select count(*) as n from customer_360');
  return n?.n ?? 0;
}
