import { afterEach, describe, expect, it } from 'vitest';
import { ingestEnv, type IngestEnv } from './ingest-helpers.js';

let env: IngestEnv | undefined;
afterEach(() => {
  env?.close();
  env = undefined;
});

const header = {
  purchases: 'order_id,customer_id,ordered_at,amount',
  interactions: 'interaction_id,customer_id,channel,kind,opened_at',
  surveys: 'response_id,customer_id,submitted_at,survey_type,score',
};

describe('bare customers', () => {
  it('a customer referenced by several sources but in no customer file becomes one bare customer; rejected rows create none', async () => {
    env = await ingestEnv();
    const sources = {
      customers: { path: env.write('customers.csv', 'customer_id,email\nC1,a@x.org\n') },
      purchases: {
        path: env.write(
          'purchases.csv',
          // C9's only row is rejected (no date): it must not become a customer.
          `${header.purchases}\nO1,C1,2026-01-01,10.00\nO2,C2,2026-01-02,11.00\nO3,C3,2026-01-03,12.00\nO4,C2,2026-01-04,13.00\nO5,C9,,14.00\n`,
        ),
      },
      interactions: { path: env.write('interactions.csv', `${header.interactions}\nI1,C2,email,inquiry,2026-01-05\nI2,C4,chat,complaint,2026-01-06\n`) },
      surveys: { path: env.write('surveys.csv', `${header.surveys}\nS1,C3,2026-01-07,nps,9\nS2,C4,2026-01-08,nps,3\nS3,C5,2026-01-09,csat,4\n`) },
    };
    const s = await env.ingest(sources);
    expect(s.sources.purchases).toMatchObject({ read: 5, loaded: 4, rejected: 1 });
    // Written out by hand: C2 (purchases, interactions), C3 (purchases, surveys), C4 (interactions, surveys), C5 (surveys).
    expect(s.bare_customers).toBe(4);
    const rows = await env.wh.all<{ customer_id: string; is_bare: boolean }>('select customer_id, is_bare from customers order by customer_id');
    expect(rows).toEqual([
      { customer_id: 'C1', is_bare: false },
      { customer_id: 'C2', is_bare: true },
      { customer_id: 'C3', is_bare: true },
      { customer_id: 'C4', is_bare: true },
      { customer_id: 'C5', is_bare: true },
    ]);

    // A later file referencing a bare customer (C2), a known one (C1) and a new one (C6): only C6 is new.
    const next = { purchases: { path: env.write('purchases-2.csv', `${header.purchases}\nO6,C2,2026-02-01,1.00\nO7,C1,2026-02-02,2.00\nO8,C6,2026-02-03,3.00\n`) } };
    const t = await env.ingest(next);
    expect(t.bare_customers).toBe(1);
    expect((await env.wh.one<{ n: number; bare: number }>('select count(*) as n, count(*) filter (where is_bare) as bare from customers'))).toEqual({ n: 6, bare: 5 });
  });
});
