import { quoteIdent } from './sql-ident.js';
import type { Db, SqlValue } from './warehouse.js';

/**
 * Rows per statement: DuckDB plans each statement once, so a few hundred rows cost about what one does
 * (~1.5 ms for a bound single-row insert on the bench machine); the cap keeps a statement's parameter
 * count and text small.
 */
const ROWS_PER_STATEMENT = 256;

/**
 * Inserts small row sets (catalog rows, driver weights, code tables) with one bound multi-row
 * `insert ... values` per ROWS_PER_STATEMENT rows instead of one statement per row: a 100k-customer run
 * issued some 200 single-row inserts, ~0.3 s of statement overhead. Values are bound, never written into
 * the text; `casts` (e.g. { written_at: 'timestamptz' }) are applied to a column's placeholders.
 * DuckDB's appender is what large typed columns use (value score-step); for a few hundred rows of mixed
 * types one bound statement does as well and keeps DuckDB's casts and the target's column types.
 */
export async function insertRows(
  db: Pick<Db, 'run'>,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
  casts: Readonly<Record<string, string>> = {},
): Promise<void> {
  const names = columns.map(quoteIdent).join(', ');
  for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(from, from + ROWS_PER_STATEMENT);
    const params: SqlValue[] = [];
    const tuples = chunk.map((row) => {
      if (row.length !== columns.length) throw new TypeError(`insertRows(${table}): a row has ${row.length} values for ${columns.length} columns`);
      return `(${row
        .map((v, j) => {
          params.push(v);
          const cast = casts[columns[j]];
          return cast ? `$${params.length}::${cast}` : `$${params.length}`;
        })
        .join(', ')})`;
    });
    await db.run(`insert into ${quoteIdent(table)} (${names}) values ${tuples.join(', ')}`, params);
  }
}
