/**
 * Service KPI queries for the dashboards (same filters and conventions as query.ts; the channel is the
 * interaction's channel, the day the day it was opened).
 *
 * Exported functions:
 * - serviceTrend(db, { grain, byChannel?, byTier?, filters }, asOf, settings?) -> ServiceTrendRow[]: per
 *   period (and channel, or customer SLA tier: the tier as of each interaction, models/satisfaction/README.md, section "SLA tiers and policies"): interactions, complaints, complaint_rate, median/p90 first-response minutes,
 *   median/p90 resolution hours, first_contact_resolution_rate, first_response_sla_rate,
 *   resolution_sla_rate, count_open_backlog at the period's last day, is_low_sample.
 * - serviceTiles(db, filters, asOf, settings?) -> ServiceTile[]: this period vs the one before for
 *   complaint_rate, first_contact_resolution_rate, first_response_sla_rate, resolution_sla_rate
 *   (two-proportion z) and mean first_response_minutes, resolution_hours (Welch t), plus volume
 *   (no test: a count is not a sample), each with a text like "complaint rate down 1.2 points,
 *   significant (n=812)".
 */
import { isoDate } from '../../pipelines/core/clock.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import { CxpError } from '../../pipelines/core/errors.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import { filterSql, previousPeriod, requireSegmentTable, resolveFilters, type ResolvedFilters, type SatisfactionFilters } from './filters.js';
import { twoProportionZ, welchT, type TestResult } from './significance.js';
import { DEFAULT_SATISFACTION_SETTINGS, type SatisfactionSettings } from './settings.js';
import type { Grain } from './query.js';

export type ServiceTrendRow = {
  period_on: string;
  /** 'all' unless byChannel */
  channel: string;
  /** 'all' unless byTier */
  customer_tier: string;
  interactions: number;
  complaints: number;
  complaint_rate: number | null;
  median_first_response_minutes: number | null;
  p90_first_response_minutes: number | null;
  median_resolution_hours: number | null;
  p90_resolution_hours: number | null;
  first_contact_resolution_rate: number | null;
  first_response_sla_rate: number | null;
  resolution_sla_rate: number | null;
  count_open_backlog: number;
  is_low_sample: boolean;
};


export async function serviceTrend(
  db: Db,
  opts: { grain?: Grain; byChannel?: boolean; byTier?: boolean; filters?: SatisfactionFilters },
  asOf: Date,
  s: SatisfactionSettings = DEFAULT_SATISFACTION_SETTINGS,
): Promise<ServiceTrendRow[]> {
  const grain = opts.grain ?? 'day';
  if (grain !== 'day' && grain !== 'week' && grain !== 'month') {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `grain must be day, week or month (got ${JSON.stringify(grain)})`, { where: 'grain' });
  }
  const f = resolveFilters(opts.filters, asOf);
  await requireSegmentTable(db, f);
  const q = filterSql(f, 't', 'opened_on');
  // The backlog needs every earlier interaction too: same filters, open-ended start.
  const all = filterSql({ ...f, from: new Date('1900-01-01T00:00:00Z') }, 't', 'opened_on', 'g');
  if (opts.byChannel && opts.byTier) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', 'break service KPIs down by channel or by tier, not both at once', { where: 'byTier' });
  }
  const channel = opts.byChannel ? 't.channel' : "'all'";
  const tier = opts.byTier ? 't.customer_tier' : "'all'";
  const rows = await db.all<ServiceTrendRow & { period_on: Date }>(
    `with kpis as (
       select date_trunc('${grain}', t.opened_on)::date as period_on, ${channel} as channel, ${tier} as customer_tier,
         count(*) as interactions,
         count(*) filter (where t.is_complaint) as complaints,
         quantile_cont(t.first_response_minutes, [0.5, 0.9]) as frt,
         quantile_cont(t.resolution_hours, [0.5, 0.9]) as res,
         count(*) filter (where t.is_first_contact_resolution) / nullif(count(t.is_first_contact_resolution), 0) as first_contact_resolution_rate,
         count(*) filter (where t.is_first_response_sla_met) / nullif(count(t.is_first_response_sla_met), 0) as first_response_sla_rate,
         count(*) filter (where t.is_resolution_sla_met) / nullif(count(t.is_resolution_sla_met), 0) as resolution_sla_rate
       from int_interaction_times t ${q.joins} where ${q.where} group by all
     ),
     moves as (
       select ${channel} as channel, ${tier} as customer_tier, t.opened_on as day_on, 1 as delta from int_interaction_times t ${all.joins} where ${all.where}
       union all
       select ${channel}, ${tier}, t.resolved_on, -1 from int_interaction_times t ${all.joins} where ${all.where} and t.resolved_on <= $period_to
     ),
     moves_daily as (
       select channel, customer_tier, day_on, sum(delta) as delta from moves group by all
     ),
     backlog as (
       select k.period_on, k.channel, k.customer_tier,
         (select coalesce(sum(m.delta), 0) from moves_daily m
          where m.channel = k.channel and m.customer_tier = k.customer_tier
            and m.day_on <= least(k.period_on + interval 1 ${grain} - interval 1 day, $period_to)) as count_open_backlog
       from kpis k
     )
     select k.period_on, k.channel, k.customer_tier, k.interactions, k.complaints, k.complaints / k.interactions as complaint_rate,
       k.frt[1] as median_first_response_minutes, k.frt[2] as p90_first_response_minutes,
       k.res[1] as median_resolution_hours, k.res[2] as p90_resolution_hours,
       k.first_contact_resolution_rate, k.first_response_sla_rate, k.resolution_sla_rate,
       b.count_open_backlog, k.interactions < $min_sample as is_low_sample
     from kpis k join backlog b using (period_on, channel, customer_tier)
     order by k.period_on, k.channel, k.customer_tier`,
    { ...q.params, ...all.params, period_to: sqlDate(f.to), min_sample: s.minSample },
  );
  return rows.map((r) => ({ ...r, period_on: isoDate(r.period_on), count_open_backlog: Number(r.count_open_backlog) }));
}

