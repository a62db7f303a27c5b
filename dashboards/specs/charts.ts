/**
 * Typed builders for the Vega-Lite specs the dashboards show. Each takes rows already computed by the
 * warehouse queries and inlines them as `data.values`, so a spec is self-contained: the browser embeds
 * it, the server renders it to SVG, and the tests validate it against the Vega-Lite schema.
 *
 * Every human text (axis and legend titles, tooltip names, series names) comes through the translator
 * `t` (English when none is given); values keep their stored form in a `key` field next to the shown
 * `category`, so a click can filter by the stored value. Number and date formats follow the language
 * through `config.locale` (set by finishChart in dashboards/present.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { translator, type Translator } from '../i18n/translate.js';

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

// Text colours with at least 4.5:1 contrast on white (Vega's default grey labels are lighter).
const TEXT = '#3d444d';
const BASE = {
  $schema: VL_SCHEMA,
  width: 'container' as const,
  height: 220,
  autosize: { type: 'fit' as const, contains: 'padding' as const },
  config: {
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 11, labelColor: TEXT, titleColor: TEXT, labelLimit: 160 },
    legend: { orient: 'bottom' as const, labelColor: TEXT, titleColor: TEXT, labelLimit: 200 },
    title: { color: TEXT },
  },
};

const EN = () => translator('en');

export type TimeGrain = 'day' | 'week' | 'month';
const timeUnitOf = (g: TimeGrain | undefined) => (g === 'month' ? ('utcyearmonth' as const) : ('utcyearmonthdate' as const));
// Dates with room between labels, so month and week ticks never run together; the format is set per language.
const TIME_AXIS = { labelOverlap: 'greedy' as const, labelSeparation: 12 };

export interface IntervalPoint {
  period: string;
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number;
  is_low_sample: boolean;
}

/** A trend line with its 95% interval as a band; low-sample points drawn hollow and named in the tooltip. */
export function trendWithInterval(points: IntervalPoint[], o: { yTitle: string; yDomain?: [number, number]; color?: string; grain?: TimeGrain; t?: Translator }): TopLevelSpec {
  const t = o.t ?? EN();
  const color = o.color ?? '#1f6fb4';
  const ok = t.t('sample.ok');
  const low = t.t('sample.low');
  const values = points.map((p) => ({ ...p, sample: p.is_low_sample ? low : ok }));
  const unit = timeUnitOf(o.grain ?? 'week');
  const x = { field: 'period', type: 'temporal' as const, timeUnit: unit, title: null, axis: TIME_AXIS };
  const y = { field: 'value', type: 'quantitative' as const, title: o.yTitle, ...(o.yDomain ? { scale: { domain: o.yDomain } } : {}) };
  return {
    ...BASE,
    data: { values },
    layer: [
      { mark: { type: 'area', opacity: 0.2, color }, encoding: { x, y: { field: 'ci_low', type: 'quantitative', title: o.yTitle }, y2: { field: 'ci_high' } } },
      { mark: { type: 'line', color }, encoding: { x, y } },
      {
        mark: { type: 'point', size: 50, color },
        encoding: {
          x,
          y,
          fill: { field: 'sample', type: 'nominal', scale: { domain: [ok, low], range: [color, 'white'] }, title: t.t('axis.sample') },
          tooltip: [
            { field: 'period', type: 'temporal', timeUnit: unit, title: t.t('axis.period') },
            { field: 'value', type: 'quantitative', format: '.1f', title: o.yTitle },
            { field: 'ci_low', type: 'quantitative', format: '.1f', title: t.t('axis.ci_low') },
            { field: 'ci_high', type: 'quantitative', format: '.1f', title: t.t('axis.ci_high') },
            { field: 'n', type: 'quantitative', format: ',d', title: t.t('metric.responses') },
            { field: 'sample', type: 'nominal', title: t.t('axis.sample') },
          ],
        },
      },
    ],
  };
}

export interface CategoryInterval {
  category: string;
  /** The stored value behind the shown category (for drill-down); default the category. */
  key?: string;
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number;
  is_low_sample: boolean;
}

