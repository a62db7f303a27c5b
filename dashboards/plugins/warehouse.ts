import type { FastifyPluginAsync } from 'fastify';
import { isoDate } from '../../pipelines/core/clock.js';
import type { Clock } from '../../pipelines/core/clock.js';
import type { Warehouse } from '../../pipelines/core/warehouse.js';
import { latestEventDate } from '../../pipelines/core/as-of.js';
import { configTimeZone } from '../../pipelines/core/time-zone.js';
import type { DashboardConfig as Config } from '../config.js';
import { sourceFreshness } from '../../pipelines/core/freshness.js';
import { global } from './global.js';

export interface Freshness {
  status: 'fresh' | 'stale' | 'no_runs';
  last_run_id: string | null;
  last_success_at: string | null;
  age_hours: number | null;
  stale_after_hours: number;
  is_running: boolean;
  /** Sources older than their configured sources.<name>.maxAgeHours (why the data is stale), with their age. */
  stale_sources: { source: string; age_hours: number | null; max_age_hours: number | null; reason: string | null }[];
}

export interface DataState {
  as_of: string | null;
  freshness: Freshness;
  /** Changes whenever a run starts or finishes: the key that invalidates cached responses. */
  version: string;
  tables: Set<string>;
}

export interface DataContext {
  /** The current data state, re-read at most every 5 s (or after invalidate()). */
  state(): Promise<DataState>;
  invalidate(): void;
  /** Reuses a computed response while the data version and TTL hold. */
  cached<T>(key: string, compute: (s: DataState) => Promise<T>): Promise<T>;
  /** The injected clock (buildApp `clock`): business dates never come from the wall clock. */
  clock: Clock;
  /** The company's IANA zone (config `timezone`, default UTC): days and months are local ones. */
  timezone: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    warehouse: Warehouse;
    data: DataContext;
  }
}

export interface WarehousePluginOptions {
  warehouse: Warehouse;
  clock: Clock;
  staleAfterHours: number;
  cacheSeconds: number;
  /** With a config, sources that declare maxAgeHours mark the data stale when they are older. */
  config?: Config;
}

// Freshness and table presence change only when a run finishes; API-triggered runs invalidate at once.
const STATE_TTL_MS = 5000;
const CACHE_MAX = 500;

async function readState(wh: Warehouse, clock: Clock, staleAfterHours: number, config?: Config): Promise<DataState> {
  const tables = new Set(
    (await wh.all<{ t: string }>("select table_name as t from information_schema.tables where table_schema = 'main'")).map((r) => r.t),
  );
  let lastOk: { run_id: string; finished_at: Date; as_of: Date | null } | undefined;
  let version = 'none';
  let running = false;
  if (tables.has('pipeline_runs')) {
    lastOk = await wh.one(
      "select run_id, finished_at, as_of from pipeline_runs where status = 'succeeded' order by finished_at desc limit 1",
    );
    const v = await wh.one<{ n: number; last: Date | null; running: number }>(
      "select count(*) as n, max(coalesce(finished_at, started_at)) as last, count(*) filter (where status = 'running') as running from pipeline_runs",
    );
    version = `${v?.n ?? 0}:${v?.last?.toISOString() ?? ''}`;
    running = (v?.running ?? 0) > 0;
  }
  let asOf: Date | undefined = lastOk?.as_of ?? undefined;
  if (!asOf && tables.has('purchases') && tables.has('interactions') && tables.has('surveys')) asOf = await latestEventDate(wh, configTimeZone(config));
  const ageHours = lastOk ? (clock.now().getTime() - lastOk.finished_at.getTime()) / 3_600_000 : null;
  const staleSources = config
    ? (await sourceFreshness(wh, config, clock.now()))
        .filter((f) => f.isStale)
        .map((f) => ({ source: f.source, age_hours: f.ageHours === null ? null : Math.round(f.ageHours * 10) / 10, max_age_hours: f.maxAgeHours, reason: f.reason }))
    : [];
  return {
    as_of: asOf ? isoDate(asOf) : null,
    freshness: {
      status: ageHours === null ? 'no_runs' : ageHours > staleAfterHours || staleSources.length > 0 ? 'stale' : 'fresh',
      last_run_id: lastOk?.run_id ?? null,
      last_success_at: lastOk ? lastOk.finished_at.toISOString() : null,
      age_hours: ageHours === null ? null : Math.round(ageHours * 100) / 100,
      stale_after_hours: staleAfterHours,
      is_running: running,
      stale_sources: staleSources,
    },
    version: `${version}:${tables.size}`,
    tables,
  };
}

/** Decorates the app with the warehouse and a data context (as_of, freshness, table presence, cache). */
export const warehousePlugin: FastifyPluginAsync<WarehousePluginOptions> = global(async (app, opts) => {
  const { warehouse, clock, staleAfterHours } = opts;
  let current: { at: number; value: Promise<DataState> } | undefined;
  let refreshing: Promise<void> | undefined;
  const cache = new Map<string, { version: string; expires: number; value: Promise<unknown> }>();
  const data: DataContext = {
    clock,
    timezone: configTimeZone(opts.config),
    // Stale-while-revalidate: after the TTL the previous state keeps serving while one refresh runs, so no
    // request waits on the refresh; invalidate() (after a run) makes the next request wait for fresh state.
    state() {
      const now = Date.now();
      if (!current) {
        const value = readState(warehouse, clock, staleAfterHours, opts.config);
        current = { at: now, value };
        value.catch(() => {
          if (current?.value === value) current = undefined;
        });
        return value;
      }
      if (now - current.at > STATE_TTL_MS && !refreshing) {
        const started = current;
        refreshing = readState(warehouse, clock, staleAfterHours, opts.config)
          .then((v) => {
            if (current === started) current = { at: Date.now(), value: Promise.resolve(v) };
          })
          .catch(() => {
            if (current === started) current = undefined;
          })
          .finally(() => {
            refreshing = undefined;
          });
      }
      return current.value;
    },
    invalidate() {
      current = undefined;
      cache.clear();
    },
    async cached<T>(key: string, compute: (s: DataState) => Promise<T>): Promise<T> {
      const s = await data.state();
      if (opts.cacheSeconds <= 0) return compute(s);
      const hit = cache.get(key);
      if (hit && hit.version === s.version && hit.expires > Date.now()) return hit.value as Promise<T>;
      const value = compute(s);
      cache.set(key, { version: s.version, expires: Date.now() + opts.cacheSeconds * 1000, value });
      value.catch(() => cache.delete(key));
      if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
      return value;
    },
  };
  app.decorate('warehouse', warehouse);
  app.decorate('data', data);
});
