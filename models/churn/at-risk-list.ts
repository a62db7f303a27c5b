/**
 * The at-risk list marketing acts on, ranked once per run (table at_risk_list, built by the score job
 * after customer_360) so a page is an indexed-order read, not a sort of every customer.
 *
 * - value_at_stake = churn_risk x clv: the expected value lost if nothing is done. Default order.
 * - is_lost: already gone, nothing left to save: p_alive < churn.lost.maxPAlive (unless the value run flagged
 *   p_alive as not informative), or lapsed with CLV < churn.lost.maxClv (config; defaults 0.05 and 1). The lost are a separate population (population=lost),
 *   never mixed into the top of the list.
 * - One as-of: every column comes from the same run's churn_scores / customer_value / customers.
 */
import type { Db } from '../../pipelines/core/warehouse.js';
import { CxpError } from '../../pipelines/core/errors.js';
import { tableColumns } from '../../pipelines/core/table-columns.js';
import type { ModuleConfig } from '../../pipelines/core/module.js';
import { CHURN_DEFAULTS, churnConfig, type ChurnConfig } from './settings.js';
import { ATTRIBUTE_PREFIX } from './features.js';
import { NOT_KNOWN_SUFFIX } from './explain.js';

/** The "already lost" thresholds (config churn.lost). */
export type LostThresholds = ChurnConfig['lost'];

/**
 * A threshold as a SQL number literal. The list's SELECT is also embedded as a subquery in queries that
 * bind their own (named or positional) values, so the two thresholds are written in; they come from the
 * validated config and only a finite number passes here.
 */
function numberLiteral(x: number, key: string): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `${key} must be a number, got ${String(x)}`, { where: key, hint: 'see `cxpulse config --schema` (churn.lost)' });
  }
  return `${x}::double`;
}

export const AT_RISK_SORTS = ['stake_desc', 'risk_desc', 'risk_asc', 'clv_desc', 'clv_asc', 'recency_desc', 'recency_asc', 'customer_id'] as const;
export type AtRiskSort = (typeof AT_RISK_SORTS)[number];
export const AT_RISK_POPULATIONS = ['at_risk', 'lost', 'all'] as const;
export type AtRiskPopulation = (typeof AT_RISK_POPULATIONS)[number];

/** Output columns, in order (JSON rows, CSV header, Arrow schema). E-mail only for customers who consented. */
export const AT_RISK_COLUMNS = [
  'customer_id', 'country', 'churn_risk', 'churn_band', 'value_at_stake', 'clv', 'p_alive', 'is_lost', 'top_reason',
  'rfm_segment', 'lifecycle_stage', 'monetary', 'recency_days', 'marketing_consent', 'email', 'scored_at',
] as const;

// Each sort reads one precomputed rank (1 = first), so ordering a page is an integer top-N.
const SORT_RANK: Record<AtRiskSort, string> = {
  stake_desc: 'rank_stake',
  risk_desc: 'rank_risk',
  risk_asc: 'rank_risk desc',
  clv_desc: 'rank_clv',
  clv_asc: 'rank_clv desc',
  recency_desc: 'rank_recency',
  recency_asc: 'rank_recency desc',
  customer_id: 'customer_id',
};

export interface AtRiskQuery {
  population: AtRiskPopulation;
  min_risk?: number;
  band?: 'low' | 'medium' | 'high';
  segment?: string;
  lifecycle_stage?: string;
  country?: string;
  min_clv?: number;
  consent_only: boolean;
  sort: AtRiskSort;
  limit: number;
  offset: number;
  /**
   * Render top_reason in a reader's language from the stored leading reason's feature and the sign of
   * its contribution (instead of the stored English text): the factor's name per feature (unknown ones
   * as stored, underscores spaced) put into the template that raises or lowers the risk ({factor}).
   */
  reasonTexts?: ReasonTexts;
}

export interface ReasonTexts {
  labels: Record<string, string>;
  raises: string;
  lowers: string;
  /** A declared attribute the customer has no value for ({name}): explain.ts's "<name> not known" in the reader's words. */
  missing: string;
}

