import { filterSql } from '../filters.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import { dayStartUtc, localOnSql } from '../../pipelines/core/time-zone.js';
import { bars, lines, pareto } from '../specs/charts.js';
import { satisfactionSettings } from '../../models/satisfaction/settings.js';
import { serviceTiles } from '../../models/satisfaction/service-query.js';
import { trendUnit } from './surveys.js';
import type { GlossaryKey } from '../i18n/en.js';
import type { Translator } from '../i18n/translate.js';
import { dayText, num, round, type ChartOut, type Dashboard, type DashboardData, type LoadContext, type Tile } from './types.js';

const KPI_COLUMNS = `
  count(*) as volume,
  count(*) filter (where kind = 'complaint') as complaints,
  median(response_minutes) as response_median_minutes,
  quantile_cont(response_minutes, 0.9) as response_p90_minutes,
  median(resolution_hours) as resolution_median_hours,
  quantile_cont(resolution_hours, 0.9) as resolution_p90_hours,
  avg(case when is_first_contact_resolution then 1.0 else 0.0 end) filter (where is_first_contact_resolution is not null) as fcr_rate,
  avg(case when sla_met then 1.0 else 0.0 end) filter (where sla_met is not null) as sla_rate`;

/**
 * Service KPIs per channel with the common filters. Once the transform has built int_interaction_times
 * (the satisfaction module's, with its SLA flags) they come from there; before that from `interactions`
 * with the same SLA targets (satisfaction.sla): a first response within the channel's target counts as
 * met, items with no response yet are left out of the rate.
 */
async function byChannel(ctx: LoadContext, hasSegments: boolean) {
  if (ctx.tables.has('int_interaction_times')) {
    const w = filterSql(ctx.filters, { customer: 'customer_id', at: 'opened_on', channel: 'channel' }, { hasSegments });
    const rows = await ctx.db.all(
      `with t as (
         select channel, case when is_complaint then 'complaint' end as kind, is_first_contact_resolution,
                first_response_minutes as response_minutes, resolution_hours,
                is_first_response_sla_met as sla_met
         from int_interaction_times where ${w.where}
       )
       select channel, ${KPI_COLUMNS} from t group by channel order by channel`,
      w.params,
    );
    return rows.map(kpiRow);
  }
  const w = filterSql(ctx.filters, { customer: 'customer_id', at: 'opened_at', channel: 'channel' }, { hasSegments });
  const sla = satisfactionSettings(ctx.config).sla;
  const targets = Object.entries(sla.firstResponseMinutes);
  // What was known at the end of the as-of day, as int_interaction_times defines it.
  const cutoff = dayStartUtc(new Date(ctx.asOf.getTime() + 86_400_000), ctx.filters.timezone);
  const params: Record<string, string | number | Date> = { ...w.params, sla_default: sla.firstResponseDefaultMinutes, cutoff_at: cutoff };
  const values = targets.map(([ch, m], i) => {
    params[`sla_ch_${i}`] = ch;
    params[`sla_min_${i}`] = m;
    return `($sla_ch_${i}, $sla_min_${i})`;
  });
  const targetSql = values.length
    ? `coalesce((select t.minutes from (values ${values.join(', ')}) t(ch, minutes) where t.ch = channel), $sla_default)`
    : '$sla_default';
  const rows = await ctx.db.all(
    `with x as (
       select channel, kind,
              case when resolved_at < $cutoff_at then is_first_contact_resolution end as is_first_contact_resolution,
              epoch(case when first_response_at < $cutoff_at then first_response_at end - opened_at) / 60.0 as response_minutes,
              epoch(case when resolved_at < $cutoff_at then resolved_at end - opened_at) / 3600.0 as resolution_hours
       from interactions where ${w.where}
     ), t as (select *, case when response_minutes is not null then response_minutes <= ${targetSql} end as sla_met from x)
     select channel, ${KPI_COLUMNS} from t group by channel order by channel`,
    params,
  );
  return rows.map(kpiRow);
}

/**
 * The same KPIs per customer SLA tier (satisfaction.sla.tiers: the tier as of each interaction, with its
 * own targets), plus the resolution SLA rate. Tiers exist only once the transform has built
 * int_interaction_times; before that the list is empty.
 */
