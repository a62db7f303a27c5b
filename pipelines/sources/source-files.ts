import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { CxpError } from '../core/errors.js';
import type { Db } from '../core/warehouse.js';
import type { SourceConfig } from '../config/types.js';
import type { SourceName } from '../config/schema.js';

export type FileFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

export interface SourceFile {
  path: string;
  bytes: number;
  sha256: string;
  /** Modification time and inode change time (ms since epoch) when it was read. */
  modifiedMs: number;
  changedMs: number;
  /**
   * Bytes the file does not contain, seen while hashing it (absent when its recorded hash was reused):
   * a file with no CR and no double quote has no value holding a line break (read-file.ts breakFree).
   */
  lacks?: { cr: boolean; dquote: boolean };
  /**
   * Seen while hashing (absent when the hash was reused): every byte is ASCII and none is a TAB, VT or
   * FF, so the only trim character a value can start or end with is a space, unless the value holds a
   * line break (breakFree rules that out). stage.ts sourceTextSql then tests two bytes instead of
   * counting characters (trimSpaceOnly).
   */
  spaceOnly?: boolean;
}

/** The format of a file: the source's `format` key, else its extension (compression suffixes ignored). */
/** What to do with a spreadsheet workbook given as a source: save the sheet as CSV and point the source at it. */
export function workbookHint(source: SourceName): string {
  return `save the sheet as CSV (Excel: File > Save As > "CSV UTF-8 (Comma delimited)"; LibreOffice: File > Save As > "Text CSV", character set UTF-8) and point sources.${source}.path at the .csv file`;
}

export function formatOf(source: SourceName, cfg: SourceConfig, file: string): FileFormat {
  if (cfg.format) return cfg.format;
  const name = file.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return 'tsv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.parquet')) return 'parquet';
  if (/\.(xlsx|xlsm|xlsb|xls|ods)$/.test(name)) {
    throw new CxpError('CXP_ERR_SOURCE_MALFORMED', `${file} is a spreadsheet workbook; cxpulse reads CSV, TSV, JSON lines and Parquet`, {
      where: file,
      hint: workbookHint(source),
    });
  }
  // A delimiter says "this is delimited text" whatever the extension (e.g. CDNOW's .txt).
  if (cfg.delimiter) return 'csv';
  throw new CxpError('CXP_ERR_SOURCE_MALFORMED', `cannot tell the format of ${file} from its extension`, {
    where: file,
    hint: `set sources.${source}.format to one of csv, tsv, jsonl, parquet (or give a delimiter)`,
  });
}

/** Files matching the source path (a file or a glob), sorted, so a run reads them in a stable order. */
export async function listSourceFiles(db: Db, source: SourceName, cfg: SourceConfig): Promise<string[]> {
  let rows: { file: string }[];
  try {
    rows = await db.all<{ file: string }>('select file from glob($1) order by file', [cfg.path ?? '']);
  } catch (err) {
    throw new CxpError('CXP_ERR_SOURCE_NOT_FOUND', `cannot list files for source ${source}: ${(err as Error).message}`, {
      where: `sources.${source}.path`,
    });
  }
  const files = rows.map((r) => r.file).filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
  if (files.length === 0) {
    throw new CxpError('CXP_ERR_SOURCE_NOT_FOUND', `no file matches ${cfg.path} (source ${source})`, {
      where: `sources.${source}.path`,
      hint: 'check the path; it is relative to the config file and may be a glob such as in/orders*.csv',
    });
  }
  return files;
}

/** sha256 and size of a file, streamed so large files never sit in memory; notes whether it holds a CR or a `"`. */
export function hashFile(path: string): Promise<SourceFile> {
  const st = statSync(path);
  const modifiedMs = Math.floor(st.mtimeMs);
  const changedMs = Math.floor(st.ctimeMs);
  return new Promise((resolveHash, reject) => {
    const h = createHash('sha256');
    let bytes = 0;
    let cr = false;
    let dquote = false;
    let spaceOnly = true;
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (data: string | Buffer) => {
        const chunk = typeof data === 'string' ? Buffer.from(data) : data;
        bytes += chunk.length;
        h.update(chunk);
        // memchr over the chunk, once per byte value until it is found: nothing next to the hash.
        if (!cr && chunk.indexOf(0x0d) !== -1) cr = true;
        if (!dquote && chunk.indexOf(0x22) !== -1) dquote = true;
        // isAscii is SIMD (simdutf); TAB, VT, FF by memchr, while the answer is still open.
        if (spaceOnly && (!isAscii(chunk) || chunk.indexOf(0x09) !== -1 || chunk.indexOf(0x0b) !== -1 || chunk.indexOf(0x0c) !== -1)) {
          spaceOnly = false;
        }
      })
      .on('error', (err) =>
        reject(new CxpError('CXP_ERR_SOURCE_NOT_FOUND', `cannot read ${path}: ${err.message}`, { where: path }, { cause: err })),
      )
      .on('end', () => resolveHash({ path, bytes, sha256: h.digest('hex'), modifiedMs, changedMs, lacks: { cr: !cr, dquote: !dquote }, spaceOnly }));
  });
}

/**
 * True when no value of this (uncompressed, delimited) file can hold a line break: its bytes have no CR,
 * and no quote character (the configured one, default `"`; none when quoting is off), so every LF ends a
 * record. Unknown (a reused hash, another quote character, a compressed file) is false.
 */
export function breakFree(f: SourceFile, quote: string | undefined): boolean {
  if (!f.lacks?.cr || /\.(gz|zst|zstd|bz2|xz|zip)$/i.test(f.path)) return false;
  const q = quote ?? '"';
  return q === '' || (q === '"' && f.lacks.dquote);
}

/**
 * True when a value of this (uncompressed, delimited) file can only need trimming because of a space at
 * its start or end: no value holds a line break (breakFree), every byte is ASCII (none of the non-ASCII
 * trim characters) and none is TAB, VT or FF (the other ASCII ones, with CR and LF). Unknown is false.
 */
export function trimSpaceOnly(f: SourceFile, quote: string | undefined): boolean {
  return f.spaceOnly === true && breakFree(f, quote);
}
