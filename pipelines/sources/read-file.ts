import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CxpError } from '../core/errors.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';
import type { SourceConfig } from '../config/types.js';
import type { SourceName } from '../config/schema.js';
import { workbookHint, type FileFormat } from './source-files.js';
import { MAX_RECORD_BYTES, splitRecords } from './csv-layout.js';

/**
 * Reads one source file into the temp table `cxp_raw` (every field as text, nothing lost to type
 * inference) through DuckDB's own readers. Rows the reader cannot parse (wrong field count, invalid
 * UTF-8, broken quoting, invalid JSON) go to `cxp_rejects` with their line and raw text. A CSV whose
 * layout DuckDB cannot follow (mixed endings, lone CR, unterminated quote, oversize line, quoted line
 * breaks) is first split into records by csv-layout.ts (readSplit).
 *
 * Line numbers: `line` is the 1-based physical line in the file, counting the header line. DuckDB's
 * own lines count records; they equal physical lines unless a quoted field spans lines, and such files
 * take readSplit, whose cxp_linemap maps records to lines. DuckDB keeps insertion order, so the rowid
 * of `cxp_raw` is the record order of the good rows; the reader's rejected records are added back in
 * with an ASOF join on `cxp_bad`.
 */
export interface RawFile {
  /** Source column names present in cxp_raw. */
  columns: string[];
  /** FROM clause over cxp_raw, alias `r`. */
  fromSql: string;
  /** Line number of a row of `r`. */
  lineSql: string;
  /** The raw row as text (for rejected_rows). */
  rawSql: string;
  /** Rows in cxp_raw. */
  rows: number;
  /** Records the reader itself rejected (already in cxp_rejects). */
  readerRejects: number;
  /**
   * Every value is the file's own bytes and can only need trimming for a leading or trailing space
   * (ReadOptions.spaceOnly, and read by DuckDB's reader straight from the file).
   */
  spaceOnly?: boolean;
}

export interface ReadOptions {
  source: SourceName;
  cfg: SourceConfig;
  file: string;
  format: FileFormat;
  /** Source field names the mapping needs (JSON lines extract only these). */
  wanted: string[];
  /**
   * The file's bytes show that no value can hold a line break (source-files.ts breakFree): the scan of
   * every value for CR/LF (spansLines) is skipped, its answer being known.
   */
  breakFree?: boolean;
  /** The file's bytes show that a value's only possible edge trim character is a space (source-files.ts trimSpaceOnly). */
  spaceOnly?: boolean;
}

// A separator no text file uses: line-mode reads must never split a line.
const LINE_DELIM = '\u001f';
const REJECTS = "store_rejects = true, rejects_table = 'cxp_reject_errors', rejects_scan = 'cxp_reject_scans'";

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').find((l) => l.trim().length > 0)?.trim() ?? msg;
}

function malformed(file: string, problem: string, hint: string, cause?: unknown): CxpError {
  return new CxpError('CXP_ERR_SOURCE_MALFORMED', `${file}: ${problem}`, { where: file, hint }, { cause });
}

// One call: twice per file, six round trips each added up in a small incremental run.
const READER_TABLES = ['cxp_reject_errors', 'cxp_reject_scans', 'cxp_bad', 'cxp_lines', 'cxp_linemap', 'cxp_raw'];

async function dropReaderTables(db: ConnDb): Promise<void> {
  await db.run(READER_TABLES.map((t) => `drop table if exists ${t};`).join('\n'));
}

/**
 * Moves the reader's rejects into cxp_rejects and builds cxp_bad (for line-number correction).
 * `headerLines` is 1 when DuckDB consumed a header line itself.
 */
