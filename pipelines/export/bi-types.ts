import { quoteIdent } from '../core/sql-ident.js';
import type { ExportDataset } from './datasets.js';

/** One exported column: its name and the SQL expression that gives it its BI type. */
export interface ProjectedColumn {
  name: string;
  expr: string;
}

/**
 * The types BI tools read without guessing (README "Exports for BI tools"):
 * - timestamps (stored as UTC without zone) become TIMESTAMPTZ, i.e. Parquet timestamps marked
 *   isAdjustedToUTC, read as instants by every tool. `timezone('UTC', ts)` says the stored value is UTC
 *   whatever the session time zone is (a plain cast would use the machine's zone);
 * - money stored as DOUBLE becomes DECIMAL(18,2) (amounts already DECIMAL stay as they are);
 * - HUGEINT (what DuckDB's sum of integers gives), which Parquet cannot hold and DuckDB would write as
 *   DOUBLE, becomes BIGINT, and unsigned integers become signed ones, so counts stay integers;
 * - JSON columns with a known shape become nested types (churn_reasons: a LIST of STRUCTs).
 * Text stays VARCHAR (ids are text everywhere); DuckDB dictionary-encodes low-cardinality text.
 */
export function biExpression(ds: ExportDataset, name: string, duckType: string): string {
  const col = quoteIdent(name);
  const type = duckType.toUpperCase();
  const nested = ds.nested?.[name];
  if (nested) return `cast(${col} as ${nested})`;
  if (ds.money?.includes(name)) return `cast(round(${col}, 2) as DECIMAL(18,2))`;
  if (type === 'TIMESTAMP' || type === 'TIMESTAMP_NS' || type === 'TIMESTAMP_MS' || type === 'TIMESTAMP_S') return `timezone('UTC', ${col})`;
  if (type === 'HUGEINT' || type === 'UBIGINT' || type === 'UHUGEINT') return `cast(${col} as BIGINT)`;
  if (type === 'UINTEGER') return `cast(${col} as BIGINT)`;
  if (type === 'USMALLINT' || type === 'UTINYINT') return `cast(${col} as INTEGER)`;
  return col;
}

export function projectColumns(ds: ExportDataset, columns: { name: string; type: string }[]): ProjectedColumn[] {
  return columns.map((c) => ({ name: c.name, expr: `${biExpression(ds, c.name, c.type)} as ${quoteIdent(c.name)}` }));
}
