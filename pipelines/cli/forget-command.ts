import { eraseCustomer } from '../jobs/erase-customer.js';
import type { Command } from './commands.js';
import { COMMON_OPTIONS } from './commands.js';
import { SERVER_ROUTES } from './lock-advice.js';
import { openContext } from './open-context.js';

const USAGE = 'cxpulse forget CUSTOMER_ID [--config PATH]';

export const forgetCommand: Command = {
  name: 'forget',
  usage: USAGE,
  summary:
    'erase a customer (GDPR) from every place: tables, score history, survey answers, rejected rows, written exports, export temp files, the warehouse file bytes; resumable',
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
      const r = await eraseCustomer(positionals[0], { warehouse: ctx.warehouse, exportsDir: ctx.config.exports.dir, clock: ctx.clock });
      process.stdout.write(`forgot customer ${r.customerId}:\n`);
      for (const p of r.places) process.stdout.write(`  ${p.place.padEnd(15)} ${p.detail}\n`);
      process.stdout.write('copies of exports outside exports.dir (BI tools, backups) are not reached\n');
      if (r.pending.length > 0) {
        process.stderr.write(`erasure incomplete: still to clean ${r.pending.join(', ')}; run the same command again\n`);
        return 1;
      }
      return 0;
    } finally {
      ctx.warehouse.close();
    }
  },
};
