/**
 * Satisfaction figures through the satisfaction module's query API (models/satisfaction/query.ts) once
 * the transform has built int_survey_responses; before that, the dashboards fall back to their own SQL
 * over `surveys` (surveys.ts). One place decides, so tiles, trends and channels agree.
 */
import { countsFor, estimateOf as modelEstimate, compareCounts, satisfactionTiles, satisfactionTrend, type SurveyType } from '../../models/satisfaction/query.js';
import { resolveFilters as modelFilters, type SatisfactionFilters } from '../../models/satisfaction/filters.js';
import { satisfactionSettings } from '../../models/satisfaction/settings.js';
import type { DashboardConfig as Config } from '../config.js';
import { toEstimate, type Change, type Estimate } from '../stats.js';
import type { LoadContext } from './types.js';

export function usesModelApi(tables: Set<string>): boolean {
  return tables.has('int_survey_responses');
}

function filtersOf(ctx: LoadContext): SatisfactionFilters {
  const f = ctx.filters;
  return {
    from: f.fromText,
    to: f.toText,
    ...(f.channel ? { channel: f.channel } : {}),
    ...(f.country ? { country: f.country } : {}),
    ...(f.segment && ctx.tables.has('customer_value') ? { segment: f.segment } : {}),
  };
}

function asOfOf(ctx: LoadContext): Date {
  return ctx.filters.toExclusive > ctx.asOf ? ctx.filters.toExclusive : ctx.asOf;
}

export async function modelTiles(ctx: LoadContext, config: Config | undefined): Promise<Map<SurveyType, { current: Estimate; change: Change }>> {
  const rows = await satisfactionTiles(ctx.db, filtersOf(ctx), asOfOf(ctx), satisfactionSettings(config));
  return new Map(
    rows.map((c) => [
      c.metric,
      {
        current: toEstimate(c.a),
        change: { previous: toEstimate(c.b), delta: c.change, p_value: c.test.pValue, is_significant: c.test.isSignificant, note: c.text },
      },
    ]),
  );
}

export async function modelTrend(ctx: LoadContext, type: SurveyType, grain: 'week' | 'month', config: Config | undefined) {
  const rows = await satisfactionTrend(ctx.db, { surveyType: type, grain, filters: filtersOf(ctx) }, asOfOf(ctx), satisfactionSettings(config));
  return rows.map((r) => ({ period: r.period_on, value: r.score, ci_low: r.ci_low, ci_high: r.ci_high, n: r.n, is_low_sample: r.is_low_sample }));
}

/** Per channel over the whole range: one count per channel the survey responses carry. */
export async function modelByChannel(ctx: LoadContext, type: SurveyType, config: Config | undefined) {
  const s = satisfactionSettings(config);
  const base = modelFilters(filtersOf(ctx), asOfOf(ctx));
  const channels = base.channels.length
    ? base.channels
    : (await ctx.db.all<{ c: string }>('select distinct channel as c from int_survey_responses where channel is not null order by 1')).map((r) => r.c);
  const out = [];
  for (const ch of channels) {
    const counts = await countsFor(ctx.db, type, { ...base, channels: [ch] });
    if (counts.n === 0) continue;
    const e = modelEstimate(type, counts, s);
    out.push({ category: ch, value: e.score, ci_low: e.ciLow, ci_high: e.ciHigh, n: e.n, is_low_sample: e.isLowSample });
  }
  return out;
}

export { compareCounts };
