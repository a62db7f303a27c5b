/**
 * Satisfaction query API for the dashboards and the HTTP API. Every function takes a Db, validated
 * filters (see filters.ts: from, to, channel, country, segment; bad input -> CxpError CXP_ERR_BAD_REQUEST)
 * and an explicit asOf; values are bound, never concatenated. Statistics come from intervals.ts /
 * significance.ts on counts aggregated in SQL from int_survey_responses.
 *
 * Exported functions:
 * - satisfactionTrend(db, { surveyType, grain, byChannel?, filters }, asOf, settings?)
 *     -> TrendRow[]: period_on, channel ('all' unless byChannel), n, score, ci_low, ci_high, is_low_sample,
 *        promoters/passives/detractors (nps), satisfied (csat). For trend charts with CI bands.
 * - compareSatisfaction(db, surveyType, filtersA, filtersB, asOf, settings?)
 *     -> Comparison: a and b estimates, change (a - b), the test (nps_z | two_proportion_z | welch_t),
 *        p_value, is_significant, text like "NPS up 4 points, not significant (n=212)".
 * - satisfactionTiles(db, filters, asOf, settings?)
 *     -> Comparison[] for nps, csat, ces: the filtered period vs the period of the same length before.
 * - channelVsRest(db, surveyType, channel, filters, asOf, settings?) -> Comparison (channel vs all others).
 * - csiSummary(db, { by?: 'country' | 'segment', filters }, asOf, settings?)
 *     -> rows: group, n customers with a CSI, mean CSI with a t interval, is_low_sample (date range ignored:
 *        CSI is as of the warehouse's last transform).
 * - keyDriverRows(db, { asOf, target?, kind? }) -> the satisfaction_drivers rows of the latest as_of <= asOf.
 * Service KPIs: see service-query.ts (serviceTrend, serviceTiles).
 */
import { isoDate } from '../../pipelines/core/clock.js';
import { CxpError } from '../../pipelines/core/errors.js';
import { asOfParam } from '../../pipelines/core/sql-date.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import { cesEstimateFromSums, csatEstimate, meanEstimate, npsEstimate, type Estimate } from './intervals.js';
import { npsDifferenceZ, twoProportionZ, welchT, type TestResult } from './significance.js';
import { filterSql, previousPeriod, requireSegmentTable, resolveFilters, type ResolvedFilters, type SatisfactionFilters } from './filters.js';
import { DEFAULT_SATISFACTION_SETTINGS, type SatisfactionSettings } from './settings.js';

export type SurveyType = 'nps' | 'csat' | 'ces';
export type Grain = 'day' | 'week' | 'month';
const SURVEY_TYPES: SurveyType[] = ['nps', 'csat', 'ces'];
const LABEL: Record<SurveyType, string> = { nps: 'NPS', csat: 'CSAT', ces: 'CES' };

export type Counts = {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  satisfied: number;
  sum: number;
  sumSq: number;
};

export interface TrendRow {
  period_on: string;
  channel: string;
  n: number;
  score: number | null;
  ci_low: number | null;
  ci_high: number | null;
  is_low_sample: boolean;
  promoters?: number;
  passives?: number;
  detractors?: number;
  satisfied?: number;
}

export interface Comparison {
  metric: SurveyType;
  a: Estimate;
  b: Estimate;
  change: number | null;
  test: TestResult;
  text: string;
}

function checkType(t: unknown): SurveyType {
  if (!SURVEY_TYPES.includes(t as SurveyType)) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `surveyType must be one of nps, csat, ces (got ${JSON.stringify(t)})`, { where: 'surveyType' });
  }
  return t as SurveyType;
}

function checkGrain(g: unknown): Grain {
  if (g !== 'day' && g !== 'week' && g !== 'month') {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `grain must be day, week or month (got ${JSON.stringify(g)})`, { where: 'grain' });
  }
  return g;
}

export function estimateOf(type: SurveyType, c: Counts, s: SatisfactionSettings): Estimate {
  if (type === 'nps') return npsEstimate(c, s.confidence, s.minSample);
  if (type === 'csat') return csatEstimate(c.satisfied, c.n, s.confidence, s.minSample);
  return cesEstimateFromSums(c.n, c.sum, c.sumSq, s.confidence, s.minSample);
}

const COUNT_COLUMNS = `
  count(*) as n,
  count(*) filter (where r.is_promoter) as promoters,
  count(*) filter (where r.is_passive) as passives,
  count(*) filter (where r.is_detractor) as detractors,
  count(*) filter (where r.is_satisfied) as satisfied,
  coalesce(sum(r.score), 0)::double as sum,
  coalesce(sum(r.score * r.score), 0)::double as "sumSq"`;


export async function countsFor(db: Db, type: SurveyType, f: ResolvedFilters): Promise<Counts> {
  await requireSegmentTable(db, f);
  const q = filterSql(f, 'r', 'response_on');
  const row = await db.one<Counts>(
    `select ${COUNT_COLUMNS} from int_survey_responses r ${q.joins} where r.survey_type = $survey_type and ${q.where}`,
    { ...q.params, survey_type: type },
  );
  return row!;
}

