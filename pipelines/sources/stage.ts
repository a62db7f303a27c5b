import { readFileSync } from 'node:fs';
import { CxpError } from '../core/errors.js';
import { fromRoot } from '../core/paths.js';
import { SOURCE_TRIM_CHARS } from '../core/source-text.js';
import { quoteIdent, quoteLiteral } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';
import type { SourceConfig } from '../config/types.js';
import type { RawFile } from './read-file.js';
import { rejectKeyConflicts } from './key-conflicts.js';
import { applyPlausibility, plausibilityReason } from './plausibility.js';
import type { SourceSpec } from './source-specs.js';
import { noAnswerForSql, resolveSurveyScales } from './survey-scales.js';
import { createSourceMacros, rewriteValueSql, setValueMaps } from '../sources/value-map.js';

/**
 * Helpers the staging models call. Timestamps: with a source `timestampFormat` the format (bound into
 * the variable cxp_ts_format, never concatenated) is the only accepted form; without one, ISO dates and
 * timestamps, where a trailing Z or UTC offset is converted to UTC and a naive value is read in the
 * source's zone (`sources.<name>.timezone`, default the top-level `timezone`) and converted to UTC.
 */
export const STAGING_MACROS = [
  // A naive timestamp is wall-clock time in the source's zone (cxp_source_tz, an IANA name bound per
  // source): converted to UTC, the zone every canonical timestamp is stored in.
  `create or replace temp macro cxp_from_source_zone(t) as
     case when getvariable('cxp_source_tz') = 'UTC' then t else timezone('UTC', timezone(getvariable('cxp_source_tz'), t)) end`,
  `create or replace temp macro cxp_parse_ts(v) as
     case
       when v is null then null::timestamp
       when getvariable('cxp_ts_format') is not null then cxp_from_source_zone(try_strptime(v, getvariable('cxp_ts_format')))
       -- fast path: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM', 'YYYY-MM-DD HH:MM:SS' cannot carry an offset
       when length(v) <= 16 or (length(v) = 19 and substr(v, 17, 1) = ':') then cxp_from_source_zone(try_cast(v as timestamp))
       when length(v) > 16 and (right(v, 1) in ('Z', 'z') or strpos(substr(v, 17), '+') > 0 or strpos(substr(v, 17), '-') > 0)
         then timezone('UTC', try_cast(v as timestamptz))
       else cxp_from_source_zone(try_cast(v as timestamp))
     end`,
  // The purchase status and kind vocabulary (sql/core/010_canonical.sql), checked by stg_purchases and
  // stg_purchase_lines alike: the reject reason, or null when both are known words.
  `create or replace temp macro cxp_purchase_word_problem(status, kind) as
     case
       when status not in ('completed', 'refunded', 'cancelled', 'returned')
         then 'unknown status "' || status || '" (expected completed, refunded, cancelled or returned)'
       when kind not in ('order', 'return')
         then 'unknown kind "' || kind || '" (expected order or return)'
     end`,
  // list_contains, not IN: DuckDB plans an IN list of 5+ words as a (mark) hash join.
  `create or replace temp macro cxp_parse_bool(v) as
     case
       when list_contains(['true', 't', 'yes', 'y', '1'], lower(v)) then true
       when list_contains(['false', 'f', 'no', 'n', '0'], lower(v)) then false
       else null::boolean
     end`,
];

/**
 * cxp_num(v): a number's text as DuckDB casts it, per source (`decimalSeparator`). For "." (the default,
 * and for typed sources: Parquet, JSON lines, PostgreSQL) it is v itself, so it costs nothing. For ","
 * (European exports): "1234,5", "1.234,5" and "1 234,5" (a space, no-break or narrow no-break space grouping
 * thousands) become "1234.5"; any other text becomes null, so the staging model rejects the row as
 * unparseable quoting the text as written. "12.50" is such a text: with "," as the decimal mark its "."
 * can only group thousands, and 12.50 is not grouped in threes.
 */
export function numberMacro(decimalSeparator: '.' | ','): string {
  if (decimalSeparator === '.') return 'create or replace temp macro cxp_num(v) as v';
  return `create or replace temp macro cxp_num(v) as
     case
       when regexp_full_match(v, '[+-]?[0-9]+(,[0-9]+)?') then replace(v, ',', '.')
       when regexp_full_match(v, '[+-]?[0-9]{1,3}([. \\x{00A0}\\x{202F}][0-9]{3})+(,[0-9]+)?')
         then replace(regexp_replace(v, '[. \\x{00A0}\\x{202F}]', '', 'g'), ',', '.')
     end`;
}

