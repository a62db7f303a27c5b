import { isoDate } from '../core/clock.js';
import { EXPORT_DATASETS } from '../export/datasets.js';
import { writeExports } from '../export/write-exports.js';
import { runAsOf } from '../core/as-of.js';
import type { Job } from './types.js';

export const exportJob: Job = {
  name: 'export',
  description: 'write Parquet datasets and manifest.json to exports.dir',
  async run(ctx) {
    const asOf = isoDate(await runAsOf(ctx));
    const selected = ctx.config.exports.datasets;
    const datasets = selected ? EXPORT_DATASETS.filter((d) => selected.includes(d.name)) : EXPORT_DATASETS;
    const { written, skipped } = await writeExports(ctx.warehouse, datasets, {
      dir: ctx.config.exports.dir,
      asOf,
      includePii: ctx.config.exports.includePii,
      runId: ctx.runId,
      now: ctx.clock.now(),
    });
    // A checkpoint makes the warehouse file itself current for BI tools that read it.
    await ctx.warehouse.checkpoint();
    return { dir: ctx.config.exports.dir, as_of: asOf, datasets: written.map((w) => ({ name: w.dataset, rows: w.rows })), skipped };
  },
};
