import type { Warehouse } from '../core/warehouse.js';
import { tableColumns } from '../core/table-columns.js';
import { closeActions, type LeaveReason } from './evaluate.js';
import type { Rule } from './rules.js';

/** What a change to the rules did to their current members (reported by the triggers job). */
export interface RuleChange {
  rule: string;
  change: 'renamed' | 'removed' | 'channel_changed';
  from?: string;
  to?: string;
  members: number;
  effect: string;
}

export interface ReconcileOptions {
  now: Date;
  asOf: Date;
  runId?: string;
  includeEmail: boolean;
}

const channelOf = (r: { channel: string; endpoint?: string | null }) => (r.channel === 'webhook' ? `webhook:${r.endpoint ?? 'default'}` : r.channel);

/**
 * Before evaluation, applies rule renames, removals and channel changes to current members, so no
 * change silently sends nothing (docs/triggers.md "Changing a rule"):
 * - a rule listing `previousNames` takes over their members and open actions: they stay, nothing is re-sent;
 * - a rule gone from config (removed, disabled, renamed without previousNames): its members leave
 *   (action.left for those a webhook receiver has, reason rule_removed);
 * - a new channel or endpoint: with onChange "stay" members stay and are not sent on the new channel;
 *   with "reenter" they leave (reason rule_changed) and enter again in this run, cooldown aside.
 */
export async function reconcileRules(wh: Warehouse, rules: Rule[], opts: ReconcileOptions): Promise<RuleChange[]> {
  const cols = await tableColumns(wh, 'customer_360');
  return wh.transaction(async (tx) => {
    const changes: RuleChange[] = [];
    const members = async (rule: string) => Number((await tx.one<{ n: number }>('select count(*) as n from trigger_membership where rule = $1', [rule]))?.n ?? 0);
    const closeAll = async (rule: string, reason: LeaveReason) => {
      await tx.run('create or replace temp table _trg_close as select customer_id, $2 as reason from trigger_membership where rule = $1', [rule, reason]);
      await closeActions(tx, rule, '_trg_close', { ...opts, cols });
      await tx.run('delete from trigger_membership where rule = $1', [rule]);
      await tx.run('drop table if exists _trg_close');
    };
    for (const r of rules) {
      for (const old of r.previousNames) {
        const n = await members(old);
        const open = Number((await tx.one<{ n: number }>('select count(*) as n from retention_actions where rule = $1 and left_at is null', [old]))?.n ?? 0);
        if (n === 0 && open === 0) continue;
        await tx.run(
          `update trigger_membership set rule = $2 where rule = $1
             and customer_id not in (select customer_id from trigger_membership where rule = $2)`,
          [old, r.name],
        );
        await tx.run('delete from trigger_membership where rule = $1', [old]);
        await tx.run('update retention_actions set rule = $2 where rule = $1 and left_at is null', [old, r.name]);
        await tx.run('update action_events set rule = $2 where rule = $1 and status in ($3, $4)', [old, r.name, 'pending', 'failed']);
        await tx.run('delete from trigger_rule_state where rule = $1', [old]);
        changes.push({ rule: r.name, change: 'renamed', from: old, members: n, effect: `${n} current member(s) of ${old} stay members of ${r.name}; nothing is re-sent` });
      }
    }
    const names = new Set(rules.map((r) => r.name));
    const known = (await tx.all<{ rule: string }>('select distinct rule from trigger_membership order by rule')).map((x) => x.rule);
    for (const rule of known.filter((x) => !names.has(x))) {
      const n = await members(rule);
      await closeAll(rule, 'rule_removed');
      await tx.run('delete from trigger_rule_state where rule = $1', [rule]);
      changes.push({ rule, change: 'removed', members: n, effect: `${n} member(s) left (action.left sent to the webhook receiver for actions it has)` });
    }
    const state = new Map((await tx.all<{ rule: string; channel: string; endpoint: string | null }>('select rule, channel, endpoint from trigger_rule_state')).map((x) => [x.rule, x]));
    for (const r of rules) {
      const before = state.get(r.name);
      if (before && channelOf(before) !== channelOf(r)) {
        const n = await members(r.name);
        if (r.onChange === 'reenter') {
          await closeAll(r.name, 'rule_changed');
          changes.push({ rule: r.name, change: 'channel_changed', from: channelOf(before), to: channelOf(r), members: n, effect: `${n} member(s) re-enter and are sent on ${channelOf(r)} (onChange: reenter)` });
        } else {
          changes.push({
            rule: r.name, change: 'channel_changed', from: channelOf(before), to: channelOf(r), members: n,
            effect: `${n} current member(s) stay and are not sent on ${channelOf(r)}; only new members are (set onChange: "reenter" to send them)`,
          });
        }
      }
      await tx.run('delete from trigger_rule_state where rule = $1', [r.name]);
      await tx.run('insert into trigger_rule_state values ($1, $2, $3, $4)', [r.name, r.channel, r.endpoint ?? null, opts.now]);
    }
    return changes;
  });
}