async function byTier(ctx: LoadContext, hasSegments: boolean) {
  if (!ctx.tables.has('int_interaction_times')) return [];
  const w = filterSql(ctx.filters, { customer: 'customer_id', at: 'opened_on', channel: 'channel' }, { hasSegments });
  const rows = await ctx.db.all(
    `with t as (
       select customer_tier, case when is_complaint then 'complaint' end as kind, is_first_contact_resolution,
              first_response_minutes as response_minutes, resolution_hours,
              is_first_response_sla_met as sla_met, is_resolution_sla_met
       from int_interaction_times where ${w.where}
     )
     select customer_tier, ${KPI_COLUMNS},
       avg(case when is_resolution_sla_met then 1.0 else 0.0 end) filter (where is_resolution_sla_met is not null) as resolution_sla_rate
     from t group by customer_tier order by customer_tier`,
    w.params,
  );
  return rows.map((r) => {
    const { channel: _channel, ...k } = kpiRow({ ...r, channel: '' });
    return { tier: String(r.customer_tier), ...k, resolution_sla_rate: round(num(r.resolution_sla_rate), 4) };
  });
}

function kpiRow(r: Record<string, unknown>) {
  return {
    channel: String(r.channel),
    volume: num(r.volume) ?? 0,
    complaints: num(r.complaints) ?? 0,
    response_median_minutes: round(num(r.response_median_minutes)),
    response_p90_minutes: round(num(r.response_p90_minutes)),
    resolution_median_hours: round(num(r.resolution_median_hours)),
    resolution_p90_hours: round(num(r.resolution_p90_hours)),
    fcr_rate: round(num(r.fcr_rate), 4),
    sla_rate: round(num(r.sla_rate), 4),
  };
}

async function complaintCategories(ctx: LoadContext, hasSegments: boolean) {
  const w = filterSql(ctx.filters, { customer: 'customer_id', at: 'opened_at', channel: 'channel' }, { hasSegments });
  const rows = await ctx.db.all(
    `select coalesce(category, '(none)') as category, count(*) as count from interactions
     where kind = 'complaint' and ${w.where} group by all order by count desc, category limit 20`,
    w.params,
  );
  return rows.map((r) => ({ category: String(r.category), count: num(r.count) ?? 0 }));
}

const TILE_LABELS: Record<string, [GlossaryKey, string | undefined, number]> = {
  interactions: ['metric.interactions', undefined, 0],
  complaint_rate: ['metric.complaint_rate', '%', 1],
  first_contact_resolution_rate: ['metric.first_contact_resolution_rate', '%', 1],
  first_response_sla_rate: ['metric.first_response_sla_rate', '%', 1],
  resolution_sla_rate: ['metric.resolution_sla_rate', '%', 1],
  first_response_minutes: ['metric.first_response_minutes', 'minutes', 1],
  resolution_hours: ['metric.resolution_hours', 'hours', 1],
};

/** Where each service tile is explained: the contacts behind it. */
const TILE_LINKS: Record<string, Record<string, string>> = {
  interactions: {},
  complaint_rate: { kind: 'complaint' },
};

/** Open items at the end of each period: opened before it minus resolved before it (cumulative). */
async function backlog(ctx: LoadContext, hasSegments: boolean) {
  const w = filterSql(ctx.filters, { customer: 'customer_id', channel: 'channel' }, { period: 'none', hasSegments });
  const unit = trendUnit(ctx.filters) === 'week' ? "'week'" : "'month'";
  const rows = await ctx.db.all(
    `with ev as (
       select date_trunc(${unit}, ${localOnSql('opened_at')})::date as period, 1 as delta from interactions where ${w.where}
       union all
       select date_trunc(${unit}, ${localOnSql('resolved_at')})::date, -1 from interactions where resolved_at is not null and ${w.where}
     ), per as (select period, sum(delta) as delta from ev group by period),
     cum as (select period, sum(delta) over (order by period) as open_items from per)
     select period, open_items from cum where period >= date_trunc(${unit}, $from_on) and period < $to_on order by period`,
    { ...w.params, from_on: sqlDate(ctx.filters.from), to_on: sqlDate(ctx.filters.toExclusive), timezone: ctx.filters.timezone },
  );
  return rows.map((r) => ({ period: dayText(r.period) ?? '', value: num(r.open_items), series: 'open items' }));
}

