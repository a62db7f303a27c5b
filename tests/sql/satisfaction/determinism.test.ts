import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildSatisfactionMarts, tempWarehouse, testConfig, type TempWarehouse } from './fixtures.js';

// satisfaction_daily is exported, and an export whose bytes change is rewritten (and re-read by every BI
// tool). Built twice from the same rows it must come out bit for bit the same, even when DuckDB splits
// a big day across threads and merges their partial aggregates in whatever order they finish.
let t: TempWarehouse;
beforeAll(async () => {
  t = await tempWarehouse();
  await t.wh.run('set threads = 4');
  await t.wh.run(`insert into customers (customer_id, country) select 'c' || i, 'DE' from range(5000) as r(i)`);
  // 400k CES answers on two days: each (day, channel, type) group spans many vectors and threads.
  await t.wh.run(
    `insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id)
     select 'r' || i, 'c' || (i % 5000), timestamp '2026-02-10 00:00' + to_seconds(i % 172800), 'ces', 1 + (hash(i) % 7)::integer, null
     from range(400000) as r(i)`,
  );
});
afterAll(() => t?.cleanup());

async function build(): Promise<string[]> {
  await buildSatisfactionMarts(t.wh, '2026-03-01', testConfig({ minSample: 5 }));
  const rows = await t.wh.all<{ k: string }>(
    `select concat_ws('|', response_on, channel, survey_type, responses, score::varchar, ci_low::varchar, ci_high::varchar) as k
     from satisfaction_daily order by response_on, channel, survey_type`,
  );
  return rows.map((r) => r.k);
}
let first: string[] = [];

test('satisfaction_daily is the same to the last bit on every build (no order-dependent float merges)', async () => {
  first = await build();
  expect(first).toHaveLength(2);
  for (let i = 0; i < 4; i++) expect(await build()).toEqual(first);
});

test('the CES interval uses the exact sample variance of the day', async () => {
  expect(first).toHaveLength(2); // built by the test above
  // Independent: the variance from BigInt sums, the t interval with z (df > 1000) as the model documents.
  const scores = await t.wh.all<{ on: string; s: number }>(`select strftime(submitted_at, '%Y-%m-%d') as on, score as s from surveys`);
  const byDay = new Map<string, number[]>();
  for (const r of scores) {
    if (!byDay.has(r.on)) byDay.set(r.on, []);
    byDay.get(r.on)!.push(r.s);
  }
  const rows = await t.wh.all<{ on: string; score: number; ci_high: number }>(
    `select strftime(response_on, '%Y-%m-%d') as on, score, ci_high from satisfaction_daily`,
  );
  for (const r of rows) {
    const xs = byDay.get(r.on)!;
    const n = BigInt(xs.length);
    const s = xs.reduce((a, x) => a + BigInt(x), 0n);
    const ss = xs.reduce((a, x) => a + BigInt(x * x), 0n);
    const variance = Number(n * ss - s * s) / Number(n * (n - 1n));
    const half = 1.959963984540054 * Math.sqrt(variance / xs.length);
    expect(r.ci_high).toBeCloseTo(Math.min(7, Number(s) / xs.length + half), 9);
  }
});
