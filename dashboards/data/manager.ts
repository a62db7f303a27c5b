/**
 * What a manager opens the Overview for: the headline KPIs with their trend, the two the service
 * literature names and a support dashboard usually lacks (repurchase rate; churn by cause: service
 * failures vs natural disengagement), and links to the pages that explain each figure.
 */
import { atRiskSource, lostThresholds, REVENUE_AT_RISK_SQL } from '../../models/churn/at-risk-list.js';
import { churnCauseSql, leadingReasonSql } from '../../models/churn/causes.js';
import { twoProportionZ } from '../../models/satisfaction/significance.js';
import { filterSql } from '../filters.js';
import { dayStartUtc, localOnSql } from '../../pipelines/core/time-zone.js';
import type { Translator } from '../i18n/translate.js';
import { bars, lines } from '../specs/charts.js';
import { modelTrend, usesModelApi } from './satisfaction-source.js';
import { estimateOf, surveyTrend } from './surveys.js';
import { dayText, NO_SEGMENT, num, round, segmentLabel, type ChartOut, type LoadContext, type Tile } from './types.js';

const DAY = 86_400_000;

export interface RepurchaseMonth { period: string; customers: number; repurchased: number; rate: number | null }
export interface RepurchaseBy { key: string; customers: number; repurchased: number; rate: number | null }

/**
 * Repurchase rate: of the customers who bought in a month, the share who bought again within `days`
 * of that month's first purchase. A customer-month counts only once its window has closed by the
 * as-of date (a later window would read as "did not buy again" too early). Also per RFM segment and
 * per channel of the customer's last contact before the purchase.
 */
export async function repurchase(ctx: LoadContext, days: number) {
  const hasSegments = ctx.tables.has('customer_value');
  const w = filterSql(ctx.filters, { customer: 'p.customer_id' }, { period: 'none', hasSegments });
  // Windows close by the end of the local as-of day; months are local months (config timezone).
  const cutoff = dayStartUtc(new Date(ctx.asOf.getTime() + DAY), ctx.filters.timezone);
  const base = `
    with p as (select customer_id, ordered_at from purchases where status = 'completed'),
    firsts as (
      select p.customer_id, date_trunc('month', ${localOnSql('p.ordered_at')})::date as period, min(p.ordered_at) as t0
      from p where p.ordered_at >= $from_at and p.ordered_at < $to_at and ${w.where} group by all
    ),
    cm as (
      select f.customer_id, f.period, f.t0,
        exists (select 1 from p where p.customer_id = f.customer_id and p.ordered_at > f.t0 and p.ordered_at <= f.t0 + to_days($days::integer)) as again
      from firsts f where f.t0 + to_days($days::integer) < $cutoff_at
    )`;
  const params = { ...w.params, from_at: ctx.filters.fromAt, to_at: ctx.filters.toAt, days, cutoff_at: cutoff, timezone: ctx.filters.timezone };
  const agg = 'count(*) as customers, count(*) filter (where again) as repurchased';
  const monthly = (await ctx.db.all(`${base} select period, ${agg} from cm group by period order by period`, params)).map((r) => row(r, dayText(r.period) ?? ''));
  const bySegment = hasSegments
    ? (await ctx.db.all(`${base} select coalesce(v.rfm_segment, '${NO_SEGMENT.replaceAll("'", "''")}') as k, ${agg} from cm left join customer_value v using (customer_id) group by all order by customers desc`, params)).map((r) => row(r, String(r.k)))
    : [];
  const byChannel = ctx.tables.has('interactions')
    ? (await ctx.db.all(
        `${base}, lc as (
           select cm.customer_id, cm.again, (select arg_max(i.channel, i.opened_at) from interactions i where i.customer_id = cm.customer_id and i.opened_at <= cm.t0) as channel from cm
         ) select coalesce(channel, 'none') as k, ${agg.replaceAll('again', 'lc.again')} from lc group by all order by customers desc`,
        params,
      )).map((r) => row(r, String(r.k)))
    : [];
  return { days, monthly, by_segment: bySegment, by_channel: byChannel };
}

