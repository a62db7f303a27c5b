/**
 * Benchmark of the satisfaction and service marts (issue 3 target: all of them under 10 s on 2 cores for
 * the 1M-customer set), plus the drivers score step and the dashboard queries, on a given warehouse.
 * `seedSatisfactionBench` fills a warehouse with synthetic rows at the generator's 1M-customer scale
 * (about 2.9 interactions and 1 survey per customer, 75% of surveys with 5 aspect answers);
 * `benchSatisfaction` builds the marts (with their data tests) and returns timing rows.
 *
 * Standalone: `npx tsx bench/satisfaction.ts [customers]` (default 1,000,000; temp warehouse).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Warehouse } from '../pipelines/core/warehouse.js';
import { migrate } from '../pipelines/core/migrate.js';
import { silentLogger } from '../pipelines/core/logger.js';
import type { Config } from '../pipelines/config/types.js';
import { discoverModels } from '../pipelines/transform/sql-models.js';
import { discoverDataTests } from '../pipelines/transform/data-tests.js';
import { runTransform } from '../pipelines/transform/run-transform.js';
import { transformVariables } from '../pipelines/transform/variables.js';
import { fitDrivers, writeDrivers } from '../models/satisfaction/score-step.js';
import { satisfactionSettings } from '../models/satisfaction/settings.js';
import { satisfactionTiles, satisfactionTrend } from '../models/satisfaction/query.js';
import { serviceTiles, serviceTrend } from '../models/satisfaction/service-query.js';

export const SATISFACTION_MARTS = [
  'int_interaction_times',
  'int_survey_responses',
  'int_service_daily',
  'satisfaction_daily',
  'service_kpis_daily',
  'service_kpis_tier_daily',
  'complaints_daily',
  'customer_satisfaction',
];

export interface BenchRow {
  name: string;
  ms: number;
  rows?: number;
  /** CPU time of the whole process (all DuckDB threads) during the step: on a busy shared machine the wall
   * time overstates; CPU / 2 is what 2 free cores would need at best. */
  cpu_ms?: number;
  rss_mb: number;
  peak_rss_mb: number;
  note?: string;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Synthetic canonical rows over 2024-07-01..2026-10-31 (deterministic: setseed). */
export async function seedSatisfactionBench(wh: Warehouse, customers: number): Promise<void> {
  await migrate(wh);
  await wh.withConnection(async (db) => {
    await db.run('select setseed(0.3)');
    await db.run(
      `insert into customers (customer_id, country)
       select 'c' || i, ['DE', 'US', 'GB', 'FR', 'ES', 'NL', 'IT'][1 + i % 7] from range($n) t(i)`,
      { n: customers },
    );
    await db.run(
      `insert into interactions (interaction_id, customer_id, channel, kind, category, opened_at, first_response_at, resolved_at, is_first_contact_resolution)
       with base as (
         select i, 'c' || (i % $n) as customer_id,
                ['chat', 'email', 'phone', 'app', 'social', 'store'][1 + floor(random() * 6)::int] as channel,
                timestamp '2024-07-01' + to_seconds(floor(random() * 852 * 86400)::bigint) as opened_at,
                random() as u1, random() as u2, random() as u3
         from range($m) t(i)
       )
       select 'i' || i, customer_id, channel,
              case when u1 < 0.3 then 'complaint' when u1 < 0.6 then 'inquiry' else 'request' end,
              ['delivery', 'billing', 'product_defect', 'returns', 'technical', 'account'][1 + floor(u2 * 6)::int],
              opened_at,
              case when u3 < 0.985 then opened_at + to_seconds(floor(60 * exp(2 + 2 * u2))::bigint) end,
              case when u3 < 0.9 then opened_at + to_seconds(floor(3600 * exp(4 * u1))::bigint) end,
              case when u3 < 0.9 then u1 > 0.35 end
       from base`,
      { n: customers, m: Math.round(customers * 2.9) },
    );
    await db.run(
      `create or replace table bench_surveys as
       select 's' || i as response_id, 'c' || (i % $n) as customer_id,
              timestamp '2024-07-01' + to_seconds(floor(random() * 852 * 86400)::bigint) as submitted_at,
              ['nps', 'nps', 'csat', 'ces'][1 + floor(random() * 4)::int] as survey_type,
              case when random() < 0.7 then 'i' || floor(random() * $m)::bigint end as interaction_id,
              random() as u
       from range($k) t(i)`,
      { n: customers, m: Math.round(customers * 2.9), k: customers },
    );
    await db.run(
      `insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id)
       select response_id, customer_id, submitted_at, survey_type,
              case survey_type when 'nps' then floor(u * 11) when 'csat' then 1 + floor(u * 5) else 1 + floor(u * 7) end,
              interaction_id
       from bench_surveys`,
    );
    await db.run(
      `insert into survey_answers (response_id, question, score)
       select response_id, q, least(5, greatest(1, round(1 + u * 4 + (random() - 0.5) * 2)))
       from bench_surveys, unnest(['q_speed', 'q_knowledge', 'q_friendliness', 'q_product_quality', 'q_price']) t(q)
       where hash(response_id) % 4 <> 0`,
    );
    await db.run('drop table bench_surveys');
  });
}

