import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { quoteIdent, quoteLiteral } from '../core/sql-ident.js';
import type { Warehouse } from '../core/warehouse.js';
import { refreshCatalogFiles } from './catalog.js';
import { PARQUET_COPY_OPTIONS, readManifest, sha256File, writeManifest } from './write-exports.js';

/** Ids of the customer's own records: exports keyed by them (survey_answers has only response_id). */
export type ErasureKeys = Partial<Record<'order_id' | 'interaction_id' | 'response_id', string[]>>;

export interface ExportErasure {
  files: number;
  rows: number;
  /** Relative path -> rows removed, for the forget report. */
  byFile: Record<string, number>;
}

/** Every file under `dir` (recursively) whose name matches `test`. */
function walk(dir: string, test: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, test));
    else if (e.isFile() && test(e.name)) out.push(p);
  }
  return out.sort();
}

/** The atomic writers' temp names: `<file>.tmp-<pid>` (write-exports.ts, this file). */
const TEMP_FILE = /\.tmp-\d+$/;

/**
 * GDPR erasure for exports already written: EVERY Parquet file under the exports folder (listed in the
 * manifest or not, every as_of partition) is checked, and rewritten without the customer (temp file,
 * then rename) when it holds a row whose customer_id is theirs, or whose order_id / interaction_id /
 * response_id is one of their records (exports such as survey_answers carry no customer_id). Manifest
 * entries (rows, sha256) are updated. Idempotent: a second call finds nothing and rewrites nothing.
 */
export async function eraseFromExports(wh: Warehouse, dir: string, customerId: string, keys: ErasureKeys = {}): Promise<ExportErasure> {
  const manifest = readManifest(dir);
  const result: ExportErasure = { files: 0, rows: 0, byFile: {} };
  for (const path of walk(dir, (n) => n.endsWith('.parquet'))) {
    const columns = new Set(
      (await wh.all<{ name: string }>('select name from parquet_schema($1)', [path])).map((r) => r.name),
    );
    const conds: string[] = [];
    const params: string[] = [];
    if (columns.has('customer_id')) {
      params.push(customerId);
      conds.push(`customer_id = $${params.length}`);
    }
    for (const k of ['order_id', 'interaction_id', 'response_id'] as const) {
      if (!columns.has(k) || !keys[k]?.length) continue;
      params.push(JSON.stringify(keys[k]));
      conds.push(`${quoteIdent(k)} in (select unnest(from_json($${params.length}::varchar, '["VARCHAR"]')))`);
    }
    if (conds.length === 0) continue;
    const match = conds.join(' or ');
    const hit = await wh.one<{ n: number }>(`select count(*) as n from read_parquet($${params.length + 1}, hive_partitioning = false) where ${match}`, [...params, path]);
    if (!hit?.n) continue;
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      // COPY takes no bound parameter for its target; the paths are ours, quoted as literals.
      await wh.run(
        // Hive detection off: a partition (as_of=, ordered_month=) must not be copied into the file.
        `copy (select * from read_parquet(${quoteLiteral(path)}, hive_partitioning = false) where not coalesce(${match}, false)) to ${quoteLiteral(tmp)} (${PARQUET_COPY_OPTIONS})`,
        params,
      );
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
    }
    const rel = relative(dir, path);
    const entry = manifest.datasets.find((e) => e.path === rel || join(dir, e.path) === path);
    if (entry) {
      entry.rows -= hit.n;
      entry.sha256 = await sha256File(path);
    }
    result.files++;
    result.rows += hit.n;
    result.byFile[rel] = hit.n;
  }
  if (result.files > 0 && existsSync(join(dir, 'manifest.json'))) {
    writeManifest(dir, manifest);
    // The catalog's file list (rows, sha256) follows the manifest.
    await refreshCatalogFiles(dir, manifest);
  }
  return result;
}

/**
 * Removes the temp files crashed exports left behind (`*.tmp-<pid>`): they hold rows written before the
 * erasure, erased customers included, and nothing reads them. Only called when no export can be running
 * (forget holds the warehouse, which an export needs). Returns the relative paths removed.
 */
export function removeExportTempFiles(dir: string): string[] {
  const stale = walk(dir, (n) => TEMP_FILE.test(n));
  for (const p of stale) rmSync(p, { force: true });
  return stale.map((p) => relative(dir, p));
}
