import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import type { Config } from '../../../pipelines/config/types.js';
import type { JobContext } from '../../../pipelines/jobs/types.js';
import { generateHistory, loadHistoryCsv, writeHistoryCsv, type HistoryOptions } from './synthetic-history.js';

export interface TempWarehouse {
  dir: string;
  wh: Warehouse;
  close(): void;
}

export async function tempWarehouse(): Promise<TempWarehouse> {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-churn-'));
  const wh = await Warehouse.open(join(dir, 'warehouse.duckdb'));
  await migrate(wh);
  return {
    dir,
    wh,
    close() {
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A warehouse holding a synthetic history; returns its last day as the as-of date. */
export async function warehouseWithHistory(opts: HistoryOptions): Promise<TempWarehouse & { asOf: Date }> {
  const t = await tempWarehouse();
  const h = generateHistory(opts);
  writeHistoryCsv(h, join(t.dir, 'csv'));
  await loadHistoryCsv(t.wh, join(t.dir, 'csv'));
  return { ...t, asOf: new Date(`${h.end}T00:00:00Z`) };
}

export function jobContext(wh: Warehouse, churn: Record<string, unknown> = {}, runId = 'run-1'): JobContext {
  const config = { churn } as unknown as Config;
  return { config, warehouse: wh, runId, clock: fixedClock('2026-02-01T00:00:00Z'), logger: silentLogger, results: {} };
}