/**
 * cxp_num_hint(v): appended to an "unparseable <number>" reason. With "." as the decimal mark, a text
 * that can only be a decimal comma ("12,50", "1.234,5") says which setting reads it (the source's name is
 * the variable cxp_source_name); otherwise nothing. "1,234" gets no hint: it may be a thousands separator.
 */
export function numberHintMacro(decimalSeparator: '.' | ',' | 'none'): string {
  if (decimalSeparator !== '.') return "create or replace temp macro cxp_num_hint(v) as ''";
  return `create or replace temp macro cxp_num_hint(v) as
     case when regexp_full_match(v, '[+-]?[0-9]+,([0-9]{1,2}|[0-9]{4,})') or regexp_full_match(v, '[+-]?[0-9]{1,3}([. ][0-9]{3})+,[0-9]+')
       then ' (a decimal comma? set sources.' || getvariable('cxp_source_name') || '.decimalSeparator to ",")'
       else '' end`;
}

export async function createStagingMacros(db: ConnDb): Promise<void> {
  // Naive timestamps are UTC; timestamptz casts must not depend on the machine's zone.
  await db.run("set session TimeZone = 'UTC'");
  await db.run('set session preserve_insertion_order = true');
  await db.run("set variable cxp_ts_format = null::varchar");
  await db.run("set variable cxp_source_tz = 'UTC'");
  await db.run('set variable cxp_derive_order_id = false');
  // Whether stg_purchases' derived-id branch can have rows; true (always run it) unless stageFile finds none.
  await db.run('set variable cxp_derived_rows = true');
  for (const m of STAGING_MACROS) await db.run(m);
  await db.run(numberMacro('.'));
  await db.run(numberHintMacro('.'));
  await db.run("set variable cxp_source_name = ''");
  await createSourceMacros(db);
}

const modelCache = new Map<string, string>();
export function stagingSql(model: string): string {
  let sql = modelCache.get(model);
  if (sql === undefined) {
    sql = readFileSync(fromRoot('sql', 'staging', `${model}.sql`), 'utf8').trim().replace(/;\s*$/, '');
    modelCache.set(model, sql);
  }
  return sql;
}

/** Where each canonical column comes from in a file: a source column, a configured default, or nothing. */
export interface ColumnPlan {
  canonical: string;
  sourceColumn?: string;
  hasDefault: boolean;
}

/**
 * Maps canonical columns to the file's columns. `columns` maps canonical -> source name; absent means the
 * canonical name itself. A mapped column (or a required one without a default) missing from the file is
 * an error naming the file, the column and what the file has.
 */
export function planColumns(spec: SourceSpec, cfg: SourceConfig, file: string, raw: RawFile): ColumnPlan[] {
  const have = new Set(raw.columns);
  const missing: string[] = [];
  // The attributes column is built from the declared attribute columns (createRawView), not read by name.
  const attributeColumns = spec.source === 'customers' ? Object.entries(cfg.attributes ?? {}).map(([name, a]) => a.column ?? name) : [];
  for (const c of attributeColumns) if (!have.has(c)) missing.push(`${c} (attribute)`);
  const plans = spec.columns.map((c) => {
    if (c.name === 'attributes' && spec.source === 'customers') return { canonical: c.name, hasDefault: false };
    const mapped = cfg.columns[c.name];
    const name = mapped ?? c.name;
    const hasDefault = Object.hasOwn(cfg.defaults, c.name);
    if (have.has(name)) return { canonical: c.name, sourceColumn: name, hasDefault };
    if (mapped !== undefined || (c.required && !hasDefault)) missing.push(mapped ? `${name} (for ${c.name})` : name);
    return { canonical: c.name, hasDefault };
  });
  for (const q of cfg.answerColumns ?? []) if (!have.has(q)) missing.push(`${q} (answer column)`);
  if (missing.length > 0) {
    const shown = raw.columns.filter((c) => !c.startsWith('_cxp_')).slice(0, 12);
    const single = shown.length === 1 ? shown[0] : undefined;
    // The separator the one-column header is full of: the one to set (a tab shown as JSON writes it).
    const separator = single === undefined ? undefined : [';', ',', '\t', '|'].map((d) => ({ d, n: single.split(d).length - 1 })).sort((a, b) => b.n - a.n)[0];
    const wrongDelimiter = separator !== undefined && separator.n > 0;
    throw new CxpError(
      'CXP_ERR_SOURCE_COLUMN_MISSING',
      `${file}: column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found; the file has ${shown.length === 0 ? 'no columns' : shown.map((c) => JSON.stringify(c)).join(', ')}`,
      {
        where: file,
        source: spec.source,
        missing,
        hint: wrongDelimiter
          ? `the header looks like one column split by ${JSON.stringify(separator.d)}: set sources.${spec.source}.delimiter to ${JSON.stringify(separator.d)}${cfg.delimiter === undefined ? '' : ` (it is ${JSON.stringify(cfg.delimiter)})`}`
          : `map the columns with sources.${spec.source}.columns (canonical name -> column in the file), or give sources.${spec.source}.defaults`,
      },
    );
  }
  return plans;
}

