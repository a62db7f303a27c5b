import { activeModelQuality, type ActiveModelQuality, type BaseRate } from '../../models/churn/read.js';
import { atRiskSource, atRiskSql, HIGH_RISK_CUSTOMERS_SQL, lostRule, lostThresholds, populationLabel, REVENUE_AT_RISK_SQL } from '../../models/churn/at-risk-list.js';
import { lostRuleText } from './lost-rule.js';
import { filterSql } from '../filters.js';
import { bars, calibration, histogram, rocCurve, weights } from '../specs/charts.js';
import type { Translator } from '../i18n/translate.js';
import { featureLabel } from './reasons.js';
import { noData, num, round, type ChartOut, type Dashboard, type DashboardData, type LoadContext, type Tile } from './types.js';

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
function driftTile(m: ModelQuality | null, meanRisk: number | null, t: Translator): Tile {
  const br = m?.base_rate;
  const latest = br?.latest_window_observed ?? null;
  const parts: string[] = [];
  if (br && br.previous_window_observed !== null && latest !== null) {
    parts.push(t.t('note.drift_windows', { from: t.pct(br.previous_window_observed), to: t.pct(latest) }) +
      (br.latest_window_predicted_by_previous_model !== null ? ` ${t.t('note.drift_predicted', { p: t.pct(br.latest_window_predicted_by_previous_model) })}` : ''));
  }
  if (meanRisk !== null && latest !== null) parts.push(t.t('note.drift_scored', { m: t.pct(meanRisk), t: t.pct(latest) }));
  // The model's own advice is English text; other languages say that the rate shifted.
  if (br?.is_shifted) parts.push(t.lang === 'en' ? `shifted: ${br.action}` : t.t('note.drift_shifted'));
  return {
    id: 'base-rate-drift',
    label: t.t('metric.base_rate_drift'),
    // A difference of two rates: percentage points.
    unit: 'pp',
    digits: 1,
    value: meanRisk !== null && latest !== null ? round((meanRisk - latest) * 100, 1) : null,
    note: parts.length ? parts.join('; ') : t.t('note.drift_none'),
  };
}

