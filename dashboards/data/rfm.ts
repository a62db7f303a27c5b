import { readCohortRetention, type CohortBasis, type CohortCell } from '../../models/rfm/cohorts.js';
import { FLOW_STAGES, lifecycleFlow, type LifecycleFlow } from '../../models/rfm/lifecycle-flow.js';
import { listSnapshots, migrationMatrix } from '../../models/rfm/migration.js';
import { addDays, parseIsoDate } from '../../pipelines/core/clock.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import { dayStartUtc, localOnSql } from '../../pipelines/core/time-zone.js';
import { refundedAmountSql, refundRateSql, soldAmountSql } from '../../models/value/refund-rate.js';
import { CxpError } from '../../pipelines/core/errors.js';
import { filterSql } from '../filters.js';
import { bars, heatmap, histogram } from '../specs/charts.js';
import type { Translator } from '../i18n/translate.js';
import { dayText, noData, num, round, type ChartOut, type Dashboard, type DashboardData, type LoadContext, type Tile } from './types.js';

async function customerWhere(ctx: Pick<LoadContext, 'filters'>) {
  return filterSql(ctx.filters, { customer: 'customer_id' }, { period: 'none', hasSegments: true });
}

/**
 * The segment migration matrix between two rfm_history snapshots (models/rfm/migration.ts): by default
 * the last two; `migration_from`/`migration_to` pick the latest snapshot on or before a date.
 */
async function migration(ctx: LoadContext) {
  if (!ctx.tables.has('rfm_history')) return { from: null, to: null, snapshots: [], cells: [], note: noData('rfm_history is not there yet') };
  const snaps = (await listSnapshots(ctx.db)).reverse();
  if (snaps.length < 2) return { from: snaps[0] ?? null, to: null, snapshots: snaps, cells: [], note: 'one snapshot so far: the matrix needs two run dates' };
  const pick = (field: 'migration_from' | 'migration_to', dflt: string) => {
    const v = ctx.query[field] as string | undefined;
    if (v === undefined) return dflt;
    if (!parseIsoDate(v)) throw new CxpError('CXP_ERR_BAD_REQUEST', `${field}: "${v}" is not a date`, { where: `query.${field}`, field });
    // The latest snapshot on or before the requested date.
    const s = [...snaps].reverse().find((x) => x <= v);
    if (!s) {
      throw new CxpError('CXP_ERR_BAD_REQUEST', `${field}: no RFM snapshot on or before ${v}`, { where: `query.${field}`, field, hint: `first snapshot is ${snaps[0]}` });
    }
    return s;
  };
  const from = pick('migration_from', snaps[snaps.length - 2]);
  const to = pick('migration_to', snaps[snaps.length - 1]);
  const cells = await migrationMatrix(ctx.db, from, to, 'rfm_segment', (customer) =>
    filterSql(ctx.filters, { customer }, { period: 'none', hasSegments: true }),
  );
  return {
    from,
    to,
    snapshots: snaps,
    cells: cells.map((c) => ({ x: c.to_tier, y: c.from_tier, value: c.count_customers, revenue: round(c.revenue_to) })),
  };
}

/** Months since the cohort month shown on the page (0 = the cohort month itself). */
export const COHORT_MONTHS_SHOWN = 12;

/**
 * Cohort retention (the cohort_retention mart, read through models/rfm/cohorts.ts): the first-purchase
 * cohorts whose month lies in the page's period (default the 12 months up to as_of), months since up
 * to COHORT_MONTHS_SHOWN, for the country filter.
 */
async function cohorts(ctx: LoadContext): Promise<{ basis: CohortBasis; cells: CohortCell[]; note?: string }> {
  // cohort_basis=signup groups by signup month instead (the query schema allows only the two bases).
  const basis: CohortBasis = ctx.query.cohort_basis === 'signup' ? 'signup' : 'first_purchase';
  if (!ctx.tables.has('cohort_retention')) return { basis, cells: [], note: noData('cohort_retention', ctx.t) };
  const cells = await readCohortRetention(ctx.db, {
    basis,
    fromMonth: ctx.filters.fromText,
    toMonth: ctx.filters.toText,
    country: ctx.filters.country,
    maxMonthsSince: COHORT_MONTHS_SHOWN,
  });
  return { basis, cells };
}

