import { activeModelQuality, type ActiveModelQuality, type BaseRate } from '../../models/churn/read.js';
import { atRiskSql, populationLabel } from '../../models/churn/at-risk-list.js';
import { filterSql } from '../filters.js';
import { bars, calibration, histogram, rocCurve, weights } from '../specs/charts.js';
import { noData, num, round, type ChartOut, type Dashboard, type DashboardData, type LoadContext } from './types.js';

export interface ModelQuality {
  model_id: string | null;
  trained_at: string | null;
  auc: number | null;
  roc: { fpr: number; tpr: number }[];
  calibration: { predicted: number; observed: number; n?: number }[];
  importance: { name: string; weight: number }[];
  /** out_of_time; cross_validation when no earlier window allowed it (see validation_note); out_of_bag as a last resort. */
  validation: ActiveModelQuality['validation'];
  validation_note: string | null;
  /** metrics.base_rate of the model: churn rate of the previous and latest windows, and the shift. */
  base_rate: BaseRate | null;
}

/** The active churn model's quality (ROC, calibration, importance, training date) from the churn module's read API. */
export async function modelQuality(ctx: Pick<LoadContext, 'db' | 'tables'>): Promise<ModelQuality | null> {
  if (!ctx.tables.has('churn_models')) return null;
  const m = await activeModelQuality(ctx.db);
  if (!m) return null;
  return {
    model_id: m.modelId,
    trained_at: m.trainedAt.toISOString(),
    validation: m.validation,
    auc: round(m.rocAuc, 4),
    roc: m.rocCurve,
    calibration: m.reliability
      .filter((b) => b.mean_predicted !== null && b.observed_rate !== null)
      .map((b) => ({ predicted: b.mean_predicted!, observed: b.observed_rate!, n: b.count })),
    importance: m.importance.slice(0, 20).map((f) => ({ name: f.feature, weight: f.importance })),
    validation_note: m.validationNote,
    base_rate: m.baseRate,
  };
}

