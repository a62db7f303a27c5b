import { deliverPending, deliveryConfig } from '../triggers/deliver.js';
import { replayActions } from '../triggers/replay.js';
import type { Command } from './commands.js';
import { COMMON_OPTIONS } from './commands.js';
import { SERVER_ROUTES } from './lock-advice.js';
import { openContext } from './open-context.js';

const USAGE = 'cxpulse replay ACTION_ID | --dead [--config PATH]';

export const replayCommand: Command = {
  name: 'replay',
  usage: USAGE,
  summary: 're-deliver one webhook action, or every dead-lettered one, now (same webhook-id: receivers dedupe)',
  options: { config: COMMON_OPTIONS.config, debug: COMMON_OPTIONS.debug, help: COMMON_OPTIONS.help, dead: { type: 'boolean' } },
  async action({ values, positionals }) {
    const dead = Boolean(values.dead);
    if ((dead && positionals.length > 0) || (!dead && positionals.length !== 1)) {
      process.stderr.write(`usage: ${USAGE}\n`);
      return 2;
    }
    const ctx = await openContext({
      config: values.config as string | undefined,
      debug: Boolean(values.debug),
      command: dead ? 'replay --dead' : `replay ${positionals[0]}`,
      route: SERVER_ROUTES.replay(dead ? { dead: true } : { actionId: positionals[0] }),
    });
    try {
      const ids = await replayActions(ctx.warehouse, dead ? { dead: true } : { actionId: positionals[0] });
      const s = await deliverPending(ctx.warehouse, deliveryConfig(ctx.config), { clock: ctx.clock, logger: ctx.logger, actionIds: ids });
      process.stdout.write(`replayed ${ids.length} action(s): delivered ${s.delivered}, retrying later ${s.retrying}, dead ${s.dead}\n`);
      return s.dead > 0 ? 1 : 0;
    } finally {
      ctx.warehouse.close();
    }
  },
};
