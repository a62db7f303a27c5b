import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { ERASED_REASON } from '../../../pipelines/sources/stage.js';
import { forgetCustomer } from '../../../pipelines/triggers/forget.js';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

let env: IngestEnv | undefined;
afterEach(() => {
  env?.close();
  env = undefined;
});

describe('a forgotten customer stays forgotten', () => {
  it('is not loaded again when a changed source file is re-read, and the counts still add up', async () => {
    env = await ingestEnv();
    const customers = 'customer_id,email,marketing_consent\nC1,one@example.test,yes\nC2,two@example.test,no\n';
    const purchases = 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,10\nO2,C2,2026-01-02,20\n';
    const sources = {
      customers: { path: env.write('in/customers.csv', customers) },
      purchases: { path: env.write('in/purchases.csv', purchases) },
    };
    await env.ingest(sources);
    await forgetCustomer(env.wh, 'C1', fixedClock('2026-07-02T00:00:00Z'));

    // The files change (a new row each), so ingestion reads them in full again, C1's rows included.
    env.write('in/customers.csv', customers + 'C3,three@example.test,y\n');
    env.write('in/purchases.csv', purchases + 'O3,C3,2026-01-03,30\n');
    const summary = await env.ingest(sources);

    for (const c of Object.values(summary.sources)) expect(c && accountedFor(c)).toBe(true);
    const ids = await env.wh.all<{ customer_id: string }>('select customer_id from customers order by 1');
    expect(ids.map((r) => r.customer_id)).toEqual(['C2', 'C3']);
    expect((await env.wh.all('select order_id from purchases order by 1')).map((r) => r.order_id)).toEqual(['O2', 'O3']);
    const rejected = await env.wh.all<{ source: string; reason: string; raw_row: string | null }>(
      'select source, reason, raw_row from rejected_rows where reason = $1 order by source',
      [ERASED_REASON],
    );
    expect(rejected).toEqual([
      { source: 'customers', reason: ERASED_REASON, raw_row: null },
      { source: 'purchases', reason: ERASED_REASON, raw_row: null },
    ]);
    // No trace of the erased e-mail anywhere in the rejected rows.
    const leaked = await env.wh.one<{ n: number }>("select count(*) as n from rejected_rows where raw_row like '%one@example.test%'");
    expect(leaked?.n).toBe(0);
  });
});
