import type { Db } from '../core/warehouse.js';

export const ABANDONED_ERROR = 'abandoned: the process running it ended (killed or crashed) before it finished; its jobs rolled back to their last committed state';

/**
 * Runs left `running` (or `retrying`) by a process that died. The warehouse file is held by one process
 * at a time, so when a process opens it, no other process can still be running a run: every such row is
 * stale. Marked `abandoned` with a finish time, so /api/status and /api/jobs agree. Called once when the
 * CLI opens the warehouse, before any job. Returns the run ids marked.
 */
export async function markAbandonedRuns(db: Db, now: Date): Promise<string[]> {
  const rows = await db.all<{ run_id: string }>("select run_id from pipeline_runs where status in ('running', 'retrying') order by started_at");
  if (rows.length === 0) return [];
  await db.run(
    `update pipeline_runs set status = 'abandoned', finished_at = coalesce(finished_at, $1),
       error = case when error is null or error = '' then $2 else error || '; ' || $2 end
     where status in ('running', 'retrying')`,
    [now, ABANDONED_ERROR],
  );
  return rows.map((r) => r.run_id);
}
