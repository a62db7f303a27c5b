import { latestDrivers } from '../../models/satisfaction/read.js';
import { barsWithInterval, trendWithInterval, weights, type CategoryInterval, type IntervalPoint } from '../specs/charts.js';
import { modelByChannel, modelTrend, usesModelApi } from './satisfaction-source.js';
import { estimateOf, surveyByChannel, surveyTrend, trendUnit } from './surveys.js';
import type { Translator } from '../i18n/translate.js';
import { noData, round, type ChartOut, type Dashboard, type DashboardData } from './types.js';

function interval(e: ReturnType<typeof estimateOf>): Omit<IntervalPoint, 'period'> {
  return { value: round(e.value, 2), ci_low: round(e.ci_low, 2), ci_high: round(e.ci_high, 2), n: e.n, is_low_sample: e.is_low_sample };
}

/** Key drivers of NPS from the latest fit (the satisfaction module's read API). */
async function drivers(ctx: Parameters<Dashboard['load']>[0]): Promise<{ name: string; weight: number; is_significant: boolean | null }[] | null> {
  if (!ctx.tables.has('satisfaction_drivers')) return null;
  return (await latestDrivers(ctx.db, 'nps')).map((d) => ({ name: driverLabel(ctx.t, d.driver, d.kind), weight: d.relativeImportance, is_significant: d.isSignificant }));
}

/** A driver for people: the glossary's name for a known driver, else the question's own name, with its kind. */
function driverLabel(t: Translator, name: string, kind: string | null): string {
  const known = t.label('driver', name);
  const shown = known !== name ? known : name.replaceAll('_', ' ');
  return kind && t.has(`driver.kind.${kind}`) ? `${shown} (${t.label('driver.kind', kind)})` : shown;
}

export const satisfactionDashboard: Dashboard = {
  name: 'satisfaction',
  title: 'Satisfaction',
  needs: ['surveys'],
  async load(ctx) {
    const hasSegments = ctx.tables.has('customer_value');
    const unit = trendUnit(ctx.filters);
    let npsTrend: IntervalPoint[], csatTrend: IntervalPoint[], npsChannels: CategoryInterval[], csatChannels: CategoryInterval[];
    const r2 = (p: IntervalPoint | CategoryInterval) => ({ ...p, value: round(p.value), ci_low: round(p.ci_low), ci_high: round(p.ci_high) });
    if (usesModelApi(ctx.tables)) {
      npsTrend = (await modelTrend(ctx, 'nps', unit, ctx.config)).map(r2) as IntervalPoint[];
      csatTrend = (await modelTrend(ctx, 'csat', unit, ctx.config)).map(r2) as IntervalPoint[];
      npsChannels = (await modelByChannel(ctx, 'nps', ctx.config)).map(r2) as CategoryInterval[];
      csatChannels = (await modelByChannel(ctx, 'csat', ctx.config)).map(r2) as CategoryInterval[];
    } else {
      const trend = await surveyTrend(ctx.db, ctx.filters, hasSegments);
      const byChannel = await surveyByChannel(ctx.db, ctx.filters, hasSegments);
      const series = (type: 'nps' | 'csat') =>
        trend.filter((r) => r.survey_type === type).map((r) => ({ period: r.period, ...interval(estimateOf(r, type)) }));
      const channels = (type: 'nps' | 'csat') =>
        byChannel.filter((r) => r.survey_type === type).map((r) => ({ category: r.channel, ...interval(estimateOf(r, type)) }));
      [npsTrend, csatTrend, npsChannels, csatChannels] = [series('nps'), series('csat'), channels('nps'), channels('csat')];
    }
    const d = await drivers(ctx);
    return {
      available: npsTrend.length + csatTrend.length > 0,
      missing: [],
      filters_ignored: [],
      tiles: [],
      data: {
        unit,
        source: usesModelApi(ctx.tables) ? 'models/satisfaction (int_survey_responses)' : 'surveys (dashboards fallback)',
        nps_trend: npsTrend,
        csat_trend: csatTrend,
        nps_by_channel: npsChannels,
        csat_by_channel: csatChannels,
        drivers: d,
      },
    };
  },
  charts(d: DashboardData, t: Translator): ChartOut[] {
    const x = d.data as Record<string, never[]>;
    const none = t.t('empty.no_match');
    const grain = d.data.unit === 'month' ? 'month' : 'week';
    const chart = (id: string, title: string, rows: unknown[] | null, build: () => ChartOut['spec'], empty = none, drill?: ChartOut['drill']): ChartOut =>
      rows && rows.length > 0 ? { id, title, spec: build(), ...(drill ? { drill } : {}) } : { id, title, spec: null, empty };
    const byChannel = (rows: CategoryInterval[]) => rows.map((r) => ({ ...r, key: r.category, category: t.label('channel', r.category) }));
    const drill = { page: 'interactions' as const, param: 'channel', field: 'key' };
    return [
      chart('nps-trend', t.t('chart.nps_trend', { n: 30 }), x.nps_trend, () =>
        trendWithInterval(x.nps_trend, { yTitle: t.t('metric.nps'), yDomain: [-100, 100], grain, t })),
      chart('csat-trend', t.t('chart.csat_trend'), x.csat_trend, () =>
        trendWithInterval(x.csat_trend, { yTitle: t.t('metric.csat_pct'), yDomain: [0, 100], color: '#237a36', grain, t })),
      chart('nps-by-channel', t.t('chart.nps_by_channel'), x.nps_by_channel, () => barsWithInterval(byChannel(x.nps_by_channel), { xTitle: t.t('axis.channel'), yTitle: t.t('metric.nps'), t }), none, drill),
      chart('csat-by-channel', t.t('chart.csat_by_channel'), x.csat_by_channel, () => barsWithInterval(byChannel(x.csat_by_channel), { xTitle: t.t('axis.channel'), yTitle: t.t('metric.csat_pct'), t }), none, drill),
      chart('drivers', t.t('chart.drivers'), x.drivers as unknown[] | null, () => weights(x.drivers, { xTitle: t.t('metric.relative_importance'), t }),
        noData('satisfaction_drivers', t)),
    ];
  },
};
