import type { TopLevelSpec } from 'vega-lite';
import type { Db } from '../../pipelines/core/warehouse.js';
import type { ServerConfig } from '../../pipelines/core/server-settings.js';
import type { DashboardConfig as Config } from '../config.js';
import type { ResolvedFilters } from '../filters.js';
import type { Translator } from '../i18n/translate.js';
import type { Change, Estimate } from '../stats.js';

export interface Tile extends Partial<Estimate> {
  id: string;
  label: string;
  unit?: string;
  /** Decimals to show. */
  digits?: number;
  value: number | null;
  change?: Change;
  note?: string;
  /** Where the figure is explained: a page (with the current filters) and the link text. */
  link?: { path: string; query?: Record<string, string>; text: string };
  /** The periods this tile's change compares, when not the page's (e.g. the last two whole months). */
  period?: { current: string; previous: string };
  /** The figure per period, oldest first, for a sparkline. */
  sparkline?: { values: (number | null)[]; text?: string };
}

export interface ChartOut {
  id: string;
  title: string;
  spec: TopLevelSpec | null;
  /** Why there is no chart (no data yet, table missing); shown instead of it. */
  empty?: string;
  note?: string;
  /** A click on a mark opens `/<page>?<param>=<datum[field]>` with the page's filters (drill-down). */
  drill?: Drill;
  /** Another view of the same chart: a link that sets `param=value` on this page's URL. */
  toggle?: { param: string; value: string; text: string };
}

export interface Drill {
  /** The list page that opens: customers or interactions. */
  page: 'customers' | 'interactions';
  /** The query parameter the clicked value goes to. */
  param: string;
  /** The datum field holding the stored value (not the shown label). */
  field: string;
  /** Fixed extra parameters (e.g. kind=complaint). */
  query?: Record<string, string>;
  /** More parameters taken from the clicked datum: parameter -> datum field (a heatmap cell has two). */
  also?: Record<string, string>;
  /** The hint under the chart: bars (default), heatmap cells, or month points. */
  hint?: 'cells' | 'months';
}

/** What a dashboard's loader returns; the route adds as_of, freshness and filters. */
export interface DashboardData {
  available: boolean;
  /** Tables this dashboard reads that do not exist yet. */
  missing: string[];
  /** Filters that do not apply to this dashboard's data (a snapshot has no date range). */
  filters_ignored: string[];
  tiles: Tile[];
  data: Record<string, unknown>;
}

export interface LoadContext {
  db: Db;
  /** The data's as-of date. */
  asOf: Date;
  /** The full config when the server has one (module settings such as satisfaction.minSample). */
  config?: Config;
  tables: Set<string>;
  filters: ResolvedFilters;
  server: ServerConfig;
  query: Record<string, unknown>;
  /** The request's language: every label, unit and message the loader writes goes through it. */
  t: Translator;
}

export interface Dashboard {
  name: string;
  title: string;
  /** Tables that must exist for the dashboard to show anything. */
  needs: string[];
  load(ctx: LoadContext): Promise<DashboardData>;
  charts(d: DashboardData, t: Translator): ChartOut[];
}

export function missingTables(tables: Set<string>, needed: string[]): string[] {
  return needed.filter((t) => !tables.has(t));
}

export function dayText(d: unknown): string | null {
  if (d instanceof Date) return d.toISOString().slice(0, 10);
  return d === null || d === undefined ? null : String(d).slice(0, 10);
}

export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function round(v: number | null, digits = 2): number | null {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function noData(what: string, t?: Translator): string {
  return t ? t.t('empty.waiting', { what }) : `no data yet: ${what}`;
}

/** Customers with no purchase have no RFM segment; lists and drill-down name them with this value. */
export const NO_SEGMENT = 'Prospects (no purchase)';

export function segmentLabel(t: Translator, segment: string | null): string {
  return t.label('segment', segment ?? NO_SEGMENT);
}
