import { configTimeZone } from '../core/time-zone.js';
import { isoDate } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import { sourceFreshness } from '../core/freshness.js';
import { deliverPending, deliveryConfig } from '../triggers/deliver.js';
import { evaluateRules } from '../triggers/evaluate.js';
import { reconcileRules } from '../triggers/rule-changes.js';
import { resolveRules, triggersConfig } from '../triggers/rules.js';
import { runAsOf } from '../core/as-of.js';
import type { Job } from './types.js';

export const triggersJob: Job = {
  name: 'triggers',
  description: 'evaluate retention-action rules, record actions in the outbox, deliver them',
  async run(ctx) {
    const tc = triggersConfig(ctx.config);
    if (!tc.enabled) return { skipped: 'triggers.enabled is false' };
    const rules = resolveRules(ctx.config);
    const asOf = await runAsOf(ctx);
    const now = ctx.clock.now();
    const freshness = await sourceFreshness(ctx.warehouse, ctx.config, now);
    // Renamed, removed and re-channelled rules first: their current members are carried, closed or re-entered.
    const ruleChanges = await reconcileRules(ctx.warehouse, rules, { now, asOf, runId: ctx.runId, includeEmail: tc.includeEmail });
    for (const c of ruleChanges) ctx.logger.warn(`rule ${c.rule} ${c.change}: ${c.effect}`, { ...c });
    // Actions are committed to the outbox before anything is sent: a crash after this line loses nothing.
    const rulesOut = await evaluateRules(ctx.warehouse, rules, {
      asOf,
      now,
      runId: ctx.runId,
      freshness,
      holdOnStaleData: tc.holdOnStaleData,
      includeEmail: tc.includeEmail,
      logger: ctx.logger,
      timezone: configTimeZone(ctx.config),
    });
    const delivery = ctx.signal?.aborted
      ? { skipped: 'shutting down; pending actions are delivered by the next run' }
      : await deliverPending(ctx.warehouse, deliveryConfig(ctx.config), { clock: ctx.clock, logger: ctx.logger });
    if (!('skipped' in delivery) && delivery.attempted > 0 && delivery.dead === delivery.attempted) {
      // The actions are recorded (outbox, attempts): the run fails so the status and exit code say what
      // happened instead of "succeeded" with nothing delivered.
      throw new CxpError(
        'CXP_ERR_DELIVERY_FAILED',
        `every webhook delivery of this run was dead-lettered (${delivery.dead} of ${delivery.attempted}); nothing reached a receiver`,
        {
          where: 'delivery.endpoints',
          delivery,
          hint: 'see last_error of the dead actions (table retention_actions, status dead), fix the receiver, then `cxpulse replay --dead`',
        },
      );
    }
    return {
      as_of: isoDate(asOf),
      rules: Object.fromEntries(rulesOut.map((r) => [r.rule, { status: r.status, reason: r.reason, entered: r.entered, fired: r.fired, held_out: r.heldOut, cooldown: r.cooldown, no_consent: r.noConsent, left: r.left, cancelled: r.cancelled }])),
      rule_changes: ruleChanges,
      stale_sources: freshness.filter((f) => f.isStale).map((f) => f.source),
      delivery,
    };
  },
};