/**
 * Contacts and complaints per calendar month (UTC, by opened_at) in the period, for the page's filters;
 * `month_key` (YYYY-MM) is what a click on a point drills by (/interactions?month=).
 */
async function contactsByMonth(ctx: LoadContext, hasSegments: boolean) {
  const w = filterSql(ctx.filters, { customer: 'customer_id', at: 'opened_at', channel: 'channel' }, { period: 'current', hasSegments });
  const rows = await ctx.db.all(
    `select date_trunc('month', opened_at)::date as period, count(*) as contacts, count(*) filter (where kind = 'complaint') as complaints
     from interactions where ${w.where} group by all order by period`,
    w.params,
  );
  return rows.map((r) => ({ period: dayText(r.period) ?? '', contacts: num(r.contacts) ?? 0, complaints: num(r.complaints) ?? 0 }));
}

/** This period against the one before, with the satisfaction module's significance tests. */
async function tiles(ctx: LoadContext): Promise<Tile[]> {
  const f = ctx.filters;
  const filters = { from: f.fromText, to: f.toText, ...(f.channel ? { channel: f.channel } : {}), ...(f.country ? { country: f.country } : {}), ...(f.segment && ctx.tables.has('customer_value') ? { segment: f.segment } : {}) };
  const asOf = f.toExclusive > ctx.asOf ? f.toExclusive : ctx.asOf;
  const rows = await serviceTiles(ctx.db, filters, asOf, satisfactionSettings(ctx.config));
  return rows.map((t) => {
    const [key, unit, digits] = TILE_LABELS[t.metric] ?? [undefined, undefined, 1];
    const pct = unit === '%' ? 100 : 1;
    const v = (x: number | null) => (x === null ? null : round(x * pct, 2));
    return {
      id: t.metric,
      label: key ? ctx.t.t(key) : t.metric,
      ...(t.metric in TILE_LINKS ? { link: { path: '/interactions', query: TILE_LINKS[t.metric], text: ctx.t.t('nav.interactions') } } : {}),
      unit,
      digits,
      value: v(t.a.value),
      n: t.a.n,
      change: {
        previous: { value: v(t.b.value), ci_low: null, ci_high: null, n: t.b.n, is_low_sample: false },
        delta: t.metric === 'interactions' ? (t.a.value !== null && t.b.value !== null ? t.a.value - t.b.value : null) : round(t.change, 2),
        p_value: t.test?.pValue ?? null,
        is_significant: t.test?.isSignificant ?? false,
        note: t.text,
      },
    };
  });
}

