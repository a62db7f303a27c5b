/**
 * Child process for crash-recovery.test.ts: commits actions to the outbox, then either stops before
 * delivering ("after-commit") or starts delivering ("deliver"); the parent SIGKILLs it at that point.
 */
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { deliverPending, deliveryConfig } from '../../../pipelines/triggers/deliver.js';
import { evaluateRules } from '../../../pipelines/triggers/evaluate.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';

const [, , configJson, dir, mode] = process.argv;
const config = resolveConfig(JSON.parse(configJson), dir);
const wh = await Warehouse.open(config.warehouse);
await migrate(wh);
const clock = fixedClock('2026-11-21T03:00:00Z');
await evaluateRules(wh, resolveRules(config), { asOf: new Date('2026-11-20'), now: clock.now() });
process.stdout.write('COMMITTED\n');
if (mode === 'deliver') {
  await deliverPending(wh, deliveryConfig(config), { clock });
  process.stdout.write('DELIVERED\n');
}
// Wait to be killed: the parent decides the moment.
setInterval(() => {}, 1000);
