/**
 * Loads the checked-in demo sample (data-samples/demo) straight into the canonical tables, so the
 * churn tests do not depend on the ingest module. Its deliberately bad rows are dropped here the
 * simple way (unparseable or missing values); a key seen twice keeps the later file's row.
 */
import { fromRoot } from '../../../pipelines/core/paths.js';
import { quoteLiteral } from '../../../pipelines/core/sql-ident.js';
import type { Db } from '../../../pipelines/core/warehouse.js';

export const DEMO_DIR = fromRoot('data-samples', 'demo');

/** `demo` layout: interactions JSONL, surveys Parquet; `csv` (generator --format csv): every source CSV. */
export async function loadDemo(db: Db, dir = DEMO_DIR, format: 'demo' | 'csv' = 'demo'): Promise<void> {
  const f = (p: string) => quoteLiteral(`${dir}/${p}`);
  await db.run(`insert into customers (customer_id, signup_at, country)
    select customer_id, try_cast(signup_at as timestamp), country
    from read_csv(${f('customers.csv')}, header = true, all_varchar = true)
    where customer_id is not null and customer_id <> ''
    qualify row_number() over (partition by customer_id) = 1`);
  await db.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status, channel)
    select order_id, customer_id, try_cast(ordered_at as timestamp), try_cast(amount as decimal(18, 2)), status, channel
    from read_csv(${f('purchases/*.csv')}, header = true, all_varchar = true, filename = true)
    where coalesce(order_id, '') <> '' and coalesce(customer_id, '') <> '' and try_cast(ordered_at as timestamp) is not null
      and status in ('completed', 'refunded', 'cancelled') and try_cast(amount as decimal(18, 2)) >= 0
    qualify row_number() over (partition by order_id order by filename desc) = 1`);
  await db.run(`insert into interactions (interaction_id, customer_id, channel, kind, category, opened_at, first_response_at, resolved_at, is_first_contact_resolution)
    select interaction_id, customer_id, channel, kind, category, try_cast(opened_at as timestamp), try_cast(first_response_at as timestamp),
           try_cast(resolved_at as timestamp), try_cast(is_first_contact_resolution as boolean)
    from ${
      format === 'csv'
        ? `read_csv(${f('interactions.csv')}, header = true, all_varchar = true)`
        : `read_json(${f('interactions.jsonl')}, format = 'newline_delimited', columns = {
      interaction_id: 'varchar', customer_id: 'varchar', channel: 'varchar', kind: 'varchar', category: 'varchar',
      opened_at: 'varchar', first_response_at: 'varchar', resolved_at: 'varchar', is_first_contact_resolution: 'varchar'})`
    }
    where coalesce(interaction_id, '') <> '' and try_cast(opened_at as timestamp) is not null
      and channel in ('phone', 'email', 'chat', 'social', 'store', 'app', 'other')
    qualify row_number() over (partition by interaction_id) = 1`);
  await db.run(`insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id)
    select response_id, customer_id, try_cast(submitted_at as timestamp), survey_type, score::integer, interaction_id
    from ${format === 'csv' ? `read_csv(${f('surveys.csv')}, header = true, all_varchar = true)` : `read_parquet(${f('surveys.parquet')})`}
    where response_id is not null and try_cast(submitted_at as timestamp) is not null
      and ((survey_type = 'nps' and score::integer between 0 and 10) or (survey_type = 'csat' and score::integer between 1 and 5)
        or (survey_type = 'ces' and score::integer between 1 and 7))
    qualify row_number() over (partition by response_id) = 1`);
}
