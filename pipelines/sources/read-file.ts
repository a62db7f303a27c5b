import { CxpError } from '../core/errors.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';
import type { SourceConfig } from '../config/types.js';
import type { SourceName } from '../config/schema.js';
import type { FileFormat } from './source-files.js';

/**
 * Reads one source file into the temp table `cxp_raw` (every field as text, nothing lost to type
 * inference) through DuckDB's own readers. Rows the reader cannot parse (wrong field count, invalid
 * UTF-8, broken quoting, invalid JSON) go to `cxp_rejects` with their line and raw text.
 *
 * Line numbers: `line` is the 1-based record number in the file, counting the header line. It equals
 * the physical line number unless a quoted field spans lines (DuckDB's own reject lines count the
 * same way). DuckDB keeps insertion order, so the rowid of `cxp_raw` is the record order of the good
 * rows; the reader's rejected records are added back in with an ASOF join on `cxp_bad`.
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
}

export interface ReadOptions {
  source: SourceName;
  cfg: SourceConfig;
  file: string;
  format: FileFormat;
  /** Source field names the mapping needs (JSON lines extract only these). */
  wanted: string[];
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

async function dropReaderTables(db: ConnDb): Promise<void> {
  await db.run('drop table if exists cxp_reject_errors');
  await db.run('drop table if exists cxp_reject_scans');
  await db.run('drop table if exists cxp_bad');
  await db.run('drop table if exists cxp_lines');
  await db.run('drop table if exists cxp_raw');
}

/**
 * Moves the reader's rejects into cxp_rejects and builds cxp_bad (for line-number correction).
 * `headerLines` is 1 when DuckDB consumed a header line itself.
 */
async function collectReaderRejects(db: ConnDb, opts: ReadOptions, headerLines: number): Promise<number> {
  const exists = await db.one<{ n: number }>(
    "select count(*) as n from duckdb_tables() where table_name = 'cxp_reject_errors' and temporary",
  );
  if (!exists?.n) {
    await db.run('create temp table cxp_bad (g bigint, j bigint)');
    return 0;
  }
  await db.run(
    `insert into cxp_rejects (source, file, line, reason, raw_row)
     select $1, $2, line,
            'malformed row: ' || string_agg(distinct lower(error_type) || ' (' || error_message || ')', '; '),
            any_value(csv_line)
     from cxp_reject_errors group by line`,
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

async function readDelimited(db: ConnDb, opts: ReadOptions): Promise<RawFile> {
  const { cfg, format, file } = opts;
  let delim = cfg.delimiter ?? (format === 'tsv' ? '\t' : ',');
  if (delim === '\\t') delim = '\t';
  const quote = cfg.quote ?? '"';
  const named = cfg.names && cfg.names.length > 0;
  try {
    await db.run(
      `create temp table cxp_raw as select * from read_csv($file, all_varchar = true, delim = $delim, quote = $quote,
         escape = $quote, header = $header, ${named ? `names = from_json($names::varchar, '["VARCHAR"]'),` : ''} null_padding = false,
         encoding = 'utf-8', ignore_errors = true, ${REJECTS})`,
      // names travel as JSON text: a JS array has no DuckDB type to bind as.
      { file, delim, quote, header: cfg.header, ...(named ? { names: JSON.stringify(cfg.names) } : {}) },
    );
  } catch (err) {
    const shown = `delimiter ${JSON.stringify(delim)} and quote ${JSON.stringify(quote)}`;
    const problem = /sniffing/i.test(String(err))
      ? `cannot be parsed as delimited text with ${shown} (an unterminated quote, another delimiter, or not text at all?)`
      : `cannot be read as delimited text with ${shown}: ${firstLine(err)}`;
    throw malformed(file, problem, `check the file, or set sources.${opts.source}.delimiter / quote / header to match it`, err);
  }
  const columns = await describeRaw(db);
  if (named && columns.length !== cfg.names!.length) {
    // DuckDB names the extra fields column3, ...; they would be ignored and their values lost.
    throw malformed(
      file,
      `the file has ${columns.length} fields per row but sources.${opts.source}.names lists ${cfg.names!.length}`,
      `give one name per field in sources.${opts.source}.names (in file order)`,
    );
  }
  const readerRejects = await collectReaderRejects(db, opts, cfg.header ? 1 : 0);
  return {
    columns,
    ...lineWithCorrection('cxp_raw', cfg.header ? 1 : 0, readerRejects),
    rawSql: 'to_json(r)::varchar',
    rows: await countRows(db),
    readerRejects,
  };
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

/** Reads one file into cxp_raw; see RawFile. Leaves the previous file's tables dropped. */
export async function readSourceFile(db: ConnDb, opts: ReadOptions): Promise<RawFile> {
  await dropReaderTables(db);
  if (opts.format === 'parquet') return readParquet(db, opts);
  if (opts.format === 'jsonl') return readJsonLines(db, opts);
  if (opts.cfg.delimiter === 'whitespace') return readWhitespace(db, opts);
  return readDelimited(db, opts);
}

export async function dropRawTables(db: ConnDb): Promise<void> {
  await dropReaderTables(db);
}