/** top_reason rendered from churn_scores.churn_reasons[0] with the reader's texts, every text bound. */
function reasonSql(r: ReasonTexts, params: Record<string, string>): string {
  const feature = "json_extract_string(cs.churn_reasons::json, '$[0].feature')";
  const whens = Object.entries(r.labels).map(([f, label], i) => {
    params[`reason_f${i}`] = f;
    params[`reason_l${i}`] = label;
    return `when $reason_f${i} then $reason_l${i}`;
  });
  params.reason_raises = r.raises;
  params.reason_lowers = r.lowers;
  // A declared attribute (features.ts ATTRIBUTE_PREFIX) reads as the model's sentence without its English
  // direction: the customer's value and the attribute's name in the source's words (dashboards/data/reasons.ts).
  const text = "json_extract_string(cs.churn_reasons::json, '$[0].text')";
  params.reason_attr_prefix = ATTRIBUTE_PREFIX;
  params.reason_missing = r.missing;
  params.reason_not_known = NOT_KNOWN_SUFFIX;
  const name = `replace(substr(${feature}, ${ATTRIBUTE_PREFIX.length + 1}), '_', ' ')`;
  const stated = `nullif(regexp_replace(${text}, ' \\((raises|lowers) risk\\)$', ''), '')`;
  const attribute = `case when ${stated} = ${name} || $reason_not_known then replace($reason_missing, '{name}', ${name}) else coalesce(${stated}, ${name}) end`;
  const label = `case when starts_with(${feature}, $reason_attr_prefix) then ${attribute} else case ${feature} ${whens.join(' ')} else replace(${feature}, '_', ' ') end end`;
  const template = "case when coalesce(try_cast(json_extract(cs.churn_reasons::json, '$[0].contribution') as double), 0) < 0 then $reason_lowers else $reason_raises end";
  return `(select replace(${template}, '{factor}', ${label}) from churn_scores cs where cs.customer_id = l.customer_id and ${feature} is not null)`;
}

/**
 * false when the value run that wrote customer_value flagged p_alive as not informative
 * (value_model_runs.is_p_alive_informative). The one reading of that flag: the rule (atRiskSelect) and the
 * words that state it (lostRule: the API, the churn page) both ask here.
 */
export async function pAliveInformative(db: Db): Promise<boolean> {
  if (!(await tableColumns(db, 'customer_value')).has('value_run_id') || !(await tableColumns(db, 'value_model_runs')).has('is_p_alive_informative')) return true;
  const r = await db.one<{ ok: boolean | null }>(
    'select is_p_alive_informative as ok from value_model_runs where run_id = (select value_run_id from customer_value where value_run_id is not null limit 1)',
  );
  return r?.ok !== false;
}

/** The "already lost" rule as applied this run: the configured thresholds, and whether p_alive takes part. */
export interface LostRule extends LostThresholds {
  byPAlive: boolean;
}

export async function lostRule(db: Db, lost: LostThresholds = CHURN_DEFAULTS.lost): Promise<LostRule> {
  return { ...lost, byPAlive: await pAliveInformative(db) };
}

/**
 * The ranked list as one SELECT over churn_scores (+ customer_value and customers when present): the
 * one definition, materialised per run by buildAtRiskList and used as a CTE when the table is not built yet.
 */
