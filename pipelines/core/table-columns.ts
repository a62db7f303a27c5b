import type { Db } from './warehouse.js';

/**
 * The column names of a table in the warehouse's main schema; empty when the table does not exist
 * (yet). Readers that tolerate a module not having run use it to put typed NULLs where a column is missing.
 */
export async function tableColumns(db: Db, table: string): Promise<Set<string>> {
  const rows = await db.all<{ column_name: string }>(
    "select column_name from information_schema.columns where table_schema = 'main' and table_name = $table",
    { table },
  );
  return new Set(rows.map((r) => r.column_name));
}