/**
 * Lifecycle flow between the snapshots of the period's first and last day (each the latest snapshot on
 * or before it; `flow_from`/`flow_to` override), for the country and segment filters.
 */
async function flow(ctx: LoadContext): Promise<LifecycleFlow & { note?: string }> {
  if (!ctx.tables.has('rfm_history')) return { from: null, to: null, snapshots: [], cells: [], note: noData('rfm_history', ctx.t) };
  const date = (field: 'flow_from' | 'flow_to', dflt: string) => {
    const v = ctx.query[field] as string | undefined;
    if (v === undefined) return dflt;
    if (!parseIsoDate(v)) throw new CxpError('CXP_ERR_BAD_REQUEST', `${field}: "${v}" is not a date`, { where: `query.${field}`, field, hint: 'write it YYYY-MM-DD' });
    return v;
  };
  const out = await lifecycleFlow(ctx.db, date('flow_from', ctx.filters.fromText), date('flow_to', ctx.filters.toText), (customer) =>
    filterSql(ctx.filters, { customer }, { period: 'none', hasSegments: true }),
  );
  return out.cells.length ? out : { ...out, note: ctx.t.t('note.flow_needs_two') };
}

interface ValueModelNote {
  purchase_model: string | null;
  identification: string | null;
  is_p_alive_informative: boolean | null;
  identification_message: string | null;
  fixed_dropout_p: number | null;
}

/** The latest value run's model and identification verdict (value_model_runs, docs/rfm-and-value.md). */
async function valueModel(ctx: LoadContext): Promise<ValueModelNote | null> {
  if (!ctx.tables.has('value_model_runs')) return null;
  const r = await ctx.db.one(
    `select purchase_model, identification, is_p_alive_informative, identification_message, fixed_dropout_p
     from value_model_runs where status = 'fitted' order by created_at desc limit 1`,
  );
  if (!r) return null;
  return {
    purchase_model: r.purchase_model === null ? null : String(r.purchase_model),
    identification: r.identification === null ? null : String(r.identification),
    is_p_alive_informative: r.is_p_alive_informative === null ? null : Boolean(r.is_p_alive_informative),
    identification_message: r.identification_message === null ? null : String(r.identification_message),
    fixed_dropout_p: num(r.fixed_dropout_p),
  };
}

/** p_alive tile: its median, and in the note whether the data identify dropout at all. */
function pAliveTile(model: ValueModelNote | null, median: number | null, t: Translator): Tile {
  const name = model?.purchase_model === 'mbgnbd' ? 'MBG/NBD' : 'BG/NBD';
  // The value module's verdict message is English; other languages give the verdict itself.
  const message = (m: string | null) => (t.lang === 'en' && m ? ` ${m}` : '');
  let note = model ? t.t('note.p_alive_identified', { model: name }) : t.t('note.p_alive_none');
  if (model && model.is_p_alive_informative === false) note = t.t('note.p_alive_not_informative') + message(model.identification_message);
  else if (model?.identification === 'limit_model') note = t.t('note.p_alive_limit', { model: name, p: t.num(model.fixed_dropout_p, 4) }) + message(model.identification_message);
  return { id: 'p-alive', label: t.t('metric.p_alive_median'), unit: '%share', digits: 0, value: median === null ? null : round(median, 3), note };
}