/** Churn-rate drift: the last training's window-to-window shift, and the scored mean against the training rate. */
function driftTile(m: ModelQuality | null, meanRisk: number | null) {
  const br = m?.base_rate;
  const latest = br?.latest_window_observed ?? null;
  const parts: string[] = [];
  if (br && br.previous_window_observed !== null && latest !== null) {
    parts.push(`churn rate ${pct(br.previous_window_observed)} → ${pct(latest)} between training windows${br.latest_window_predicted_by_previous_model !== null ? ` (previous model predicted ${pct(br.latest_window_predicted_by_previous_model)})` : ''}`);
  }
  if (meanRisk !== null && latest !== null) parts.push(`scored mean risk ${pct(meanRisk)} vs ${pct(latest)} in training`);
  if (br?.is_shifted) parts.push(`shifted: ${br.action}`);
  return {
    id: 'base-rate-drift',
    label: 'Churn-rate drift (scored mean − training rate)',
    unit: '%',
    digits: 1,
    value: meanRisk !== null && latest !== null ? round((meanRisk - latest) * 100, 1) : null,
    note: parts.length ? parts.join('; ') : 'no model with a base-rate check yet',
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const churnDashboard: Dashboard = {
  name: 'churn',
  title: 'Churn',
  needs: ['churn_scores'],
  async load(ctx) {
    const hasValue = ctx.tables.has('customer_value');
    const w = filterSql(ctx.filters, { customer: 's.customer_id' }, { period: 'none', hasSegments: hasValue });
    const dist = await ctx.db.all(
      `select least(floor(churn_risk * 20), 19) as bin, coalesce(churn_band, 'unknown') as band, count(*) as count
       from churn_scores s where churn_risk is not null and ${w.where} group by all order by bin`,
      w.params,
    );
    // Revenue at risk: each customer's expected value (CLV, else past net revenue) weighted by churn risk.
    const valueExpr = hasValue ? 'coalesce(v.clv, v.monetary, 0)' : '0';
    const join = hasValue ? 'left join customer_value v on v.customer_id = s.customer_id' : '';
    const seg = await ctx.db.all(
      `select ${hasValue ? "coalesce(v.rfm_segment, 'Prospects (no purchase)')" : "'all'"} as segment, sum(s.churn_risk * ${valueExpr}) as revenue_at_risk,
              count(*) filter (where s.churn_band = 'high') as high_risk_customers, count(*) as customers
       from churn_scores s ${join} where ${w.where} group by all order by revenue_at_risk desc`,
      w.params,
    );
    const total = seg.reduce((s, r) => s + (num(r.revenue_at_risk) ?? 0), 0);
    const high = seg.reduce((s, r) => s + (num(r.high_risk_customers) ?? 0), 0);
    const model = await modelQuality(ctx);
    // The list's own count (GET /api/customers/at-risk, default population, same country/segment): one number in both places.
    const listQ = { population: 'at_risk' as const, consent_only: true, country: ctx.filters.country, segment: ctx.filters.segment, sort: 'stake_desc' as const, limit: 1, offset: 0 };
    const listSql = await atRiskSql(ctx.db, listQ, ctx.tables.has('at_risk_list'));
    const onList = await ctx.db.one<{ total: number; lost: number }>(listSql.counts, listSql.params);
    const mr = await ctx.db.one(`select avg(churn_risk) as m from churn_scores`);
    const cvNote = model?.validation === 'cross_validation' ? `cross-validated, not out of time: ${model.validation_note ?? ''}` : null;
    return {
      available: dist.length > 0,
      missing: [],
      filters_ignored: ['from', 'to', 'channel'].filter((k) => ctx.query[k] !== undefined),
      tiles: [
        { id: 'revenue-at-risk', label: 'Revenue at risk', unit: 'currency', value: round(total, 0), note: hasValue ? 'Σ churn risk × CLV' : 'needs customer_value' },
        { id: 'high-risk', label: 'High-risk customers', value: high },
        { id: 'at-risk-list', label: 'On the at-risk list', value: num(onList?.total) ?? 0, note: `${populationLabel(listQ)}; ${num(onList?.lost) ?? 0} already lost, listed apart` },
        {
          id: 'model-auc',
          label: model?.validation === 'cross_validation' ? 'Model ROC AUC (cross-validated)' : 'Model ROC AUC (out of time)',
          digits: 3,
          value: model?.auc ?? null,
          note: cvNote ?? (model?.trained_at ? `trained ${model.trained_at.slice(0, 10)}` : 'no model yet'),
        },
        driftTile(model, num(mr?.m)),
      ],
      data: {
        risk_bins: dist.map((r) => ({ bin_start: (num(r.bin) ?? 0) / 20, bin_end: ((num(r.bin) ?? 0) + 1) / 20, group: String(r.band), count: num(r.count) ?? 0 })),
        revenue_at_risk_by_segment: seg.map((r) => ({ segment: String(r.segment), revenue_at_risk: round(num(r.revenue_at_risk)), high_risk_customers: num(r.high_risk_customers) ?? 0, customers: num(r.customers) ?? 0 })),
        model,
      },
    };
  },
  charts(d: DashboardData): ChartOut[] {
    const bins = (d.data.risk_bins ?? []) as { bin_start: number; bin_end: number; count: number; group: string }[];
    const seg = (d.data.revenue_at_risk_by_segment ?? []) as { segment: string; revenue_at_risk: number | null }[];
    const m = d.data.model as ModelQuality | null | undefined;
    const noModel = noData('no churn model (churn_models) yet');
    return [
      bins.length ? { id: 'risk-distribution', title: 'Churn-risk distribution by band', spec: histogram(bins, { xTitle: 'churn risk', format: '.0%' }) } : { id: 'risk-distribution', title: 'Churn-risk distribution', spec: null, empty: noData('no churn scores yet') },
      seg.length ? { id: 'revenue-at-risk', title: 'Revenue at risk by segment (Σ risk × CLV)', spec: bars(seg.map((s) => ({ category: s.segment, value: s.revenue_at_risk })), { xTitle: 'segment', yTitle: 'revenue at risk', format: ',.0f', horizontal: true, sortByValue: true }) } : { id: 'revenue-at-risk', title: 'Revenue at risk by segment', spec: null, empty: noData('no churn scores yet') },
      m && m.roc.length
        ? { id: 'roc', title: `Model ROC curve (${m.validation === 'cross_validation' ? 'cross-validated' : m.validation === 'out_of_bag' ? 'out-of-bag' : 'out-of-time test'})`, spec: rocCurve(m.roc, { auc: m.auc }) }
        : { id: 'roc', title: 'Model ROC curve', spec: null, empty: m ? `the active model stores no ROC points (metrics.out_of_time.calibrated.roc_curve)${m.auc !== null ? `; out-of-time ROC AUC ${m.auc.toFixed(3)}` : ''}` : noModel },
      m && m.calibration.length ? { id: 'calibration', title: `Calibration (reliability, ${m.validation === 'out_of_bag' ? 'out of bag' : 'out of time'})`, spec: calibration(m.calibration) } : { id: 'calibration', title: 'Calibration', spec: null, empty: m ? 'the active model stores no reliability table' : noModel },
      m && m.importance.length ? { id: 'feature-importance', title: `Feature importance${m.trained_at ? ` (trained ${m.trained_at.slice(0, 10)})` : ''}`, spec: weights(m.importance, { xTitle: 'importance' }) } : { id: 'feature-importance', title: 'Feature importance', spec: null, empty: noModel },
    ];
  },
};
