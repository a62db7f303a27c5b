import { afterEach, describe, expect, it } from 'vitest';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

let env: IngestEnv | undefined;
afterEach(() => {
  env?.close();
  env = undefined;
});

const ATTRS = { contract: { type: 'categorical' }, monthly_charges: { type: 'numeric', column: 'MonthlyCharges' } };

describe('customers source: churned_at and declared attributes', () => {
  it('keeps attributes with their types and the cancellation date; a bad number is a rejected row with its reason', async () => {
    env = await ingestEnv();
    const path = env.write(
      'customers.csv',
      [
        'customer_id,signup_at,churned_at,contract,MonthlyCharges,extra',
        'c1,2025-01-05,,month-to-month,70.5,x',
        'c2,2025-02-01,2026-03-10,two-year,19.95,y',
        'c3,2025-02-01,,,,z',
        'c4,2025-02-01,,one-year,seventy,z',
        'c5,2025-02-01,not-a-date,one-year,10,z',
      ].join('\n') + '\n',
    );
    const s = await env.ingest({ customers: { path, attributes: ATTRS } });
    expect(accountedFor(s.sources.customers!)).toBe(true);
    expect(s.sources.customers).toMatchObject({ read: 5, loaded: 3, rejected: 2 });
    const rows = await env.wh.all<{ customer_id: string; churned_at: Date | null; attributes: string | null }>(
      'select customer_id, churned_at, attributes::varchar as attributes from customers order by customer_id',
    );
    expect(rows.map((r) => r.customer_id)).toEqual(['c1', 'c2', 'c3']);
    expect(JSON.parse(rows[0].attributes!)).toEqual({ contract: 'month-to-month', monthly_charges: 70.5 });
    expect(JSON.parse(rows[1].attributes!)).toEqual({ contract: 'two-year', monthly_charges: 19.95 });
    expect(JSON.parse(rows[2].attributes!)).toEqual({ contract: null, monthly_charges: null });
    expect(rows[0].churned_at).toBeNull();
    expect(rows[1].churned_at?.toISOString()).toBe('2026-03-10T00:00:00.000Z');
    const rejects = await env.wh.all<{ reason: string }>("select reason from rejected_rows where source = 'customers' order by line");
    expect(rejects.map((r) => r.reason)).toEqual(['unparseable number "seventy" in numeric attribute monthly_charges', 'unparseable timestamp "not-a-date" in churned_at']);
  });

  it('attributes only on the customers source, and not under a canonical name: config errors naming the key', async () => {
    env = await ingestEnv();
    expect(() => env!.config({ purchases: { path: 'p.csv', attributes: ATTRS } })).toThrow(/sources\.purchases\.attributes: only the customers source has attributes/);
    expect(() => env!.config({ customers: { path: 'c.csv', attributes: { email: { type: 'categorical' } } } })).toThrow(/sources\.customers\.attributes\.email: "email" is a canonical column/);
    expect(() => env!.config({ customers: { path: 'c.csv', attributes: { 'bad name': { type: 'numeric' } } } })).toThrow(/attributes/);
  });

  it('a declared attribute column missing from the file is an error naming it', async () => {
    env = await ingestEnv();
    const path = env.write('customers.csv', 'customer_id,contract\nc1,one-year\n');
    await expect(env.ingest({ customers: { path, attributes: ATTRS } })).rejects.toThrow(/MonthlyCharges \(attribute\)/);
  });

  it('a changed attribute is an update, the same one a duplicate', async () => {
    env = await ingestEnv();
    const a = env.write('a/customers.csv', 'customer_id,contract,MonthlyCharges\nc1,one-year,10\n');
    await env.ingest({ customers: { path: a, attributes: ATTRS } });
    const b = env.write('b/customers.csv', 'customer_id,contract,MonthlyCharges\nc1,two-year,10\n');
    const s2 = await env.ingest({ customers: { path: b, attributes: ATTRS } });
    expect(s2.sources.customers).toMatchObject({ read: 1, updated: 1 });
    const c = env.write('c/customers.csv', 'customer_id,contract,MonthlyCharges\nc1,two-year,10\n');
    const s3 = await env.ingest({ customers: { path: c, attributes: ATTRS } });
    expect(s3.sources.customers).toMatchObject({ read: 1, duplicate: 1 });
  });
});
