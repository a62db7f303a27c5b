// Runs one ingest in a child process so a test can SIGKILL it mid-run (see atomicity.test.ts).
// Usage: node --import tsx ingest-child.ts <config.json> <run-id>
import { systemClock } from '../../../pipelines/core/clock.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { loadConfig } from '../../../pipelines/config/load-config.js';
import { runIngest } from '../../../pipelines/sources/run-ingest.js';

const [configPath, runId] = process.argv.slice(2);
const config = loadConfig(configPath);
const wh = await Warehouse.open(config.warehouse);
await migrate(wh);
const say = (msg: string) => process.stdout.write(`${msg}\n`);
const logger = { info: say, warn: say, error: say, debug: say };
const summary = await runIngest({ warehouse: wh, config, runId, clock: systemClock, logger });
say(`done ${JSON.stringify(summary.sources)}`);
wh.close();