/**
 * The refund-rate KPI (models/value/refund-rate.ts: refunded orders + returns and credits over what was
 * sold), over the whole local months the page's period touches, up to the end of the as-of day, for the
 * country and segment filters as the other tiles apply them (channel is the interactions', not honoured
 * here as on the rest of the page). Unfiltered it sums the refunds_monthly mart (what the export holds);
 * the mart is per month and channel, not per customer, so a filtered figure comes from `purchases` with
 * the same definition and the same months. Returns without a customer count only unfiltered.
 */
export async function refundRateTile(ctx: Pick<LoadContext, 'db' | 'tables' | 'filters' | 't' | 'asOf'>): Promise<Tile> {
  const t = ctx.t;
  const f = ctx.filters;
  const base = { id: 'refund-rate', label: t.t('metric.refund_rate'), unit: '%share', digits: 1 } as const;
  if (!ctx.tables.has('refunds_monthly')) return { ...base, value: null, note: noData('refunds_monthly', t) };
  const months = { from_on: sqlDate(f.from), to_on: sqlDate(f.toExclusive) };
  let r: Record<string, unknown> | undefined;
  if (f.country === undefined && f.segment === undefined) {
    r = await ctx.db.one(
      `select ${refundRateSql('sum(refunded_amount)', 'sum(gross_revenue)')} as rate, min(month_on) as first_on, max(month_on) as last_on
       from refunds_monthly where month_on >= date_trunc('month', $from_on) and month_on < $to_on`,
      months,
    );
  } else {
    const w = await customerWhere(ctx);
    // As the mart: orders by local month, known at the end of the local as-of day.
    r = await ctx.db.one(
      `with known as (
         select customer_id, status, amount, date_trunc('month', ${localOnSql('ordered_at')})::date as month_on
         from purchases
         where ordered_at < $cutoff_at and status in ('completed', 'refunded', 'returned')
       )
       select ${refundRateSql(refundedAmountSql('status', 'amount'), soldAmountSql('status', 'amount'))} as rate,
              min(month_on) as first_on, max(month_on) as last_on
       from known where month_on >= date_trunc('month', $from_on) and month_on < $to_on and ${w.where}`,
      { ...months, ...w.params, timezone: f.timezone, cutoff_at: dayStartUtc(addDays(ctx.asOf, 1), f.timezone) },
    );
  }
  // Null when nothing was sold in those months (or nothing matches the filters).
  const rate = num(r?.rate);
  if (rate === null) return { ...base, value: null, note: t.t('empty.no_match') };
  const first = dayText(r?.first_on)!;
  const last = dayText(r?.last_on)!;
  return { ...base, value: round(rate, 4), note: t.t('note.refund_rate', { from: t.month(first), to: t.month(last) }) };
}

