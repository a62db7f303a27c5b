import { isoDate } from '../core/clock.js';
import { CONTROL_CHAR_SQL_PATTERN, INVISIBLE_CHAR_SQL_PATTERN } from '../core/source-text.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';

/**
 * Plausibility: the step after each staging model. A row can parse and still be impossible (a purchase
 * in 2999, an answer of 1e200, NUL inside an id): such a row would move the as-of date, poison every
 * later aggregate or create a phantom customer. This step rejects it, with a reason naming the rule and
 * the config key that sets it, before anything is stored. It runs on the typed staged rows (and the raw
 * text, for numeric precision), only on rows the staging model accepted, so staging models stay about
 * casting and each row still gets ONE reason.
 *
 * Rules are per canonical column; `sources.<name>.plausibility.<column>` overrides the defaults below.
 */
export interface ColumnRule {
  /** Timestamps: not before this date (YYYY-MM-DD). */
  notBefore?: string;
  /** Timestamps: at most this many years before the run date. */
  maxYearsBack?: number;
  /** Timestamps: at most this many days after the run date (time zones, clock skew). */
  maxDaysAhead?: number;
  /** Numbers: inclusive bounds. Non-finite values (NaN, inf) are always implausible. */
  min?: number;
  max?: number;
  /** Numbers: at most this many decimal places; more would be rounded on storage, so the row is rejected. */
  decimals?: number;
  /** Ids and e-mail: longest accepted text, in characters. */
  maxLength?: number;
}

export type PlausibilityRules = Record<string, ColumnRule>;

// The source names (config/schema.ts SOURCE_NAMES); spelled out here so config can import this file.
type SourceName = 'customers' | 'purchases' | 'interactions' | 'surveys';
/** The part of a source's spec (source-specs.ts) this step reads. */
interface SourceSpec {
  source: SourceName;
  columns: { name: string }[];
}
/** The part of a source's config this step reads. */
interface SourceConfig {
  plausibility?: PlausibilityRules;
}

type Kind = 'timestamp' | 'number' | 'id' | 'text' | 'answers';

const EVENT_TIME: ColumnRule = { maxYearsBack: 50, maxDaysAhead: 2 };
const ID: ColumnRule = { maxLength: 256 };

/** The defaults, per source and canonical column. `answers` = the surveys' answer columns. */
export const DEFAULT_PLAUSIBILITY: Record<SourceName, Record<string, { kind: Kind; rule: ColumnRule }>> = {
  customers: {
    customer_id: { kind: 'id', rule: ID },
    email: { kind: 'text', rule: { maxLength: 320 } },
    signup_at: { kind: 'timestamp', rule: { maxYearsBack: 100, maxDaysAhead: 2 } },
  },
  purchases: {
    order_id: { kind: 'id', rule: ID },
    customer_id: { kind: 'id', rule: ID },
    ordered_at: { kind: 'timestamp', rule: EVENT_TIME },
    // decimal(18, 2) in the warehouse: two places; a billion per order is far above any retail order.
    amount: { kind: 'number', rule: { min: -1_000_000_000, max: 1_000_000_000, decimals: 2 } },
  },
  interactions: {
    interaction_id: { kind: 'id', rule: ID },
    customer_id: { kind: 'id', rule: ID },
    opened_at: { kind: 'timestamp', rule: EVENT_TIME },
    first_response_at: { kind: 'timestamp', rule: EVENT_TIME },
    resolved_at: { kind: 'timestamp', rule: EVENT_TIME },
  },
  surveys: {
    response_id: { kind: 'id', rule: ID },
    customer_id: { kind: 'id', rule: ID },
    interaction_id: { kind: 'id', rule: ID },
    submitted_at: { kind: 'timestamp', rule: EVENT_TIME },
    answers: { kind: 'answers', rule: { min: -1_000_000, max: 1_000_000 } },
  },
};