function loadNote(): string {
  return `1-min load average ${loadavg()[0].toFixed(1)} on ${process.env.BENCH_CORES ?? 2} cores`;
}

async function timed<T>(rows: BenchRow[], name: string, fn: () => Promise<T>, count?: (x: T) => number): Promise<T> {
  const t0 = performance.now();
  const c0 = cpuMs();
  const out = await fn();
  rows.push({ name, ms: Math.round(performance.now() - t0), cpu_ms: Math.round(cpuMs() - c0), rows: count?.(out), rss_mb: mb(process.memoryUsage().rss), peak_rss_mb: peakMb() });
  return out;
}

/** Builds the satisfaction and service marts (and their data tests), fits the drivers, runs the dashboard queries. */
export async function benchSatisfaction(wh: Warehouse, asOf: Date, config = { satisfaction: {} } as unknown as Config): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const models = discoverModels().filter((m) => SATISFACTION_MARTS.includes(m.name));
  const tests = discoverDataTests().filter((t) => t.table !== undefined && SATISFACTION_MARTS.includes(t.table));
  const t0 = performance.now();
  const c0 = cpuMs();
  const result = await runTransform(wh, transformVariables(config, asOf), silentLogger, { models, tests });
  const total = Math.round(performance.now() - t0);
  const cpu = Math.round(cpuMs() - c0);
  for (const m of result.models) rows.push({ name: `mart ${m.name}`, ms: m.ms, rows: m.rows, rss_mb: mb(process.memoryUsage().rss), peak_rss_mb: peakMb() });
  const buildMs = result.models.reduce((a, m) => a + m.ms, 0);
  rows.push({ name: 'satisfaction marts: build (target < 10 s)', ms: buildMs, rss_mb: mb(process.memoryUsage().rss), peak_rss_mb: peakMb() });
  rows.push({ name: 'satisfaction marts: build + data tests', ms: total, cpu_ms: cpu, note: `${result.testsRun} data tests; ${loadNote()}`, rss_mb: mb(process.memoryUsage().rss), peak_rss_mb: peakMb() });
  const s = satisfactionSettings(config);
  await timed(rows, 'score step: key drivers (fit + write)', async () => {
    const { fitted } = await fitDrivers(wh, asOf, s);
    return wh.transaction((tx) => writeDrivers(tx, asOf, fitted, 'bench'));
  }, (n) => n);
  const filters = { from: '2026-01-01', to: '2026-10-31' };
  await timed(rows, 'query: NPS weekly trend by channel', () => satisfactionTrend(wh, { surveyType: 'nps', grain: 'week', byChannel: true, filters }, asOf, s), (r) => r.length);
  await timed(rows, 'query: satisfaction tiles (30 days vs previous)', () => satisfactionTiles(wh, { country: 'DE' }, asOf, s), (r) => r.length);
  await timed(rows, 'query: service monthly trend by channel', () => serviceTrend(wh, { grain: 'month', byChannel: true, filters }, asOf, s), (r) => r.length);
  await timed(rows, 'query: service tiles', () => serviceTiles(wh, undefined, asOf, s), (r) => r.length);
  return rows;
}

async function main(): Promise<void> {
  const customers = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cxp-bench-sat-'));
  const wh = await Warehouse.open(join(dir, 'bench.duckdb'), { settings: { threads: '2' } });
  try {
    const t0 = performance.now();
    await seedSatisfactionBench(wh, customers);
    console.log(`seeded ${customers} customers in ${Math.round(performance.now() - t0)} ms`);
    console.table(await benchSatisfaction(wh, new Date('2026-10-31T00:00:00Z')));
  } finally {
    wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
