import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from './paths.js';
import type { Db } from './warehouse.js';

/**
 * Applies sql/schema/*.sql in file-name order. Every statement there is idempotent
 * (`create ... if not exists`), so this runs at every open.
 */
export async function migrate(db: Db, dir = fromRoot('sql', 'schema')): Promise<void> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  for (const f of files) {
    await db.run(readFileSync(join(dir, f), 'utf8'));
  }
}
