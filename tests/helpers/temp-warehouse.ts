import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../pipelines/core/migrate.js';
import { Warehouse } from '../../pipelines/core/warehouse.js';

/** A fresh warehouse file in its own temp dir, migrated; `cleanup()` closes and deletes it. */
export async function tempWarehouse(prefix = 'cxp-test-'): Promise<{ wh: Warehouse; dir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const wh = await Warehouse.open(join(dir, 'warehouse.duckdb'));
  await migrate(wh);
  return {
    wh,
    dir,
    cleanup: () => {
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
