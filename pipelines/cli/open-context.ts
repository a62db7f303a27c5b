import { parseIsoDate } from '../core/clock.js';
import { systemClock, type Clock } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import { consoleLogger, logFormatFromEnv, type Logger } from '../core/logger.js';
import { migrate } from '../core/migrate.js';
import { Warehouse } from '../core/warehouse.js';
import { assertWritablePaths } from '../core/writable-paths.js';
import { duckdbSettings } from '../config/duckdb-settings.js';
import { loadConfig } from '../config/load-config.js';
import { lockAdvice, SERVER_ROUTES, type ServerRoute } from './lock-advice.js';
import { markAbandonedRuns } from '../jobs/abandoned-runs.js';
import type { Config } from '../config/types.js';

export interface CliContext {
  config: Config;
  warehouse: Warehouse;
  clock: Clock;
  logger: Logger;
  asOfOverride?: Date;
}

export function parseAsOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = parseIsoDate(value);
  if (!d) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `--as-of "${value}" is not a date`, { where: '--as-of', hint: 'write it YYYY-MM-DD' });
  }
  return d;
}

/**
 * Loads config, opens (and migrates) the warehouse. The caller closes the warehouse. `command` and
 * `route` say what to suggest when another process holds the warehouse (lock-advice.ts).
 */
export async function openContext(opts: {
  config?: string;
  asOf?: string;
  debug?: boolean;
  command: string;
  route?: ServerRoute;
}): Promise<CliContext> {
  const config = loadConfig(opts.config);
  // Checked before the warehouse is opened, so a bad date leaves nothing open.
  const asOfOverride = parseAsOf(opts.asOf);
  // So is where cxpulse writes: an unwritable warehouse or exports path names its key before any job.
  assertWritablePaths(config);
  const warehouse = await Warehouse.open(config.warehouse, {
    settings: duckdbSettings(config),
    onLocked: lockAdvice(opts.command, opts.route ?? SERVER_ROUTES.none(), config.exports.dir),
  });
  const logger = consoleLogger({ debug: opts.debug, format: logFormatFromEnv() });
  try {
    await migrate(warehouse);
    // This process holds the warehouse now: any run still marked running belongs to a dead process.
    const abandoned = await markAbandonedRuns(warehouse, systemClock.now());
    if (abandoned.length > 0) logger.warn(`marked ${abandoned.length} run(s) abandoned (their process ended mid-run)`, { run_ids: abandoned.join(',') });
  } catch (err) {
    warehouse.close();
    throw err;
  }
  return {
    config,
    warehouse,
    clock: systemClock,
    logger,
    asOfOverride,
  };
}
