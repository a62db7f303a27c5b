import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { quoteIdent, quoteLiteral } from './sql-ident.js';
import type { ConnDb, Warehouse } from './warehouse.js';

export interface CompactResult {
  bytesBefore: number;
  bytesAfter: number;
  ms: number;
}

/**
 * Rewrites the warehouse file so deleted rows no longer exist in its bytes. DuckDB reuses freed blocks
 * but never scrubs them, and CHECKPOINT/VACUUM do not rewrite live blocks: an erased id can stay readable
 * in the file (the audit found it 4-7 times). `COPY FROM DATABASE` writes every table, view, macro and
 * sequence into a new file (only live rows), which then replaces the old one by rename; the WAL is
 * checkpointed first and removed after. `beforeSwap` runs against the copy (alias `cxp_compact`), so a
 * journal entry can be marked done in the same file that is proven clean.
 *
 * The warehouse is CLOSED afterwards (its file was replaced); the caller reopens if it needs it.
 * Cost: one full copy, roughly linear in the warehouse size (docs/operations.md has measured figures).
 */
export async function compactWarehouse(wh: Warehouse, beforeSwap?: (db: ConnDb) => Promise<void>): Promise<CompactResult> {
  const t0 = performance.now();
  const path = wh.path;
  const tmp = `${path}.compact-tmp`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}.wal`, { force: true });
  await wh.checkpoint();
  const bytesBefore = statSync(path).size;
  await wh.withConnection(async (db) => {
    const name = (await db.one<{ d: string }>('select current_database() as d'))!.d;
    // ATTACH takes no bound parameter for its path; the path is ours (the warehouse's own folder).
    await db.run(`attach ${quoteLiteral(tmp)} as cxp_compact`);
    try {
      await db.run(`copy from database ${quoteIdent(name)} to cxp_compact`);
      if (beforeSwap) await beforeSwap(db);
    } finally {
      await db.run('detach cxp_compact');
    }
  });
  wh.close();
  renameSync(tmp, path);
  rmSync(`${path}.wal`, { force: true });
  rmSync(`${tmp}.wal`, { force: true });
  // DuckDB's spill folder next to the file may hold pages of the old data.
  if (existsSync(`${path}.tmp`)) rmSync(`${path}.tmp`, { recursive: true, force: true });
  return { bytesBefore, bytesAfter: statSync(path).size, ms: Math.round(performance.now() - t0) };
}