async function collectReaderRejects(db: ConnDb, opts: ReadOptions, headerLines: number, mapped = false): Promise<number> {
  const exists = await db.one<{ n: number }>(
    "select count(*) as n from duckdb_tables() where table_name = 'cxp_reject_errors' and temporary",
  );
  if (!exists?.n) {
    await db.run('create temp table cxp_bad (g bigint, j bigint)');
    return 0;
  }
  await db.run(
    // With a record copy (readSplit), DuckDB's line is the record's number in the copy: cxp_linemap
    // gives its physical line in the original file.
    `insert into cxp_rejects (source, file, line, reason, raw_row)
     select $1, $2, ${mapped ? '(select m.line from cxp_linemap m where m.rec = e.line)' : 'e.line'}, e.reason, e.raw from (
       select line,
              'malformed row: ' || string_agg(distinct lower(error_type) || ' (' || error_message || ')', '; ') as reason,
              any_value(csv_line) as raw
       from cxp_reject_errors group by line
     ) e`,
    [opts.source, opts.file],
  );
  await db.run(
    `create temp table cxp_bad as
     select line - $1 - j as g, j from (
       select line, row_number() over (order by line) as j from (select distinct line from cxp_reject_errors)
     )`,
    [headerLines],
  );
  const n = await db.one<{ n: number }>('select count(*) as n from cxp_bad');
  return n?.n ?? 0;
}

function lineWithCorrection(table: string, base: number, bad: number): { fromSql: string; lineSql: string } {
  if (bad === 0) return { fromSql: `${table} r`, lineSql: `(r.rowid + 1 + ${base})` };
  // good row k (1-based) sits after the bad records j with g_j < k.
  return {
    fromSql: `${table} r asof left join (select g, max(j) as j from cxp_bad group by g) b on (r.rowid + 1) > b.g`,
    lineSql: `(r.rowid + 1 + ${base} + coalesce(b.j, 0))`,
  };
}

async function countRows(db: ConnDb): Promise<number> {
  return (await db.one<{ n: number }>('select count(*) as n from cxp_raw'))?.n ?? 0;
}

async function describeRaw(db: ConnDb): Promise<string[]> {
  const rows = await db.all<{ name: string }>(
    "select column_name as name from duckdb_columns() where table_name = 'cxp_raw' and database_name = 'temp' order by column_index",
  );
  return rows.map((r) => r.name);
}

interface Delimited {
  delim: string;
  quote: string;
  named: boolean;
}

function delimitedSettings(opts: ReadOptions): Delimited {
  let delim = opts.cfg.delimiter ?? (opts.format === 'tsv' ? '\t' : ',');
  if (delim === '\\t') delim = '\t';
  return { delim, quote: opts.cfg.quote ?? '"', named: (opts.cfg.names?.length ?? 0) > 0 };
}

async function readCsvInto(db: ConnDb, opts: ReadOptions, path: string, d: Delimited, extra = ''): Promise<void> {
  await db.run(
    `create temp table cxp_raw as select * from read_csv($file, all_varchar = true, delim = $delim, quote = $quote,
       escape = $quote, header = $header, ${d.named ? `names = from_json($names::varchar, '["VARCHAR"]'),` : ''} null_padding = false,
       encoding = 'utf-8', ignore_errors = true, ${REJECTS}${extra})`,
    // names travel as JSON text: a JS array has no DuckDB type to bind as.
    { file: path, delim: d.delim, quote: d.quote, header: opts.cfg.header, ...(d.named ? { names: JSON.stringify(opts.cfg.names) } : {}) },
  );
}

function unreadable(opts: ReadOptions, d: Delimited, err: unknown): CxpError {
  const shown = `delimiter ${JSON.stringify(d.delim)} and quote ${JSON.stringify(d.quote)}`;
  const problem = /sniffing/i.test(String(err))
    ? `cannot be parsed as delimited text with ${shown} (another delimiter, or not text at all?)`
    : `cannot be read as delimited text with ${shown}: ${firstLine(err)}`;
  return malformed(opts.file, problem, `check the file, or set sources.${opts.source}.delimiter / quote / header to match it`, err);
}

