import { atRiskSource, lostThresholds, HIGH_RISK_CUSTOMERS_SQL, REVENUE_AT_RISK_SQL } from '../../models/churn/at-risk-list.js';
import { filterSql } from '../filters.js';
import { bars } from '../specs/charts.js';
import { csatChange, meanChange, meanEstimate, npsChange } from '../stats.js';
import { actionEffects, actionEffectTiles } from './action-effect.js';
import { managerCharts, managerExtras } from './manager.js';
import { modelTiles, usesModelApi } from './satisfaction-source.js';
import { estimateOf, surveyTotals } from './surveys.js';
import type { Translator } from '../i18n/translate.js';
import { noData, NO_SEGMENT, num, round, segmentLabel, type ChartOut, type Dashboard, type DashboardData, type LoadContext, type Tile } from './types.js';

export function tile(id: string, label: string, e: ReturnType<typeof estimateOf>, change?: Tile['change'], unit?: string): Tile {
  return {
    id,
    label,
    unit,
    value: round(e.value, 1),
    ci_low: round(e.ci_low, 1),
    ci_high: round(e.ci_high, 1),
    n: e.n,
    is_low_sample: e.is_low_sample,
    change: change && {
      ...change,
      delta: round(change.delta, 1),
      p_value: round(change.p_value, 4),
      previous: { ...change.previous, value: round(change.previous.value, 1), ci_low: round(change.previous.ci_low, 1), ci_high: round(change.previous.ci_high, 1) },
    },
  };
}

async function csiTile(ctx: LoadContext, hasSegments: boolean): Promise<Tile> {
  if (!ctx.tables.has('customer_satisfaction')) return { id: 'csi', label: ctx.t.t('metric.csi'), value: null, note: noData('customer_satisfaction', ctx.t) };
  const w = filterSql(ctx.filters, { customer: 'customer_id' }, { period: 'none', hasSegments });
  const r = await ctx.db.one(`select avg(csi) as mean, stddev_samp(csi) as sd, count(csi) as n from customer_satisfaction where ${w.where}`, w.params);
  const e = meanEstimate(num(r?.mean), num(r?.sd), num(r?.n) ?? 0);
  return { ...tile('csi', ctx.t.t('metric.csi'), e), note: ctx.t.t('note.csi') };
}

async function actions(ctx: LoadContext, hasSegments: boolean) {
  if (!ctx.tables.has('retention_actions')) return null;
  const holdout = "case when is_holdout then 'held out' else 'treated' end";
  // Actions are dated by the data date they fired for (as_of) when recorded, so the range matches the other tiles.
  const at = 'coalesce(as_of::timestamp, fired_at)';
  const w = filterSql(ctx.filters, { customer: 'customer_id', at }, { hasSegments });
  const rows = await ctx.db.all(`select rule, ${holdout} as arm, count(*) as actions from retention_actions where ${w.where} group by all order by rule`, w.params);
  return rows.map((r) => ({ rule: String(r.rule), arm: String(r.arm), actions: num(r.actions) ?? 0 }));
}