export const rfmDashboard: Dashboard = {
  name: 'rfm',
  title: 'RFM & value',
  needs: ['customer_value'],
  async load(ctx) {
    const w = await customerWhere(ctx);
    const segments = await ctx.db.all(
      `select coalesce(rfm_segment, 'Prospects (no purchase)') as segment, count(*) as customers, sum(monetary) as revenue
       from customer_value where ${w.where} group by all order by customers desc`,
      w.params,
    );
    const rf = await ctx.db.all(
      `select r_score, f_score, count(*) as customers from customer_value
       where r_score is not null and f_score is not null and ${w.where} group by all`,
      w.params,
    );
    // 30 equal bins up to the 99th percentile; the last bin holds everything above it.
    const clv = await ctx.db.all(
      `with v as (select clv from customer_value where clv is not null and ${w.where}),
            q as (select greatest(quantile_cont(clv, 0.99), 1e-9) as hi, least(min(clv), 0) as lo from v),
            b as (select least(floor((clv - lo) / ((hi - lo) / 30)), 29) as bin, lo, hi from v, q)
       select bin, count(*) as count, any_value(lo) as lo, any_value(hi) as hi from b group by bin order by bin`,
      w.params,
    );
    const pa = await ctx.db.one(`select median(p_alive) as m from customer_value where p_alive is not null and ${w.where}`, w.params);
    const model = await valueModel(ctx);
    const clvBins = clv.map((r) => {
      const lo = num(r.lo) ?? 0;
      const width = ((num(r.hi) ?? 0) - lo) / 30;
      const bin = num(r.bin) ?? 0;
      return { bin_start: round(lo + bin * width), bin_end: round(lo + (bin + 1) * width), count: num(r.count) ?? 0 } as { bin_start: number; bin_end: number; count: number };
    });
    return {
      available: segments.length > 0,
      missing: [],
      // The period drives the cohorts and the lifecycle flow; the other charts are the latest snapshot.
      filters_ignored: ['channel'].filter((k) => ctx.query[k] !== undefined),
      tiles: [pAliveTile(model, num(pa?.m), ctx.t), await refundRateTile(ctx)],
      data: {
        value_model: model,
        segments: segments.map((r) => ({ segment: String(r.segment), customers: num(r.customers) ?? 0, revenue: round(num(r.revenue)) })),
        rf_matrix: rf.map((r) => ({ x: String(r.f_score), y: String(r.r_score), value: num(r.customers) ?? 0 })),
        clv_bins: clvBins,
        migration: await migration(ctx),
        cohorts: await cohorts(ctx),
        lifecycle_flow: await flow(ctx),
      },
    };
  },
  charts(d: DashboardData, t: Translator): ChartOut[] {
    const seg = (d.data.segments ?? []) as { segment: string; customers: number; revenue: number | null }[];
    const rf = (d.data.rf_matrix ?? []) as { x: string; y: string; value: number }[];
    const clv = (d.data.clv_bins ?? []) as { bin_start: number; bin_end: number; count: number }[];
    const mig = d.data.migration as { from: string | null; to: string | null; cells: { x: string; y: string; value: number }[]; note?: string } | undefined;
    const none = t.t('empty.no_match');
    const scores = ['1', '2', '3', '4', '5'];
    const drill = { page: 'customers' as const, param: 'segment', field: 'key' };
    const segRows = (f: 'customers' | 'revenue') => seg.map((s) => ({ category: t.label('segment', s.segment), key: s.segment, value: s[f] }));
    const money = t.t('metric.revenue');
    return [
      seg.length
        ? { id: 'segment-sizes', title: t.t('chart.segment_sizes'), spec: bars(segRows('customers'), { xTitle: t.t('axis.segment'), yTitle: t.t('metric.customers'), format: ',d', horizontal: true, sortByValue: true, t }), drill }
        : { id: 'segment-sizes', title: t.t('chart.segment_sizes'), spec: null, empty: none },
      seg.length
        ? { id: 'segment-revenue', title: t.t('chart.segment_revenue'), spec: bars(segRows('revenue'), { xTitle: t.t('axis.segment'), yTitle: `${money} (${t.currency})`, format: ',.0f', horizontal: true, sortByValue: true, t }), drill }
        : { id: 'segment-revenue', title: t.t('chart.segment_revenue'), spec: null, empty: none },
      rf.length
        ? { id: 'rf-heatmap', title: t.t('chart.rf_heatmap'), spec: heatmap(rf, { xTitle: t.t('axis.f_score'), yTitle: t.t('axis.r_score'), valueTitle: t.t('metric.customers'), xSort: scores, ySort: [...scores].reverse() }) }
        : { id: 'rf-heatmap', title: t.t('chart.rf_heatmap'), spec: null, empty: none },
      mig && mig.cells.length && mig.from && mig.to
        ? {
            id: 'migration',
            title: t.t('chart.migration', { from: t.date(mig.from), to: t.date(mig.to) }),
            spec: heatmap(mig.cells.map((c) => ({ ...c, x: t.label('segment', c.x), y: t.label('segment', c.y), x_key: c.x, y_key: c.y })), {
              xTitle: t.t('axis.segment_on', { date: t.date(mig.to) }),
              yTitle: t.t('axis.segment_on', { date: t.date(mig.from) }),
              valueTitle: t.t('metric.customers'),
            }),
          }
        : { id: 'migration', title: t.t('chart.migration_plain'), spec: null, empty: mig?.note ?? none },
      cohortChart(d, t),
      flowChart(d, t),
      clv.length
        ? { id: 'clv-distribution', title: t.t('chart.clv_distribution'), spec: histogram(clv, { xTitle: `${t.t('metric.clv')} (${t.currency})`, format: ',.0f', t }) }
        : { id: 'clv-distribution', title: t.t('chart.clv_distribution'), spec: null, empty: noData('customer_value.clv', t) },
    ];
  },
};

