/**
 * Typed builders for the Vega-Lite specs the dashboards show. Each takes rows already computed by the
 * warehouse queries and inlines them as `data.values`, so a spec is self-contained: the browser embeds
 * it, the server renders it to SVG, and the tests validate it against the Vega-Lite schema.
 */
import type { TopLevelSpec } from 'vega-lite';

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

const BASE = {
  $schema: VL_SCHEMA,
  width: 'container' as const,
  height: 220,
  autosize: { type: 'fit' as const, contains: 'padding' as const },
  config: { view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 11 }, legend: { orient: 'bottom' as const } },
};

// Dates with room between labels, so month and week ticks never run together.
const TIME_AXIS = { format: '%b %d, %Y', labelOverlap: 'greedy' as const, labelSeparation: 12 };

export interface IntervalPoint {
  period: string;
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number;
  is_low_sample: boolean;
}

/** A trend line with its 95% interval as a band; low-sample points drawn hollow and labelled in the tooltip. */
export function trendWithInterval(points: IntervalPoint[], o: { yTitle: string; yDomain?: [number, number]; color?: string }): TopLevelSpec {
  const color = o.color ?? '#1f77b4';
  const values = points.map((p) => ({ ...p, sample: p.is_low_sample ? 'low sample' : 'ok' }));
  const x = { field: 'period', type: 'temporal' as const, timeUnit: 'utcyearmonthdate' as const, title: null, axis: TIME_AXIS };
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
          fill: { field: 'sample', type: 'nominal', scale: { domain: ['ok', 'low sample'], range: [color, 'white'] }, title: 'sample' },
          tooltip: [
            { field: 'period', type: 'temporal', timeUnit: 'utcyearmonthdate', title: 'period' },
            { field: 'value', type: 'quantitative', format: '.1f' },
            { field: 'ci_low', type: 'quantitative', format: '.1f', title: '95% low' },
            { field: 'ci_high', type: 'quantitative', format: '.1f', title: '95% high' },
            { field: 'n', type: 'quantitative', title: 'responses' },
            { field: 'sample', type: 'nominal' },
          ],
        },
      },
    ],
  };
}

export interface CategoryInterval {
  category: string;
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n: number;
  is_low_sample: boolean;
}

/** Bars per category with interval whiskers; low-sample bars are pale. */
export function barsWithInterval(rows: CategoryInterval[], o: { xTitle: string; yTitle: string }): TopLevelSpec {
  const values = rows.map((r) => ({ ...r, sample: r.is_low_sample ? 'low sample' : 'ok' }));
  const x = { field: 'category', type: 'nominal' as const, title: o.xTitle, sort: '-y' as const };
  return {
    ...BASE,
    data: { values },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: o.yTitle },
          opacity: { field: 'sample', type: 'nominal', scale: { domain: ['ok', 'low sample'], range: [1, 0.35] }, title: 'sample' },
          tooltip: [
            { field: 'category', type: 'nominal', title: o.xTitle },
            { field: 'value', type: 'quantitative', format: '.1f' },
            { field: 'ci_low', type: 'quantitative', format: '.1f', title: '95% low' },
            { field: 'ci_high', type: 'quantitative', format: '.1f', title: '95% high' },
            { field: 'n', type: 'quantitative', title: 'responses' },
          ],
        },
      },
      { mark: { type: 'rule', color: '#333' }, encoding: { x, y: { field: 'ci_low', type: 'quantitative' }, y2: { field: 'ci_high' } } },
    ],
  };
}

export interface CategoryValue {
  category: string;
  value: number | null;
  series?: string;
}

/** Plain or grouped bars (grouped when rows carry a series). */
export function bars(rows: CategoryValue[], o: { xTitle: string; yTitle: string; format?: string; horizontal?: boolean; sortByValue?: boolean }): TopLevelSpec {
  const grouped = rows.some((r) => r.series !== undefined);
  const cat = { field: 'category', type: 'nominal' as const, title: o.xTitle, ...(o.sortByValue ? { sort: (o.horizontal ? '-x' : '-y') as '-x' | '-y' } : {}) };
  const val = { field: 'value', type: 'quantitative' as const, title: o.yTitle, ...(o.format ? { axis: { format: o.format } } : {}) };
  const tooltip = [
    { field: 'category', type: 'nominal' as const, title: o.xTitle },
    ...(grouped ? [{ field: 'series', type: 'nominal' as const }] : []),
    { field: 'value', type: 'quantitative' as const, format: o.format ?? ',.2f', title: o.yTitle },
  ];
  return {
    ...BASE,
    data: { values: rows },
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
export function lines(points: SeriesPoint[], o: { yTitle: string; format?: string }): TopLevelSpec {
  return {
    ...BASE,
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'period', type: 'temporal', timeUnit: 'utcyearmonthdate', title: null, axis: TIME_AXIS },
      y: { field: 'value', type: 'quantitative', title: o.yTitle, ...(o.format ? { axis: { format: o.format } } : {}) },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [
        { field: 'period', type: 'temporal', timeUnit: 'utcyearmonthdate' },
        { field: 'series', type: 'nominal' },
        { field: 'value', type: 'quantitative', format: o.format ?? ',.2f' },
      ],
    },
  };
}

