import { eraseFromExports } from '../export/erase-from-exports.js';
import { forgetCustomer } from '../triggers/forget.js';
import type { Command } from './commands.js';
import { COMMON_OPTIONS } from './commands.js';
import { SERVER_ROUTES } from './lock-advice.js';
import { openContext } from './open-context.js';

const USAGE = 'cxpulse forget CUSTOMER_ID [--config PATH]';

export const forgetCommand: Command = {
  name: 'forget',
  usage: USAGE,
  summary: 'erase a customer (GDPR): every table with a customer_id, score history, survey answers, written exports; cancels undelivered actions',
  options: { config: COMMON_OPTIONS.config, debug: COMMON_OPTIONS.debug, help: COMMON_OPTIONS.help },
  async action({ values, positionals }) {
    if (positionals.length !== 1) {
      process.stderr.write(`usage: ${USAGE}\n`);
      return 2;
    }
    const ctx = await openContext({
      config: values.config as string | undefined,
      debug: Boolean(values.debug),
      command: `forget ${positionals[0]}`,
      // No server endpoint: erasure needs the warehouse to itself (lock-advice.ts says to stop the server).
      route: SERVER_ROUTES.none(),
    });
    try {
      const r = await forgetCustomer(ctx.warehouse, positionals[0], ctx.clock);
      await ctx.warehouse.checkpoint();
      const ex = await eraseFromExports(ctx.warehouse, ctx.config.exports.dir, r.customerId);
      const tables = Object.entries(r.deleted).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`);
      process.stdout.write(
        `forgot customer ${r.customerId}: deleted ${tables.join(', ') || 'no rows'}; rejected rows ${r.rejectedRows}; ` +
          `actions cancelled ${r.cancelledActions}, anonymised ${r.anonymisedActions}; ` +
          `exports rewritten ${ex.files} file(s), ${ex.rows} row(s) removed\n` +
          'copies of exports outside exports.dir (BI tools, backups) are not reached\n',
      );
      return 0;
    } finally {
      ctx.warehouse.close();
    }
  },
};