/** JSON schema of `sources.<name>.plausibility` (checked by the config loader). */
export const plausibilitySchema = {
  type: 'object',
  description: 'canonical column -> plausibility rule overriding the defaults (see pipelines/sources/README.md)',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      notBefore: { type: 'string', format: 'date' },
      maxYearsBack: { type: 'number', exclusiveMinimum: 0 },
      maxDaysAhead: { type: 'number', minimum: 0 },
      min: { type: 'number' },
      max: { type: 'number' },
      decimals: { type: 'integer', minimum: 0, maximum: 10 },
      maxLength: { type: 'integer', minimum: 1 },
    },
  },
} as const;

/** Problems with a source's plausibility overrides that the schema cannot see (unknown column, min > max). */
export function plausibilityProblems(source: SourceName, cfg: Pick<SourceConfig, 'plausibility'>): string[] {
  const out: string[] = [];
  const known = DEFAULT_PLAUSIBILITY[source];
  for (const [column, rule] of Object.entries(cfg.plausibility ?? {})) {
    const key = `sources.${source}.plausibility.${column}`;
    if (!known[column]) {
      out.push(`${key}: no plausibility rule for this column (rules exist for ${Object.keys(known).join(', ')})`);
      continue;
    }
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) out.push(`${key}: min ${rule.min} is above max ${rule.max}`);
  }
  return out;
}

/** The effective rules of one source: defaults, then the config's overrides. */
export function effectiveRules(source: SourceName, cfg: Pick<SourceConfig, 'plausibility'>): Record<string, { kind: Kind; rule: ColumnRule }> {
  const out: Record<string, { kind: Kind; rule: ColumnRule }> = {};
  for (const [column, d] of Object.entries(DEFAULT_PLAUSIBILITY[source])) {
    out[column] = { kind: d.kind, rule: { ...d.rule, ...(cfg.plausibility?.[column] ?? {}) } };
  }
  return out;
}

/** SQL string literal for a reason fragment (our own text: config keys, numbers, dates). */
function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

interface Check {
  /** True when the rule is broken. */
  cond: string;
  /** The reject reason (SQL text expression). */
  reason: string;
  /** Needs the raw text (join on raw_<source>). */
  raw?: boolean;
  /**
   * Raw checks: a cheap condition over the raw text alone (alias r) that is true on every row where
   * `cond` can be. When no row of the file meets it the check cannot fire and is left out, and with it
   * the join with the raw text (most of this step's time on clean files).
   */
  guard?: string;
}

/**
 * True for every text holding a control character (C0 U+0000-U+001F, DEL, C1 U+0080-U+009F), and for
 * few others: a C1 character is not ASCII (byte length <> character length); DEL is looked for; a C0
 * character must be escaped in JSON, so the text's JSON form is longer than the text and its two quotes
 * (so is a text with `"` or a backslash: the regular expression then decides). About half the cost of
 * the regular expression on clean ids.
 */
export function mayHoldControl(c: string): string {
  return `strlen(${c}) <> length(${c}) or contains(${c}, chr(127)) or strlen(to_json(${c})) <> strlen(${c}) + 2`;
}

