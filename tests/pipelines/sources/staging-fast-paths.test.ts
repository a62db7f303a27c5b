import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

// The ingest skips work that cannot change a result (docs/decisions: ingest fast paths): the derived-id
// branch of stg_purchases is asked per file whether it has rows, a merge with no repeated or stored key
// skips its classification, the raw-text join of the decimals rule runs only when a value could break it.
// These cases sit on the edges of those decisions; every expectation is read off the lines written here.
describe('ingest fast paths keep every row where it belongs', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv('cxp-fast-');
  });
  afterEach(() => env.close());

  it('a return without order_id in the second of three files still gets its derived id; the others keep theirs', async () => {
    env.write('p/1.csv', 'order_id,customer_id,ordered_at,amount,kind\nO1,C1,2026-06-01,10.00,order\nO2,C2,2026-06-02,20.00,order\n');
    env.write('p/2.csv', 'order_id,customer_id,ordered_at,amount,kind\nO3,C1,2026-06-03,30.00,order\n,C1,2026-06-04,-5.00,return\n,C1,2026-06-04,-5.00,return\n');
    env.write('p/3.csv', 'order_id,customer_id,ordered_at,amount,kind\nO4,C2,2026-06-05,40.00,order\n');
    const s = await env.ingest({ purchases: { path: 'p/*.csv' } });
    expect(s.sources.purchases).toMatchObject({ read: 6, loaded: 6, rejected: 0, duplicate: 0 });
    expect(accountedFor(s.sources.purchases!)).toBe(true);
    const rows = await env.wh.all<{ order_id: string; status: string; a: number }>(
      'select order_id, status, amount::double as a from purchases order by ordered_at, order_id',
    );
    expect(rows.filter((r) => !r.order_id.startsWith('derived-')).map((r) => r.order_id)).toEqual(['O1', 'O2', 'O3', 'O4']);
    const credits = rows.filter((r) => r.order_id.startsWith('derived-'));
    // Two identical refunds on one day stay two credits (occurrence number in the derived id).
    expect(credits.map((r) => [r.status, r.a])).toEqual([
      ['returned', 5],
      ['returned', 5],
    ]);
    expect(new Set(credits.map((r) => r.order_id)).size).toBe(2);
  });

  it('a second load of the same rows under new file names counts duplicates and updates, not new rows', async () => {
    env.write('a.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-06-01,10.00\nO2,C1,2026-06-02,20.00\n');
    const first = await env.ingest({ purchases: { path: 'a.csv' } });
    expect(first.sources.purchases).toMatchObject({ read: 2, loaded: 2 });
    env.write('b.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-06-01,10.00\nO2,C1,2026-06-02,25.00\nO3,C1,2026-06-03,30.00\n');
    const second = await env.ingest({ purchases: { path: 'b.csv' } });
    expect(second.sources.purchases).toMatchObject({ read: 3, loaded: 1, duplicate: 1, updated: 1, rejected: 0 });
    expect(accountedFor(second.sources.purchases!)).toBe(true);
    const rows = await env.wh.all<{ order_id: string; a: number }>('select order_id, amount::double as a from purchases order by 1');
    expect(rows).toEqual([
      { order_id: 'O1', a: 10 },
      { order_id: 'O2', a: 25 },
      { order_id: 'O3', a: 30 },
    ]);
  });

  it('one file: a row repeated in it is a duplicate, a key repeated across two files of a glob an update, stored keys are found', async () => {
    // One file, the same row twice (no conflict): the batch has a repeated key even though it is one file.
    env.write('one.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-06-01,10.00\nO2,C1,2026-06-02,20.00\nO1,C1,2026-06-01,10.00\n');
    const one = await env.ingest({ purchases: { path: 'one.csv' } });
    expect(one.sources.purchases).toMatchObject({ read: 3, loaded: 2, duplicate: 1, updated: 0, rejected: 0 });
    // Two files, every key unique within each, O3 in both with different content: an update, not two rows.
    env.write('g/1.csv', 'order_id,customer_id,ordered_at,amount\nO3,C1,2026-06-03,30.00\n');
    env.write('g/2.csv', 'order_id,customer_id,ordered_at,amount\nO3,C1,2026-06-03,31.00\nO4,C1,2026-06-04,40.00\n');
    const two = await env.ingest({ purchases: { path: 'g/*.csv' } });
    expect(two.sources.purchases).toMatchObject({ read: 3, loaded: 2, updated: 1, duplicate: 0 });
    // One file of unique keys, two of them already stored (one changed): found through the stored keys.
    env.write('three.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-06-01,10.00\nO2,C1,2026-06-02,22.00\nO5,C1,2026-06-05,50.00\n');
    const three = await env.ingest({ purchases: { path: 'three.csv' } });
    expect(three.sources.purchases).toMatchObject({ read: 3, loaded: 1, duplicate: 1, updated: 1 });
    const rows = await env.wh.all<{ order_id: string; a: number }>('select order_id, amount::double as a from purchases order by 1');
    expect(rows).toEqual([
      { order_id: 'O1', a: 10 },
      { order_id: 'O2', a: 22 },
      { order_id: 'O3', a: 31 },
      { order_id: 'O4', a: 40 },
      { order_id: 'O5', a: 50 },
    ]);
  });
});