/** The record-layout pass (csv-layout.ts) handles one-byte delimiters and quotes, plain or gzip files. */
function splittable(opts: ReadOptions, d: Delimited): boolean {
  return Buffer.byteLength(d.delim) === 1 && Buffer.byteLength(d.quote) <= 1 && !/\.(zst|zstd|bz2|xz)$/i.test(opts.file);
}

/**
 * Rejects DuckDB's reader reports that mean it lost track of records (rather than one bad row): an
 * unterminated or stray quote, a line over the size limit, a record that swallowed line breaks.
 */
async function layoutFaults(db: ConnDb): Promise<number> {
  const exists = await db.one<{ n: number }>(
    "select count(*) as n from duckdb_tables() where table_name = 'cxp_reject_errors' and temporary",
  );
  if (!exists?.n) return 0;
  const row = await db.one<{ n: number }>(
    `select count(*) as n from cxp_reject_errors
     where error_type not in ('MISSING COLUMNS', 'TOO MANY COLUMNS', 'INVALID UNICODE', 'CAST')
        or contains(csv_line, chr(10)) or contains(csv_line, chr(13))`,
  );
  return row?.n ?? 0;
}

/**
 * A quoted value with a line break: DuckDB's line numbers count records, so every later line would be
 * off; the record copy maps each record to its physical line instead.
 */
async function spansLines(db: ConnDb): Promise<boolean> {
  const columns = await describeRaw(db);
  if (columns.length === 0) return false;
  const any = columns.map((c) => `contains(r.${quoteIdent(c)}, chr(10)) or contains(r.${quoteIdent(c)}, chr(13))`).join(' or ');
  const row = await db.one<{ n: number }>(`select count(*) as n from (select 1 from cxp_raw r where ${any} limit 1)`);
  return (row?.n ?? 0) > 0;
}

async function checkNames(opts: ReadOptions, d: Delimited, columns: string[]): Promise<void> {
  if (d.named && columns.length !== opts.cfg.names!.length) {
    // DuckDB names the extra fields column3, ...; they would be ignored and their values lost.
    throw malformed(
      opts.file,
      `the file has ${columns.length} fields per row but sources.${opts.source}.names lists ${opts.cfg.names!.length}`,
      `give one name per field in sources.${opts.source}.names (in file order)`,
    );
  }
}

async function readDelimited(db: ConnDb, opts: ReadOptions): Promise<RawFile> {
  const d = delimitedSettings(opts);
  const canSplit = splittable(opts, d);
  try {
    await readCsvInto(db, opts, opts.file, d);
  } catch (err) {
    if (!canSplit) throw unreadable(opts, d, err);
    await dropReaderTables(db);
    return readSplit(db, opts, d, err);
  }
  if (canSplit && ((await layoutFaults(db)) > 0 || (!opts.breakFree && (await spansLines(db))))) {
    await dropReaderTables(db);
    return readSplit(db, opts, d);
  }
  const columns = await describeRaw(db);
  await checkNames(opts, d, columns);
  const base = opts.cfg.header ? 1 : 0;
  const readerRejects = await collectReaderRejects(db, opts, base);
  return {
    columns,
    ...lineWithCorrection('cxp_raw', base, readerRejects),
    rawSql: 'to_json(r)::varchar',
    rows: await countRows(db),
    readerRejects,
    spaceOnly: opts.spaceOnly === true,
  };
}

/**
 * The slow path for files DuckDB's reader cannot split into records by itself (csv-layout.ts): the
 * well-formed records are copied (LF endings) to a temp file DuckDB reads, the faulty ones are rejected
 * with their physical line, and cxp_linemap maps each record of the copy to its physical line.
 */