function checksFor(source: SourceName, column: string, kind: Kind, rule: ColumnRule, runDate: Date): Check[] {
  const c = `s.${quoteIdent(column)}`;
  const key = `sources.${source}.plausibility.${column}`;
  const checks: Check[] = [];
  if (kind === 'id' || kind === 'text') {
    checks.push({
      // RE2 costs ~0.1 us a value; it runs only where a control character can be (mayHoldControl).
      cond: `(${mayHoldControl(c)}) and regexp_matches(${c}, ${lit(CONTROL_CHAR_SQL_PATTERN)})`,
      reason: lit(`implausible ${column}: contains a control character (U+0000-U+001F, U+007F-U+009F)`),
    });
    if (kind === 'id') {
      checks.push({
        // Every Cf character is outside ASCII: clean ASCII ids never reach the regular expression.
        cond: `strlen(${c}) <> length(${c}) and regexp_matches(${c}, ${lit(INVISIBLE_CHAR_SQL_PATTERN)})`,
        // printf, not lpad: lpad would cut a code point above U+FFFF (U+E0001) to four digits.
        reason: `${lit(`implausible ${column}: contains the invisible character U+`)} || printf('%04X', unicode(regexp_extract(${c}, ${lit(
          INVISIBLE_CHAR_SQL_PATTERN,
        )}))) || ${lit(' (a zero-width or formatting mark, often pasted from a web page or spreadsheet: the key would differ from the one it looks like; remove it at the source)')}`,
      });
    }
    if (rule.maxLength !== undefined) {
      checks.push({
        cond: `length(${c}) > ${rule.maxLength}`,
        reason: `${lit(`implausible ${column}: `)} || length(${c}) || ${lit(` characters, more than ${rule.maxLength} (${key}.maxLength)`)}`,
      });
    }
  }
  if (kind === 'timestamp') {
    const day = 86_400_000;
    const bounds: { after: Date; why: string }[] = [];
    if (rule.notBefore) bounds.push({ after: new Date(`${rule.notBefore}T00:00:00Z`), why: `${key}.notBefore` });
    if (rule.maxYearsBack !== undefined) {
      const d = new Date(runDate);
      d.setUTCFullYear(d.getUTCFullYear() - Math.floor(rule.maxYearsBack));
      d.setTime(d.getTime() - (rule.maxYearsBack % 1) * 365.25 * day);
      bounds.push({ after: d, why: `${rule.maxYearsBack} years before the run date ${isoDate(runDate)}, ${key}.maxYearsBack` });
    }
    const lower = bounds.sort((a, b) => b.after.getTime() - a.after.getTime())[0];
    if (lower) {
      checks.push({
        cond: `${c} < ${lit(lower.after.toISOString().replace('T', ' ').replace('Z', ''))}::timestamp`,
        reason: `${lit(`implausible ${column} `)} || strftime(${c}, '%Y-%m-%d %H:%M:%S') || ${lit(`: before ${isoDate(lower.after)} (${lower.why})`)}`,
      });
    }
    if (rule.maxDaysAhead !== undefined) {
      const upper = new Date(runDate.getTime() + rule.maxDaysAhead * day);
      checks.push({
        cond: `${c} > ${lit(upper.toISOString().replace('T', ' ').replace('Z', ''))}::timestamp`,
        reason: `${lit(`implausible ${column} `)} || strftime(${c}, '%Y-%m-%d %H:%M:%S') || ${lit(
          `: after the run date ${isoDate(runDate)} + ${rule.maxDaysAhead} days (${key}.maxDaysAhead)`,
        )}`,
      });
    }
  }
  if (kind === 'number') {
    if (rule.decimals !== undefined) {
      // The staged value is already rounded to the column's scale; the raw text says what was meant.
      // As DuckDB reads it: a decimal comma is a '.' here (stage.ts numberMacro).
      const text = `cxp_num(r.${quoteIdent(column)})`;
      const raw = `try_cast(${text} as decimal(38, 10))`;
      // Casting text to a 38-digit decimal costs ~8 us a value (~7 s per 1M rows, most of this step), so
      // it only runs where the text can carry more places than allowed: more than `decimals` characters
      // after its first '.', or an exponent. Any other text has at most `decimals` fractional digits
      // (or does not parse): the full test would be false for it anyway. CASE keeps the cast lazy.
      const mayHaveMore = `(strpos(${text}, '.') > 0 and length(${text}) - strpos(${text}, '.') > ${rule.decimals}) or contains(${text}, 'e') or contains(${text}, 'E')`;
      checks.push({
        raw: true,
        guard: mayHaveMore,
        cond: `(case when ${mayHaveMore} then ${raw} is not null and ${raw} <> round(${raw}, ${rule.decimals}) else false end)`,
        reason: `${lit(`implausible ${column} `)} || r.${quoteIdent(column)} || ${lit(
          `: more than ${rule.decimals} decimal places would be rounded on storage (${key}.decimals)`,
        )}`,
      });
    }
    if (rule.min !== undefined) {
      checks.push({
        cond: `${c} < ${rule.min}`,
        reason: `${lit(`implausible ${column} `)} || ${c}::varchar || ${lit(` below ${rule.min} (${key}.min)`)}`,
      });
    }
    if (rule.max !== undefined) {
      checks.push({
        cond: `${c} > ${rule.max}`,
        reason: `${lit(`implausible ${column} `)} || ${c}::varchar || ${lit(` above ${rule.max} (${key}.max)`)}`,
      });
    }
  }
  if (kind === 'answers') {
    const bad = `list_filter(s._answers, a -> not isfinite(a.score)${rule.min !== undefined ? ` or a.score < ${rule.min}` : ''}${
      rule.max !== undefined ? ` or a.score > ${rule.max}` : ''
    })`;
    checks.push({
      cond: `len(${bad}) > 0`,
      reason: `${lit('implausible answer ')} || ${bad}[1].score::varchar || ${lit(' in ')} || ${bad}[1].question || ${lit(
        `: not a finite number within ${rule.min ?? '-inf'}..${rule.max ?? 'inf'} (${key}.min / max)`,
      )}`,
    });
  }
  return checks;
}

