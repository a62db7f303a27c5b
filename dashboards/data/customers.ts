import { CxpError } from '../../pipelines/core/errors.js';
import { quoteIdent } from '../../pipelines/core/sql-ident.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import { columnsOf, dayText, num } from './types.js';

export interface AtRiskQuery {
  min_risk?: number;
  band?: 'low' | 'medium' | 'high';
  segment?: string;
  lifecycle_stage?: string;
  country?: string;
  min_clv?: number;
  consent_only: boolean;
  sort: 'risk_desc' | 'risk_asc' | 'clv_desc' | 'clv_asc' | 'customer_id';
  limit: number;
  offset: number;
}

// Sort keys over the page's key columns (k): customer_id, churn_risk, clv.
const SORTS: Record<AtRiskQuery['sort'], string> = {
  risk_desc: 'k.churn_risk desc nulls last, k.customer_id',
  risk_asc: 'k.churn_risk asc nulls last, k.customer_id',
  clv_desc: 'k.clv desc nulls last, k.customer_id',
  clv_asc: 'k.clv asc nulls last, k.customer_id',
  customer_id: 'k.customer_id',
};

/** Output columns, in order (CSV header and Arrow schema). Email only for customers who consented. */
export const AT_RISK_COLUMNS = [
  'customer_id', 'country', 'churn_risk', 'churn_band', 'top_reason', 'rfm_segment', 'lifecycle_stage', 'clv', 'monetary',
  'recency_days', 'marketing_consent', 'email', 'scored_at',
] as const;

/**
 * The at-risk list query: every filter bound as a parameter; the sort is one of a fixed set of SQL
 * fragments chosen by an enum-validated key. Tables of other modules are joined only when present.
 */
export async function atRiskSql(db: Db, tables: Set<string>, q: AtRiskQuery): Promise<{ select: string; count: string; params: Record<string, string | number | boolean> }> {
  const hasValue = tables.has('customer_value');
  const cols = await columnsOf(db, 'churn_scores');
  const conds: string[] = [];
  const params: Record<string, string | number | boolean> = {};
  if (q.min_risk !== undefined) { conds.push('s.churn_risk >= $min_risk'); params.min_risk = q.min_risk; }
  if (q.band !== undefined) { conds.push('s.churn_band = $band'); params.band = q.band; }
  if (q.country !== undefined) { conds.push('c.country = $country'); params.country = q.country; }
  if (q.consent_only) conds.push('coalesce(c.marketing_consent, false)');
  if (q.segment !== undefined || q.lifecycle_stage !== undefined || q.min_clv !== undefined) {
    if (!hasValue) {
      const field = q.segment !== undefined ? 'segment' : q.lifecycle_stage !== undefined ? 'lifecycle_stage' : 'min_clv';
      throw new CxpError('CXP_ERR_BAD_REQUEST', `${field}: customer values (customer_value) do not exist yet`, { where: `query.${field}`, field, hint: 'run the score job, or drop this filter' });
    }
  }
  if (q.segment !== undefined) { conds.push('v.rfm_segment = $segment'); params.segment = q.segment; }
  if (q.lifecycle_stage !== undefined) { conds.push('v.lifecycle_stage = $lifecycle_stage'); params.lifecycle_stage = q.lifecycle_stage; }
  if (q.min_clv !== undefined) { conds.push('v.clv >= $min_clv'); params.min_clv = q.min_clv; }
  const reasons = cols.has('churn_reasons') ? "json_extract_string(s.churn_reasons::json, '$[0].text')" : 'null';
  const v = (c: string) => (hasValue ? `v.${c}` : 'null');
  // Join only what the filters and the sort need: each join is a hash join over every scored customer.
  const needC = q.consent_only || q.country !== undefined;
  const needV = hasValue && (q.segment !== undefined || q.lifecycle_stage !== undefined || q.min_clv !== undefined || q.sort.startsWith('clv'));
  const from = `from churn_scores s ${needC ? 'left join customers c on c.customer_id = s.customer_id' : ''}
    ${needV ? 'left join customer_value v on v.customer_id = s.customer_id' : ''}
    where ${conds.length ? conds.join(' and ') : 'true'}`;
  // The page is chosen on the key columns alone, then the wide columns (email, reasons JSON) are joined
  // for those rows only: sorting a million rows with every text column attached costs seconds.
  const select = `with k as (
      select * from (select s.customer_id, s.churn_risk, ${needV ? 'v.clv' : 'null::double'} as clv ${from}) k
      order by ${SORTS[q.sort]} limit $limit offset $offset
    )
    select k.customer_id, c.country, k.churn_risk, s.churn_band, ${reasons} as top_reason,
      ${v('rfm_segment')} as rfm_segment, ${v('lifecycle_stage')} as lifecycle_stage, ${v('clv')} as clv, ${v('monetary')} as monetary,
      ${v('recency_days')} as recency_days, coalesce(c.marketing_consent, false) as marketing_consent,
      case when c.marketing_consent then c.email end as email, ${cols.has('scored_at') ? 's.scored_at' : 'null'} as scored_at
    from k join churn_scores s on s.customer_id = k.customer_id
      left join customers c on c.customer_id = k.customer_id
      ${hasValue ? 'left join customer_value v on v.customer_id = k.customer_id' : ''}
    order by ${SORTS[q.sort]}`;
  return { select, count: `select count(*) as n ${from}`, params };
}

const TEXT_COLUMNS = new Set(['customer_id', 'country', 'churn_band', 'top_reason', 'rfm_segment', 'lifecycle_stage', 'email']);

/**
 * The at-risk query turned into CSV lines inside DuckDB (set-based, vectorised): the same escaping as
 * csvCell, written as a temporary macro on the streaming connection. Run `CSV_MACRO` first.
 */
export const CSV_MACRO = `create or replace temp macro cxp_csv_text(x) as
  case when x is null then ''
       else (with y as (select case when regexp_matches(x, '^[=+@\t\r-]') then '''' || x else x end as v)
             select case when regexp_matches(v, '[",\r\n]') then '"' || replace(v, '"', '""') || '"' else v end from y)
  end`;

export function csvLinesSql(select: string): string {
  const cells = AT_RISK_COLUMNS.map((c) => {
    if (TEXT_COLUMNS.has(c)) return `cxp_csv_text(q.${c})`;
    if (c === 'scored_at') return `coalesce(strftime(q.${c}, '%Y-%m-%dT%H:%M:%S.%g') || 'Z', '')`;
    return `coalesce(q.${c}::varchar, '')`;
  });
  return `select concat_ws(',', ${cells.join(', ')}) as line from (${select}) q`;
}

/** Neutralises spreadsheet formulas: a text cell starting with = + - @ (or tab/CR) gets a leading quote. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') s = String(v);
  else {
    s = typeof v === 'string' ? v : JSON.stringify(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

/** The 360 profile: everything known about one customer, read from whichever tables exist. */
export async function customerProfile(db: Db, tables: Set<string>, id: string): Promise<Record<string, unknown>> {
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
    `select date_trunc('month', ordered_at)::date as period, sum(amount) as revenue, count(*) as orders
     from purchases where customer_id = $id and status = 'completed' group by all order by period`,
    { id },
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
