import { statSync, utimesSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestEnv, type IngestEnv } from './ingest-helpers.js';

let env: IngestEnv | undefined;
afterEach(() => {
  env?.close();
  env = undefined;
});

describe('unchanged files', () => {
  it('records size and modification time; a touched file with the same content is still skipped; same size, new content loads', async () => {
    env = await ingestEnv();
    const path = env.write('in/purchases.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,10.00\n');
    const sources = { purchases: { path } };
    await env.ingest(sources);
    const rec = await env.wh.one<{ bytes: number; modified_at: Date }>('select bytes, modified_at from ingested_files');
    expect(rec?.bytes).toBe(statSync(path).size);
    expect(rec?.modified_at.getTime()).toBe(Math.floor(statSync(path).mtimeMs));

    // Same content, new modification time: hashed again, found identical, skipped.
    utimesSync(path, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const touched = await env.ingest(sources);
    expect(touched.sources.purchases).toMatchObject({ read: 0, skipped_files: 1 });

    // Same size, different content (amount 10.00 -> 99.00), new time: read and counted as an update.
    env.write('in/purchases.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,99.00\n');
    utimesSync(path, new Date('2030-01-02T00:00:00Z'), new Date('2030-01-02T00:00:00Z'));
    const changed = await env.ingest(sources);
    expect(changed.sources.purchases).toMatchObject({ read: 1, updated: 1 });
    expect((await env.wh.one<{ amount: number }>('select amount from purchases'))?.amount).toBe(99);
  });

  it('a same-size rewrite with its old modification time put back (cp -p, rsync -t, touch -d) is still read', async () => {
    env = await ingestEnv();
    const stamp = new Date('2026-01-01T00:00:00Z');
    const path = env.write('in/customers.csv', 'customer_id,email\nC1,a@x.org\n');
    utimesSync(path, stamp, stamp);
    const sources = { customers: { path } };
    await env.ingest(sources);
    env.write('in/customers.csv', 'customer_id,email\nC1,q@x.org\n'); // same length
    utimesSync(path, stamp, stamp);
    expect(statSync(path).mtimeMs).toBe(stamp.getTime());
    const res = await env.ingest(sources);
    expect(res.sources.customers).toMatchObject({ read: 1, updated: 1 });
    expect((await env.wh.one<{ email: string }>('select email from customers'))?.email).toBe('q@x.org');
  });

  it('many files, names with quotes, backslashes and non-ASCII: a re-run skips every untouched one and reads only the new one', async () => {
    env = await ingestEnv();
    const names = Array.from({ length: 24 }, (_, i) => `in/p/${i % 3 === 0 ? `o'brien "${i}"` : i % 3 === 1 ? `back\\slash ${i}` : `rīga 订单 ${i}`}.csv`);
    for (const [i, n] of names.entries()) env.write(n, `order_id,customer_id,ordered_at,amount\nO${i},C${i % 5},2026-01-01,${i}.00\n`);
    const sources = { purchases: { path: `${env.dir}/in/p/*.csv` } };
    const first = await env.ingest(sources);
    expect(first.sources.purchases).toMatchObject({ files: 24, read: 24, loaded: 24, skipped_files: 0 });

    const again = await env.ingest(sources);
    expect(again.sources.purchases).toMatchObject({ files: 24, read: 0, skipped_files: 24 });

    env.write('in/p/zz new.csv', 'order_id,customer_id,ordered_at,amount\nO99,C1,2026-01-02,5.00\n');
    const more = await env.ingest(sources);
    expect(more.sources.purchases).toMatchObject({ files: 25, read: 1, loaded: 1, skipped_files: 24 });
    expect((await env.wh.one<{ n: number }>('select count(*) as n from purchases'))?.n).toBe(25);
  });
});
