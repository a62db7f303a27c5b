/**
 * Benchmark of the ingest job (issue 2): the generator's bench set (1M customers / ~10M purchases /
 * ~3M interactions / ~1M surveys, all CSV), loaded into a fresh warehouse; then a re-run with 1% new
 * rows (new files, as a daily drop would arrive) under keys among the stored ones, another under keys past
 * them (NewKeys below), a re-run with nothing new, and DuckDB's bare
 * `create table as select * from read_csv(...)` of the same files for comparison.
 * Targets on 2 cores: full ingest < 60 s and < 4 GB peak RSS; re-run with 1% new rows < 5% of it (issue 14).
 *
 * Each ingest runs in a child process so its peak RSS is its own (process.resourceUsage().maxRSS).
 * The generated set is cached in bench/out/ingest-data-<N> (git-ignored).
 *
 * Standalone: `npx tsx bench/ingest.ts [customers]` (default 1,000,000).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { systemClock } from '../pipelines/core/clock.js';
import { silentLogger } from '../pipelines/core/logger.js';
import { migrate } from '../pipelines/core/migrate.js';
import { fromRoot } from '../pipelines/core/paths.js';
import { quoteIdent, quoteLiteral } from '../pipelines/core/sql-ident.js';
import { Warehouse } from '../pipelines/core/warehouse.js';
import { duckdbSettings } from '../pipelines/config/duckdb-settings.js';
import { loadConfig } from '../pipelines/config/load-config.js';
import { runIngest, type IngestSummary } from '../pipelines/sources/run-ingest.js';

export interface BenchRow {
  name: string;
  ms: number;
  /** Process CPU time (user + system, all threads incl. DuckDB's). */
  cpu_ms?: number;
  rss_mb?: number;
  peak_rss_mb?: number;
  note?: string;
}

export interface IngestBenchOptions {
  customers?: number;
  /** Where the generated CSV set lives (generated there when missing). */
  dataDir?: string;
  /** Share of new rows for the incremental re-run (default 0.01). */
  newFraction?: number;
  /** DuckDB memory_limit for the ingest (default 3GB, so peak RSS stays under 4 GB). */
  memoryLimit?: string;
  log?: (line: string) => void;
}

interface ChildResult {
  ms: number;
  cpu_ms: number;
  peak_rss_mb: number;
  summary: IngestSummary;
}

const KEYS = { customers: 'customer_id', purchases: 'order_id', interactions: 'interaction_id', surveys: 'response_id' } as const;
// Globs, so the re-run's new files are picked up next to the generated ones.
const GLOBS = { customers: 'customers*.csv', purchases: 'purchases/*.csv', interactions: 'interactions*.csv', surveys: 'surveys*.csv' } as const;
// The generator's own files (the new rows are copied from these, never from earlier new files).
const GENERATED = { customers: 'customers.csv', purchases: 'purchases/purchases-[0-9]*.csv', interactions: 'interactions.csv', surveys: 'surveys.csv' } as const;
const NEW_FILES = {
  customers: 'customers-bench-new.csv',
  purchases: 'purchases/purchases-bench-new.csv',
  interactions: 'interactions-bench-new.csv',
  surveys: 'surveys-bench-new.csv',
} as const;

function tsxArgs(script: string, args: string[]): string[] {
  return ['--import', 'tsx', script, ...args];
}