export const serviceDashboard: Dashboard = {
  name: 'service',
  title: 'Service',
  needs: ['interactions'],
  async load(ctx) {
    const hasSegments = ctx.tables.has('customer_value');
    const channels = await byChannel(ctx, hasSegments);
    const tiers = await byTier(ctx, hasSegments);
    const total = channels.reduce((s, c) => s + c.volume, 0);
    return {
      available: total > 0,
      missing: [],
      filters_ignored: [],
      tiles: ctx.tables.has('int_interaction_times') && total > 0 ? await tiles(ctx) : [],
      data: {
        by_channel: channels,
        by_tier: tiers,
        complaint_categories: await complaintCategories(ctx, hasSegments),
        backlog: await backlog(ctx, hasSegments),
        contacts_by_month: await contactsByMonth(ctx, hasSegments),
        sla_targets: satisfactionSettings(ctx.config).sla,
        unit: trendUnit(ctx.filters),
        source: ctx.tables.has('int_interaction_times') ? 'int_interaction_times (satisfaction module)' : 'interactions (dashboards fallback)',
      },
    };
  },
  charts(d: DashboardData, t: Translator): ChartOut[] {
    const ch = (d.data.by_channel ?? []) as Awaited<ReturnType<typeof byChannel>>;
    const tiers = (d.data.by_tier ?? []) as Awaited<ReturnType<typeof byTier>>;
    const cats = (d.data.complaint_categories ?? []) as { category: string; count: number }[];
    const bl = (d.data.backlog ?? []) as { period: string; value: number | null; series: string }[];
    const months = (d.data.contacts_by_month ?? []) as Awaited<ReturnType<typeof contactsByMonth>>;
    const none = t.t('empty.no_match');
    const drill = { page: 'interactions' as const, param: 'channel', field: 'key' };
    const wrap = (id: string, title: string, ok: boolean, build: () => ChartOut['spec'], dr?: ChartOut['drill']): ChartOut =>
      ok ? { id, title, spec: build(), ...(dr ? { drill: dr } : {}) } : { id, title, spec: null, empty: none };
    const two = (a: keyof (typeof ch)[number], b: keyof (typeof ch)[number]) =>
      ch.flatMap((c) => [
        { category: t.label('channel', c.channel), key: c.channel, series: t.t('series.median'), value: c[a] as number | null },
        { category: t.label('channel', c.channel), key: c.channel, series: t.t('series.p90'), value: c[b] as number | null },
      ]);
    const one = (f: 'fcr_rate' | 'sla_rate') => ch.map((c) => ({ category: t.label('channel', c.channel), key: c.channel, value: c[f] }));
    const grain = d.data.unit === 'month' ? 'month' : 'week';
    return [
      wrap('first-response', t.t('chart.first_response'), ch.length > 0, () =>
        bars(two('response_median_minutes', 'response_p90_minutes'), { xTitle: t.t('axis.channel'), yTitle: t.t('unit.minutes'), format: ',.0f', t }), drill),
      wrap('resolution', t.t('chart.resolution'), ch.length > 0, () =>
        bars(two('resolution_median_hours', 'resolution_p90_hours'), { xTitle: t.t('axis.channel'), yTitle: t.t('unit.hours'), format: ',.1f', t }), drill),
      wrap('fcr', t.t('chart.fcr'), ch.length > 0, () =>
        bars(one('fcr_rate'), { xTitle: t.t('axis.channel'), yTitle: t.t('metric.fcr'), format: '.0%', t }), drill),
      wrap('sla', t.t('chart.sla'), ch.length > 0, () =>
        bars(one('sla_rate'), { xTitle: t.t('axis.channel'), yTitle: t.t('metric.sla'), format: '.0%', t }), drill),
      // Tier names come from the config (sla.tiers), shown as written.
      wrap('sla-by-tier', t.t('chart.sla_by_tier'), tiers.length > 0, () =>
        bars(
          tiers.flatMap((c) => [
            { category: c.tier, key: c.tier, series: t.t('metric.first_response_sla_rate'), value: c.sla_rate },
            { category: c.tier, key: c.tier, series: t.t('metric.resolution_sla_rate'), value: c.resolution_sla_rate },
          ]),
          { xTitle: t.t('axis.tier'), yTitle: t.t('metric.sla'), format: '.0%', t },
        )),
      cats.length > 0
        ? {
            id: 'complaints-pareto',
            title: t.t('chart.complaints_pareto'),
            spec: pareto(cats.map((c) => ({ category: t.label('category', c.category), key: c.category, count: c.count })), { xTitle: t.t('axis.category'), t }),
            drill: { page: 'interactions', param: 'category', field: 'key', query: { kind: 'complaint' } },
          }
        : { id: 'complaints-pareto', title: t.t('chart.complaints_pareto'), spec: null, empty: none },
      wrap('backlog', t.t('chart.backlog'), bl.length > 0, () => lines(bl.map((b) => ({ ...b, series: t.t('series.open_items') })), { yTitle: t.t('metric.open_items'), format: ',d', grain, t })),
      wrap('contacts-by-month', t.t('chart.contacts_by_month'), months.length > 0, () =>
        lines(
          months.flatMap((m) => [
            { period: m.period, month_key: m.period.slice(0, 7), value: m.contacts, series: t.t('metric.interactions') },
            { period: m.period, month_key: m.period.slice(0, 7), value: m.complaints, series: t.t('metric.complaints') },
          ]),
          { yTitle: t.t('metric.interactions'), format: ',d', grain: 'month', t },
        ), { page: 'interactions', param: 'month', field: 'month_key', hint: 'months' }),
    ];
  },
};
