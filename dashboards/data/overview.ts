import { filterSql } from '../filters.js';
import { bars } from '../specs/charts.js';
import { csatChange, meanChange, meanEstimate, npsChange } from '../stats.js';
import { actionEffects, actionEffectTiles } from './action-effect.js';
import { modelTiles, usesModelApi } from './satisfaction-source.js';
import { estimateOf, surveyTotals } from './surveys.js';
import { noData, num, round, type ChartOut, type Dashboard, type DashboardData, type LoadContext, type Tile } from './types.js';

function tile(id: string, label: string, e: ReturnType<typeof estimateOf>, change?: Tile['change'], unit?: string): Tile {
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
  if (!ctx.tables.has('customer_satisfaction')) return { id: 'csi', label: 'CSI', value: null, note: noData('customer_satisfaction is not there yet') };
  const w = filterSql(ctx.filters, { customer: 'customer_id' }, { period: 'none', hasSegments });
  const r = await ctx.db.one(`select avg(csi) as mean, stddev_samp(csi) as sd, count(csi) as n from customer_satisfaction where ${w.where}`, w.params);
  const e = meanEstimate(num(r?.mean), num(r?.sd), num(r?.n) ?? 0);
  return { ...tile('csi', 'CSI (0-100, current)', e), note: 'customers with surveys; no period comparison (a snapshot)' };
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
    const hasSegments = ctx.tables.has('customer_value');
    const cur = await surveyTotals(ctx.db, ctx.filters, 'current', hasSegments);
    const prev = await surveyTotals(ctx.db, ctx.filters, 'previous', hasSegments);
    const z = (m: Map<string, ReturnType<typeof cur.get>>, t: string) => m.get(t) ?? { survey_type: t, n: 0, promoters: 0, detractors: 0, satisfied: 0, mean: null, sd: null };
    let tiles: Tile[];
    if (usesModelApi(ctx.tables)) {
      const m = await modelTiles(ctx, ctx.config);
      tiles = [
        tile('nps', 'NPS', m.get('nps')!.current, m.get('nps')!.change, 'points'),
        tile('csat', 'CSAT', m.get('csat')!.current, m.get('csat')!.change, '%'),
        tile('ces', 'CES (mean, 1-7)', m.get('ces')!.current, m.get('ces')!.change),
      ];
    } else {
      tiles = [
        tile('nps', 'NPS', estimateOf(cur.get('nps'), 'nps'), npsChange(z(cur, 'nps'), z(prev, 'nps')), 'points'),
        tile('csat', 'CSAT', estimateOf(cur.get('csat'), 'csat'), csatChange(z(cur, 'csat'), z(prev, 'csat')), '%'),
        tile('ces', 'CES (mean, 1-7)', estimateOf(cur.get('ces'), 'ces'), meanChange(z(cur, 'ces'), z(prev, 'ces'))),
      ];
    }
    tiles.push(await csiTile(ctx, hasSegments));
    let tiers: { segment: string; customers: number }[] | null = null;
    if (ctx.tables.has('customer_value')) {
      const w = filterSql(ctx.filters, { customer: 'customer_id' }, { period: 'none', hasSegments });
      tiers = (await ctx.db.all(`select coalesce(rfm_segment, 'Prospects (no purchase)') as segment, count(*) as customers from customer_value where ${w.where} group by all order by customers desc`, w.params))
        .map((r) => ({ segment: String(r.segment), customers: num(r.customers) ?? 0 }));
    }
    if (ctx.tables.has('churn_scores')) {
      const w = filterSql(ctx.filters, { customer: 's.customer_id' }, { period: 'none', hasSegments });
      const join = hasSegments ? 'left join customer_value v on v.customer_id = s.customer_id' : '';
      const r = await ctx.db.one(`select sum(s.churn_risk * ${hasSegments ? 'coalesce(v.clv, v.monetary, 0)' : '0'}) as v, count(*) filter (where s.churn_band = 'high') as high from churn_scores s ${join} where ${w.where}`, w.params);
      tiles.push({ id: 'revenue-at-risk', label: 'Revenue at risk', unit: 'currency', value: round(num(r?.v), 0), note: `${num(r?.high) ?? 0} customers at high risk` });
    } else tiles.push({ id: 'revenue-at-risk', label: 'Revenue at risk', value: null, note: noData('churn_scores is not there yet') });
    const acts = await actions(ctx, hasSegments);
    tiles.push({
      id: 'actions',
      label: 'Retention actions fired',
      value: acts ? acts.reduce((s, a) => s + a.actions, 0) : null,
      note: acts ? 'in the date range, treated + held out' : noData('retention_actions is not there yet'),
    });
    let effects: Awaited<ReturnType<typeof actionEffects>> | null = null;
    if (acts && ctx.tables.has('purchases')) {
      const windowDays = Number((ctx.config?.churn as { horizonDays?: number } | undefined)?.horizonDays ?? 90);
      effects = await actionEffects(ctx.db, ctx.asOf, windowDays);
      tiles.push(...actionEffectTiles(effects, windowDays));
    }
    const total = [...cur.values()].reduce((s, c) => s + c.n, 0);
    return {
      available: total > 0 || tiers !== null,
      missing: [],
      filters_ignored: [],
      tiles,
      data: { tiers, actions: acts, action_effects: effects?.effects ?? null, previous_period: { from: ctx.filters.prevFrom.toISOString().slice(0, 10), to_exclusive: ctx.filters.fromText } },
    };
  },
  charts(d: DashboardData): ChartOut[] {
    const tiers = d.data.tiers as { segment: string; customers: number }[] | null;
    const acts = d.data.actions as { rule: string; arm: string; actions: number }[] | null;
    return [
      tiers && tiers.length
        ? { id: 'tiers', title: 'Customers by tier (RFM segment)', spec: bars(tiers.map((t) => ({ category: t.segment, value: t.customers })), { xTitle: 'segment', yTitle: 'customers', format: ',d', horizontal: true, sortByValue: true }) }
        : { id: 'tiers', title: 'Customers by tier', spec: null, empty: noData('customer_value is not there yet') },
      acts && acts.length
        ? { id: 'actions', title: 'Retention actions fired: treated vs held out', spec: bars(acts.map((a) => ({ category: a.rule, series: a.arm, value: a.actions })), { xTitle: 'rule', yTitle: 'actions', format: ',d', horizontal: true }) }
        : { id: 'actions', title: 'Retention actions fired', spec: null, empty: acts ? 'no actions fired in this range' : noData('retention_actions is not there yet') },
    ];
  },
};
