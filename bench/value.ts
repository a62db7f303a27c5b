/**
 * Benchmark of the value step: RFM + lifecycle + BG/NBD/Gamma-Gamma fit (with the holdout refit) and
 * scoring, on a given warehouse. `seedValueBench` fills a warehouse with synthetic customers and
 * purchases; `benchValue` runs the step and returns timing/RSS rows. Target (issue 4): 1M customers /
 * 10M purchases under 20 s in total, peak RSS under 3 GB, on 2 cores.
 *
 * Standalone: `npx tsx bench/value.ts [customers] [purchases]` (defaults 1M / 10M, temp warehouse).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Warehouse } from '../pipelines/core/warehouse.js';
import { migrate } from '../pipelines/core/migrate.js';
import { systemClock } from '../pipelines/core/clock.js';
import { silentLogger } from '../pipelines/core/logger.js';
import type { Config } from '../pipelines/config/types.js';
import { scoreValue } from '../models/value/score-step.js';

export interface BenchRow {
  name: string;
  ms: number;
  /** Process CPU time (user + system, all threads incl. DuckDB's); a contention-free wall time is at least cpu_ms / 2 on 2 cores. */
  cpu_ms?: number;
  rss_mb: number;
  peak_rss_mb: number;
  note?: string;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * Synthetic history over three years, shaped like the BG/NBD story so the fit has something to find:
 * each buyer (95 % of customers) has a first purchase day, a lognormal purchase rate, an exponential
 * lifetime and a lognormal mean spend; repeat purchases fall uniformly in the active window, scaled so
 * the total is `purchases`. 95 % of orders completed. Deterministic (setseed).
 */
export async function seedValueBench(wh: Warehouse, customers: number, purchases: number): Promise<void> {
  await migrate(wh);
  await wh.withConnection(async (db) => {
    await db.run('select setseed(0.42)');
    await db.run(
      `insert into customers (customer_id, signup_at, marketing_consent)
       select 'c' || i, timestamp '2023-01-01' + to_days(cast(i % 900 as integer)), i % 3 = 0
       from range($n) t(i)`,
      { n: customers },
    );
    await db.run(
      `create or replace temp table bench_buyers as
       select i,
              floor(random() * 1000) as first_day,
              -ln(1 - random()) * 500 as life_days,
              exp(0.9 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) as rate,
              exp(3 + 0.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) as spend
       from range($n) t(i)
       where i % 20 <> 0`,
      { n: customers },
    );
    await db.run(
      `create or replace temp table bench_counts as
       with w as (select *, least(life_days, 1095 - first_day) as window_days from bench_buyers),
       s as (select (cast($m as double) - count(*)) / sum(rate * window_days) as scale from w)
       select i, first_day, window_days, spend, cast(floor(rate * window_days * s.scale + random()) as integer) as k
       from w, s`,
      { m: purchases },
    );
    await db.run(
      `insert into purchases (order_id, customer_id, ordered_at, amount, status)
       with repeats as (select i, first_day, window_days, spend, unnest(range(k)) as j from bench_counts),
       final as (
           select 'o' || i || '-f' as order_id, 'c' || i as customer_id, first_day as day, spend, 'completed' as status
           from bench_counts
           union all
           select 'o' || i || '-' || j, 'c' || i, first_day + random() * window_days, spend,
                  case when random() < 0.95 then 'completed' else 'refunded' end
           from repeats
       )
       select order_id, customer_id,
              timestamp '2023-04-01' + to_seconds(cast(day * 86400 as bigint)),
              cast(round(spend * (0.5 + random()), 2) as decimal(18, 2)),
              status
       from final`,
    );
    await db.run('drop table bench_counts');
    await db.run('drop table bench_buyers');
  });
}

/** Runs the value step on `wh` as of `asOf` and reports its phases, total time and memory. */
export async function benchValue(wh: Warehouse, asOf = new Date('2026-03-31T00:00:00Z'), value: Record<string, unknown> = {}): Promise<BenchRow[]> {
  const config = { rfm: {}, value } as unknown as Config;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const summary = await scoreValue({ config, warehouse: wh, runId: `bench-${Date.now()}`, clock: systemClock, logger: silentLogger }, asOf);
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const rss = mb(process.memoryUsage().rss);
  const peak = peakMb();
  const timings = (summary.timings ?? {}) as Record<string, number>;
  const cpuTimings = (summary.cpu_timings ?? {}) as Record<string, number>;
  const rows: BenchRow[] = Object.entries(timings).map(([k, ms]) => ({
    name: `value: ${k.replace(/_ms$/, '')}`,
    ms,
    cpu_ms: cpuTimings[k],
    rss_mb: rss,
    peak_rss_mb: peak,
  }));
  rows.push({
    name: 'value: total (RFM + lifecycle + CLV fit + scoring)',
    ms: Math.round(total),
    cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    rss_mb: rss,
    peak_rss_mb: peak,
    note: `${summary.customers} customers, status ${summary.status}`,
  });
  return rows;
}

async function main(): Promise<void> {
  const customers = Number(process.argv[2] ?? 1_000_000);
  const purchases = Number(process.argv[3] ?? 10_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cxp-bench-value-'));
  const wh = await Warehouse.open(join(dir, 'bench.duckdb'), { settings: { threads: '2' } });
  try {
    const s0 = performance.now();
    await seedValueBench(wh, customers, purchases);
    console.log(`seeded ${customers} customers / ${purchases} purchases in ${Math.round(performance.now() - s0)} ms`);
    console.table(await benchValue(wh));
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
