/**
 * Lifecycle flow between two dates: how many customers moved from each lifecycle stage (potential =
 * prospect, new, active, at risk, lapsed, reactivated) in the rfm_history snapshot of date A to each
 * stage in the snapshot of date B. A date picks the latest snapshot on or before it. Customers in
 * only one snapshot move from or to "(absent)". The counts are migrationMatrix's over lifecycle_stage
 * (one implementation); flowMembersSql names the customers behind one cell, for the drill-down list.
 */
import { CxpError } from '../../pipelines/core/errors.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import type { Db, SqlValue } from '../../pipelines/core/warehouse.js';
import { LIFECYCLE_STAGES } from './lifecycle.js';
import { ABSENT, listSnapshots, migrationMatrix } from './migration.js';

/** The stages in flow order, then "(absent)" (not in that snapshot). */
export const FLOW_STAGES: readonly string[] = [...LIFECYCLE_STAGES, ABSENT];

export interface FlowCell {
  from_stage: string;
  to_stage: string;
  count_customers: number;
}

export interface LifecycleFlow {
  /** The snapshots compared ('YYYY-MM-DD'); null when there are not two. */
  from: string | null;
  to: string | null;
  snapshots: string[];
  cells: FlowCell[];
}

/** The latest snapshot on or before `date` ('YYYY-MM-DD'), from a list sorted oldest first; else undefined. */
export function snapshotOnOrBefore(snapshotsOldestFirst: readonly string[], date: string): string | undefined {
  let out: string | undefined;
  for (const s of snapshotsOldestFirst) if (s <= date) out = s;
  return out;
}

/**
 * The flow from the snapshot of `fromDate` to that of `toDate` (each the latest on or before it; a
 * `fromDate` before the first snapshot takes the first). Fewer than two snapshots, or both dates on the
 * same snapshot: no cells. `customers` restricts who is counted (dashboard filters), as in migrationMatrix.
 */
export async function lifecycleFlow(
  db: Db,
  fromDate: string,
  toDate: string,
  customers?: (customerId: string) => { where: string; params: Record<string, SqlValue> },
): Promise<LifecycleFlow> {
  if (fromDate > toDate) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `flow_from ${fromDate} is after flow_to ${toDate}`, { where: 'query.flow_from', field: 'flow_from', hint: 'swap the dates' });
  }
  const snapshots = (await listSnapshots(db)).reverse();
  const to = snapshotOnOrBefore(snapshots, toDate) ?? null;
  const from = snapshotOnOrBefore(snapshots, fromDate) ?? snapshots[0] ?? null;
  if (!from || !to || from >= to) return { from, to, snapshots, cells: [] };
  const cells = await migrationMatrix(db, from, to, 'lifecycle_stage', customers);
  const order = (s: string) => (FLOW_STAGES.includes(s) ? FLOW_STAGES.indexOf(s) : FLOW_STAGES.length);
  return {
    from,
    to,
    snapshots,
    cells: cells
      .map((c) => ({ from_stage: c.from_tier, to_stage: c.to_tier, count_customers: Number(c.count_customers) }))
      .sort((a, b) => order(a.from_stage) - order(b.from_stage) || order(a.to_stage) - order(b.to_stage)),
  };
}

export interface FlowMembersQuery {
  /** Snapshot dates exactly as stored ('YYYY-MM-DD'), as lifecycleFlow returned them. */
  from: string;
  to: string;
  fromStage: string;
  toStage: string;
}

/**
 * A subquery of the customer ids that were in `fromStage` on snapshot `from` and in `toStage` on `to`
 * ("(absent)" = not in that snapshot), with its bound parameters (named flow_*).
 */
export function flowMembersSql(q: FlowMembersQuery): { sql: string; params: Record<string, SqlValue> } {
  return {
    sql: `select coalesce(a.customer_id, b.customer_id) as customer_id
      from (select customer_id, lifecycle_stage from rfm_history where as_of = $flow_from) a
      full outer join (select customer_id, lifecycle_stage from rfm_history where as_of = $flow_to) b
        on a.customer_id = b.customer_id
      where coalesce(a.lifecycle_stage, $flow_absent) = $flow_from_stage
        and coalesce(b.lifecycle_stage, $flow_absent) = $flow_to_stage`,
    params: { flow_from: sqlDate(q.from), flow_to: sqlDate(q.to), flow_from_stage: q.fromStage, flow_to_stage: q.toStage, flow_absent: ABSENT },
  };
}
