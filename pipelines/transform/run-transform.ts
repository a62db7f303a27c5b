import { CxpError } from '../core/errors.js';
import { quoteIdent } from '../core/sql-ident.js';
import { LOCAL_DAY_MACROS } from '../core/time-zone.js';
import type { ConnDb, SqlValue, Warehouse } from '../core/warehouse.js';
import type { Logger } from '../core/logger.js';
import { silentProgress, type Progress } from '../core/progress.js';
import { discoverModels, orderModels, type SqlModel } from './sql-models.js';
import { discoverDataTests, runDataTests, type DataTest } from './data-tests.js';
import { fillNpsIntervals } from '../../models/satisfaction/mart-intervals.js';
import { useRefundRate } from '../../models/value/refund-rate.js';

/**
 * Statistics with no closed form are computed by their one TypeScript implementation right after the
 * model that needs them is built (same connection and transaction, before the data tests).
 */
const AFTER_MODEL: Record<string, (db: ConnDb) => Promise<unknown>> = {
  satisfaction_daily: (db) => fillNpsIntervals(db, 'satisfaction_daily'),
};

export interface TransformResult {
  models: { name: string; rows: number; ms: number }[];
  testsRun: number;
}

async function setVariables(db: ConnDb, vars: Record<string, SqlValue>): Promise<void> {
  await db.run('set variable timezone = null::varchar');
  for (const [name, value] of Object.entries(vars)) {
    // The name is ours (code), the value is bound (as_of arrives as a DATE value: models never cast it).
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad transform variable name ${name}`);
    await db.run(`set variable ${name} = $1`, [value]);
  }
  // Local days (cxp_local_on, cxp_day_start_at) in the transform variable `timezone` (pipelines/core/time-zone.ts).
  for (const m of LOCAL_DAY_MACROS) await db.run(m);
  // The refund rate's one definition (cxp_sold_amount, cxp_refunded_amount, cxp_refund_rate: models/value/refund-rate.ts).
  await useRefundRate(db);
}

/**
 * Materialises every SQL model in dependency order, then runs all data tests, in one transaction:
 * a failing model or test rolls everything back, so the previous good state stays.
 */
export async function runTransform(
  warehouse: Warehouse,
  vars: Record<string, SqlValue>,
  logger: Logger,
  /** progress: a progress line for this many models (a terminal's); none when omitted. */
  opts: { models?: SqlModel[]; tests?: DataTest[]; progress?: (models: number) => Progress } = {},
): Promise<TransformResult> {
  const models = orderModels(opts.models ?? discoverModels());
  const tests = opts.tests ?? discoverDataTests();
  const progress = opts.progress?.(models.length) ?? silentProgress;
  try {
    return await build(warehouse, vars, logger, models, tests, progress);
  } finally {
    progress.done();
  }
}

async function build(warehouse: Warehouse, vars: Record<string, SqlValue>, logger: Logger, models: SqlModel[], tests: DataTest[], progress: Progress): Promise<TransformResult> {
  return warehouse.transaction(async (db) => {
    await setVariables(db, vars);
    const done: TransformResult['models'] = [];
    for (const m of models) {
      const t0 = performance.now();
      try {
        await db.run(`create or replace table ${quoteIdent(m.name)} as\n${m.sql.trim().replace(/;\s*$/, '')}`);
        await AFTER_MODEL[m.name]?.(db);
      } catch (err) {
        throw new CxpError('CXP_ERR_TRANSFORM_FAILED', `model ${m.name} failed: ${(err as Error).message}`, {
          where: m.file,
          hint: 'the warehouse keeps its previous state; fix the model and run `cxpulse run transform`',
        });
      }
      const r = await db.one<{ n: number }>(`select count(*) as n from ${quoteIdent(m.name)}`);
      done.push({ name: m.name, rows: r?.n ?? 0, ms: Math.round(performance.now() - t0) });
      logger.debug('model built', { model: m.name, rows: r?.n });
      progress.tick(1);
    }
    const { ran, failures } = await runDataTests(db, tests);
    if (failures.length > 0) {
      const first = failures[0];
      throw new CxpError(
        'CXP_ERR_DATA_TEST_FAILED',
        `${failures.length} data test(s) failed; first: "${first.test}" (${first.failingRows} failing rows)`,
        {
          where: `sql/${first.file}`,
          failures: failures.map((f) => ({ test: f.test, file: f.file, failingRows: f.failingRows, sample: f.sample })),
          hint: 'the warehouse keeps its previous state; inspect the failing rows and fix the data or the model',
        },
      );
    }
    return { models: done, testsRun: ran };
  });
}
