/**
 * Turns a dashboard's figures into what a person reads, in their language: tile values with their
 * units (durations in min/h/days, rate changes in percentage points, money in the display currency),
 * comparisons that name both periods ("Oct 2026 vs Sep 2026"), and charts finished for the page
 * (accessible name, language formats for numbers and dates, and the data as a table).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOut, Tile } from './data/types.js';
import type { ResolvedFilters } from './filters.js';
import type { Translator } from './i18n/translate.js';

/** Fewer answers than this in a period and no significance test is made (models/satisfaction's rule). */
const MIN_SAMPLE_TEXT = 30;

export interface PeriodInfo {
  current: string;
  previous: string;
  /** "Oct 2026 vs Sep 2026" */
  vs: string;
}

export function periodInfo(f: ResolvedFilters, t: Translator): PeriodInfo {
  const current = t.period(f.from, f.toExclusive);
  const previous = t.period(f.prevFrom, f.from);
  return { current, previous, vs: t.vs(current, previous) };
}

/** A tile value in its unit. */
export function formatValue(t: Translator, unit: string | undefined, v: number | null | undefined, digits?: number): string {
  if (v === null || v === undefined) return '–';
  switch (unit) {
    case '%':
      return t.t('unit.pct', { n: t.num(v, digits ?? 1) });
    case 'currency':
      return t.money(v, digits);
    case 'minutes':
      return t.duration(v);
    case 'hours':
      return t.duration(v * 60);
    case 'points':
      return t.num(v, digits ?? 1);
    case 'pp':
      return `${v > 0 ? '+' : ''}${t.pp(v, digits ?? 1)}`;
    case '%share':
      return t.pct(v, digits ?? 0);
    default:
      return t.num(v, digits ?? 1);
  }
}

/** A change in the tile's unit: percentage points for rates, points for NPS, durations for times. */
function formatDelta(t: Translator, unit: string | undefined, d: number, digits?: number): string {
  switch (unit) {
    case '%':
    case 'pp':
      return t.pp(d, digits ?? 1);
    case 'points':
      return t.t('unit.points', { n: t.num(d, digits ?? 1) });
    default:
      return formatValue(t, unit, d, digits);
  }
}

const pText = (t: Translator, p: number) => (p < 0.001 ? '< 0.001' : `= ${t.num(p, 3)}`);

export interface PresentedTile extends Tile {
  display: string;
  interval_text?: string;
  change_text?: string;
}

export function presentTile(tile: Tile, t: Translator, pagePeriod: PeriodInfo): PresentedTile {
  const period = tile.period ?? pagePeriod;
  const out: PresentedTile = { ...tile, display: formatValue(t, tile.unit, tile.value, tile.digits) };
  if (tile.ci_low !== null && tile.ci_low !== undefined && tile.ci_high !== null && tile.ci_high !== undefined) {
    out.interval_text = t.t('tile.interval', {
      low: formatValue(t, tile.unit, tile.ci_low, tile.digits),
      high: formatValue(t, tile.unit, tile.ci_high, tile.digits),
      n: t.num(tile.n ?? 0, 0),
    });
  }
  const c = tile.change;
  if (c) {
    if (c.delta === null) {
      out.change_text = c.previous.n ? t.t('change.no_current', { period: period.current }) : t.t('change.no_previous', { period: period.previous });
    } else {
      const abs = formatDelta(t, tile.unit, Math.abs(c.delta), tile.digits);
      const dir = c.delta > 0 ? t.t('change.up', { delta: abs }) : c.delta < 0 ? t.t('change.down', { delta: abs }) : t.t('change.flat');
      const test = c.p_value === null || c.p_value === undefined
        ? t.t('change.not_tested', { n: MIN_SAMPLE_TEXT })
        : t.t(c.is_significant ? 'change.significant' : 'change.not_significant', { p: pText(t, c.p_value) });
      out.change_text = `${t.t('change.vs', { change: dir, current: period.current, previous: period.previous, value: formatValue(t, tile.unit, c.previous.value, tile.digits) })}; ${test}`;
    }
  }
  return out;
}

