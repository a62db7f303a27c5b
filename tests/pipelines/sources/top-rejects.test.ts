import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { printRunSummary } from '../../../pipelines/cli/print-summary.js';
import type { IngestSummary } from '../../../pipelines/sources/run-ingest.js';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

// Hand-written rows; the expected groups below are counted by hand from these lines.
const PURCHASES = [
  'order_id,customer_id,ordered_at,amount',
  'O1,C1,2026-03-01 10:00:00,10.50', // 2: loads
  'O2,C1,03/04/2026 10:00,11.00', // 3: US date
  'O3,C2,03/05/2026 11:00,12.00', // 4: US date
  'O4,C2,30.03.2026,13.00', // 5: dotted date
  'O5,C3,2026-03-02 10:00:00,-4.00', // 6: negative on a completed order
  'O6,C3,2026-03-02 11:00:00,-9.99', // 7: negative on a completed order
  'O7,,2026-03-02 12:00:00,1.00', // 8: no customer
  'O8,C4,2026-03-02 13:00:00,abc', // 9: not a number
].join('\n');

describe('the run says why rows were rejected: commonest reasons, first row, the setting that reads them', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv();
  });
  afterEach(() => env.close());

  const summaryText = (s: IngestSummary) => {
    let out = '';
    printRunSummary(
      { runId: 'r', status: 'succeeded', startedAt: new Date(0), finishedAt: new Date(0), results: { ingest: s as unknown as Record<string, unknown> } },
      { write: (t: string) => ((out += t), true) } as unknown as NodeJS.WritableStream,
    );
    return out;
  };

  it('groups rows failing the same way with their values elided, most rows first, at most three per source', async () => {
    env.write('orders.csv', PURCHASES);
    const s = await env.ingest({ purchases: { path: 'orders.csv' } });
    const c = s.sources.purchases!;
    expect(c).toMatchObject({ read: 8, loaded: 1, rejected: 7 });
    expect(accountedFor(c)).toBe(true);
    const file = env.write('x', '').replace(/x$/, 'orders.csv');
    const hint =
      'dates written another way (e.g. 03/31/2026 or 31.03.2026): set sources.purchases.timestampFormat to their strptime format, e.g. "%m/%d/%Y %H:%M" or "%d.%m.%Y"';
    // 3 timestamps, 2 negatives, then one each of "missing key customer_id" and "unparseable amount": the
    // tie goes to the reason that sorts first.
    expect(s.top_rejects?.purchases).toEqual([
      { reason: 'unparseable timestamp "…" in ordered_at', count: 3, file, line: 3, hint },
      { reason: 'negative amount … on a completed order', count: 2, file, line: 6 },
      { reason: 'missing key customer_id', count: 1, file, line: 8 },
    ]);
    // No value of a row is copied into the summary (stored with the run).
    const stored = JSON.stringify(s.top_rejects);
    for (const v of ['03/04/2026', '30.03.2026', '-4.00', '-9.99', 'abc']) expect(stored).not.toContain(v);

    const text = summaryText(s);
    expect(text).toContain('rejected rows, commonest reasons (each with file, line and raw text in table rejected_rows):');
    expect(text).toMatch(/purchases +3 {2}unparseable timestamp "…" in ordered_at {2}\(first: orders\.csv line 3\)\n +-> dates written another way/);
    expect(text).toMatch(/purchases +2 {2}negative amount … on a completed order {2}\(first: orders\.csv line 6\)\n/);
  });

  it('no hint once the source has a timestamp format; no section when nothing was rejected', async () => {
    env.write('orders.csv', PURCHASES);
    const s = await env.ingest({ purchases: { path: 'orders.csv', timestampFormat: '%m/%d/%Y %H:%M' } });
    const top = s.top_rejects!.purchases!;
    // With that format the US dates load, and the ISO and dotted ones do not: lines 2, 5, 6, 7 and 9 (line 8
    // lacks its customer, checked first).
    expect(top.find((t) => t.reason.startsWith('unparseable timestamp'))).toMatchObject({ count: 5, line: 2 });
    expect(top.every((t) => t.hint === undefined)).toBe(true);

    env.write('clean.csv', 'order_id,customer_id,ordered_at,amount\nP1,C1,2026-03-01 10:00:00,1.00\n');
    const clean = await env.ingest({ purchases: { path: 'clean.csv' } });
    expect(clean.top_rejects).toBeUndefined();
    expect(summaryText(clean)).not.toContain('commonest reasons');
  });
});
