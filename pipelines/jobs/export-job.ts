import { isoDate } from '../core/clock.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_FILE, writeCatalog } from '../export/catalog.js';
import { EXPORT_DATASETS } from '../export/datasets.js';
import { readManifest, writeExports } from '../export/write-exports.js';
import { runAsOf } from '../core/as-of.js';
import { progressLine } from '../core/progress.js';
import type { Job } from './types.js';

export const exportJob: Job = {
  name: 'export',
  description: 'write Parquet datasets, manifest.json and the BI catalog cxpulse.duckdb to exports.dir',
  // Writes from the marts and scores; when those are unchanged it still runs if a file it wrote is gone.
  upToDate: { after: ['transform', 'score'], inPlace: (ctx) => exportsInPlace(ctx.config.exports.dir) },
  async run(ctx) {
    const asOf = isoDate(await runAsOf(ctx));
    const selected = ctx.config.exports.datasets;
    const datasets = selected ? EXPORT_DATASETS.filter((d) => selected.includes(d.name)) : EXPORT_DATASETS;
    const res = await writeExports(ctx.warehouse, datasets, {
      dir: ctx.config.exports.dir,
      asOf,
      includePii: ctx.config.exports.includePii,
      runId: ctx.runId,
      now: ctx.clock.now(),
      progress: (files) => progressLine('export', files, { unit: 'files', rate: false }),
    });
    // Views over every dataset in the manifest, including those this run did not select.
    const catalog = await writeCatalog(ctx.config.exports.dir, EXPORT_DATASETS, res.manifest, res.schemas);
    // A checkpoint keeps the warehouse file itself current for tools that copy it while cxpulse is stopped.
    await ctx.warehouse.checkpoint();
    const rows = new Map<string, number>();
    for (const e of res.manifest.datasets) if (e.kind !== 'history' || e.as_of === asOf) rows.set(`${e.dataset}/${e.kind}`, (rows.get(`${e.dataset}/${e.kind}`) ?? 0) + e.rows);
    return {
      dir: ctx.config.exports.dir,
      as_of: asOf,
      latest_as_of: res.manifest.latest_as_of,
      files_written: res.written.length,
      files_unchanged: res.unchanged,
      files_removed: res.removed.length,
      datasets: [...rows].map(([key, n]) => ({ name: key, rows: n })),
      catalog: catalog.path,
      skipped: res.skipped,
    };
  },
};

/** The manifest, every file it lists and the catalog are where the last export put them. */
export function exportsInPlace(dir: string): boolean {
  if (!existsSync(join(dir, 'manifest.json')) || !existsSync(join(dir, CATALOG_FILE))) return false;
  return readManifest(dir).datasets.every((e) => existsSync(join(dir, e.path)));
}