export async function atRiskSelect(db: Db, lost: LostThresholds = CHURN_DEFAULTS.lost): Promise<string> {
  const s = await tableColumns(db, 'churn_scores');
  const v = await tableColumns(db, 'customer_value');
  const c = await tableColumns(db, 'customers');
  const sv = (col: string, type: string) => (v.has(col) ? `v.${col}` : `null::${type}`);
  // A p_alive the value run flags as not informative must not pick customers (docs/rfm-and-value.md): then only
  // the lapsed-with-low-CLV rule marks the lost.
  const byPAlive = (await pAliveInformative(db))
    ? `coalesce(${sv('p_alive', 'double')} < ${numberLiteral(lost.maxPAlive, 'churn.lost.maxPAlive')}, false)`
    : 'false';
  const reason = s.has('churn_reasons') ? "json_extract_string(s.churn_reasons::json, '$[0].text')" : 'null::varchar';
  return `
    with base as (
      select
        s.customer_id,
        ${c.has('country') ? 'c.country' : 'null::varchar'} as country,
        s.churn_risk,
        s.churn_band,
        s.churn_risk * ${sv('clv', 'double')} as value_at_stake,
        ${sv('clv', 'double')} as clv,
        ${sv('p_alive', 'double')} as p_alive,
        ${byPAlive}
          or (coalesce(${sv('lifecycle_stage', 'varchar')} = 'lapsed', false)
              and coalesce(${sv('clv', 'double')}, 0) < ${numberLiteral(lost.maxClv, 'churn.lost.maxClv')}) as is_lost,
        ${reason} as top_reason,
        ${sv('rfm_segment', 'varchar')} as rfm_segment,
        ${sv('lifecycle_stage', 'varchar')} as lifecycle_stage,
        ${sv('monetary', 'double')} as monetary,
        ${sv('recency_days', 'integer')} as recency_days,
        ${c.has('marketing_consent') ? 'coalesce(c.marketing_consent, false)' : 'false'} as marketing_consent,
        ${c.has('email') && c.has('marketing_consent') ? 'case when c.marketing_consent then c.email end' : 'null::varchar'} as email,
        ${s.has('scored_at') ? 's.scored_at' : 'null::timestamp'} as scored_at
      from churn_scores s
      ${c.size ? 'left join customers c on c.customer_id = s.customer_id' : ''}
      ${v.size ? 'left join customer_value v on v.customer_id = s.customer_id' : ''}
    )
    select *,
      row_number() over (order by value_at_stake desc nulls last, churn_risk desc nulls last, customer_id) as rank_stake,
      row_number() over (order by churn_risk desc nulls last, customer_id) as rank_risk,
      row_number() over (order by clv desc nulls last, customer_id) as rank_clv,
      row_number() over (order by recency_days desc nulls last, customer_id) as rank_recency
    from base`;
}

/**
 * Materialises the ranked list for this run, stored in default order so the first pages are read first.
 * `lost`: config churn.lost (churnConfig(config.churn).lost); the defaults when omitted.
 */
export async function buildAtRiskList(db: Db, lost: LostThresholds = CHURN_DEFAULTS.lost): Promise<number> {
  const tables = new Set((await db.all<{ t: string }>("select table_name as t from information_schema.tables where table_schema = 'main'")).map((r) => r.t));
  if (!tables.has('churn_scores')) {
    await db.run('drop table if exists at_risk_list');
    return 0;
  }
  await db.run(`create or replace table at_risk_list as select * from (${await atRiskSelect(db, lost)}) order by is_lost, rank_stake`);
  return Number((await db.one<{ n: number }>('select count(*) as n from at_risk_list'))?.n ?? 0);
}

/**
 * Revenue at risk, the one definition the tiles, the churn page and churn-by-cause share: Σ value_at_stake
 * (churn_risk x clv) over the customers still worth saving, the at-risk list's default population, so the
 * tile and the list add up to the same figure. SQL over the list aliased `l`.
 */
export const REVENUE_AT_RISK_SQL = 'coalesce(sum(l.value_at_stake) filter (where not l.is_lost), 0)';
/** High-band customers of that same population. */
export const HIGH_RISK_CUSTOMERS_SQL = "count(*) filter (where l.churn_band = 'high' and not l.is_lost)";

/** What to read the list from: the run's at_risk_list, or the same SELECT as a subquery until a run has built it. */
export async function atRiskSource(db: Db, hasTable: boolean, lost?: LostThresholds): Promise<string> {
  return hasTable ? 'at_risk_list' : `(${await atRiskSelect(db, lost)})`;
}

export interface AtRiskSql {
  /** The page: AT_RISK_COLUMNS, in the requested order. Params: the filters, $limit and $offset. */
  select: string;
  /** One row: total (this population), at_risk and lost (same filters, each population). */
  counts: string;
  params: Record<string, string | number | boolean>;
  /** Parameters only the page query reads (the reason texts), on top of params. */
  selectParams: Record<string, string>;
}