/** Pareto chart: counts as bars in descending order, cumulative share as a line on a second axis. */
export function pareto(rows: { category: string; count: number }[], o: { xTitle: string }): TopLevelSpec {
  const sorted = [...rows].sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  const total = sorted.reduce((s, r) => s + r.count, 0);
  let run = 0;
  const values = sorted.map((r, i) => {
    run += r.count;
    return { ...r, rank: i, cumulative_share: total > 0 ? run / total : 0 };
  });
  const x = { field: 'category', type: 'nominal' as const, title: o.xTitle, sort: { field: 'rank', order: 'ascending' as const } };
  return {
    ...BASE,
    data: { values },
    layer: [
      { mark: 'bar', encoding: { x, y: { field: 'count', type: 'quantitative', title: 'complaints' }, tooltip: [{ field: 'category' }, { field: 'count', type: 'quantitative' }] } },
      {
        mark: { type: 'line', color: '#d62728', point: true },
        encoding: {
          x,
          y: { field: 'cumulative_share', type: 'quantitative', title: 'cumulative share', axis: { format: '%' }, scale: { domain: [0, 1] } },
          tooltip: [{ field: 'category' }, { field: 'cumulative_share', type: 'quantitative', format: '.0%' }],
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
}

/** A matrix of cells coloured by value, with the value written in each cell. */
export function heatmap(
  cells: { x: string; y: string; value: number }[],
  o: { xTitle: string; yTitle: string; valueTitle: string; xSort?: string[]; ySort?: string[]; format?: string },
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
            { field: 'x', title: o.xTitle },
            { field: 'y', title: o.yTitle },
            { field: 'value', type: 'quantitative', title: o.valueTitle, format: o.format ?? ',' },
          ],
        },
      },
      { mark: { type: 'text', fontSize: 10 }, encoding: { x, y, text: { field: 'value', type: 'quantitative', format: o.format ?? ',' } } },
    ],
  };
}

/** A histogram from bins computed in SQL (start/end/count), so a million customers never reach the browser. */
export function histogram(bins: { bin_start: number; bin_end: number; count: number; group?: string }[], o: { xTitle: string; format?: string }): TopLevelSpec {
  const grouped = bins.some((b) => b.group !== undefined);
  return {
    ...BASE,
    data: { values: bins },
    mark: 'bar',
    encoding: {
      x: { field: 'bin_start', type: 'quantitative', bin: { binned: true }, title: o.xTitle, axis: { labelOverlap: true, ...(o.format ? { format: o.format } : {}) } },
      x2: { field: 'bin_end' },
      y: { field: 'count', type: 'quantitative', title: 'customers', ...(grouped ? { stack: true } : {}) },
      ...(grouped ? { color: { field: 'group', type: 'nominal', title: null, sort: ['low', 'medium', 'high'] } } : {}),
      tooltip: [
        { field: 'bin_start', type: 'quantitative', format: o.format ?? ',.2f', title: 'from' },
        { field: 'bin_end', type: 'quantitative', format: o.format ?? ',.2f', title: 'to' },
        ...(grouped ? [{ field: 'group', type: 'nominal' as const }] : []),
        { field: 'count', type: 'quantitative' },
      ],
    },
  };
}

/** ROC curve with the chance diagonal. */
export function rocCurve(points: { fpr: number; tpr: number }[], o: { auc: number | null }): TopLevelSpec {
  return {
    ...BASE,
    width: 260,
    height: 260,
    title: o.auc === null ? undefined : `ROC AUC ${o.auc.toFixed(3)}`,
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values: [...points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr) },
        mark: { type: 'line', color: '#1f77b4' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
          order: { field: 'fpr', type: 'quantitative' },
        },
      },
    ],
  };
}

/** Reliability diagram: observed churn rate against predicted risk, with the perfect-calibration line. */
export function calibration(rows: { predicted: number; observed: number; n?: number }[]): TopLevelSpec {
  return {
    ...BASE,
    width: 260,
    height: 260,
    layer: [
      {
        data: { values: [{ predicted: 0, observed: 0 }, { predicted: 1, observed: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'predicted', type: 'quantitative' }, y: { field: 'observed', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', point: true, color: '#ff7f0e' },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: 'predicted risk', scale: { domain: [0, 1] } },
          y: { field: 'observed', type: 'quantitative', title: 'observed churn rate', scale: { domain: [0, 1] } },
          tooltip: [
            { field: 'predicted', type: 'quantitative', format: '.2f' },
            { field: 'observed', type: 'quantitative', format: '.2f' },
            { field: 'n', type: 'quantitative' },
          ],
        },
      },
    ],
  };
}

/** Weights (drivers, feature importance) as horizontal bars; drivers that are not significant in grey. */
export function weights(rows: { name: string; weight: number; is_significant?: boolean | null }[], o: { xTitle: string }): TopLevelSpec {
  const values = rows.map((r) => ({ ...r, significance: r.is_significant === false ? 'not significant' : r.is_significant ? 'significant' : 'n/a' }));
  return {
    ...BASE,
    height: Math.max(120, 22 * rows.length),
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'name', type: 'nominal', title: null, sort: '-x' },
      x: { field: 'weight', type: 'quantitative', title: o.xTitle },
      ...(rows.some((r) => r.is_significant !== undefined && r.is_significant !== null)
        ? {
            color: {
              field: 'significance',
              type: 'nominal',
              scale: { domain: ['significant', 'not significant', 'n/a'], range: ['#4c78a8', '#c8c8c8', '#9ecae9'] },
              title: null,
            },
          }
        : {}),
      tooltip: [{ field: 'name' }, { field: 'weight', type: 'quantitative', format: '.3f' }, { field: 'significance' }],
    },
  };
}