/** Binds the per-source variables the staging model reads. */
export async function setSourceVariables(
  db: ConnDb,
  spec: SourceSpec,
  cfg: SourceConfig,
  plans: ColumnPlan[],
  /**
   * Parquet, JSON lines or a database: numbers arrive typed (their text has a "." decimal mark whatever the
   * config says), and no decimalSeparator applies, so no reason suggests one.
   */
  typedNumbers = false,
): Promise<void> {
  await db.run('set variable cxp_ts_format = $1::varchar', [cfg.timestampFormat ?? null]);
  const decimal = typedNumbers ? '.' : (cfg.decimalSeparator ?? '.');
  await db.run(numberMacro(decimal));
  await db.run(numberHintMacro(typedNumbers ? 'none' : decimal));
  await db.run('set variable cxp_source_name = $1::varchar', [spec.source]);
  await db.run('set variable cxp_source_tz = $1::varchar', [cfg.timezone ?? 'UTC']);
  const orderPlan = plans.find((p) => p.canonical === 'order_id');
  await db.run('set variable cxp_derive_order_id = $1', [spec.source === 'purchases' && !orderPlan?.sourceColumn && !orderPlan?.hasDefault]);
  for (const p of plans) {
    if (p.hasDefault) await db.run(`set variable ${defaultVar(p.canonical)} = $1::varchar`, [String(cfg.defaults[p.canonical])]);
  }
  await db.run('set variable cxp_return_prefix = $1::varchar', [cfg.returns?.orderIdPrefix ?? null]);
  await setValueMaps(db, cfg);
  // Bound as JSON text: an empty JS array has no DuckDB type to bind as.
  await db.run(`set variable cxp_answer_questions = from_json($1::varchar, '["VARCHAR"]')`, [JSON.stringify(cfg.answerColumns ?? [])]);
  const attrs = spec.source === 'customers' ? Object.entries(cfg.attributes ?? {}) : [];
  await db.run(`set variable cxp_attribute_names = from_json($1::varchar, '["VARCHAR"]')`, [JSON.stringify(attrs.map(([n]) => n))]);
  await db.run(`set variable cxp_numeric_attributes = from_json($1::varchar, '["VARCHAR"]')`, [
    JSON.stringify(attrs.filter(([, a]) => a.type === 'numeric').map(([n]) => n)),
  ]);
  if (spec.source === 'surveys') {
    const scales = resolveSurveyScales(cfg);
    const score = noAnswerForSql(scales.score.noAnswer);
    await db.run(`set variable cxp_score_na_text = from_json($1::varchar, '["VARCHAR"]')`, [JSON.stringify(score.text)]);
    await db.run(`set variable cxp_score_na_num = from_json($1::varchar, '["DOUBLE"]')`, [JSON.stringify(score.numbers)]);
    const perColumn = (cfg.answerColumns ?? []).map((q) => {
      const sc = scales.questions[q];
      const na = noAnswerForSql(sc.noAnswer);
      return { min: sc.min, max: sc.max, na_text: na.text, na_num: na.numbers };
    });
    await db.run(
      `set variable cxp_answer_scales = from_json($1::varchar, '[{"min":"DOUBLE","max":"DOUBLE","na_text":["VARCHAR"],"na_num":["DOUBLE"]}]')`,
      [JSON.stringify(perColumn)],
    );
  }
}

function defaultVar(canonical: string): string {
  // Canonical names are ours (source-specs.ts), so the variable name is a safe identifier.
  return `cxp_default_${canonical}`;
}

