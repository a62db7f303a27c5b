import type { Db, SqlValue } from '../core/warehouse.js';
import { quoteIdent } from '../core/sql-ident.js';

/**
 * customer_360: one row per customer with everything known so far. Columns from modules whose table
 * does not exist yet are present as typed NULLs, so readers (API, triggers, exports) see one stable shape.
 */
const PARTS: { table: string; alias: string; columns: [name: string, type: string][] }[] = [
  {
    table: 'customer_satisfaction',
    alias: 'sat',
    columns: [
      ['last_nps', 'integer'],
      ['last_nps_at', 'timestamp'],
      ['csat_avg', 'double'],
      ['csi', 'double'],
      ['count_interactions_90d', 'bigint'],
      ['count_complaints_90d', 'bigint'],
      ['count_open_items', 'bigint'],
      ['median_first_response_minutes', 'double'],
    ],
  },
  {
    table: 'customer_value',
    alias: 'val',
    columns: [
      ['recency_days', 'integer'],
      ['frequency', 'integer'],
      ['monetary', 'double'],
      ['r_score', 'integer'],
      ['f_score', 'integer'],
      ['m_score', 'integer'],
      ['rfm_segment', 'varchar'],
      ['lifecycle_stage', 'varchar'],
      ['p_alive', 'double'],
      ['expected_purchases_90d', 'double'],
      ['expected_order_value', 'double'],
      ['clv', 'double'],
    ],
  },
  {
    table: 'churn_scores',
    alias: 'churn',
    columns: [
      ['churn_risk', 'double'],
      ['churn_band', 'varchar'],
      ['churn_reasons', 'json'],
    ],
  },
];

async function existingColumns(db: Db, table: string): Promise<Set<string> | undefined> {
  const rows = await db.all<{ column_name: string }>(
    "select column_name from information_schema.columns where table_schema = 'main' and table_name = $1",
    [table],
  );
  return rows.length ? new Set(rows.map((r) => r.column_name)) : undefined;
}

export async function buildCustomer360(db: Db, asOf: Date): Promise<number> {
  const selects: string[] = [];
  const joins: string[] = [];
  for (const part of PARTS) {
    const have = await existingColumns(db, part.table);
    if (have?.has('customer_id')) {
      joins.push(`left join ${quoteIdent(part.table)} ${part.alias} using (customer_id)`);
    }
    for (const [name, type] of part.columns) {
      const expr = have?.has(name) ? `${part.alias}.${quoteIdent(name)}` : 'null';
      selects.push(`cast(${expr} as ${type}) as ${quoteIdent(name)}`);
    }
  }
  const params: SqlValue[] = [asOf];
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
         where ordered_at < $1::date + interval 1 day
         group by 1
     )
     select
         c.customer_id, c.signup_at, c.country, c.email, c.marketing_consent, c.is_bare,
         coalesce(o.count_orders, 0) as count_orders,
         coalesce(o.count_refunds, 0) as count_refunds,
         coalesce(o.count_returns, 0) as count_returns,
         o.first_order_at, o.last_order_at,
         cast(coalesce(o.net_revenue, 0) as double) as net_revenue,
         ${selects.join(',\n         ')},
         $1::date as as_of_on
     from customers c
     left join orders o using (customer_id)
     ${joins.join('\n     ')}`,
    params,
  );
  const n = await db.one<{ n: number }>('select count(*) as n from customer_360');
  return n?.n ?? 0;
}