export interface ServiceTile {
  metric: string;
  a: { n: number; value: number | null };
  b: { n: number; value: number | null };
  change: number | null;
  test: TestResult | null;
  text: string;
}

type Agg = {
  interactions: number;
  complaints: number;
  fcr_known: number;
  fcr: number;
  frs_due: number;
  frs_met: number;
  res_due: number;
  res_met: number;
  frt_n: number;
  frt_mean: number | null;
  frt_var: number | null;
  res_n: number;
  res_mean: number | null;
  res_var: number | null;
};

async function aggregate(db: Db, f: ResolvedFilters): Promise<Agg> {
  await requireSegmentTable(db, f);
  const q = filterSql(f, 't', 'opened_on');
  return (await db.one<Agg>(
    `select count(*) as interactions, count(*) filter (where t.is_complaint) as complaints,
       count(t.is_first_contact_resolution) as fcr_known, count(*) filter (where t.is_first_contact_resolution) as fcr,
       count(t.is_first_response_sla_met) as frs_due, count(*) filter (where t.is_first_response_sla_met) as frs_met,
       count(t.is_resolution_sla_met) as res_due, count(*) filter (where t.is_resolution_sla_met) as res_met,
       count(t.first_response_minutes) as frt_n, avg(t.first_response_minutes) as frt_mean, var_samp(t.first_response_minutes) as frt_var,
       count(t.resolution_hours) as res_n, avg(t.resolution_hours) as res_mean, var_samp(t.resolution_hours) as res_var
     from int_interaction_times t ${q.joins} where ${q.where}`,
    q.params,
  ))!;
}

function tileText(label: string, unit: 'points' | 'minutes' | 'hours' | '%', a: { n: number; value: number | null }, change: number | null, test: TestResult | null): string {
  if (a.value === null) return `${label}: no data in this period`;
  if (change === null) return `${label}: nothing to compare with (n=${a.n})`;
  const size = Number(Math.abs(change).toFixed(1));
  const dir = size === 0 ? 'unchanged' : `${change > 0 ? 'up' : 'down'} ${size}${unit === '%' ? '%' : ` ${unit}`}`;
  if (!test) return `${label} ${dir} (n=${a.n})`;
  return `${label} ${dir}, ${test.isSignificant ? 'significant' : 'not significant'} (n=${a.n})`;
}

export async function serviceTiles(
  db: Db,
  filters: SatisfactionFilters | undefined,
  asOf: Date,
  s: SatisfactionSettings = DEFAULT_SATISFACTION_SETTINGS,
): Promise<ServiceTile[]> {
  const cur = resolveFilters(filters, asOf);
  const a = await aggregate(db, cur);
  const b = await aggregate(db, previousPeriod(cur));
  const tiles: ServiceTile[] = [];
  const rate = (metric: string, label: string, x: (g: Agg) => number, n: (g: Agg) => number) => {
    const va = { n: n(a), value: n(a) ? x(a) / n(a) : null };
    const vb = { n: n(b), value: n(b) ? x(b) / n(b) : null };
    const test = va.value !== null && vb.value !== null ? twoProportionZ(x(a), n(a), x(b), n(b), s.confidence) : null;
    const change = va.value !== null && vb.value !== null ? 100 * (va.value - vb.value) : null;
    tiles.push({ metric, a: va, b: vb, change, test, text: tileText(label, 'points', va, change, test) });
  };
  const mean = (metric: string, label: string, unit: 'minutes' | 'hours', pick: (g: Agg) => [number, number | null, number | null]) => {
    const [na, ma, sa] = pick(a);
    const [nb, mb, sb] = pick(b);
    const va = { n: na, value: ma };
    const vb = { n: nb, value: mb };
    const change = ma !== null && mb !== null ? ma - mb : null;
    const test = change !== null ? welchT({ n: na, mean: ma!, variance: sa ?? NaN }, { n: nb, mean: mb!, variance: sb ?? NaN }, s.confidence) : null;
    tiles.push({ metric, a: va, b: vb, change, test, text: tileText(label, unit, va, change, test) });
  };
  const volChange = b.interactions ? (100 * (a.interactions - b.interactions)) / b.interactions : null;
  tiles.push({
    metric: 'interactions',
    a: { n: a.interactions, value: a.interactions },
    b: { n: b.interactions, value: b.interactions },
    change: volChange,
    test: null,
    text: tileText('interactions', '%', { n: a.interactions, value: a.interactions }, volChange, null),
  });
  rate('complaint_rate', 'complaint rate', (g) => g.complaints, (g) => g.interactions);
  rate('first_contact_resolution_rate', 'first-contact resolution', (g) => g.fcr, (g) => g.fcr_known);
  rate('first_response_sla_rate', 'first-response SLA', (g) => g.frs_met, (g) => g.frs_due);
  rate('resolution_sla_rate', 'resolution SLA', (g) => g.res_met, (g) => g.res_due);
  mean('first_response_minutes', 'mean first response', 'minutes', (g) => [g.frt_n, g.frt_mean, g.frt_var]);
  mean('resolution_hours', 'mean resolution time', 'hours', (g) => [g.res_n, g.res_mean, g.res_var]);
  return tiles;
}
