import { CxpError } from '../core/errors.js';
import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb, SqlValue, Warehouse } from '../core/warehouse.js';
import type { Logger } from '../core/logger.js';
import { discoverModels, orderModels, type SqlModel } from './sql-models.js';
import { discoverDataTests, runDataTests, type DataTest } from './data-tests.js';
import { fillNpsIntervals } from '../../models/satisfaction/mart-intervals.js';

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

/**
 * Local days. Canonical timestamps are UTC; the company lives in `timezone` (the config's IANA zone,
 * transform variable `timezone`, UTC when unset). Every `*_on` bucket is a local date and the as-of
 * day ends at local midnight:
 *   cxp_local_on(ts)    UTC timestamp -> the local date it falls on
 *   cxp_day_start_at(d) local date    -> the UTC timestamp of its local midnight
 */
export const TIME_ZONE_MACROS = [
  `create or replace temp macro cxp_local_on(ts) as
     case when coalesce(getvariable('timezone'), 'UTC') = 'UTC' then ts::date
          else timezone(getvariable('timezone'), timezone('UTC', ts))::date end`,
  `create or replace temp macro cxp_day_start_at(d) as
     case when coalesce(getvariable('timezone'), 'UTC') = 'UTC' then d::timestamp
          else timezone('UTC', timezone(getvariable('timezone'), d::timestamp)) end`,
];

async function setVariables(db: ConnDb, vars: Record<string, SqlValue>): Promise<void> {
  await db.run('set variable timezone = null::varchar');
  for (const [name, value] of Object.entries(vars)) {
    // The name is ours (code), the value is bound (as_of arrives as a DATE value: models never cast it).
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad transform variable name ${name}`);
    await db.run(`set variable ${name} = $1`, [value]);
  }
  for (const m of TIME_ZONE_MACROS) await db.run(m);
}

/**
 * Materialises every SQL model in dependency order, then runs all data tests, in one transaction:
 * a failing model or test rolls everything back, so the previous good state stays.
 */
export async function runTransform(
  warehouse: Warehouse,
  vars: Record<string, SqlValue>,
  logger: Logger,
  opts: { models?: SqlModel[]; tests?: DataTest[] } = {},
): Promise<TransformResult> {
  const models = orderModels(opts.models ?? discoverModels());
  const tests = opts.tests ?? discoverDataTests();
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
