import { latestDrivers } from '../../models/satisfaction/read.js';
import { barsWithInterval, trendWithInterval, weights, type CategoryInterval, type IntervalPoint } from '../specs/charts.js';
import { modelByChannel, modelTrend, usesModelApi } from './satisfaction-source.js';
import { estimateOf, surveyByChannel, surveyTrend, trendUnit } from './surveys.js';
import { noData, round, type ChartOut, type Dashboard, type DashboardData } from './types.js';

function interval(e: ReturnType<typeof estimateOf>): Omit<IntervalPoint, 'period'> {
  return { value: round(e.value, 2), ci_low: round(e.ci_low, 2), ci_high: round(e.ci_high, 2), n: e.n, is_low_sample: e.is_low_sample };
}

/** Key drivers of NPS from the latest fit (the satisfaction module's read API). */
async function drivers(ctx: Parameters<Dashboard['load']>[0]): Promise<{ name: string; weight: number; is_significant: boolean | null }[] | null> {
  if (!ctx.tables.has('satisfaction_drivers')) return null;
  return (await latestDrivers(ctx.db, 'nps')).map((d) => ({ name: `${d.driver} (${d.kind})`, weight: d.relativeImportance, is_significant: d.isSignificant }));
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
  charts(d: DashboardData): ChartOut[] {
    const x = d.data as Record<string, never[]>;
    const none = noData('no survey responses in this range');
    const chart = (id: string, title: string, rows: unknown[] | null, build: () => ChartOut['spec'], empty = none): ChartOut =>
      rows && rows.length > 0 ? { id, title, spec: build() } : { id, title, spec: null, empty };
    return [
      chart('nps-trend', 'NPS over time (95% interval; hollow = fewer than 30 responses)', x.nps_trend, () =>
        trendWithInterval(x.nps_trend, { yTitle: 'NPS', yDomain: [-100, 100] })),
      chart('csat-trend', 'CSAT % satisfied over time (95% interval)', x.csat_trend, () =>
        trendWithInterval(x.csat_trend, { yTitle: 'CSAT %', yDomain: [0, 100], color: '#2ca02c' })),
      chart('nps-by-channel', 'NPS by channel', x.nps_by_channel, () => barsWithInterval(x.nps_by_channel, { xTitle: 'channel', yTitle: 'NPS' })),
      chart('csat-by-channel', 'CSAT by channel', x.csat_by_channel, () => barsWithInterval(x.csat_by_channel, { xTitle: 'channel', yTitle: 'CSAT %' })),
      chart('drivers', 'Key drivers of satisfaction', x.drivers as unknown[] | null, () => weights(x.drivers, { xTitle: 'relative importance (NPS model)' }),
        noData('the satisfaction drivers table (satisfaction_drivers) is not there yet')),
    ];
  },
};