/** The page and the counts over the same filters, every value bound; `source` is at_risk_list or the CTE. */
export async function atRiskSql(db: Db, q: AtRiskQuery, hasTable: boolean, lost?: LostThresholds): Promise<AtRiskSql> {
  const conds: string[] = [];
  const params: Record<string, string | number | boolean> = {};
  if (q.min_risk !== undefined) { conds.push('churn_risk >= $min_risk'); params.min_risk = q.min_risk; }
  if (q.band !== undefined) { conds.push('churn_band = $band'); params.band = q.band; }
  if (q.country !== undefined) { conds.push('country = $country'); params.country = q.country; }
  if (q.segment !== undefined) { conds.push('rfm_segment = $segment'); params.segment = q.segment; }
  if (q.lifecycle_stage !== undefined) { conds.push('lifecycle_stage = $lifecycle_stage'); params.lifecycle_stage = q.lifecycle_stage; }
  if (q.min_clv !== undefined) { conds.push('clv >= $min_clv'); params.min_clv = q.min_clv; }
  if (q.consent_only) conds.push('marketing_consent');
  const filters = conds.length ? conds.join(' and ') : 'true';
  const population = q.population === 'at_risk' ? 'not is_lost' : q.population === 'lost' ? 'is_lost' : 'true';
  const src = await atRiskSource(db, hasTable, lost);
  const localReasons = q.reasonTexts && (await tableColumns(db, 'churn_scores')).has('churn_reasons');
  const selectParams: Record<string, string> = {};
  const cols = AT_RISK_COLUMNS.map((c) => (c === 'top_reason' && localReasons ? `coalesce(${reasonSql(q.reasonTexts!, selectParams)}, l.top_reason) as top_reason` : c));
  // at_risk_list is stored ordered by (is_lost, rank_stake): within one population its rows already are in
  // default order, and DuckDB keeps insertion order through a scan, filter and LIMIT while
  // preserve_insertion_order is on (its default). Reading them in that order instead of sorting is 2-3x
  // faster for a 100k-row CSV at 1M customers (same rows, same order: docs/decisions/0005). Not with the
  // translated reasons (a correlated subquery, planned as a join) nor for population=all (both populations).
  const storedOrder = hasTable && q.sort === 'stake_desc' && q.population !== 'all' && !localReasons && (await insertionOrderKept(db));
  return {
    select: `select ${cols.join(', ')} from ${src} l where ${filters} and ${population}
      ${storedOrder ? '' : `order by ${SORT_RANK[q.sort]}`} limit $limit offset $offset`,
    counts: `select count(*) filter (where ${population}) as total, count(*) filter (where not is_lost) as at_risk,
      count(*) filter (where is_lost) as lost from ${src} l where ${filters}`,
    params,
    selectParams,
  };
}

async function insertionOrderKept(db: Db): Promise<boolean> {
  const r = await db.one<{ v: unknown }>("select current_setting('preserve_insertion_order') as v");
  return r?.v === true || r?.v === 'true';
}

/** The rule, in words: the one applied this run (without p_alive when its value run flags it as not informative). */
export function lostRuleLabel(rule: LostRule): string {
  const lapsed = `lapsed with CLV < ${rule.maxClv}`;
  return rule.byPAlive ? `p_alive < ${+(rule.maxPAlive * 100).toFixed(4)}%, or ${lapsed}` : `${lapsed}; p_alive is not informative for this as-of and marks no one`;
}

/** What the list is, in words (the page header and the API say the same). */
export function populationLabel(q: Pick<AtRiskQuery, 'population' | 'consent_only'>, rule: LostRule): string {
  const who = q.population === 'at_risk' ? 'scored customers still worth saving (not lost)' : q.population === 'lost' ? `scored customers already lost (${lostRuleLabel(rule)})` : 'all scored customers';
  return `${who}${q.consent_only ? ', consented to marketing' : ''}`;
}

/** The "already lost" thresholds of a loaded config (churn.lost, defaults filled in). */
export function lostThresholds(config?: ModuleConfig): LostThresholds {
  return churnConfig(config?.churn).lost;
}
