/**
 * The one place identifiers (table and column names that come from config or source headers) enter
 * SQL text. Values never do: they are bound as parameters.
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('identifier must be a non-empty string');
  }
  if (name.includes('\u0000')) throw new TypeError('identifier must not contain NUL');
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a possibly schema-qualified name given as parts: quoteQualified('main', 't') -> "main"."t". */
export function quoteQualified(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/**
 * A SQL string literal, for the few places DuckDB accepts no parameter (e.g. a file path in COPY ... TO,
 * ATTACH, or SET). Prefer binding everywhere else.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new TypeError('literal must not contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}
