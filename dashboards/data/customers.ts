import { CxpError } from '../../pipelines/core/errors.js';
import { quoteIdent } from '../../pipelines/core/sql-ident.js';
import { localOnSql } from '../../pipelines/core/time-zone.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import { AT_RISK_COLUMNS } from '../../models/churn/at-risk-list.js';
import { dayText, num } from './types.js';

export { AT_RISK_COLUMNS } from '../../models/churn/at-risk-list.js';

const TEXT_COLUMNS = new Set(['customer_id', 'country', 'churn_band', 'top_reason', 'rfm_segment', 'lifecycle_stage', 'email']);
const COLUMNS: readonly string[] = AT_RISK_COLUMNS;

/**
 * How a CSV separates its cells and writes decimals. Tools read RFC 4180 (PLAIN_CSV); a spreadsheet opened
 * by double-click splits on its locale's list separator and reads its decimal mark, so the file made for a
 * person follows the conventions of their language (dashboards/i18n/translate.ts SPREADSHEET_CSV).
 */
export interface CsvStyle {
  delimiter: ',' | ';' | '\t';
  decimal: '.' | ',';
}
export const PLAIN_CSV: CsvStyle = { delimiter: ',', decimal: '.' };

/**
 * A language's spreadsheet convention: its decimal mark (CLDR, through Intl), and ";" between cells where
 * that mark is "," (Excel's list separator in such locales, so a number's comma is not read as a cell
 * break): lv -> ";" and ","; en and zh-CN -> "," and ".".
 */
export function spreadsheetCsv(lang: string): CsvStyle {
  const mark = new Intl.NumberFormat(lang).formatToParts(1.5).find((p) => p.type === 'decimal')?.value;
  return mark === ',' ? { delimiter: ';', decimal: ',' } : PLAIN_CSV;
}

const DELIMITERS = { comma: ',', semicolon: ';', tab: '\t' } as const;
const DECIMALS = { point: '.', comma: ',' } as const;

/** The CSV style a request asks for: `delimiter` / `decimal` as given, else the default for its reader. */
export function csvStyleOf(q: { delimiter?: keyof typeof DELIMITERS; decimal?: keyof typeof DECIMALS }, fallback: CsvStyle): CsvStyle {
  return {
    delimiter: q.delimiter ? DELIMITERS[q.delimiter] : fallback.delimiter,
    decimal: q.decimal ? DECIMALS[q.decimal] : fallback.decimal,
  };
}
export const CSV_STYLE_QUERY = {
  delimiter: { type: 'string', enum: Object.keys(DELIMITERS), description: 'csv: between cells (default: comma; with header=labels, the language\'s spreadsheet convention: semicolon for lv)' },
  decimal: { type: 'string', enum: Object.keys(DECIMALS), description: 'csv: decimal mark of numbers (default: point; with header=labels, the language\'s: comma for lv)' },
} as const;

/**
 * The at-risk query turned into CSV lines inside DuckDB (set-based, vectorised): the same escaping as
 * csvCell, written as a temporary macro on the streaming connection. Run `CSV_MACRO` first; bind `params`
 * with the query's own.
 */
// One flat CASE, no subquery: a subquery in a macro is planned per call site as a correlated subquery,
// which cost ~6x the whole CSV (1.9 s vs 0.3 s in-engine for 100k rows). The formula prefix (') cannot
// add a quote, a delimiter or a line break, so whether to quote is decided on the raw text.
export const CSV_MACRO = `create or replace temp macro cxp_csv_text(x, d) as
  case when x is null then ''
       when regexp_matches(x, '["\r\n]') or contains(x, d)
         then '"' || replace(case when regexp_matches(x, '^[=+@\t\r-]') then '''' || x else x end, '"', '""') || '"'
       when regexp_matches(x, '^[=+@\t\r-]') then '''' || x
       else x
  end`;

