import type { Db } from '../../pipelines/core/warehouse.js';

/** GET /api/actions filters (validated by the route's schema). */
export interface ActionsQuery {
  rule?: string;
  status?: string;
  current?: boolean;
  since?: string;
  limit: number;
  offset: number;
}

/** Columns of the action_members view (sql/schema/051_action_events.sql), in output order. */
export const ACTION_COLUMNS = [
  'action_id', 'rule', 'action', 'kind', 'channel', 'endpoint', 'customer_id', 'email', 'status', 'is_holdout', 'is_current',
  'fired_at', 'as_of', 'left_at', 'left_reason', 'delivered_at', 'attempts', 'last_error', 'churn_risk', 'churn_band', 'clv',
  'value_at_stake', 'rfm_segment', 'top_reason',
] as const;

export const ACTION_STATUSES = ['pending', 'failed', 'delivered', 'dead', 'held_out', 'listed', 'cancelled'] as const;

/** The page and the total for the same filters; every value bound. Newest first, then by id (stable paging). */
export async function listActions(db: Db, q: ActionsQuery): Promise<{ total: number; rows: Record<string, unknown>[] }> {
  const conds: string[] = [];
  const params: Record<string, string | number | boolean> = {};
  if (q.rule !== undefined) { conds.push('rule = $rule'); params.rule = q.rule; }
  if (q.status !== undefined) { conds.push('status = $status'); params.status = q.status; }
  if (q.current !== undefined) { conds.push('is_current = $current'); params.current = q.current; }
  if (q.since !== undefined) { conds.push('fired_at >= $since::timestamp'); params.since = q.since; }
  const where = conds.length ? `where ${conds.join(' and ')}` : '';
  const total = Number((await db.one<{ n: number }>(`select count(*) as n from action_members ${where}`, params))?.n ?? 0);
  const rows = await db.all(
    `select ${ACTION_COLUMNS.join(', ')} from action_members ${where} order by fired_at desc, action_id limit $limit offset $offset`,
    { ...params, limit: q.limit, offset: q.offset },
  );
  return { total, rows };
}
