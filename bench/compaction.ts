/**
 * `npx tsx bench/compaction.ts [--customers N]`: how long `cxpulse forget` takes to compact the
 * warehouse file (pipelines/core/compact.ts), on a synthetic warehouse with the demo's shape per customer
 * (10 purchases, 3 interactions, 1 survey with 2 answers). Prints size and seconds; the figure for 1M
 * customers in docs/operations.md is extrapolated from this (the copy is linear in the file size).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactWarehouse } from '../pipelines/core/compact.js';
import { migrate } from '../pipelines/core/migrate.js';
import { Warehouse } from '../pipelines/core/warehouse.js';

const arg = process.argv.indexOf('--customers');
const n = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
const dir = mkdtempSync(join(tmpdir(), 'cxp-compact-bench-'));
try {
  const wh = await Warehouse.open(join(dir, 'warehouse.duckdb'));
  await migrate(wh);
  await wh.run(`insert into customers (customer_id, email, country, marketing_consent, is_bare)
    select 'C' || lpad(i::varchar, 8, '0'), 'c' || i || '@mail.example', 'LV', i % 2 = 0, false from range(${n}) t(i)`);
  await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status)
    select 'O' || i, 'C' || lpad((i % ${n})::varchar, 8, '0'), timestamp '2025-01-01' + to_minutes(i), (i % 97)::decimal(18,2), 'completed'
    from range(${n * 10}) t(i)`);
  await wh.run(`insert into interactions (interaction_id, customer_id, channel, kind, opened_at)
    select 'I' || i, 'C' || lpad((i % ${n})::varchar, 8, '0'), 'email', 'inquiry', timestamp '2025-01-01' + to_minutes(i) from range(${n * 3}) t(i)`);
  await wh.run(`insert into surveys (response_id, customer_id, submitted_at, survey_type, score)
    select 'R' || i, 'C' || lpad(i::varchar, 8, '0'), timestamp '2025-01-01' + to_minutes(i), 'nps', i % 11 from range(${n}) t(i)`);
  await wh.run(`insert into survey_answers (response_id, question, score)
    select 'R' || i, q, (i % 5) + 1 from range(${n}) t(i), (values ('q_speed'), ('q_price')) v(q)`);
  await wh.run("delete from purchases where customer_id = 'C00000042'");
  const c = await compactWarehouse(wh);
  console.log(JSON.stringify({ customers: n, mb_before: +(c.bytesBefore / 1e6).toFixed(1), mb_after: +(c.bytesAfter / 1e6).toFixed(1), seconds: c.ms / 1000 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