export async function satisfactionTrend(
  db: Db,
  opts: { surveyType: SurveyType; grain?: Grain; byChannel?: boolean; filters?: SatisfactionFilters },
  asOf: Date,
  s: SatisfactionSettings = DEFAULT_SATISFACTION_SETTINGS,
): Promise<TrendRow[]> {
  const type = checkType(opts.surveyType);
  const grain = checkGrain(opts.grain ?? 'day');
  const f = resolveFilters(opts.filters, asOf);
  await requireSegmentTable(db, f);
  const q = filterSql(f, 'r', 'response_on');
  // grain is one of three literals checked above, so it can be spelled into the SQL.
  const rows = await db.all<Counts & { period_on: Date; channel: string }>(
    `select date_trunc('${grain}', r.response_on)::date as period_on, ${opts.byChannel ? 'r.channel' : "'all'"} as channel, ${COUNT_COLUMNS}
     from int_survey_responses r ${q.joins}
     where r.survey_type = $survey_type and ${q.where}
     group by all order by period_on, channel`,
    { ...q.params, survey_type: type },
  );
  return rows.map((c) => {
    const e = estimateOf(type, c, s);
    const row: TrendRow = {
      period_on: isoDate(c.period_on),
      channel: c.channel,
      n: c.n,
      score: e.score,
      ci_low: e.ciLow,
      ci_high: e.ciHigh,
      is_low_sample: e.isLowSample,
    };
    if (type === 'nps') Object.assign(row, { promoters: c.promoters, passives: c.passives, detractors: c.detractors });
    if (type === 'csat') row.satisfied = c.satisfied;
    return row;
  });
}

function fmt(x: number, digits: number): string {
  return Number(x.toFixed(digits)).toString();
}

/** "NPS up 4 points, not significant (n=212)"; n is the first group's (current period's) responses. */
export function changeText(type: SurveyType, a: Estimate, b: Estimate, t: TestResult): string {
  const label = LABEL[type];
  if (a.n === 0) return `${label}: no responses in this period`;
  if (b.n === 0) return `${label} ${fmt(a.score!, type === 'ces' ? 2 : 1)}: no responses to compare with (n=${a.n})`;
  const change = a.score! - b.score!;
  const digits = type === 'ces' ? 2 : type === 'nps' ? 0 : 1;
  const size = fmt(Math.abs(change), digits);
  const unit = type === 'ces' ? '' : Number(size) === 1 ? ' point' : ' points';
  const direction = Number(size) === 0 ? 'unchanged' : `${change > 0 ? 'up' : 'down'} ${size}${unit}`;
  const verdict = t.isSignificant ? 'significant' : 'not significant';
  const low = a.isLowSample || b.isLowSample ? ', low sample' : '';
  return `${label} ${direction}, ${verdict} (n=${a.n}${low})`;
}

export function compareCounts(type: SurveyType, a: Counts, b: Counts, s: SatisfactionSettings): Comparison {
  const ea = estimateOf(type, a, s);
  const eb = estimateOf(type, b, s);
  let test: TestResult;
  if (type === 'nps') test = npsDifferenceZ(a, b, s.confidence);
  else if (type === 'csat') test = twoProportionZ(a.satisfied, a.n, b.satisfied, b.n, s.confidence);
  else {
    const summary = (c: Counts) => ({ n: c.n, mean: c.sum / c.n, variance: c.n > 1 ? (c.sumSq - (c.sum * c.sum) / c.n) / (c.n - 1) : NaN });
    test = welchT(summary(a), summary(b), s.confidence);
  }
  const change = ea.score !== null && eb.score !== null ? ea.score - eb.score : null;
  return { metric: type, a: ea, b: eb, change, test, text: changeText(type, ea, eb, test) };
}

export async function compareSatisfaction(
  db: Db,
  surveyType: SurveyType,
  filtersA: SatisfactionFilters,
  filtersB: SatisfactionFilters,
  asOf: Date,
  s: SatisfactionSettings = DEFAULT_SATISFACTION_SETTINGS,
): Promise<Comparison> {
  const type = checkType(surveyType);
  const [a, b] = [await countsFor(db, type, resolveFilters(filtersA, asOf)), await countsFor(db, type, resolveFilters(filtersB, asOf))];
  return compareCounts(type, a, b, s);
}

export async function satisfactionTiles(
  db: Db,
  filters: SatisfactionFilters | undefined,
  asOf: Date,
  s: SatisfactionSettings = DEFAULT_SATISFACTION_SETTINGS,
): Promise<Comparison[]> {
  const cur = resolveFilters(filters, asOf);
  const prev = previousPeriod(cur);
  const out: Comparison[] = [];
  for (const type of SURVEY_TYPES) out.push(compareCounts(type, await countsFor(db, type, cur), await countsFor(db, type, prev), s));
  return out;
}