export function csvLinesSql(select: string, style: CsvStyle = PLAIN_CSV): { sql: string; params: Record<string, string> } {
  const comma = style.decimal !== '.';
  const cells = COLUMNS.map((c) => {
    if (TEXT_COLUMNS.has(c)) return `cxp_csv_text(q.${c}, $csv_delimiter)`;
    if (c === 'scored_at') return `coalesce(strftime(q.${c}, '%Y-%m-%dT%H:%M:%S.%g') || 'Z', '')`;
    // Numbers and booleans: the only "." a number's text has is its decimal mark (replaced only when it
    // changes: the replace costs ~10% of a 100k-row CSV).
    return comma ? `coalesce(replace(q.${c}::varchar, '.', $csv_decimal), '')` : `coalesce(q.${c}::varchar, '')`;
  });
  return {
    sql: `select concat_ws($csv_delimiter, ${cells.join(', ')}) as line from (${select}) q`,
    params: { csv_delimiter: style.delimiter, ...(comma ? { csv_decimal: style.decimal } : {}) },
  };
}

/** Neutralises spreadsheet formulas: a text cell starting with = + - @ (or tab/CR) gets a leading quote. */
export function csvCell(v: unknown, style: CsvStyle = PLAIN_CSV): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'number') s = String(v).replace('.', style.decimal);
  else if (typeof v === 'bigint' || typeof v === 'boolean') s = String(v);
  else {
    s = typeof v === 'string' ? v : JSON.stringify(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  }
  return /["\r\n]/.test(s) || s.includes(style.delimiter) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: unknown[], style: CsvStyle = PLAIN_CSV): string {
  return values.map((v) => csvCell(v, style)).join(style.delimiter) + '\r\n';
}

/** The 360 profile: everything known about one customer, read from whichever tables exist. */
/** `timezone`: the config's zone; the monthly revenue is by local month. */
export async function customerProfile(db: Db, tables: Set<string>, id: string, timezone = 'UTC'): Promise<Record<string, unknown>> {
  const customer = await db.one(
    'select customer_id, signup_at, country, email, marketing_consent, is_bare, churned_at, attributes::varchar as attributes from customers where customer_id = $id',
    { id },
  );
  // Declared attributes (sources.customers.attributes) as an object: {"contract": "month-to-month", ...}.
  if (customer && typeof customer.attributes === 'string') customer.attributes = JSON.parse(customer.attributes) as Record<string, unknown>;
  if (!customer) {
    throw new CxpError('CXP_ERR_CUSTOMER_NOT_FOUND', `no customer "${id}"`, { where: 'path.id', field: 'id', hint: 'check the id; the at-risk list links to existing customers' });
  }
  const one = async (table: string) => (tables.has(table) ? ((await db.one(`select * from ${quoteIdent(table)} where customer_id = $id`, { id })) ?? null) : null);
  const purchases = await db.one(
    `select count(*) filter (where status = 'completed') as orders, sum(amount) filter (where status = 'completed') as revenue,
            count(*) filter (where status = 'refunded') as refunds, min(ordered_at) as first_order_at, max(ordered_at) as last_order_at
     from purchases where customer_id = $id`,
    { id },
  );
  const monthly = await db.all(
    `select date_trunc('month', ${localOnSql('ordered_at')})::date as period, sum(amount) as revenue, count(*) as orders
     from purchases where customer_id = $id and status = 'completed' group by all order by period`,
    { id, timezone },
  );
  const surveys = await db.all(
    'select response_id, submitted_at, survey_type, score, interaction_id, comment from surveys where customer_id = $id order by submitted_at desc limit 100',
    { id },
  );
  const interactions = await db.all(
    `select interaction_id, channel, kind, category, opened_at, first_response_at, resolved_at, is_first_contact_resolution
     from interactions where customer_id = $id order by opened_at desc limit 100`,
    { id },
  );
  const risk = await one('churn_scores');
  if (risk && typeof risk.churn_reasons === 'string') {
    try {
      risk.churn_reasons = JSON.parse(risk.churn_reasons);
    } catch {
      // Left as text: the churn module owns the format.
    }
  }
  const actions = tables.has('retention_actions')
    ? await db.all('select * from retention_actions where customer_id = $id order by fired_at desc limit 100', { id })
    : null;
  return {
    customer,
    purchases: { ...purchases, monthly: monthly.map((m) => ({ period: dayText(m.period), revenue: num(m.revenue), orders: num(m.orders) })) },
    value: await one('customer_value'),
    risk,
    satisfaction: { summary: await one('customer_satisfaction'), surveys },
    interactions,
    actions,
    customer_360: await one('customer_360'),
  };
}
