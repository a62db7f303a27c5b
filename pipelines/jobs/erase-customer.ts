import type { Clock } from '../core/clock.js';
import { compactWarehouse, type CompactResult } from '../core/compact.js';
import { fileContainsAny } from '../core/file-scan.js';
import type { Warehouse } from '../core/warehouse.js';
import { eraseFromExports, removeExportTempFiles, type ExportErasure } from '../export/erase-from-exports.js';
import { forgetCustomer, markErasurePlaceDone, type ForgetResult } from '../triggers/forget.js';

/** One place forget cleaned, for the report it prints. */
export interface ErasurePlace {
  place: 'database' | 'exports' | 'temp_files' | 'warehouse_file';
  detail: string;
}

export interface ErasureReport {
  customerId: string;
  database: ForgetResult;
  exports?: ExportErasure;
  tempFiles?: string[];
  compaction?: CompactResult & { skipped?: string };
  places: ErasurePlace[];
  /** Places still pending (empty when the erasure is complete). */
  pending: string[];
}

export interface EraseOptions {
  warehouse: Warehouse;
  exportsDir: string;
  clock: Clock;
  /** Called after each place is clean (tests interrupt here to prove forget resumes). */
  afterPlace?: (place: ErasurePlace['place']) => void | Promise<void>;
}

/**
 * `cxpulse forget`: erases a customer from every place, journaled so it can be interrupted and run
 * again until everything is clean (erasure_journal in the warehouse):
 *
 * 1. database - every table with a customer_id, survey answers, rejected rows (id or e-mail), actions
 *    anonymised; the customer's id hash (and e-mail hash) kept so re-read source files stay out;
 * 2. exports - every Parquet file under exports.dir holding the customer or one of their records;
 * 3. temp_files - temp files crashed exports left behind;
 * 4. warehouse_file - the DuckDB file compacted (copied without the deleted rows and swapped), so the id
 *    no longer appears in its bytes. Skipped when a byte scan finds neither the id nor the e-mail.
 *
 * The warehouse is CLOSED when the compaction ran (its file was replaced).
 */
export async function eraseCustomer(customerId: string, opts: EraseOptions): Promise<ErasureReport> {
  const { warehouse: wh, clock } = opts;
  const db = await forgetCustomer(wh, customerId, clock);
  const id = db.customerId;
  const tables = Object.entries(db.deleted).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`);
  const report: ErasureReport = {
    customerId: id,
    database: db,
    places: [
      {
        place: 'database',
        detail:
          `${db.alreadyErased ? 're-checked (erased before); ' : ''}deleted ${tables.join(', ') || 'no rows'}; rejected rows ${db.rejectedRows}; ` +
          `actions cancelled ${db.cancelledActions}, anonymised ${db.anonymisedActions}`,
      },
    ],
    pending: db.pending,
  };
  await opts.afterPlace?.('database');

  if (report.pending.includes('exports') || db.alreadyErased) {
    report.exports = await eraseFromExports(wh, opts.exportsDir, id, db.relatedKeys);
    const files = Object.entries(report.exports.byFile).map(([f, n]) => `${f} (${n})`);
    report.places.push({ place: 'exports', detail: `rewrote ${report.exports.files} file(s), ${report.exports.rows} row(s) removed${files.length ? `: ${files.join(', ')}` : ''}` });
    report.pending = await markErasurePlaceDone(wh, id, 'exports', clock.now());
    await opts.afterPlace?.('exports');
  }

  if (report.pending.includes('temp_files') || db.alreadyErased) {
    report.tempFiles = removeExportTempFiles(opts.exportsDir);
    report.places.push({ place: 'temp_files', detail: `removed ${report.tempFiles.length} stale export temp file(s)${report.tempFiles.length ? `: ${report.tempFiles.join(', ')}` : ''}` });
    report.pending = await markErasurePlaceDone(wh, id, 'temp_files', clock.now());
    await opts.afterPlace?.('temp_files');
  }

  if (report.pending.includes('warehouse_file') || db.alreadyErased) {
    const emails = db.emails;
    await wh.checkpoint();
    const visible = wh.path !== ':memory:' && fileContainsAny(wh.path, [id, ...emails]);
    const summary = { places: report.places };
    if (!visible) {
      // Nothing of the customer in the file's bytes: no need to pay for a rewrite.
      report.pending = await markErasurePlaceDone(wh, id, 'warehouse_file', clock.now(), summary);
      report.compaction = { bytesBefore: 0, bytesAfter: 0, ms: 0, skipped: 'neither the id nor the e-mail is in the file bytes' };
      report.places.push({ place: 'warehouse_file', detail: 'checked: neither the id nor the e-mail appears in the warehouse file bytes' });
    } else {
      const c = await compactWarehouse(wh, async (copy) => {
        await markErasurePlaceDone(copy, id, 'warehouse_file', clock.now(), summary, 'cxp_compact.erasure_journal');
      });
      report.compaction = c;
      report.pending = [];
      report.places.push({
        place: 'warehouse_file',
        detail: `compacted ${(c.bytesBefore / 1e6).toFixed(1)} MB -> ${(c.bytesAfter / 1e6).toFixed(1)} MB in ${(c.ms / 1000).toFixed(1)} s; deleted rows no longer in its bytes`,
      });
    }
    await opts.afterPlace?.('warehouse_file');
  }
  return report;
}
