import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { quoteIdent } from '../../../pipelines/core/sql-ident.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import type { Config } from '../../../pipelines/config/types.js';
import { runIngest, type IngestSummary, type SourceCounts } from '../../../pipelines/sources/run-ingest.js';

export interface IngestEnv {
  dir: string;
  wh: Warehouse;
  /** Writes a file under the env dir (string or bytes) and returns its absolute path. */
  write(rel: string, content: string | Uint8Array): string;
  config(sources: Record<string, unknown>): Config;
  ingest(sources: Record<string, unknown>, runId?: string): Promise<IngestSummary>;
  close(): void;
}

let runCounter = 0;

export async function ingestEnv(prefix = 'cxp-ingest-'): Promise<IngestEnv> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const wh = await Warehouse.open(join(dir, 'warehouse.duckdb'));
  await migrate(wh);
  const env: IngestEnv = {
    dir,
    wh,
    write(rel, content) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      return p;
    },
    config(sources) {
      return resolveConfig({ sources }, dir, join(dir, 'cxpulse.config.json'));
    },
    async ingest(sources, runId = `run-${++runCounter}`) {
      return runIngest({ warehouse: wh, config: env.config(sources), runId, clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger });
    },
    close() {
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** read = loaded + updated + duplicate + rejected, for every source of a summary. */
export function accountedFor(c: SourceCounts): boolean {
  return c.read === c.loaded + c.updated + c.duplicate + c.rejected;
}

export const CANONICAL_TABLES = ['customers', 'purchases', 'interactions', 'surveys', 'survey_answers', 'rejected_rows', 'ingested_files'];

/**
 * Order-independent fingerprint of a table: row count and the sum of per-row hashes over the named
 * columns (all but `exclude`). Equal fingerprints = same multiset of rows, up to hash collisions.
 */
export async function tableChecksum(wh: Warehouse, table: string, exclude: string[] = []): Promise<string> {
  const cols = await wh.all<{ name: string }>(
    "select column_name as name from duckdb_columns() where table_name = $1 and schema_name = 'main' order by column_index",
    [table],
  );
  const list = cols.map((c) => c.name).filter((c) => !exclude.includes(c)).map(quoteIdent);
  const row = await wh.one<{ n: number; h: bigint | number | null }>(
    `select count(*) as n, sum(hash(${list.join(', ')}))::hugeint::varchar as h from ${quoteIdent(table)}`,
  );
  return `${row?.n}:${row?.h}`;
}

/** Checksums of all ingest-owned tables; `runFree` leaves out run ids and timestamps that differ per run. */
export async function warehouseChecksums(wh: Warehouse, runFree = false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const volatile = runFree ? ['loaded_run_id', 'updated_run_id', 'run_id', 'ingested_at', 'rejected_at', 'modified_at', 'changed_at'] : [];
  for (const t of CANONICAL_TABLES) out[t] = await tableChecksum(wh, t, volatile);
  return out;
}