type Json = Record<string, unknown>;
interface TooltipField { field: string; title?: string; type?: string; timeUnit?: string; format?: string }

function layersOf(spec: Json): Json[] {
  const layer = spec.layer as Json[] | undefined;
  return layer ? [spec, ...layer] : [spec];
}

/** Dates shown per the language and the bucket: months as "Oct 2026" / "2026年10月", days in full. */
function localizeTime(spec: Json, t: Translator): void {
  for (const part of layersOf(spec)) {
    const enc = part.encoding as Record<string, Json | Json[]> | undefined;
    if (!enc) continue;
    for (const [channel, def] of Object.entries(enc)) {
      for (const d of Array.isArray(def) ? def : [def]) {
        if (!d || d.type !== 'temporal') continue;
        const format = d.timeUnit === 'utcyearmonth' ? t.t('fmt.month') : t.t('fmt.day');
        if (channel === 'tooltip') d.format = format;
        else d.axis = { ...((d.axis as Json | undefined) ?? {}), format };
      }
    }
  }
}

function cellText(t: Translator, f: TooltipField, v: unknown): string {
  if (v === null || v === undefined || v === '') return '–';
  if (f.type === 'temporal') return f.timeUnit === 'utcyearmonth' ? t.month(String(v)) : t.date(String(v));
  if (typeof v === 'number') {
    const fmt = f.format ?? '';
    if (fmt.includes('%')) return t.pct(v, /\.0%|^%$/.test(fmt) ? 0 : 1);
    if (fmt.includes('d')) return t.num(v, 0);
    const m = /\.(\d)f/.exec(fmt);
    return t.num(v, m ? Number(m[1]) : 2);
  }
  return String(v);
}

export interface ChartTable {
  columns: { key: string; label: string; num: boolean }[];
  rows: string[][];
  /** The stored value of each row's drill field, when the chart drills. */
  drill_values?: (string | null)[];
  /** Each row's values of the drill's further parameters (Drill.also). */
  drill_also?: Record<string, string>[];
}

/** The chart's data as a table: the tooltip's fields (the chart's own names for them) over its data rows. */
export function chartTable(spec: Json, t: Translator, drillField?: string, drillAlso?: Record<string, string>): ChartTable | null {
  let best: { fields: TooltipField[]; values: Json[] } | null = null;
  const topValues = ((spec.data as Json | undefined)?.values as Json[] | undefined) ?? null;
  for (const part of layersOf(spec)) {
    const enc = part.encoding as Json | undefined;
    const tip = enc?.tooltip;
    const values = ((part.data as Json | undefined)?.values as Json[] | undefined) ?? topValues;
    if (!Array.isArray(tip) || !values) continue;
    if (!best || tip.length > best.fields.length) best = { fields: tip as TooltipField[], values };
  }
  if (!best || best.values.length === 0) return null;
  const rows = best.values.slice(0, 500);
  return {
    columns: best.fields.map((f) => ({ key: f.field, label: f.title ?? f.field, num: f.type === 'quantitative' })),
    rows: rows.map((r) => best!.fields.map((f) => cellText(t, f, r[f.field]))),
    ...(drillField ? { drill_values: rows.map((r) => (r[drillField] === undefined || r[drillField] === null ? null : String(r[drillField]))) } : {}),
    ...(drillAlso ? { drill_also: rows.map((r) => Object.fromEntries(Object.entries(drillAlso).map(([param, field]) => [param, String(r[field] ?? '')]))) } : {}),
  };
}

/** A chart ready for the page: its title as the accessible description, language formats, its data table. */
export function finishChart(c: ChartOut, t: Translator): ChartOut & { table?: ChartTable | null } {
  if (!c.spec) return c;
  const spec = structuredClone(c.spec) as unknown as Json;
  spec.description = c.title;
  const config = (spec.config as Json | undefined) ?? {};
  spec.config = { ...config, locale: t.vegaLocale };
  localizeTime(spec, t);
  return { ...c, spec: spec as unknown as TopLevelSpec, table: chartTable(spec, t, c.drill?.field, c.drill?.also) };
}
