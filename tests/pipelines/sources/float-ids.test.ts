/**
 * Ids written as floats (docs/sources.md "Ids written as floats"): an integer followed by a zero fraction
 * is that integer, in every key column; any other id is kept as written. The expected ids are written out
 * here from the documented rule, not from the code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestEnv, type IngestEnv } from './ingest-helpers.js';

let env: IngestEnv;
beforeEach(async () => {
  env = await ingestEnv('cxp-float-ids-');
});
afterEach(() => env.close());

const ids = async (sql: string) => (await env.wh.all<{ id: string }>(sql)).map((r) => r.id);

describe('ids written as floats', () => {
  it('17850.0 and 17850.00 are 17850 in customer_id, order_id, interaction_id and response_id; other ids stay as written', async () => {
    env.write('purchases.csv', [
      'order_id,customer_id,ordered_at,amount',
      '1.0,17850.0,2025-01-01 10:00:00,10.00',
      '2.50,17850.00,2025-01-02 10:00:00,20.00',
      '3,17850.5,2025-01-03 10:00:00,30.00',
      '4.000,0017850,2025-01-04 10:00:00,40.00',
      'A-5.0,A-17850.0,2025-01-05 10:00:00,50.00',
    ].join('\n') + '\n');
    env.write('interactions.csv', [
      'interaction_id,customer_id,channel,kind,opened_at',
      '3001.0,17850.0,email,inquiry,2025-01-06 09:00:00',
      '3002,17850,chat,complaint,2025-01-07 09:00:00',
    ].join('\n') + '\n');
    env.write('surveys.csv', [
      'response_id,customer_id,submitted_at,survey_type,score',
      '77.0,17850.000,2025-01-08 09:00:00,nps,9',
    ].join('\n') + '\n');
    const s = await env.ingest({
      purchases: { path: 'purchases.csv' },
      interactions: { path: 'interactions.csv' },
      surveys: { path: 'surveys.csv' },
    });
    expect(s.sources.purchases).toMatchObject({ read: 5, loaded: 5, rejected: 0 });
    expect(s.sources.interactions).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
    expect(await ids('select order_id as id from purchases order by order_id')).toEqual(['1', '2.50', '3', '4', 'A-5.0']);
    expect(await ids("select customer_id as id from purchases order by ordered_at")).toEqual(['17850', '17850', '17850.5', '0017850', 'A-17850.0']);
    expect(await ids('select interaction_id as id from interactions order by interaction_id')).toEqual(['3001', '3002']);
    expect(await ids('select response_id as id from surveys')).toEqual(['77']);
    // One customer 17850 across all three sources, not one per spelling.
    expect(await ids('select customer_id as id from customers order by customer_id')).toEqual(['0017850', '17850', '17850.5', 'A-17850.0']);
    expect(await env.wh.one("select count(*)::integer as n from interactions where customer_id = '17850'")).toEqual({ n: 2 });
  });
});
