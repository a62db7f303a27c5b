import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { quoteLiteral } from '../core/sql-ident.js';
import type { Warehouse } from '../core/warehouse.js';
import { PARQUET_COPY_OPTIONS, readManifest, sha256File, writeManifest } from './write-exports.js';

/**
 * GDPR erasure for exports already written: every partition in the manifest that has a customer_id
 * column and holds the customer is rewritten without them (temp file, then rename), and its manifest
 * entry (rows, sha256) updated. Returns how many files were rewritten and rows removed.
 */
export async function eraseFromExports(wh: Warehouse, dir: string, customerId: string): Promise<{ files: number; rows: number }> {
  const manifest = readManifest(dir);
  let files = 0;
  let rows = 0;
  for (const entry of manifest.datasets) {
    if (!entry.columns.some((c) => c.name === 'customer_id')) continue;
    const path = join(dir, entry.path);
    if (!existsSync(path)) continue;
    const hit = await wh.one<{ n: number }>('select count(*) as n from read_parquet($1, hive_partitioning = false) where customer_id = $2', [path, customerId]);
    if (!hit?.n) continue;
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      // COPY takes no bound parameter for its target; the path is ours, quoted as a literal. Hive
      // detection off: the partition (as_of=, ordered_month=) must not be copied into the file.
      await wh.run(
        `copy (select * from read_parquet(${quoteLiteral(path)}, hive_partitioning = false) where customer_id is distinct from $1) to ${quoteLiteral(tmp)} (${PARQUET_COPY_OPTIONS})`,
        [customerId],
      );
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
    }
    entry.rows -= hit.n;
    entry.sha256 = await sha256File(path);
    files++;
    rows += hit.n;
  }
  if (files > 0) writeManifest(dir, manifest);
  return { files, rows };
}