function runNode(args: string[], log: (s: string) => void): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd: fromRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      log(String(d).trimEnd());
    });
    child.on('exit', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function ensureData(dir: string, customers: number, log: (s: string) => void): Promise<void> {
  if (existsSync(join(dir, 'cxpulse.config.json'))) return;
  log(`generating ${customers} customers (csv) into ${dir} ...`);
  await runNode(tsxArgs(fromRoot('data-samples', 'generate.ts'), ['--customers', String(customers), '--format', 'csv', '--out', dir]), log);
}

function writeBenchConfig(dataDir: string, workDir: string, memoryLimit: string): string {
  const generated = JSON.parse(readFileSync(join(dataDir, 'cxpulse.config.json'), 'utf8')) as {
    sources: Record<string, Record<string, unknown>>;
  };
  const sources: Record<string, Record<string, unknown>> = {};
  for (const [name, src] of Object.entries(generated.sources)) {
    sources[name] = { ...src, path: join(dataDir, GLOBS[name as keyof typeof GLOBS]) };
  }
  const path = join(workDir, 'cxpulse.config.json');
  writeFileSync(path, JSON.stringify({ warehouse: join(workDir, 'warehouse.duckdb'), sources, duckdb: { memoryLimit } }, null, 2));
  return path;
}

async function ingestInChild(configPath: string, runId: string, log: (s: string) => void): Promise<ChildResult> {
  const out = await runNode(tsxArgs(fromRoot('bench', 'ingest.ts'), ['--child', configPath, runId]), log);
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildResult;
}

/**
 * How the re-run's new keys relate to the stored ones:
 * - `interleaved`: the copied row's key plus `-N`, sorting among the stored keys (as random keys such as UUIDs
 *   do); the ingest must read every stored key to find which new ones are stored already;
 * - `ascending`: the key's number moved past the largest stored one (`O0000003001` -> `O1000003010` when the
 *   largest is `O1000000008`), as a system numbering its orders in sequence does; DuckDB's min/max filter from
 *   the staged keys lets the probe skip the stored row groups.
 */
export type NewKeys = 'interleaved' | 'ascending';

function newFile(name: keyof typeof NEW_FILES, keys: NewKeys): string {
  return keys === 'interleaved' ? NEW_FILES[name] : NEW_FILES[name].replace('-bench-new', '-bench-next');
}

/** ~fraction of each source's generated rows, copied under new keys into new files (deterministic: by key hash). */
export async function writeNewRows(dataDir: string, fraction: number, keys: NewKeys = 'interleaved'): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  let rows = 0;
  try {
    const modulo = Math.max(1, Math.round(1 / fraction));
    for (const [name, key] of Object.entries(KEYS)) {
      const src = join(dataDir, GENERATED[name as keyof typeof GENERATED]);
      const dst = join(dataDir, newFile(name as keyof typeof NEW_FILES, keys));
      // COPY ... TO takes no bound file name; the paths are the bench's own.
      const k = quoteIdent(key);
      const digits = `regexp_extract(${k}, '[0-9]+$')`;
      const newKey =
        keys === 'interleaved'
          ? `${k} || '-N'`
          : `regexp_extract(${k}, '^(.*?)[0-9]+$', 1) || lpad((${digits}::hugeint + top.n + 1)::varchar, length(${digits})::integer, '0')`;
      const r = await conn.runAndReadAll(
        `copy (with src as (select * from read_csv(${quoteLiteral(src)}, all_varchar = true)),
                    top as (select max(${digits}::hugeint) as n from src)
               select src.* replace (${newKey} as ${k}) from src, top
               where hash(${k}) % ${modulo} = 0) to ${quoteLiteral(dst)} (header)`,
      );
      rows += Number(r.getRows()[0]?.[0] ?? 0);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return rows;
}

export function removeNewRows(dataDir: string): void {
  for (const name of Object.keys(NEW_FILES) as (keyof typeof NEW_FILES)[]) {
    for (const keys of ['interleaved', 'ascending'] as const) {
      const f = join(dataDir, newFile(name, keys));
      if (existsSync(f)) unlinkSync(f);
    }
  }
}

/** DuckDB alone: one `create table as select * from read_csv(...)` per source, same files, same threads. */
export async function bareDuckdb(dataDir: string, workDir: string): Promise<{ ms: number; cpu_ms: number; rows: number }> {
  const instance = await DuckDBInstance.create(join(workDir, 'bare.duckdb'));
  const conn = await instance.connect();
  let rows = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    for (const name of Object.keys(KEYS)) {
      const r = await conn.runAndReadAll(
        `create table ${quoteIdent(name)} as select * from read_csv(${quoteLiteral(join(dataDir, GLOBS[name as keyof typeof GLOBS]))})`,
      );
      rows += Number(r.getRows()[0]?.[0] ?? 0);
    }
    await conn.run('checkpoint');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpu_ms: Math.round((cpu.user + cpu.system) / 1000), rows };
}

const total = (s: IngestSummary, k: 'read' | 'loaded' | 'updated' | 'duplicate' | 'rejected') =>
  Object.values(s.sources).reduce((a, c) => a + (c?.[k] ?? 0), 0);

export async function benchIngest(opts: IngestBenchOptions = {}): Promise<BenchRow[]> {
  const customers = opts.customers ?? 1_000_000;
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const dataDir = opts.dataDir ?? fromRoot('bench', 'out', `ingest-data-${customers}`);
  const fraction = opts.newFraction ?? 0.01;
  await ensureData(dataDir, customers, log);
  removeNewRows(dataDir);
  const workDir = mkdtempSync(join(tmpdir(), 'cxp-bench-ingest-'));
  const rows: BenchRow[] = [];
  try {
    const configPath = writeBenchConfig(dataDir, workDir, opts.memoryLimit ?? '3GB');
    log('full ingest ...');
    const full = await ingestInChild(configPath, 'bench-full', log);
    const read = total(full.summary, 'read');
    rows.push({
      name: `ingest full (${read.toLocaleString('en')} rows)`,
      ms: Math.round(full.ms),
      cpu_ms: full.cpu_ms,
      peak_rss_mb: full.peak_rss_mb,
      note: `${Math.round(read / (full.ms / 1000)).toLocaleString('en')} rows/s; target < 60 s, < 4096 MB; ${JSON.stringify(
        Object.fromEntries(Object.entries(full.summary.sources).map(([k, c]) => [k, c?.read])),
      )}`,
    });

    const added = await writeNewRows(dataDir, fraction);
    log(`re-run with ${added} new rows ...`);
    const inc = await ingestInChild(configPath, 'bench-incremental', log);
    rows.push({
      name: `ingest re-run, +${added.toLocaleString('en')} new rows (${(fraction * 100).toFixed(0)}%)`,
      ms: Math.round(inc.ms),
      cpu_ms: inc.cpu_ms,
      peak_rss_mb: inc.peak_rss_mb,
      note: `${((inc.ms / full.ms) * 100).toFixed(1)}% of the full ingest (target < 5%); loaded ${total(inc.summary, 'loaded')}, skipped files ${Object.values(
        inc.summary.sources,
      ).reduce((a, c) => a + (c?.skipped_files ?? 0), 0)}`,
    });

    // The same share again, under keys that continue the stored sequence (as growing order numbers do).
    const next = await writeNewRows(dataDir, fraction, 'ascending');
    log(`re-run with ${next} new rows, keys past the stored ones ...`);
    const asc = await ingestInChild(configPath, 'bench-incremental-ascending', log);
    rows.push({
      name: `ingest re-run, +${next.toLocaleString('en')} new rows (${(fraction * 100).toFixed(0)}%), keys past the stored ones`,
      ms: Math.round(asc.ms),
      cpu_ms: asc.cpu_ms,
      peak_rss_mb: asc.peak_rss_mb,
      note: `${((asc.ms / full.ms) * 100).toFixed(1)}% of the full ingest (target < 5%); loaded ${total(asc.summary, 'loaded')}; new keys sort after every stored key, so the probe skips stored row groups`,
    });

    log('re-run with nothing new ...');
    const idle = await ingestInChild(configPath, 'bench-unchanged', log);
    rows.push({ name: 'ingest re-run, nothing new', ms: Math.round(idle.ms), cpu_ms: idle.cpu_ms, peak_rss_mb: idle.peak_rss_mb, note: `read ${total(idle.summary, 'read')}` });

    removeNewRows(dataDir);
    log('bare duckdb create table as select * from read_csv(...) ...');
    const bare = await bareDuckdb(dataDir, workDir);
    rows.push({
      name: `duckdb bare CTAS read_csv (${bare.rows.toLocaleString('en')} rows)`,
      ms: Math.round(bare.ms),
      cpu_ms: bare.cpu_ms,
      note: `ingest / bare = ${(full.ms / bare.ms).toFixed(2)}x wall (target <= 1.5x), ${(full.cpu_ms / bare.cpu_ms).toFixed(2)}x CPU (ingest also validates, dedups, merges, records rejects and file hashes)`,
    });
  } finally {
    removeNewRows(dataDir);
    rmSync(workDir, { recursive: true, force: true });
  }
  return rows;
}

/** Child mode: one ingest run, printing its timing, CPU, peak RSS and summary as one JSON line. */
async function child(configPath: string, runId: string): Promise<void> {
  const config = loadConfig(configPath);
  const wh = await Warehouse.open(config.warehouse, { settings: duckdbSettings(config) });
  try {
    await migrate(wh);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await runIngest({ warehouse: wh, config, runId, clock: systemClock, logger: silentLogger });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const result: ChildResult = {
      ms,
      cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      summary,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    wh.close();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  const customers = Number(process.argv[2] ?? 1_000_000);
  const rows = await benchIngest({ customers });
  console.table(rows);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