export const overviewDashboard: Dashboard = {
  name: 'overview',
  title: 'Overview',
  needs: [],
  async load(ctx) {
    const t = ctx.t;
    const hasSegments = ctx.tables.has('customer_value');
    const cur = await surveyTotals(ctx.db, ctx.filters, 'current', hasSegments);
    const prev = await surveyTotals(ctx.db, ctx.filters, 'previous', hasSegments);
    const z = (m: Map<string, ReturnType<typeof cur.get>>, t: string) => m.get(t) ?? { survey_type: t, n: 0, promoters: 0, detractors: 0, satisfied: 0, mean: null, sd: null };
    let tiles: Tile[];
    if (usesModelApi(ctx.tables)) {
      const m = await modelTiles(ctx, ctx.config);
      tiles = [
        tile('nps', t.t('metric.nps'), m.get('nps')!.current, m.get('nps')!.change, 'points'),
        tile('csat', t.t('metric.csat_pct'), m.get('csat')!.current, m.get('csat')!.change, '%'),
        tile('ces', t.t('metric.ces'), m.get('ces')!.current, m.get('ces')!.change),
      ];
    } else {
      tiles = [
        tile('nps', t.t('metric.nps'), estimateOf(cur.get('nps'), 'nps'), npsChange(z(cur, 'nps'), z(prev, 'nps')), 'points'),
        tile('csat', t.t('metric.csat_pct'), estimateOf(cur.get('csat'), 'csat'), csatChange(z(cur, 'csat'), z(prev, 'csat')), '%'),
        tile('ces', t.t('metric.ces'), estimateOf(cur.get('ces'), 'ces'), meanChange(z(cur, 'ces'), z(prev, 'ces'))),
      ];
    }
    tiles.push(await csiTile(ctx, hasSegments));
    const horizonDays = Number((ctx.config?.churn as { horizonDays?: number } | undefined)?.horizonDays ?? 90);
    const extras = await managerExtras(ctx, tiles, horizonDays);
    let tiers: { segment: string | null; customers: number }[] | null = null;
    if (ctx.tables.has('customer_value')) {
      const w = filterSql(ctx.filters, { customer: 'customer_id' }, { period: 'none', hasSegments });
      tiers = (await ctx.db.all(`select rfm_segment as segment, count(*) as customers from customer_value where ${w.where} group by all order by customers desc`, w.params))
        .map((r) => ({ segment: r.segment === null ? null : String(r.segment), customers: num(r.customers) ?? 0 }));
    }
    if (ctx.tables.has('churn_scores')) {
      // The at-risk list's one definition: value at stake over the customers still worth saving.
      const w = filterSql(ctx.filters, { customer: 'l.customer_id' }, { period: 'none', hasSegments });
      const r = await ctx.db.one(
        `select ${REVENUE_AT_RISK_SQL} as v, ${HIGH_RISK_CUSTOMERS_SQL} as high from ${await atRiskSource(ctx.db, ctx.tables.has('at_risk_list'), lostThresholds(ctx.config))} l where ${w.where}`,
        w.params,
      );
      tiles.push({ id: 'revenue-at-risk', label: t.t('metric.revenue_at_risk'), unit: 'currency', value: round(num(r?.v), 0), note: t.t('note.revenue_at_risk', { n: t.num(num(r?.high) ?? 0, 0) }), link: { path: '/churn', text: t.t('nav.churn') } });
    } else tiles.push({ id: 'revenue-at-risk', label: t.t('metric.revenue_at_risk'), value: null, note: noData('churn_scores', t) });
    const acts = await actions(ctx, hasSegments);
    tiles.push({
      id: 'actions',
      label: t.t('metric.actions'),
      digits: 0,
      value: acts ? acts.reduce((s, a) => s + a.actions, 0) : null,
      note: acts ? t.t('note.actions') : noData('retention_actions', t),
    });
    let effects: Awaited<ReturnType<typeof actionEffects>> | null = null;
    if (acts && ctx.tables.has('purchases')) {
      const windowDays = Number((ctx.config?.churn as { horizonDays?: number } | undefined)?.horizonDays ?? 90);
      effects = await actionEffects(ctx.db, ctx.asOf, windowDays);
      tiles.push(...actionEffectTiles(effects, windowDays, t));
    }
    const total = [...cur.values()].reduce((s, c) => s + c.n, 0);
    const cw = filterSql(ctx.filters, { customer: 'customer_id' }, { period: 'none', hasSegments: ctx.tables.has('customer_value') });
    const countries = (await ctx.db.all(
      `select country, count(*) as customers from customers where country is not null and ${cw.where} group by all order by customers desc, country limit 30`,
      cw.params,
    )).map((r) => ({ country: String(r.country), customers: num(r.customers) ?? 0 }));
    return {
      available: total > 0 || tiers !== null,
      missing: [],
      filters_ignored: [],
      tiles,
      data: { ...extras, tiers, countries, actions: acts, action_effects: effects?.effects ?? null, previous_period: { from: ctx.filters.prevFrom.toISOString().slice(0, 10), to_exclusive: ctx.filters.fromText } },
    };
  },
  charts(d: DashboardData, t: Translator): ChartOut[] {
    const tiers = d.data.tiers as { segment: string | null; customers: number }[] | null;
    const acts = d.data.actions as { rule: string; arm: string; actions: number }[] | null;
    return [
      tiers && tiers.length
        ? {
            id: 'tiers',
            title: t.t('chart.tiers'),
            spec: bars(tiers.map((x) => ({ category: segmentLabel(t, x.segment), key: x.segment ?? NO_SEGMENT, value: x.customers })), { xTitle: t.t('axis.segment'), yTitle: t.t('metric.customers'), format: ',d', horizontal: true, sortByValue: true, t }),
            drill: { page: 'customers', param: 'segment', field: 'key' },
          }
        : { id: 'tiers', title: t.t('chart.tiers'), spec: null, empty: noData('customer_value', t) },
      acts && acts.length
        ? { id: 'actions', title: t.t('chart.actions'), spec: bars(acts.map((a) => ({ category: a.rule, series: t.t(a.arm === 'held out' ? 'series.held_out' : 'series.treated'), value: a.actions })), { xTitle: t.t('axis.rule'), yTitle: t.t('metric.actions'), format: ',d', horizontal: true, t }) }
        : { id: 'actions', title: t.t('chart.actions'), spec: null, empty: acts ? t.t('empty.no_match') : noData('retention_actions', t) },
      ...managerCharts(d.data, t),
      countryChart(d.data.countries as { country: string; customers: number }[] | undefined, t),
    ];
  },
};

/** Customers by country (at most 30, largest first); a click opens the customers of that country. */
function countryChart(rows: { country: string; customers: number }[] | undefined, t: Translator): ChartOut {
  const title = t.t('chart.customers_by_country');
  if (!rows || rows.length === 0) return { id: 'countries', title, spec: null, empty: t.t('empty.no_match') };
  return {
    id: 'countries',
    title,
    spec: bars(rows.map((r) => ({ category: r.country, key: r.country, value: r.customers })), { xTitle: t.t('axis.country'), yTitle: t.t('metric.customers'), format: ',d', horizontal: true, sortByValue: true, t }),
    drill: { page: 'customers', param: 'country', field: 'key' },
  };
}
