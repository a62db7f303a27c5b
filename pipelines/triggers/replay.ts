import { CxpError } from '../core/errors.js';
import type { Warehouse } from '../core/warehouse.js';

/**
 * Re-queues webhook actions for delivery: one by id (dead, failed, pending, or delivered again at the
 * receiver's request), or every dead-lettered one. The attempt counter restarts; delivery_attempts
 * keeps the history. The action_id (webhook-id) stays, so a receiver that already has it dedupes.
 * Returns the re-queued ids; the caller then runs deliverPending({ actionIds }).
 */
export async function replayActions(wh: Warehouse, sel: { actionId?: string; dead?: boolean }): Promise<string[]> {
  if (!sel.actionId && !sel.dead) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', 'replay needs an action id or --dead', { hint: 'cxpulse replay ACTION_ID | cxpulse replay --dead' });
  }
  return wh.transaction(async (tx) => {
    let ids: string[];
    if (sel.actionId) {
      const ev = await tx.one<{ status: string }>('select status from action_events where event_id = $1', [sel.actionId]);
      if (ev) {
        if (!['dead', 'failed', 'pending', 'delivered'].includes(ev.status)) {
          throw new CxpError('CXP_ERR_BAD_REQUEST', `event ${sel.actionId} is ${ev.status}: only dead, failed, pending or delivered events can be replayed`, { where: sel.actionId });
        }
        await tx.run("update action_events set status = 'pending', attempts = 0, next_attempt_at = null, batch_id = null where event_id = $1", [sel.actionId]);
        return [sel.actionId];
      }
      const a = await tx.one<{ status: string; channel: string }>('select status, channel from retention_actions where action_id = $1', [sel.actionId]);
      if (!a) {
        throw new CxpError('CXP_ERR_NOT_FOUND', `no action ${sel.actionId} (nor event)`, { where: 'retention_actions.action_id, action_events.event_id', hint: 'list them: GET /api/actions, or select action_id, status from retention_actions' });
      }
      if (a.channel !== 'webhook' || !['dead', 'failed', 'pending', 'delivered'].includes(a.status)) {
        throw new CxpError('CXP_ERR_BAD_REQUEST', `action ${sel.actionId} is ${a.status} (channel ${a.channel}): only webhook actions that are dead, failed, pending or delivered can be replayed`, {
          where: sel.actionId,
          hint: 'held_out actions are never sent (holdout group); cancelled ones belong to a forgotten customer or one who left before delivery',
        });
      }
      ids = [sel.actionId];
    } else {
      ids = (await tx.all<{ action_id: string }>("select action_id from retention_actions where status = 'dead' and channel = 'webhook' order by fired_at")).map((r) => r.action_id);
      const events = (await tx.all<{ event_id: string }>("select event_id from action_events where status = 'dead' order by occurred_at")).map((r) => r.event_id);
      await tx.run("update action_events set status = 'pending', attempts = 0, next_attempt_at = null, batch_id = null where status = 'dead'");
      ids.push(...events);
    }
    // A replay is sent on its own (a new batch if the endpoint batches), under its own id.
    for (const id of ids) {
      await tx.run("update retention_actions set status = 'pending', attempts = 0, next_attempt_at = null, batch_id = null where action_id = $1", [id]);
    }
    return ids;
  });
}
