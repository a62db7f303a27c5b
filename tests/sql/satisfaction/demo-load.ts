/**
 * Loads the checked-in demo sample (data-samples/demo) into the canonical tables for the satisfaction
 * tests: a minimal loader of our own (not the ingest module, which has its own tests), dropping the
 * deliberately bad rows the way data-samples/README.md says ingestion does.
 */
import { existsSync } from 'node:fs';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { quoteLiteral } from '../../../pipelines/core/sql-ident.js';
import type { Db } from '../../../pipelines/core/warehouse.js';
import type { Fixture } from './random-fixture.js';

export const DEMO_DIR = fromRoot('data-samples', 'demo');
export const hasDemo = () => existsSync(`${DEMO_DIR}/surveys.parquet`) && existsSync(`${DEMO_DIR}/interactions.jsonl`);

export async function loadDemo(db: Db): Promise<void> {
  const f = (name: string) => quoteLiteral(`${DEMO_DIR}/${name}`);
  await db.run(`
    insert into interactions (interaction_id, customer_id, channel, kind, category, opened_at, first_response_at, resolved_at, is_first_contact_resolution)
    select interaction_id, any_value(customer_id), any_value(channel), any_value(kind), any_value(category),
           any_value(try_cast(opened_at as timestamp)), any_value(first_response_at), any_value(resolved_at), any_value(is_first_contact_resolution)
    from read_json(${f('interactions.jsonl')}, format = 'newline_delimited')
    where coalesce(interaction_id, '') <> '' and try_cast(opened_at as timestamp) is not null
      and channel in ('phone', 'email', 'chat', 'social', 'store', 'app', 'other')
    group by interaction_id`);
  await db.run(`
    create or replace table demo_surveys as
    select distinct * exclude (comment) from read_parquet(${f('surveys.parquet')})
    where coalesce(response_id, '') <> '' and (
      (survey_type = 'nps' and score between 0 and 10) or (survey_type = 'csat' and score between 1 and 5)
      or (survey_type = 'ces' and score between 1 and 7))`);
  await db.run(`
    insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id)
    select response_id, customer_id, submitted_at, survey_type, score, interaction_id from demo_surveys`);
  await db.run(`
    insert into survey_answers (response_id, question, score)
    select response_id, question, answer from (unpivot demo_surveys on q_speed, q_knowledge, q_friendliness, q_product_quality, q_price
      into name question value answer)
    where answer is not null`);
  await db.run('drop table demo_surveys');
  await db.run(`
    insert into customers (customer_id, country)
    select customer_id, any_value(country) from read_csv(${f('customers.csv')}, all_varchar = true)
    where coalesce(customer_id, '') <> '' group by customer_id`);
  // Bare customers: ids referenced by surveys or interactions without a customer row.
  await db.run(`
    insert into customers (customer_id, is_bare)
    select distinct customer_id, true from (select customer_id from surveys union select customer_id from interactions)
    where customer_id not in (select customer_id from customers)`);
}

/** The loaded canonical rows as the plain objects the independent computation reads. */
export async function demoAsFixture(db: Db): Promise<Fixture> {
  const fmt = (col: string) => `strftime(${col}, '%Y-%m-%d %H:%M:%S')`;
  const customers = await db.all<{ id: string; country: string }>(`select customer_id as id, coalesce(country, '') as country from customers`);
  const interactions = await db.all<Fixture['interactions'][number]>(
    `select interaction_id as id, customer_id as customer, channel, kind, category, ${fmt('opened_at')} as opened,
            ${fmt('first_response_at')} as responded, ${fmt('resolved_at')} as resolved, is_first_contact_resolution as fcr
     from interactions`,
  );
  const surveys = await db.all<Fixture['surveys'][number]>(
    `select response_id as id, customer_id as customer, ${fmt('submitted_at')} as at, survey_type as type, score, interaction_id as interaction from surveys`,
  );
  return { customers, interactions, surveys };
}