/**
 * Source text as the staging models see it: trimmed of the characters JavaScript's trim() removes
 * (core/source-text.ts, so ids match whichever door they come in by: "C6<TAB>" is "C6"), '' as null.
 * Trimming allocates a new string, so it only runs on values that may start or end with one of those
 * characters (all are <= U+0020 or >= U+0085). The test is by bytes, a superset of that (a value it
 * passes over starts and ends with a printable ASCII character, so trim() would return it unchanged):
 * first byte <= 0x20, any non-ASCII character (byte length <> character length), or last byte <= 0x20.
 * It costs a third of testing the first and last characters (`right(v, 1)` counts characters): ~1 s of
 * CPU per 10M values.
 */
const TRIM_SET = quoteLiteral(SOURCE_TRIM_CHARS);
export function sourceTextSql(expr: string, spaceOnly = false): string {
  const v = `cast(${expr} as varchar)`;
  // spaceOnly (the file's bytes show that a space is the only trim character a value can start or end
  // with: RawFile.spaceOnly): the first byte and a trailing space, two byte tests instead of counting
  // characters (~40% of this expression's cost).
  const edge = spaceOnly
    ? `${v} < '!' or suffix(${v}, ' ')`
    : `${v} < '!' or strlen(${v}) <> length(${v}) or substr(${v}, strlen(${v})) < '!'`;
  return `(case when ${edge} then nullif(trim(${v}, ${TRIM_SET}), '') else nullif(${v}, '') end)`;
}

/** The view raw_<source> the staging model reads: canonical names, text, blanks as null. */
export async function createRawView(db: ConnDb, spec: SourceSpec, cfg: SourceConfig, raw: RawFile, plans: ColumnPlan[], fileIdx: number): Promise<void> {
  const text = (expr: string): string => sourceTextSql(expr, raw.spaceOnly === true);
  const cols = plans.map((p) => {
    if (p.canonical === 'attributes' && spec.source === 'customers') {
      // One JSON object of the declared attributes' text (names from config, values bound by position).
      const attrs = Object.entries(cfg.attributes ?? {});
      if (attrs.length === 0) return 'null::varchar as attributes';
      const values = attrs.map(([name, a]) => text(`r.${quoteIdent(a.column ?? name)}`));
      return `to_json(map(getvariable('cxp_attribute_names'), [${values.join(', ')}]))::varchar as attributes`;
    }
    const value = p.sourceColumn ? text(`r.${quoteIdent(p.sourceColumn)}`) : 'null::varchar';
    const withDefault = p.hasDefault ? `coalesce(${value}, getvariable('${defaultVar(p.canonical)}'))` : value;
    return `${rewriteValueSql(cfg, p.canonical, withDefault)} as ${quoteIdent(p.canonical)}`;
  });
  if (spec.source === 'surveys') {
    const answers = (cfg.answerColumns ?? []).map(
      (q, i) =>
        `{'question': getvariable('cxp_answer_questions')[${i + 1}], 'value': ${text(`r.${quoteIdent(q)}`)}, 'scale': getvariable('cxp_answer_scales')[${i + 1}]}`,
    );
    cols.push(
      answers.length > 0
        ? `[${answers.join(', ')}] as _answers`
        : `[]::struct(question varchar, value varchar, scale struct(min double, max double, na_text varchar[], na_num double[]))[] as _answers`,
    );
  }
  await db.run(
    `create or replace temp view ${quoteIdent(`raw_${spec.source}`)} as
     select ${fileIdx}::integer as _file_idx, ${raw.lineSql}::bigint as _line, r.rowid as _rowid, ${cols.join(', ')}
     from ${raw.fromSql}`,
  );
}

export const ERASED_REASON = 'customer erased by cxpulse forget: not loaded again';
export const ERASED_READER_REASON = 'unreadable row naming a customer erased by cxpulse forget: raw text not kept';

/**
 * Rows the READER rejected (malformed lines) never reach staging, so their raw text is checked here
 * before it is stored: a line with a token whose sha256 is an erased customer's id (or, lower-cased,
 * their e-mail's) keeps its line number and count but loses its text. Tokens are the runs of characters
 * between delimiters, quotes, blanks and JSON punctuation.
 */
