import { isoDate } from '../core/clock.js';
import { runTransform } from '../transform/run-transform.js';
import { transformVariables } from '../transform/variables.js';
import { runAsOf } from '../core/as-of.js';
import { progressLine } from '../core/progress.js';
import type { Job } from './types.js';
import { discoverModels } from '../transform/sql-models.js';
import { tablesExist } from './up-to-date.js';

export const transformJob: Job = {
  name: 'transform',
  description: 'build the sql/ models (intermediate, marts) in dependency order, then run the data tests',
  // Up to date only while every model's table is there (one dropped by hand is rebuilt).
  upToDate: { after: [], inPlace: (ctx) => tablesExist(ctx.warehouse, discoverModels().map((m) => m.name)) },
  async run(ctx) {
    const asOf = await runAsOf(ctx);
    const result = await runTransform(ctx.warehouse, transformVariables(ctx.config, asOf), ctx.logger, {
      progress: (models) => progressLine('transform', models, { unit: 'models', rate: false }),
    });
    return { as_of: isoDate(asOf), models: result.models.length, tests: result.testsRun, tables: result.models };
  },
};