function row(r: Record<string, unknown>, key: string) {
  const customers = num(r.customers) ?? 0;
  const repurchased = num(r.repurchased) ?? 0;
  return { period: key, key, customers, repurchased, rate: customers > 0 ? repurchased / customers : null };
}

/** Predicted churn (Σ risk) and revenue at risk by the cause of each customer's leading churn reason. */
export async function churnByCause(ctx: LoadContext) {
  if (!ctx.tables.has('churn_scores')) return null;
  const hasValue = ctx.tables.has('customer_value');
  const w = filterSql(ctx.filters, { customer: 's.customer_id' }, { period: 'none', hasSegments: hasValue });
  // Revenue at risk: the at-risk list's one definition (value at stake, the lost apart), split by cause.
  const rows = await ctx.db.all(
    `select ${churnCauseSql(leadingReasonSql('s.churn_reasons'))} as cause, count(*) as customers, sum(s.churn_risk) as expected_churners,
            ${REVENUE_AT_RISK_SQL} as revenue_at_risk
     from churn_scores s left join ${await atRiskSource(ctx.db, ctx.tables.has('at_risk_list'), lostThresholds(ctx.config))} l on l.customer_id = s.customer_id
     where s.churn_risk is not null and ${w.where} group by all order by cause`,
    w.params,
  );
  return rows.map((r) => ({ cause: String(r.cause), customers: num(r.customers) ?? 0, expected_churners: round(num(r.expected_churners), 2) ?? 0, revenue_at_risk: round(num(r.revenue_at_risk), 2) ?? 0 }));
}

/** NPS, CSAT and CES per period over the range, oldest first, for the tiles' sparklines. */
async function surveySparklines(ctx: LoadContext): Promise<Record<'nps' | 'csat' | 'ces', (number | null)[]>> {
  const hasSegments = ctx.tables.has('customer_value');
  if (usesModelApi(ctx.tables)) {
    const get = async (type: 'nps' | 'csat' | 'ces') => (await modelTrend(ctx, type, 'month', ctx.config)).map((p) => round(p.value, 1));
    return { nps: await get('nps'), csat: await get('csat'), ces: await get('ces') };
  }
  const trend = await surveyTrend(ctx.db, ctx.filters, hasSegments);
  const series = (type: 'nps' | 'csat' | 'ces') => trend.filter((r) => r.survey_type === type).map((r) => round(estimateOf(r, type).value, 1));
  return { nps: series('nps'), csat: series('csat'), ces: series('ces') };
}

const LINKS: Record<string, [string, 'nav.satisfaction' | 'nav.service' | 'nav.rfm' | 'nav.churn']> = {
  nps: ['/satisfaction', 'nav.satisfaction'],
  csat: ['/satisfaction', 'nav.satisfaction'],
  ces: ['/satisfaction', 'nav.satisfaction'],
  csi: ['/satisfaction', 'nav.satisfaction'],
  repurchase: ['/rfm', 'nav.rfm'],
  'churn-service': ['/churn', 'nav.churn'],
};