/** Bars per category with interval whiskers; low-sample bars are hatched lighter but keep readable labels. */
export function barsWithInterval(rows: CategoryInterval[], o: { xTitle: string; yTitle: string; t?: Translator }): TopLevelSpec {
  const t = o.t ?? EN();
  const ok = t.t('sample.ok');
  const low = t.t('sample.low');
  const values = rows.map((r) => ({ ...r, key: r.key ?? r.category, sample: r.is_low_sample ? low : ok }));
  // Sorted by the value in both layers: '-y' would sort the rule layer by ci_low, and the union of the
  // two sorts is dropped with a warning (unioned domains only allow op max/min/count).
  const x = { field: 'category', type: 'nominal' as const, title: o.xTitle, sort: { field: 'value', op: 'max' as const, order: 'descending' as const } };
  return {
    ...BASE,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: o.yTitle },
          // Low-sample bars are lighter but still 3:1 against white (WCAG non-text contrast).
          color: { field: 'sample', type: 'nominal', scale: { domain: [ok, low], range: ['#1f6fb4', '#7d9fc4'] }, title: t.t('axis.sample') },
          tooltip: [
            { field: 'category', type: 'nominal', title: o.xTitle },
            { field: 'value', type: 'quantitative', format: '.1f', title: o.yTitle },
            { field: 'ci_low', type: 'quantitative', format: '.1f', title: t.t('axis.ci_low') },
            { field: 'ci_high', type: 'quantitative', format: '.1f', title: t.t('axis.ci_high') },
            { field: 'n', type: 'quantitative', format: ',d', title: t.t('metric.responses') },
            { field: 'sample', type: 'nominal', title: t.t('axis.sample') },
          ],
        },
      },
      { mark: { type: 'rule', color: '#333' }, encoding: { x, y: { field: 'ci_low', type: 'quantitative' }, y2: { field: 'ci_high' } } },
    ],
  };
}

export interface CategoryValue {
  category: string;
  /** The stored value behind the shown category (for drill-down); default the category. */
  key?: string;
  value: number | null;
  series?: string;
}

/** Plain or grouped bars (grouped when rows carry a series). */
export function bars(rows: CategoryValue[], o: { xTitle: string; yTitle: string; format?: string; horizontal?: boolean; sortByValue?: boolean; keepOrder?: boolean; t?: Translator }): TopLevelSpec {
  const t = o.t ?? EN();
  const grouped = rows.some((r) => r.series !== undefined);
  const values = rows.map((r) => ({ ...r, key: r.key ?? r.category }));
  const cat = { field: 'category', type: 'nominal' as const, title: o.xTitle, ...(o.sortByValue ? { sort: (o.horizontal ? '-x' : '-y') as '-x' | '-y' } : o.keepOrder ? { sort: null } : {}) };
  const val = { field: 'value', type: 'quantitative' as const, title: o.yTitle, ...(o.format ? { axis: { format: o.format } } : {}) };
  const tooltip = [
    { field: 'category', type: 'nominal' as const, title: o.xTitle },
    ...(grouped ? [{ field: 'series', type: 'nominal' as const, title: t.t('axis.series') }] : []),
    { field: 'value', type: 'quantitative' as const, format: o.format ?? ',.2f', title: o.yTitle },
  ];
  return {
    ...BASE,
    data: { values },
    mark: 'bar',
    encoding: {
      ...(o.horizontal ? { y: cat, x: val } : { x: cat, y: val }),
      ...(grouped
        ? { color: { field: 'series', type: 'nominal', title: null }, ...(o.horizontal ? { yOffset: { field: 'series' } } : { xOffset: { field: 'series' } }) }
        : {}),
      tooltip,
    },
  };
}

export interface SeriesPoint {
  period: string;
  value: number | null;
  series: string;
}

/** Lines over time, one per series. */
export function lines(points: SeriesPoint[], o: { yTitle: string; format?: string; grain?: TimeGrain; t?: Translator }): TopLevelSpec {
  const t = o.t ?? EN();
  const unit = timeUnitOf(o.grain ?? 'week');
  return {
    ...BASE,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'period', type: 'temporal', timeUnit: unit, title: null, axis: TIME_AXIS },
      y: { field: 'value', type: 'quantitative', title: o.yTitle, ...(o.format ? { axis: { format: o.format } } : {}) },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'period', type: 'temporal', timeUnit: unit, title: t.t('axis.period') },
        { field: 'series', type: 'nominal', title: t.t('axis.series') },
        { field: 'value', type: 'quantitative', format: o.format ?? ',.2f', title: o.yTitle },
      ],
    },
  };
}