export const churnDashboard: Dashboard = {
  name: 'churn',
  title: 'Churn',
  needs: ['churn_scores'],
  async load(ctx) {
    const t = ctx.t;
    const hasValue = ctx.tables.has('customer_value');
    const w = filterSql(ctx.filters, { customer: 's.customer_id' }, { period: 'none', hasSegments: hasValue });
    const dist = await ctx.db.all(
      `select least(floor(churn_risk * 20), 19) as bin, coalesce(churn_band, 'unknown') as band, count(*) as count
       from churn_scores s where churn_risk is not null and ${w.where} group by all order by bin`,
      w.params,
    );
    // Revenue at risk by segment: the at-risk list's one definition (value at stake, the lost apart).
    const lw = filterSql(ctx.filters, { customer: 'l.customer_id' }, { period: 'none', hasSegments: hasValue });
    const seg = await ctx.db.all(
      `select ${hasValue ? "coalesce(l.rfm_segment, 'Prospects (no purchase)')" : "'all'"} as segment, ${REVENUE_AT_RISK_SQL} as revenue_at_risk,
              ${HIGH_RISK_CUSTOMERS_SQL} as high_risk_customers, count(*) as customers
       from ${await atRiskSource(ctx.db, ctx.tables.has('at_risk_list'), lostThresholds(ctx.config))} l where ${lw.where} group by all order by revenue_at_risk desc`,
      lw.params,
    );
    const total = seg.reduce((s, r) => s + (num(r.revenue_at_risk) ?? 0), 0);
    const high = seg.reduce((s, r) => s + (num(r.high_risk_customers) ?? 0), 0);
    const model = await modelQuality(ctx);
    // The list's own count (GET /api/customers/at-risk, default population, same country/segment): one number in both places.
    const listQ = { population: 'at_risk' as const, consent_only: true, country: ctx.filters.country, segment: ctx.filters.segment, sort: 'stake_desc' as const, limit: 1, offset: 0 };
    const listSql = await atRiskSql(ctx.db, listQ, ctx.tables.has('at_risk_list'), lostThresholds(ctx.config));
    const onList = await ctx.db.one<{ total: number; lost: number }>(listSql.counts, listSql.params);
    // The "already lost" rule this run applied, said under the list's count in every language.
    const rule = await lostRule(ctx.db, lostThresholds(ctx.config));
    const mr = await ctx.db.one(`select avg(churn_risk) as m from churn_scores`);
    const cvNote = model?.validation === 'cross_validation' ? t.t('note.model_cv') + (t.lang === 'en' && model.validation_note ? ` ${model.validation_note}` : '') : null;
    return {
      available: dist.length > 0,
      missing: [],
      filters_ignored: ['from', 'to', 'channel'].filter((k) => ctx.query[k] !== undefined),
      tiles: [
        { id: 'revenue-at-risk', label: t.t('metric.revenue_at_risk'), unit: 'currency', value: round(total, 0), note: hasValue ? t.t('note.revenue_at_risk', { n: t.num(high, 0) }) : noData('customer_value', t) },
        { id: 'high-risk', label: t.t('metric.high_risk'), digits: 0, value: high, link: { path: '/customers', query: { band: 'high' }, text: t.t('nav.customers') } },
        {
          id: 'at-risk-list',
          label: t.t('metric.on_at_risk_list'),
          digits: 0,
          value: num(onList?.total) ?? 0,
          // English keeps the list API's own population wording (the same words as its header).
          note: (t.lang === 'en'
            ? `${populationLabel(listQ, rule)}; ${num(onList?.lost) ?? 0} already lost, listed apart`
            : `${t.t('atrisk.population.at_risk')} · ${t.t('customer.consent_yes')}; ${t.t('atrisk.lost_apart', { n: t.num(num(onList?.lost) ?? 0, 0) })}`) + `. ${lostRuleText(t, rule)}`,
        },
        {
          id: 'model-auc',
          label: t.t(model?.validation === 'cross_validation' ? 'metric.model_auc_cv' : 'metric.model_auc'),
          digits: 3,
          value: model?.auc ?? null,
          note: cvNote ?? (model?.trained_at ? t.t('note.model_trained', { date: t.date(model.trained_at.slice(0, 10)) }) : t.t('note.no_model')),
        },
        driftTile(model, num(mr?.m), t),
      ],
      data: {
        risk_bins: dist.map((r) => ({ bin_start: (num(r.bin) ?? 0) / 20, bin_end: ((num(r.bin) ?? 0) + 1) / 20, group: String(r.band), count: num(r.count) ?? 0 })),
        revenue_at_risk_by_segment: seg.map((r) => ({ segment: String(r.segment), revenue_at_risk: round(num(r.revenue_at_risk)), high_risk_customers: num(r.high_risk_customers) ?? 0, customers: num(r.customers) ?? 0 })),
        model,
      },
    };
  },
  charts(d: DashboardData, t: Translator): ChartOut[] {
    const bins = (d.data.risk_bins ?? []) as { bin_start: number; bin_end: number; count: number; group: string }[];
    const seg = (d.data.revenue_at_risk_by_segment ?? []) as { segment: string; revenue_at_risk: number | null }[];
    const m = d.data.model as ModelQuality | null | undefined;
    const noModel = t.t('note.no_model');
    const noScores = noData('churn_scores', t);
    const bands = ['low', 'medium', 'high', 'unknown'];
    return [
      bins.length
        ? {
            id: 'risk-distribution',
            title: t.t('chart.risk_distribution'),
            spec: histogram(bins.map((b) => ({ ...b, group: t.label('band', b.group), group_key: b.group })), { xTitle: t.t('metric.churn_risk'), format: '.0%', groupSort: bands.map((b) => t.label('band', b)), t }),
            drill: { page: 'customers', param: 'band', field: 'group_key' },
          }
        : { id: 'risk-distribution', title: t.t('chart.risk_distribution'), spec: null, empty: noScores },
      seg.length
        ? {
            id: 'revenue-at-risk',
            title: t.t('chart.revenue_at_risk'),
            spec: bars(seg.map((s) => ({ category: t.label('segment', s.segment), key: s.segment, value: s.revenue_at_risk })), { xTitle: t.t('axis.segment'), yTitle: `${t.t('metric.revenue_at_risk')} (${t.currency})`, format: ',.0f', horizontal: true, sortByValue: true, t }),
            drill: { page: 'customers', param: 'segment', field: 'key' },
          }
        : { id: 'revenue-at-risk', title: t.t('chart.revenue_at_risk'), spec: null, empty: noScores },
      m && m.roc.length
        ? { id: 'roc', title: t.t(m.validation === 'cross_validation' ? 'chart.roc_cv' : m.validation === 'out_of_bag' ? 'chart.roc_oob' : 'chart.roc'), spec: rocCurve(m.roc, { auc: m.auc, t }) }
        : { id: 'roc', title: t.t('chart.roc'), spec: null, empty: m ? `${t.t('empty.chart')}${m.auc !== null ? ` ROC AUC ${t.num(m.auc, 3)}` : ''}` : noModel },
      m && m.calibration.length ? { id: 'calibration', title: t.t('chart.calibration'), spec: calibration(m.calibration, { t }) } : { id: 'calibration', title: t.t('chart.calibration'), spec: null, empty: m ? t.t('empty.chart') : noModel },
      m && m.importance.length
        ? { id: 'feature-importance', title: t.t('chart.feature_importance'), spec: weights(m.importance.map((x) => ({ ...x, name: featureLabel(t, x.name) })), { xTitle: t.t('metric.importance'), t }), note: m.trained_at ? t.t('note.model_trained', { date: t.date(m.trained_at.slice(0, 10)) }) : undefined }
        : { id: 'feature-importance', title: t.t('chart.feature_importance'), spec: null, empty: noModel },
    ];
  },
};