/** The plausibility rules of one file as one SQL expression over the staged row (alias s). */
export interface PlausibilityReason {
  /** The first broken rule's reject reason, or null (a CASE over `s`, and `r` when needsRaw). */
  sql: string;
  /** Reads the raw text too: a join of the staged rows with raw_<source> on _rowid (alias r). */
  needsRaw: boolean;
}

/**
 * The rules that can fire on the file whose raw view is raw_<source>, or undefined when there are none.
 * A rule on the raw text whose guard no row of the file meets cannot fire and is left out (and with it
 * the join with the raw text).
 */
export async function plausibilityReason(
  db: ConnDb,
  spec: SourceSpec,
  cfg: Pick<SourceConfig, 'plausibility'>,
  runDate: Date,
): Promise<PlausibilityReason | undefined> {
  const staged = new Set([...spec.columns.map((c) => c.name), ...(spec.source === 'surveys' ? ['_answers'] : [])]);
  const checks: Check[] = [];
  for (const [column, { kind, rule }] of Object.entries(effectiveRules(spec.source, cfg))) {
    if (!staged.has(kind === 'answers' ? '_answers' : column)) continue;
    checks.push(...checksFor(spec.source, column, kind, rule, runDate));
  }
  const raw = checks.filter((c) => c.raw);
  if (raw.length > 0) {
    const guards = raw.map((c) => `(${c.guard ?? 'true'})`).join(' or ');
    const hit = await db.one<{ n: number }>(
      `select count(*) as n from (select 1 from ${quoteIdent(`raw_${spec.source}`)} r where ${guards} limit 1)`,
    );
    if (!hit?.n) checks.splice(0, checks.length, ...checks.filter((c) => !c.raw));
  }
  if (checks.length === 0) return undefined;
  return { sql: `case ${checks.map((c) => `when ${c.cond} then ${c.reason}`).join(' ')} end`, needsRaw: checks.some((c) => c.raw) };
}

/**
 * Rejects the implausible rows of the file just staged (`table`, rows of `fileIdx` the staging
 * model accepted), writing the first broken rule as the reject reason. Returns how many were rejected.
 * `reason`: from plausibilityReason (asked here when not given).
 */
export async function applyPlausibility(
  db: ConnDb,
  spec: SourceSpec,
  cfg: Pick<SourceConfig, 'plausibility'>,
  table: string,
  fileIdx: number,
  runDate: Date,
  reason?: PlausibilityReason | null,
): Promise<number> {
  const r = reason === undefined ? await plausibilityReason(db, spec, cfg, runDate) : (reason ?? undefined);
  if (!r) return 0;
  await db.run(
    `create or replace temp table cxp_implausible as
     select * from (
       select s._rowid, ${r.sql} as reason
       from ${quoteIdent(table)} s ${r.needsRaw ? `join ${quoteIdent(`raw_${spec.source}`)} r on r._rowid = s._rowid` : ''}
       where s._file_idx = ${fileIdx} and s.reject_reason is null
     ) where reason is not null`,
  );
  const n = (await db.one<{ n: number }>('select count(*) as n from cxp_implausible'))?.n ?? 0;
  if (n > 0) {
    await db.run(
      `update ${quoteIdent(table)} t set reject_reason = i.reason
       from cxp_implausible i where t._file_idx = ${fileIdx} and t._rowid = i._rowid`,
    );
  }
  await db.run('drop table cxp_implausible');
  return n;
}
