import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from './paths.js';
import type { Db } from './warehouse.js';

/**
 * The DDL folders, applied in this order: sql/core (canonical and bookkeeping tables) before
 * sql/scores (the modules' score tables); within a folder, file-name order.
 */
export const SCHEMA_DIRS = [fromRoot('sql', 'core'), fromRoot('sql', 'scores')];

/**
 * Applies the DDL of SCHEMA_DIRS. Every statement there is idempotent (`create ... if not exists`),
 * so this runs at every open.
 */
export async function migrate(db: Db, dirs: readonly string[] = SCHEMA_DIRS): Promise<void> {
  for (const dir of dirs) {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    for (const f of files) {
      await db.run(readFileSync(join(dir, f), 'utf8'));
    }
  }
}