/** Pareto chart: counts as bars in descending order, cumulative share as a line on a second axis. */
export function pareto(rows: { category: string; key?: string; count: number }[], o: { xTitle: string; t?: Translator }): TopLevelSpec {
  const t = o.t ?? EN();
  const sorted = [...rows].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  const total = sorted.reduce((s, r) => s + r.count, 0);
  let run = 0;
  const values = sorted.map((r, i) => {
    run += r.count;
    return { ...r, key: r.key ?? r.category, rank: i, cumulative_share: total > 0 ? run / total : 0 };
  });
  const x = { field: 'category', type: 'nominal' as const, title: o.xTitle, sort: { field: 'rank', op: 'min' as const, order: 'ascending' as const } };
  const complaints = t.t('metric.complaints');
  const share = t.t('metric.cumulative_share');
  return {
    ...BASE,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x,
          y: { field: 'count', type: 'quantitative', title: complaints },
          tooltip: [{ field: 'category', title: o.xTitle }, { field: 'count', type: 'quantitative', format: ',d', title: complaints }, { field: 'cumulative_share', type: 'quantitative', format: '.0%', title: share }],
        },
      },
      {
        mark: { type: 'line', color: '#c4291c', point: true },
        encoding: {
          x,
          y: { field: 'cumulative_share', type: 'quantitative', title: share, axis: { format: '%' }, scale: { domain: [0, 1] } },
          tooltip: [{ field: 'category', title: o.xTitle }, { field: 'cumulative_share', type: 'quantitative', format: '.0%', title: share }],
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

/** A matrix of cells coloured by value, with the value written in each cell. */
export function heatmap(
  cells: { x: string; y: string; value: number; x_key?: string; y_key?: string; [more: string]: string | number | undefined }[],
  o: {
    xTitle: string;
    yTitle: string;
    valueTitle: string;
    xSort?: string[];
    ySort?: string[];
    format?: string;
    /** More fields of each cell for the tooltip (and the data table). */
    extraTooltip?: { field: string; title: string; format?: string }[];
  },
): TopLevelSpec {
  const x = { field: 'x', type: 'ordinal' as const, title: o.xTitle, ...(o.xSort ? { sort: o.xSort } : {}) };
  const y = { field: 'y', type: 'ordinal' as const, title: o.yTitle, ...(o.ySort ? { sort: o.ySort } : {}) };
  return {
    ...BASE,
    height: 260,
    data: { values: cells },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x,
          y,
          color: { field: 'value', type: 'quantitative', title: o.valueTitle, scale: { scheme: 'blues' } },
          tooltip: [
            { field: 'y', title: o.yTitle },
            { field: 'x', title: o.xTitle },
            { field: 'value', type: 'quantitative', title: o.valueTitle, format: o.format ?? ',' },
            ...(o.extraTooltip ?? []).map((f) => ({ field: f.field, type: 'quantitative' as const, title: f.title, format: f.format ?? ',' })),
          ],
        },
      },
      {
        // Dark text on light cells, white on dark ones, so every number stays readable.
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          x,
          y,
          text: { field: 'value', type: 'quantitative', format: o.format ?? ',' },
          color: { condition: { test: `datum.value > 0.55 * ${Math.max(0, ...cells.map((c) => c.value))}`, value: 'white' }, value: '#1f2328' },
        },
      },
    ],
  };
}

