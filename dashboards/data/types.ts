import type { TopLevelSpec } from 'vega-lite';
import type { Db } from '../../pipelines/core/warehouse.js';
import type { ServerConfig } from '../../pipelines/core/server-settings.js';
import type { DashboardConfig as Config } from '../config.js';
import type { ResolvedFilters } from '../filters.js';
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
}

export interface ChartOut {
  id: string;
  title: string;
  spec: TopLevelSpec | null;
  /** Why there is no chart (no data yet, table missing); shown instead of it. */
  empty?: string;
  note?: string;
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
}

export interface Dashboard {
  name: string;
  title: string;
  /** Tables that must exist for the dashboard to show anything. */
  needs: string[];
  load(ctx: LoadContext): Promise<DashboardData>;
  charts(d: DashboardData): ChartOut[];
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

export function noData(what: string): string {
  return `no data yet: ${what}`;
}
