import { quoteIdent } from '../../pipelines/core/sql-ident.js';
import { atRiskSql, populationLabel } from '../../models/churn/at-risk-list.js';
import { filterSql } from '../filters.js';
import { bars, calibration, histogram, rocCurve, weights } from '../specs/charts.js';
import { columnsOf, noData, num, round, type ChartOut, type Dashboard, type DashboardData, type LoadContext } from './types.js';

export interface ModelQuality {
  model_id: string | null;
  trained_at: string | null;
  auc: number | null;
  roc: { fpr: number; tpr: number }[];
  calibration: { predicted: number; observed: number; n?: number }[];
  importance: { name: string; weight: number }[];
  /** 'out_of_time' | 'cross_validation' (when no earlier window allowed out-of-time validation) | null. */
  validation: string | null;
  validation_note: string | null;
  /** metrics.base_rate of the model: churn rate of the previous and latest windows, and the shift. */
  base_rate: { previous_window_observed: number | null; latest_window_observed: number | null; latest_window_predicted_by_previous_model: number | null; shift: number | null; is_shifted: boolean | null; action: string } | null;
}

function parseMaybe(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t);
  } catch {
    return v;
  }
}

/** Finds a value by key pattern, accepted by `ok`, in a row whose columns may hold JSON documents (depth-first). */
function find(obj: unknown, pattern: RegExp, ok: (v: unknown) => boolean, depth = 0): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || depth > 4) return undefined;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (pattern.test(k) && ok(parseMaybe(v))) return parseMaybe(v);
  }
  for (const v of Object.values(obj as Record<string, unknown>)) {
    const hit = find(parseMaybe(v), pattern, ok, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

const isList = (v: unknown) => Array.isArray(v) && v.length > 0;
const isNum = (v: unknown) => num(v) !== null;

const pickNum = (o: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (num(o[k]) !== null) return num(o[k]);
  return null;
};

/**
 * The active churn model's quality (ROC, calibration, importance, training date). The churn module
 * stores these as JSON in churn_models; keys are matched by their likely names.
 */
export async function modelQuality(ctx: Pick<LoadContext, 'db' | 'tables'>): Promise<ModelQuality | null> {
  if (!ctx.tables.has('churn_models')) return null;
  const cols = await columnsOf(ctx.db, 'churn_models');
  const order = ['trained_at', 'created_at', 'fitted_at'].find((c) => cols.has(c));
  const active = cols.has('is_active') ? 'where is_active' : '';
  // Never the serialised model blob: it can be large, and nothing here needs it.
  const wanted = [...cols].filter((c) => c !== 'model').map(quoteIdent).join(', ');
  const row = await ctx.db.one(`select ${wanted} from churn_models ${active} ${order ? `order by ${quoteIdent(order)} desc` : ''} limit 1`);
  if (!row) return null;
  // The out-of-time validation (metrics.out_of_time.calibrated) is preferred; any other match is a fallback.
  const oot = find(row, /^out_of_time$/, (v) => typeof v === 'object' && v !== null);
  // Without an out-of-time test, the cross-validation is what was measured (and says so).
  const cv = oot ? undefined : (find(row, /^cross_validation$/, (v) => typeof v === 'object' && v !== null) as Record<string, unknown> | undefined);
  const tested = oot ?? cv;
  const src = tested ? { oot: find(tested, /^calibrated$/, (v) => typeof v === 'object' && v !== null) ?? tested, row } : row;
  const baseRate = find(row, /^base_rate$/, (v) => typeof v === 'object' && v !== null && !Array.isArray(v)) as ModelQuality['base_rate'] | undefined;
  const roc = find(src, /^roc(_curve)?$|roc_points/i, isList);
  const cal = find(src, /^calibration$|reliability/i, isList);
  let imp = find(row, /importance/i, (v) => isList(v) || (typeof v === 'object' && v !== null));
  const auc = num(find(src, /^(roc_)?auc$|^auc_roc$/i, isNum));
  if (imp && !Array.isArray(imp) && typeof imp === 'object') imp = Object.entries(imp as Record<string, unknown>).map(([k, v]) => ({ feature: k, importance: v }));
  const arr = (v: unknown) => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);
  const trained = order ? row[order] : null;
  return {
    model_id: row.model_id === undefined ? null : String(row.model_id),
    trained_at: trained instanceof Date ? trained.toISOString() : trained ? String(trained) : null,
    auc: round(auc, 4),
    roc: arr(roc)
      .map((p) => ({ fpr: pickNum(p, ['fpr', 'false_positive_rate', 'x']), tpr: pickNum(p, ['tpr', 'true_positive_rate', 'y']) }))
      .filter((p): p is { fpr: number; tpr: number } => p.fpr !== null && p.tpr !== null),
    calibration: arr(cal)
      .map((p) => ({
        predicted: pickNum(p, ['predicted', 'mean_predicted', 'predicted_mean', 'avg_predicted', 'p_pred']),
        observed: pickNum(p, ['observed', 'observed_rate', 'actual', 'fraction_positive', 'observed_mean']),
        n: pickNum(p, ['n', 'count', 'customers']) ?? undefined,
      }))
      .filter((p): p is { predicted: number; observed: number; n: number | undefined } => p.predicted !== null && p.observed !== null),
    importance: arr(imp)
      .map((p) => ({ name: String(p.feature ?? p.name ?? ''), weight: pickNum(p, ['importance', 'weight', 'value']) ?? 0 }))
      .filter((p) => p.name !== '')
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 20),
    validation: oot ? 'out_of_time' : cv ? 'cross_validation' : null,
    validation_note: cv && typeof cv.note === 'string' ? cv.note : null,
    base_rate: baseRate ?? null,
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
        ? { id: 'roc', title: m.validation === 'cross_validation' ? 'Model ROC curve (cross-validated)' : 'Model ROC curve (out-of-time test)', spec: rocCurve(m.roc, { auc: m.auc }) }
        : { id: 'roc', title: 'Model ROC curve', spec: null, empty: m ? `the active model stores no ROC points (metrics.out_of_time.calibrated.roc_curve)${m.auc !== null ? `; out-of-time ROC AUC ${m.auc.toFixed(3)}` : ''}` : noModel },
      m && m.calibration.length ? { id: 'calibration', title: 'Calibration (reliability, out of time)', spec: calibration(m.calibration) } : { id: 'calibration', title: 'Calibration', spec: null, empty: m ? 'the active model stores no reliability table' : noModel },
      m && m.importance.length ? { id: 'feature-importance', title: `Feature importance${m.trained_at ? ` (trained ${m.trained_at.slice(0, 10)})` : ''}`, spec: weights(m.importance, { xTitle: 'importance' }) } : { id: 'feature-importance', title: 'Feature importance', spec: null, empty: noModel },
    ];
  },
};