export async function scrubErasedFromRejects(db: ConnDb): Promise<number> {
  const any = await db.one<{ n: number }>('select count(*) as n from erased_customers');
  if (!any?.n) return 0;
  await db.run(
    `create or replace temp table cxp_erased_hits as
     select distinct rid from (
       select rowid as rid, unnest(regexp_extract_all(raw_row, '[^\\s,;|"''{}\\[\\]:\\\\]+')) as tok
       from cxp_rejects where raw_row is not null and reason <> $1
     )
     where sha256(tok) in (select customer_key_sha256 from erased_customers)
        or sha256(lower(tok)) in (select email_sha256 from erased_customers where email_sha256 is not null)`,
    [ERASED_REASON],
  );
  const n = (await db.one<{ n: number }>('select count(*) as n from cxp_erased_hits'))?.n ?? 0;
  if (n > 0) {
    await db.run('update cxp_rejects set raw_row = null, reason = $1 where rowid in (select rid from cxp_erased_hits)', [ERASED_READER_REASON]);
  }
  await db.run('drop table cxp_erased_hits');
  return n;
}

export function stagedTable(spec: SourceSpec): string {
  return `cxp_stg_${spec.source}`;
}

/**
 * Runs the staging model over the current file and appends the result to cxp_stg_<source>, then the
 * plausibility step (plausibility.ts) and the within-file key conflict check (key-conflicts.ts);
 * copies rejected rows (with their raw text) to cxp_rejects. Returns the number rejected, how many
 * of those were key conflicts, and how many keys occur more than once among the file's valid rows.
 */
export async function stageFile(
  db: ConnDb,
  spec: SourceSpec,
  cfg: Pick<SourceConfig, 'plausibility'>,
  raw: RawFile,
  file: string,
  fileIdx: number,
  runDate: Date,
): Promise<{ rejected: number; conflicts: number; repeatedKeys: number }> {
  const table = quoteIdent(stagedTable(spec));
  const sql = stagingSql(spec.stagingModel);
  await db.run(`create temp table if not exists ${table} as select * from (${sql}) limit 0`);
  if (spec.stagingModel === 'stg_purchases') {
    // The model's test for its derived-id branch, asked of the raw rows first (stg_purchases.sql): with
    // no such row the branch is pruned.
    const any = await db.one<{ n: number }>(
      `select count(*) as n from (
         select 1 from raw_purchases
         where getvariable('cxp_derive_order_id') or (order_id is null and coalesce(lower(kind), 'order') = 'return')
         limit 1)`,
    );
    await db.run('set variable cxp_derived_rows = $1', [(any?.n ?? 0) > 0]);
  }
  // Plausibility (plausibility.ts) on the rows the model accepts: when its rules need only the staged
  // values (no raw-text rule can fire in this file), the first broken rule is written by the insert itself
  // (COALESCE evaluates it only where the model gave no reason), rather than by a second pass over the
  // staged rows. The erasure check below overrides any reason, so its place before or after is all one.
  const plausible = await plausibilityReason(db, spec, cfg, runDate);
  const folded = plausible !== undefined && !plausible.needsRaw;
  const rows = folded ? `select * replace (coalesce(s.reject_reason, ${plausible.sql}) as reject_reason) from (${sql}) s` : sql;
  // Line numbers come from cxp_raw's rowid, fixed when the reader wrote it in order (read-file.ts); the
  // staged rows carry them as columns and nothing reads their own order, so the insert runs in parallel.
  await db.run('set session preserve_insertion_order = false');
  try {
    await db.run(`insert into ${table} ${rows}`);
  } finally {
    await db.run('set session preserve_insertion_order = true');
  }
  // Customers erased with `cxpulse forget` stay out when their source files are read again. Their rows
  // are accounted as rejected, without the raw text (it is the personal data that was erased), whatever
  // else is wrong with the row.
  await db.run(
    `update ${table} set reject_reason = $1
     where _file_idx = ${fileIdx} and customer_id is not null
       and sha256(customer_id) in (select customer_key_sha256 from erased_customers)`,
    [ERASED_REASON],
  );
  if (!folded) await applyPlausibility(db, spec, cfg, stagedTable(spec), fileIdx, runDate, plausible ?? null);
  const { conflicts, repeatedKeys } = await rejectKeyConflicts(db, spec, stagedTable(spec), fileIdx);
  const n = await db.one<{ n: number }>(
    `select count(*) as n from ${table} where _file_idx = ${fileIdx} and reject_reason is not null`,
  );
  if (n?.n) {
    await db.run(
      `insert into cxp_rejects (source, file, line, reason, raw_row)
       select $1, $2, s._line, s.reject_reason, case when s.reject_reason = $3 then null else ${raw.rawSql} end
       from ${table} s join cxp_raw r on r.rowid = s._rowid
       where s._file_idx = ${fileIdx} and s.reject_reason is not null`,
      [spec.source, file, ERASED_REASON],
    );
  }
  return { rejected: n?.n ?? 0, conflicts, repeatedKeys };
}