/** A histogram from bins computed in SQL (start/end/count), so a million customers never reach the browser. */
export function histogram(
  bins: { bin_start: number; bin_end: number; count: number; group?: string; group_key?: string }[],
  o: { xTitle: string; format?: string; groupSort?: string[]; t?: Translator },
): TopLevelSpec {
  const t = o.t ?? EN();
  const grouped = bins.some((b) => b.group !== undefined);
  const customers = t.t('metric.customers');
  return {
    ...BASE,
    data: { values: bins },
    mark: 'bar',
    encoding: {
      x: { field: 'bin_start', type: 'quantitative', bin: { binned: true }, title: o.xTitle, axis: { labelOverlap: true, ...(o.format ? { format: o.format } : {}) } },
      x2: { field: 'bin_end' },
      y: { field: 'count', type: 'quantitative', title: customers, ...(grouped ? { stack: true } : {}) },
      ...(grouped ? { color: { field: 'group', type: 'nominal', title: null, ...(o.groupSort ? { sort: o.groupSort } : {}) } } : {}),
      tooltip: [
        ...(grouped ? [{ field: 'group', type: 'nominal' as const, title: t.t('axis.band') }] : []),
        { field: 'bin_start', type: 'quantitative', format: o.format ?? ',.2f', title: t.t('axis.from') },
        { field: 'bin_end', type: 'quantitative', format: o.format ?? ',.2f', title: t.t('axis.to') },
        { field: 'count', type: 'quantitative', format: ',d', title: customers },
      ],
    },
  };
}

/** ROC curve with the chance diagonal. */
export function rocCurve(points: { fpr: number; tpr: number }[], o: { auc: number | null; t?: Translator }): TopLevelSpec {
  const t = o.t ?? EN();
  return {
    ...BASE,
    width: 260,
    height: 260,
    title: o.auc === null ? undefined : `ROC AUC ${t.num(o.auc, 3)}`,
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#767676' },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values: [...points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr) },
        mark: { type: 'line', color: '#1f6fb4' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: t.t('axis.fpr'), scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: t.t('axis.tpr'), scale: { domain: [0, 1] } },
          order: { field: 'fpr', type: 'quantitative' },
          tooltip: [{ field: 'fpr', type: 'quantitative', format: '.2f', title: t.t('axis.fpr') }, { field: 'tpr', type: 'quantitative', format: '.2f', title: t.t('axis.tpr') }],
        },
      },
    ],
  };
}

/** Reliability diagram: observed churn rate against predicted risk, with the perfect-calibration line. */
export function calibration(rows: { predicted: number; observed: number; n?: number }[], o: { t?: Translator } = {}): TopLevelSpec {
  const t = o.t ?? EN();
  return {
    ...BASE,
    width: 260,
    height: 260,
    layer: [
      {
        data: { values: [{ predicted: 0, observed: 0 }, { predicted: 1, observed: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#767676' },
        encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'observed', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', point: true, color: '#c75300' },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: t.t('axis.predicted'), scale: { domain: [0, 1] } },
          y: { field: 'observed', type: 'quantitative', title: t.t('axis.observed'), scale: { domain: [0, 1] } },
          tooltip: [
            { field: 'predicted', type: 'quantitative', format: '.2f', title: t.t('axis.predicted') },
            { field: 'observed', type: 'quantitative', format: '.2f', title: t.t('axis.observed') },
            { field: 'n', type: 'quantitative', format: ',d', title: t.t('metric.customers') },
          ],
        },
      },
    ],
  };
}

/** Weights (drivers, feature importance) as horizontal bars; drivers that are not significant in grey. */
export function weights(rows: { name: string; weight: number; is_significant?: boolean | null }[], o: { xTitle: string; t?: Translator }): TopLevelSpec {
  const t = o.t ?? EN();
  const sig = t.t('significance.significant');
  const notSig = t.t('significance.not_significant');
  const na = t.t('significance.na');
  const values = rows.map((r) => ({ ...r, significance: r.is_significant === false ? notSig : r.is_significant ? sig : na }));
  return {
    ...BASE,
    height: Math.max(120, 22 * rows.length),
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'name', type: 'nominal', title: null, sort: '-x' },
      x: { field: 'weight', type: 'quantitative', title: o.xTitle },
      ...(rows.some((r) => r.is_significant !== undefined && r.is_significant !== null)
        ? { color: { field: 'significance', type: 'nominal', scale: { domain: [sig, notSig, na], range: ['#1f6fb4', '#949494', '#6baed6'] }, title: null } }
        : {}),
      tooltip: [
        { field: 'name', title: t.t('axis.feature') },
        { field: 'weight', type: 'quantitative', format: '.3f', title: o.xTitle },
        { field: 'significance', title: t.t('axis.significance') },
      ],
    },
  };
}
