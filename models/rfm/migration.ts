/**
 * Migration matrix between two rfm_history snapshots: how many customers, and how much of their
 * revenue, moved from tier A (as of `from`) to tier B (as of `to`). Customers present in only one
 * snapshot appear as moving from or to "(absent)"; customers in a snapshot without a tier (prospects
 * have no RFM segment) as "(none)". The warehouse is passed in; the dimension comes from a fixed list.
 */
import { CxpError } from '../../pipelines/core/errors.js';
import { quoteIdent } from '../../pipelines/core/sql-ident.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import type { Db, SqlValue } from '../../pipelines/core/warehouse.js';

export const MIGRATION_DIMENSIONS = ['rfm_segment', 'lifecycle_stage', 'r_score', 'f_score', 'm_score'] as const;
export type MigrationDimension = (typeof MIGRATION_DIMENSIONS)[number];

export const ABSENT = '(absent)';
export const NO_TIER = '(none)';

export interface MigrationCell {
  from_tier: string;
  to_tier: string;
  count_customers: number;
  /** Sum of the customers' monetary in the `from` snapshot. */
  revenue_from: number;
  /** Sum of the customers' monetary in the `to` snapshot. */
  revenue_to: number;
}

export interface SnapshotRow {
  customer_id: string;
  tier: string | number | null;
  monetary: number;
}

/** The matrix from two snapshots held in memory (same semantics as migrationMatrix). */
export function migrationFromSnapshots(from: readonly SnapshotRow[], to: readonly SnapshotRow[]): MigrationCell[] {
  const tierOf = (t: string | number | null) => (t === null ? NO_TIER : String(t));
  const a = new Map(from.map((r) => [r.customer_id, r]));
  const b = new Map(to.map((r) => [r.customer_id, r]));
  const cells = new Map<string, MigrationCell>();
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    const ra = a.get(id);
    const rb = b.get(id);
    const fromTier = ra ? tierOf(ra.tier) : ABSENT;
    const toTier = rb ? tierOf(rb.tier) : ABSENT;
    const key = `${fromTier}\u0000${toTier}`;
    let c = cells.get(key);
    if (!c) {
      c = { from_tier: fromTier, to_tier: toTier, count_customers: 0, revenue_from: 0, revenue_to: 0 };
      cells.set(key, c);
    }
    c.count_customers++;
    c.revenue_from += ra?.monetary ?? 0;
    c.revenue_to += rb?.monetary ?? 0;
  }
  return [...cells.values()].sort((p, q) => p.from_tier.localeCompare(q.from_tier) || p.to_tier.localeCompare(q.to_tier));
}

/** The as_of dates with a snapshot, newest first. */
export async function listSnapshots(db: Db): Promise<string[]> {
  const rows = await db.all<{ as_of: string }>('select distinct strftime(as_of, \'%Y-%m-%d\') as as_of from rfm_history order by as_of desc');
  return rows.map((r) => r.as_of);
}

/**
 * The migration matrix between the snapshots of `fromAsOf` and `toAsOf` ('YYYY-MM-DD'), one row per
 * (from_tier, to_tier) pair that occurs, ordered by from_tier, to_tier. Throws CXP_ERR_NOT_FOUND
 * naming the available dates when a snapshot does not exist, CXP_ERR_BAD_REQUEST for an unknown dimension.
 */
export async function migrationMatrix(
  db: Db,
  fromAsOf: string,
  toAsOf: string,
  dimension: MigrationDimension = 'rfm_segment',
  /**
   * Restricts the customers counted (dashboard filters): given the SQL expression of a customer id,
   * a condition on it with its bound parameters (names must not be from, to, none or absent).
   */
  customers?: (customerId: string) => { where: string; params: Record<string, SqlValue> },
): Promise<MigrationCell[]> {
  if (!(MIGRATION_DIMENSIONS as readonly string[]).includes(dimension)) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `unknown migration dimension "${dimension}"`, {
      where: 'dimension',
      hint: `use one of ${MIGRATION_DIMENSIONS.join(', ')}`,
    });
  }
  const available = await listSnapshots(db);
  for (const [name, d] of [['from', fromAsOf], ['to', toAsOf]] as const) {
    if (!available.includes(d)) {
      throw new CxpError('CXP_ERR_NOT_FOUND', `no RFM snapshot for ${name} = ${d}`, {
        where: name,
        hint: available.length ? `snapshots exist for: ${available.slice(0, 20).join(', ')}` : 'run the score job first',
      });
    }
  }
  const col = quoteIdent(dimension);
  const only = customers?.('coalesce(f.customer_id, t.customer_id)') ?? { where: 'true', params: {} };
  return db.all<MigrationCell & Record<string, unknown>>(
    `with snapshot_from as (
        select customer_id, coalesce(cast(${col} as varchar), $none) as tier, monetary
        from rfm_history where as_of = $from
    ),
    snapshot_to as (
        select customer_id, coalesce(cast(${col} as varchar), $none) as tier, monetary
        from rfm_history where as_of = $to
    ),
    final as (
        select
            coalesce(f.tier, $absent) as from_tier,
            coalesce(t.tier, $absent) as to_tier,
            count(*)::bigint as count_customers,
            coalesce(sum(f.monetary), 0)::double as revenue_from,
            coalesce(sum(t.monetary), 0)::double as revenue_to
        from snapshot_from f
        full outer join snapshot_to t on f.customer_id = t.customer_id
        where ${only.where}
        group by all
    )
    select * from final order by from_tier, to_tier`,
    { ...only.params, from: sqlDate(fromAsOf), to: sqlDate(toAsOf), none: NO_TIER, absent: ABSENT },
  );
}