function cohortChart(d: DashboardData, t: Translator): ChartOut {
  const c = d.data.cohorts as { basis: CohortBasis; cells: CohortCell[]; note?: string } | undefined;
  const signup = c?.basis === 'signup';
  const title = t.t(signup ? 'chart.cohorts_signup' : 'chart.cohorts');
  // The other way to group the cohorts, as a link under the chart.
  const toggle = signup
    ? { param: 'cohort_basis', value: 'first_purchase', text: t.t('chart.cohorts_by_first_purchase') }
    : { param: 'cohort_basis', value: 'signup', text: t.t('chart.cohorts_by_signup') };
  if (!c || c.cells.length === 0) return { id: 'cohorts', title, spec: null, empty: c?.note ?? t.t('empty.no_match'), toggle };
  const months = [...new Set(c.cells.map((x) => x.cohort_month_on))].sort();
  const since = Array.from({ length: COHORT_MONTHS_SHOWN + 1 }, (_, i) => String(i));
  const cells = c.cells.map((x) => ({ x: String(x.months_since), y: t.month(x.cohort_month_on), value: x.share_buying, cohort_size: x.count_customers }));
  return {
    id: 'cohorts',
    title,
    note: t.t(signup ? 'note.cohorts_signup' : 'note.cohorts'),
    toggle,
    spec: heatmap(cells, {
      xTitle: t.t(signup ? 'axis.months_since_signup' : 'axis.months_since'),
      yTitle: t.t(signup ? 'axis.cohort_signup' : 'axis.cohort'),
      valueTitle: t.t('metric.share_buying'),
      xSort: since.filter((m) => cells.some((x) => x.x === m)),
      ySort: months.map((m) => t.month(m)),
      format: '.0%',
      extraTooltip: [{ field: 'cohort_size', title: t.t('metric.cohort_size'), format: ',d' }],
    }),
  };
}

function flowChart(d: DashboardData, t: Translator): ChartOut {
  const f = d.data.lifecycle_flow as (LifecycleFlow & { note?: string }) | undefined;
  if (!f || !f.from || !f.to || f.cells.length === 0) return { id: 'lifecycle-flow', title: t.t('chart.lifecycle_flow_plain'), spec: null, empty: f?.note ?? t.t('empty.no_match') };
  const stages = FLOW_STAGES.filter((s) => f.cells.some((c) => c.from_stage === s || c.to_stage === s));
  const from = t.date(f.from);
  const to = t.date(f.to);
  return {
    id: 'lifecycle-flow',
    title: t.t('chart.lifecycle_flow', { from, to }),
    spec: heatmap(
      f.cells.map((c) => ({ x: t.label('stage', c.to_stage), y: t.label('stage', c.from_stage), value: c.count_customers, x_key: c.to_stage, y_key: c.from_stage })),
      {
        xTitle: t.t('axis.stage_to', { date: to }),
        yTitle: t.t('axis.stage_from', { date: from }),
        valueTitle: t.t('metric.customers'),
        xSort: stages.map((s) => t.label('stage', s)),
        ySort: stages.map((s) => t.label('stage', s)),
      },
    ),
    drill: { page: 'customers', param: 'stage_from', field: 'y_key', also: { stage_to: 'x_key' }, query: { flow_from: f.from, flow_to: f.to }, hint: 'cells' },
  };
}
