import type { ConnDb } from '../core/warehouse.js';
import type { Logger } from '../core/logger.js';
import type { SourceConfig } from '../config/types.js';
import type { RawFile } from './read-file.js';
import type { SourceSpec } from './source-specs.js';
import { createRawView, planColumns, setSourceVariables, stageFile } from './stage.js';
import { pullPostgres, type PendingWatermark } from './postgres-source.js';

export interface StagedPull {
  read: number;
  rejected: number;
  /** Of `rejected`: rows whose key repeats in the pull with different content (key-conflicts.ts). */
  conflicts: number;
  where: string;
  watermark?: PendingWatermark;
}

/**
 * A database source through the same staging as a file: pull into cxp_raw, map the canonical columns
 * (a missing one is CXP_ERR_SOURCE_COLUMN_MISSING naming the table's columns), stage, reject.
 */
export async function stagePostgresSource(
  db: ConnDb,
  spec: SourceSpec,
  cfg: SourceConfig,
  opts: { full: boolean; logger: Logger; signal?: AbortSignal; fileIdx: number; orderKeyColumn?: string; runDate: Date },
): Promise<StagedPull> {
  const needed = [...spec.columns.map((c) => cfg.columns[c.name] ?? c.name), ...(cfg.answerColumns ?? [])];
  const pull = await pullPostgres(db, {
    source: spec.source,
    cfg,
    full: opts.full,
    logger: opts.logger,
    signal: opts.signal,
    orderKeyColumn: opts.orderKeyColumn,
    wanted: (available, where) => {
      // Only the column names matter to the plan; throws before any row is read.
      planColumns(spec, cfg, where, { columns: available } as RawFile);
      return [...new Set(needed.filter((n) => available.includes(n)))];
    },
  });
  const plans = planColumns(spec, cfg, pull.where, pull.raw);
  await setSourceVariables(db, spec, cfg, plans, true);
  await createRawView(db, spec, cfg, pull.raw, plans, opts.fileIdx);
  const { rejected, conflicts } = await stageFile(db, spec, cfg, pull.raw, pull.where, opts.fileIdx, opts.runDate);
  return { read: pull.raw.rows, rejected, conflicts, where: pull.where, watermark: pull.watermark };
}