export async function channelVsRest(
  db: Db,
  surveyType: SurveyType,
  channel: string,
  filters: SatisfactionFilters | undefined,
  asOf: Date,
  s: SatisfactionSettings = DEFAULT_SATISFACTION_SETTINGS,
): Promise<Comparison> {
  const type = checkType(surveyType);
  const base = resolveFilters({ ...(filters ?? {}), channel }, asOf);
  const all = await db.all<{ channel: string }>('select distinct channel from int_survey_responses where channel <> $1 order by 1', [base.channels[0]]);
  const a = await countsFor(db, type, base);
  const restChannels = all.map((r) => r.channel);
  const b = restChannels.length
    ? await countsFor(db, type, { ...base, channels: restChannels })
    : { n: 0, promoters: 0, passives: 0, detractors: 0, satisfied: 0, sum: 0, sumSq: 0 };
  return compareCounts(type, a, b, s);
}

export async function csiSummary(
  db: Db,
  opts: { by?: 'country' | 'segment'; filters?: SatisfactionFilters },
  asOf: Date,
  s: SatisfactionSettings = DEFAULT_SATISFACTION_SETTINGS,
): Promise<{ group: string; n: number; csi: number | null; ci_low: number | null; ci_high: number | null; is_low_sample: boolean }[]> {
  if (opts.by !== undefined && opts.by !== 'country' && opts.by !== 'segment') {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `by must be country or segment (got ${JSON.stringify(opts.by)})`, { where: 'by' });
  }
  const f = resolveFilters(opts.filters, asOf);
  if (f.channels.length) throw new CxpError('CXP_ERR_BAD_REQUEST', 'CSI is per customer: the channel filter does not apply', { where: 'channel' });
  const needSegment = opts.by === 'segment' || f.segments.length > 0;
  await requireSegmentTable(db, { ...f, segments: needSegment ? ['x'] : [] });
  const params: Record<string, string> = {};
  const where = ['cs.csi is not null'];
  f.countries.forEach((v, i) => (params[`c${i}`] = v));
  f.segments.forEach((v, i) => (params[`s${i}`] = v));
  if (f.countries.length) where.push(`c.country in (${f.countries.map((_, i) => `$c${i}`).join(', ')})`);
  if (f.segments.length) where.push(`v.rfm_segment in (${f.segments.map((_, i) => `$s${i}`).join(', ')})`);
  const group = opts.by === 'country' ? "coalesce(c.country, 'unknown')" : opts.by === 'segment' ? "coalesce(v.rfm_segment, 'unknown')" : "'all'";
  const rows = await db.all<{ grp: string; n: number; sum: number; sum_sq: number }>(
    `select ${group} as grp, count(*) as n, sum(cs.csi) as sum, sum(cs.csi * cs.csi) as sum_sq
     from customer_satisfaction cs join customers c on c.customer_id = cs.customer_id
     ${needSegment ? 'left join customer_value v on v.customer_id = cs.customer_id' : ''}
     where ${where.join(' and ')} group by all order by grp`,
    params,
  );
  return rows.map((r) => {
    const e = meanEstimate(r.n, r.sum, r.sum_sq, s.confidence, s.minSample, [0, 100]);
    return { group: r.grp, n: r.n, csi: e.score, ci_low: e.ciLow, ci_high: e.ciHigh, is_low_sample: e.isLowSample };
  });
}

export type DriverRowOut = {
  as_of: string;
  target: string;
  driver: string;
  kind: string;
  std_weight: number | null;
  /** Score points per unit of the driver (e.g. per aspect point, per minute). */
  coefficient: number | null;
  relative_importance: number | null;
  p_value: number | null;
  is_significant: boolean;
  r_squared: number;
  n: number;
  note: string | null;
};

export async function keyDriverRows(db: Db, opts: { asOf: Date; target?: SurveyType; kind?: 'survey_aspect' | 'service' }): Promise<DriverRowOut[]> {
  if (opts.target !== undefined) checkType(opts.target);
  if (opts.kind !== undefined && opts.kind !== 'survey_aspect' && opts.kind !== 'service') {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `kind must be survey_aspect or service (got ${JSON.stringify(opts.kind)})`, { where: 'kind' });
  }
  const exists = await db.one<{ n: number }>(`select count(*) as n from information_schema.tables where table_name = 'satisfaction_drivers'`);
  if (!exists?.n) return [];
  const rows = await db.all<DriverRowOut & { as_of: Date }>(
    `select as_of, target, driver, kind, std_weight, coefficient, relative_importance, p_value, is_significant, r_squared, n, note
     from satisfaction_drivers
     where as_of = (select max(as_of) from satisfaction_drivers where as_of <= $as_of)
       and ($target::varchar is null or target = $target) and ($kind::varchar is null or kind = $kind)
     order by target, kind, relative_importance desc nulls last, driver`,
    { ...asOfParam(opts.asOf), target: opts.target ?? null, kind: opts.kind ?? null },
  );
  return rows.map((r) => ({ ...r, as_of: isoDate(r.as_of as unknown as Date) }));
}

