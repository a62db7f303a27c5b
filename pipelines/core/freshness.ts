import type { Db } from './warehouse.js';

/**
 * How fresh each configured source is. The reference time is the latest event loaded (purchases,
 * interactions, surveys: what the data says about the world), and for customers, which has no event
 * time, the last time new file content was loaded (ingested_files). A source with `maxAgeHours` is
 * stale when that reference is older than the limit, or when nothing was loaded at all.
 */
/** A source name (customers, purchases, interactions, surveys); config owns the list. */
export type SourceName = string;

/** The part of the config freshness reads: each source's optional age limit. */
export interface FreshnessConfig {
  sources: { [name: string]: { maxAgeHours?: number } | undefined };
}

export interface SourceFreshness {
  source: SourceName;
  maxAgeHours: number | null;
  lastLoadedAt: Date | null;
  latestEventAt: Date | null;
  /** The reference time the age is measured from. */
  freshAt: Date | null;
  ageHours: number | null;
  isStale: boolean;
  reason: string | null;
}

/** Fixed text per source (never from config): the table and its event-time column. */
const EVENT_TIME: Record<string, string | undefined> = {
  purchases: 'select max(ordered_at) as t from purchases',
  interactions: 'select max(opened_at) as t from interactions',
  surveys: 'select max(submitted_at) as t from surveys',
};

async function maybeOne(db: Db, sql: string, params?: [string]): Promise<Date | null> {
  try {
    const row = await db.one<{ t: Date | null }>(sql, params);
    return row?.t ?? null;
  } catch {
    // Table not created yet (fresh warehouse): no data is the honest answer.
    return null;
  }
}

export async function sourceFreshness(db: Db, config: FreshnessConfig, now: Date): Promise<SourceFreshness[]> {
  const out: SourceFreshness[] = [];
  for (const [name, src] of Object.entries(config.sources)) {
    if (!src) continue;
    const source = name as SourceName;
    const lastLoadedAt = await maybeOne(db, 'select max(ingested_at) as t from ingested_files where source = $1', [source]);
    const eventSql = EVENT_TIME[source];
    const latestEventAt = eventSql ? await maybeOne(db, eventSql) : null;
    const freshAt = eventSql ? (latestEventAt ?? lastLoadedAt) : lastLoadedAt;
    const ageHours = freshAt ? (now.getTime() - freshAt.getTime()) / 3_600_000 : null;
    const maxAgeHours = src.maxAgeHours ?? null;
    let isStale = false;
    let reason: string | null = null;
    if (maxAgeHours !== null) {
      if (ageHours === null) {
        isStale = true;
        reason = `no ${source} data loaded yet`;
      } else if (ageHours > maxAgeHours) {
        isStale = true;
        reason = `${source} data is ${ageHours.toFixed(1)} h old (sources.${source}.maxAgeHours = ${maxAgeHours})`;
      }
    }
    out.push({ source, maxAgeHours, lastLoadedAt, latestEventAt, freshAt, ageHours, isStale, reason });
  }
  return out;
}

export function staleSources(freshness: SourceFreshness[]): SourceName[] {
  return freshness.filter((f) => f.isStale).map((f) => f.source);
}