async function readSplit(db: ConnDb, opts: ReadOptions, d: Delimited, firstError?: unknown): Promise<RawFile> {
  const dir = await mkdtemp(join(tmpdir(), 'cxp-records-'));
  try {
    let plain = opts.file;
    if (/\.gz$/i.test(opts.file)) {
      plain = join(dir, 'plain.csv');
      await pipeline(createReadStream(opts.file), createGunzip(), createWriteStream(plain));
    }
    const copy = join(dir, 'records.csv');
    const split = await splitRecords(plain, copy, {
      delim: Buffer.from(d.delim)[0]!,
      quote: d.quote === '' ? -2 : Buffer.from(d.quote)[0]!,
      header: opts.cfg.header,
    });
    if (split.headerProblem) {
      throw malformed(
        opts.file,
        `the header (line ${split.headerProblem.line}) cannot be read: ${split.headerProblem.reason}`,
        'fix the header line (the column names) of the file',
      );
    }
    if (split.lines.length === 0 && !d.named) {
      throw unreadable(opts, d, firstError ?? new Error(split.rejects[0]?.reason ?? 'no record found'));
    }
    try {
      if (split.lines.length === 0) {
        await db.run(`create temp table cxp_raw as select ${opts.cfg.names!.map((n) => `null::varchar as ${quoteIdent(n)}`).join(', ')} where false`);
      } else {
        // The copy has one record per line and LF endings; its records are within the size limit.
        await readCsvInto(db, opts, copy, d, `, new_line = '\\n', max_line_size = ${4 * MAX_RECORD_BYTES}`);
      }
    } catch (err) {
      throw unreadable(opts, d, err);
    }
    await db.run('create temp table cxp_linemap (rec bigint, line bigint)');
    const map = await db.connection.createAppender('cxp_linemap', 'main', 'temp');
    try {
      split.lines.forEach((line, i) => {
        map.appendBigInt(BigInt(i + 1));
        map.appendBigInt(BigInt(line));
        map.endRow();
      });
      map.flushSync();
    } finally {
      map.closeSync();
    }
    if (split.rejects.length > 0) {
      const app = await db.connection.createAppender('cxp_rejects', 'main', 'temp');
      try {
        for (const r of split.rejects) {
          app.appendVarchar(opts.source);
          app.appendVarchar(opts.file);
          app.appendBigInt(BigInt(r.line));
          app.appendVarchar(`malformed row: ${r.reason}`);
          app.appendVarchar(r.raw);
          app.endRow();
        }
        app.flushSync();
      } finally {
        app.closeSync();
      }
    }
    const columns = await describeRaw(db);
    await checkNames(opts, d, columns);
    const base = opts.cfg.header ? 1 : 0;
    const duckRejects = await collectReaderRejects(db, opts, base, true);
    const { fromSql, lineSql } = lineWithCorrection('cxp_raw', base, duckRejects);
    return {
      columns,
      fromSql: `${fromSql} left join cxp_linemap m on m.rec = ${lineSql}`,
      lineSql: 'm.line',
      rawSql: 'to_json(r)::varchar',
      rows: await countRows(db),
      readerRejects: duckRejects + split.rejects.length,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads the file line by line (no quoting): for whitespace-separated text and JSON lines. */
async function readLines(db: ConnDb, opts: ReadOptions): Promise<number> {
  try {
    await db.run(
      `create temp table cxp_lines as select * from read_csv($file, columns = {'line': 'VARCHAR'}, delim = $delim,
         quote = '', escape = '', header = false, auto_detect = false, encoding = 'utf-8', ignore_errors = true, ${REJECTS})`,
      { file: opts.file, delim: LINE_DELIM },
    );
  } catch (err) {
    throw malformed(opts.file, `cannot be read as text lines: ${firstLine(err)}`, 'the file must be UTF-8 text', err);
  }
  return collectReaderRejects(db, opts, 0);
}

// Line text without BOM and line-end/padding whitespace; blank lines are not records.
const CLEAN_LINE = "trim(replace(r.line, chr(65279), ''), E' \\t\\r\\n')";

async function readWhitespace(db: ConnDb, opts: ReadOptions): Promise<RawFile> {
  const readerRejects = await readLines(db, opts);
  const { fromSql, lineSql } = lineWithCorrection('cxp_lines', 0, readerRejects);
  await db.run(
    `create temp table cxp_numbered as
     select ${lineSql} as _cxp_line, ${CLEAN_LINE} as _cxp_text from ${fromSql}
     where r.line is not null and ${CLEAN_LINE} <> ''`,
  );
  let names = opts.cfg.names;
  let headerLine = -1;
  if (opts.cfg.header) {
    const head = await db.one<{ line: number; text: string }>(
      'select _cxp_line as line, _cxp_text as text from cxp_numbered order by _cxp_line limit 1',
    );
    if (!head) {
      await db.run('drop table cxp_numbered');
      throw malformed(opts.file, 'has no header line', 'write the column names on the first line, or set header: false and names');
    }
    headerLine = head.line;
    names ??= head.text.split(/\s+/);
  }
  if (!names || names.length === 0) {
    await db.run('drop table cxp_numbered');
    throw malformed(opts.file, 'has no column names', 'set header: true, or header: false with names');
  }
  const n = names.length;
  const select = names.map((name, i) => `p[${i + 1}] as ${quoteIdent(name)}`).join(', ');
  await db.run(
    `create temp table cxp_split as
     select _cxp_line, _cxp_text, regexp_split_to_array(_cxp_text, '\\s+') as p from cxp_numbered where _cxp_line <> $1`,
    [headerLine],
  );
  await db.run(
    `insert into cxp_rejects (source, file, line, reason, raw_row)
     select $1, $2, _cxp_line, 'expected ${n} fields separated by whitespace, found ' || len(p), _cxp_text
     from cxp_split where len(p) <> ${n}`,
    [opts.source, opts.file],
  );
  const bad = (await db.one<{ n: number }>(`select count(*) as n from cxp_split where len(p) <> ${n}`))?.n ?? 0;
  await db.run(`create temp table cxp_raw as select _cxp_line, _cxp_text, ${select} from cxp_split where len(p) = ${n}`);
  await db.run('drop table cxp_split');
  await db.run('drop table cxp_numbered');
  return {
    columns: names,
    fromSql: 'cxp_raw r',
    lineSql: 'r._cxp_line',
    rawSql: 'r._cxp_text',
    rows: await countRows(db),
    readerRejects: readerRejects + bad,
  };
}

function jsonPath(field: string): string {
  return `$.${JSON.stringify(field)}`;
}

async function readJsonLines(db: ConnDb, opts: ReadOptions): Promise<RawFile> {
  const readerRejects = await readLines(db, opts);
  const { fromSql, lineSql } = lineWithCorrection('cxp_lines', 0, readerRejects);
  // json_type() raises on invalid JSON, so the kind is only asked of valid text.
  await db.run(
    `create temp table cxp_numbered as
     select _cxp_line, _cxp_text, case when json_valid(_cxp_text) then json_type(_cxp_text::json) end as _cxp_kind
     from (select ${lineSql} as _cxp_line, ${CLEAN_LINE} as _cxp_text from ${fromSql} where r.line is not null)
     where _cxp_text <> ''`,
  );
  await db.run(
    `insert into cxp_rejects (source, file, line, reason, raw_row)
     select $1, $2, _cxp_line,
            case when _cxp_kind is null then 'invalid JSON' else 'not a JSON object (' || lower(_cxp_kind) || ')' end,
            _cxp_text
     from cxp_numbered where _cxp_kind is distinct from 'OBJECT'`,
    [opts.source, opts.file],
  );
  const bad = (
    await db.one<{ n: number }>("select count(*) as n from cxp_numbered where _cxp_kind is distinct from 'OBJECT'")
  )?.n ?? 0;
  const wanted = [...new Set(opts.wanted)];
  const params: Record<string, string> = {};
  const fields = wanted.map((w, i) => {
    params[`p${i}`] = jsonPath(w);
    return `json_extract_string(_cxp_text, $p${i}) as ${quoteIdent(w)}`;
  });
  await db.run(
    `create temp table cxp_raw as select _cxp_line, _cxp_text${fields.length ? ', ' + fields.join(', ') : ''}
     from cxp_numbered where _cxp_kind = 'OBJECT'`,
    params,
  );
  // A field is present when at least one object has the key (null values count as present).
  const present: string[] = [];
  if (wanted.length > 0) {
    const exprs = wanted.map((_w, i) => `bool_or(json_exists(_cxp_text, $p${i})) as f${i}`).join(', ');
    const row = await db.one<Record<string, boolean | null>>(`select ${exprs} from cxp_raw`, params);
    wanted.forEach((w, i) => {
      if (row?.[`f${i}`]) present.push(w);
    });
  }
  const rows = await countRows(db);
  await db.run('drop table cxp_numbered');
  return {
    // With no valid object at all there is nothing to check columns against; every line is rejected.
    columns: rows === 0 ? wanted : present,
    fromSql: 'cxp_raw r',
    lineSql: 'r._cxp_line',
    rawSql: 'r._cxp_text',
    rows,
    readerRejects: readerRejects + bad,
  };
}

async function readParquet(db: ConnDb, opts: ReadOptions): Promise<RawFile> {
  try {
    await db.run('create temp table cxp_raw as select * from read_parquet($1)', [opts.file]);
  } catch (err) {
    throw malformed(opts.file, `is not a readable Parquet file: ${firstLine(err)}`, 'check that the file is complete Parquet', err);
  }
  return {
    columns: await describeRaw(db),
    fromSql: 'cxp_raw r',
    lineSql: '(r.rowid + 1)',
    rawSql: 'to_json(r)::varchar',
    rows: await countRows(db),
    readerRejects: 0,
  };
}

/**
 * Text cxpulse cannot read as UTF-8, refused whole with what to do instead of being read as garbage:
 * - UTF-16 (a byte-order mark FF FE / FE FF, or a NUL every other byte in the first line): NUL bytes;
 * - a spreadsheet workbook under a text name (Excel .xlsx / LibreOffice .ods are ZIP archives,
 *   "PK\x03\x04"; Excel 97-2003 .xls is an OLE2 file, D0 CF 11 E0): one garbled "column".
 */
async function assertUtf8Text(opts: ReadOptions): Promise<void> {
  if (/\.(gz|zst|zstd)$/i.test(opts.file)) return;
  const fh = await open(opts.file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const starts = (magic: number[]) => magic.every((b, i) => head[i] === b);
  if (starts([0x50, 0x4b, 0x03, 0x04]) || starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw malformed(opts.file, 'is a spreadsheet workbook or ZIP archive, not delimited text', workbookHint(opts.source));
  }
  const bom = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  let nulEveryOther = head.length >= 8;
  for (let i = 0; i + 1 < Math.min(head.length, 64); i += 2) if ((head[i] === 0) === (head[i + 1] === 0)) nulEveryOther = false;
  if (bom || nulEveryOther) {
    throw malformed(
      opts.file,
      'is UTF-16 text; cxpulse reads UTF-8',
      `convert it, e.g. iconv -f UTF-16 -t UTF-8 ${JSON.stringify(opts.file)} > converted.csv, and point sources.${opts.source}.path at the result`,
    );
  }
}

/** Reads one file into cxp_raw; see RawFile. Leaves the previous file's tables dropped. */
export async function readSourceFile(db: ConnDb, opts: ReadOptions): Promise<RawFile> {
  await dropReaderTables(db);
  if (opts.format === 'parquet') return readParquet(db, opts);
  await assertUtf8Text(opts);
  if (opts.format === 'jsonl') return readJsonLines(db, opts);
  if (opts.cfg.delimiter === 'whitespace') return readWhitespace(db, opts);
  return readDelimited(db, opts);
}

export async function dropRawTables(db: ConnDb): Promise<void> {
  await dropReaderTables(db);
}