/** Adds trends, links and the two headline KPIs to the overview's tiles, and returns their charts' data. */
export async function managerExtras(ctx: LoadContext, tiles: Tile[], days: number) {
  const t = ctx.t;
  const spark = await surveySparklines(ctx);
  for (const tile of tiles) {
    const s = spark[tile.id as 'nps' | 'csat' | 'ces'];
    if (s && s.length > 1) tile.sparkline = { values: s, text: t.t('tile.trend', { n: s.length }) };
    const link = LINKS[tile.id];
    if (link && !tile.link) tile.link = { path: link[0], text: t.t(link[1]) };
  }
  const rep = ctx.tables.has('purchases') ? await repurchase(ctx, days) : null;
  if (rep) {
    const m = rep.monthly;
    const last = m[m.length - 1];
    const prev = m[m.length - 2];
    // Fewer than 30 customers in either month: no test (the same low-sample rule as the survey tiles).
    const test = last && prev && last.customers >= 30 && prev.customers >= 30 ? twoProportionZ(last.repurchased, last.customers, prev.repurchased, prev.customers) : undefined;
    tiles.push({
      id: 'repurchase',
      label: t.t('metric.repurchase_rate'),
      unit: '%',
      value: last?.rate === null || !last ? null : round(100 * last.rate, 1),
      n: last?.customers,
      is_low_sample: last ? last.customers < 30 : true,
      note: `${last ? `${t.month(last.period)} · ` : ''}${t.t('note.repurchase', { days })}`,
      ...(prev && last
        ? {
            change: {
              previous: { value: prev.rate === null ? null : round(100 * prev.rate, 1), ci_low: null, ci_high: null, n: prev.customers, is_low_sample: false },
              delta: last.rate !== null && prev.rate !== null ? round(100 * (last.rate - prev.rate), 1) : null,
              p_value: test ? round(test.pValue, 4) : null,
              is_significant: test?.isSignificant ?? false,
            },
            // The comparison is month against month, whatever the range.
            period: { current: t.month(last.period), previous: t.month(prev.period) },
          }
        : {}),
      sparkline: m.length > 1 ? { values: m.map((x) => (x.rate === null ? null : round(100 * x.rate, 1))), text: t.t('tile.trend', { n: m.length }) } : undefined,
      link: { path: LINKS.repurchase[0], text: t.t(LINKS.repurchase[1]) },
    });
  }
  const causes = await churnByCause(ctx);
  if (causes) {
    const total = causes.reduce((s, c) => s + c.expected_churners, 0);
    const service = causes.find((c) => c.cause === 'service');
    const share = total > 0 ? (service?.expected_churners ?? 0) / total : null;
    tiles.push({
      id: 'churn-service',
      label: t.t('metric.churn_service'),
      unit: '%',
      value: share === null ? null : round(100 * share, 1),
      note: share === null ? undefined : t.t('note.churn_service', { share: t.pct(share, 0) }),
      link: { path: LINKS['churn-service'][0], text: t.t(LINKS['churn-service'][1]) },
    });
  }
  return { repurchase: rep, churn_causes: causes };
}

export function managerCharts(data: Record<string, unknown>, t: Translator): ChartOut[] {
  const rep = data.repurchase as Awaited<ReturnType<typeof repurchase>> | null | undefined;
  const causes = data.churn_causes as Awaited<ReturnType<typeof churnByCause>> | undefined;
  const out: ChartOut[] = [];
  const rate = t.t('metric.repurchase_rate');
  if (rep && rep.monthly.length) {
    out.push({
      id: 'repurchase',
      title: t.t('chart.repurchase'),
      spec: lines(rep.monthly.map((m) => ({ period: m.period, value: m.rate, series: rate })), { yTitle: rate, format: '.0%', grain: 'month', t }),
    });
  }
  if (rep && rep.by_segment.length) {
    out.push({
      id: 'repurchase-by-segment',
      title: `${rate}: ${t.t('axis.segment')}`,
      spec: bars(rep.by_segment.map((s) => ({ category: segmentLabel(t, s.key === NO_SEGMENT ? null : s.key), key: s.key, value: s.rate })), { xTitle: t.t('axis.segment'), yTitle: rate, format: '.0%', horizontal: true, sortByValue: true, t }),
      drill: { page: 'customers', param: 'segment', field: 'key' },
    });
  }
  if (rep && rep.by_channel.length) {
    out.push({
      id: 'repurchase-by-channel',
      title: `${rate}: ${t.t('axis.channel')}`,
      spec: bars(rep.by_channel.map((s) => ({ category: s.key === 'none' ? t.t('empty.none') : t.label('channel', s.key), key: s.key === 'none' ? '' : s.key, value: s.rate })), { xTitle: t.t('axis.channel'), yTitle: rate, format: '.0%', horizontal: true, sortByValue: true, t }),
    });
  }
  if (causes && causes.length) {
    out.push({
      id: 'churn-cause',
      title: t.t('chart.churn_cause'),
      spec: bars(
        causes.flatMap((c) => [
          { category: t.t(`cause.${c.cause}` as 'cause.service'), key: c.cause, value: round(c.expected_churners, 1) },
        ]),
        { xTitle: t.t('axis.cause'), yTitle: t.t('metric.customers'), format: ',.0f', horizontal: true, t },
      ),
    });
  }
  return out;
}
