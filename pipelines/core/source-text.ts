/**
 * How source text is trimmed, the same way everywhere: in the staging SQL (every value read from a
 * file), in the CLI (`cxpulse forget ID`) and in the API (customer ids in paths). The set is exactly the
 * characters JavaScript's String.prototype.trim removes (Unicode White_Space, line terminators and the
 * BOM), so `s.trim()` in TypeScript and `trim(v, SOURCE_TRIM_CHARS)` in DuckDB agree: "C0000006<TAB>"
 * and "C0000006" are one customer whichever door the id comes in by.
 */
export const SOURCE_TRIM_CHARS =
  ' \t\n\r\u000b\u000c\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** Trims like the staging SQL does; '' stays ''. */
export function trimSourceText(s: string): string {
  return s.trim();
}

/** Control characters (C0, DEL, C1): never valid inside an id or an e-mail address. */
export const CONTROL_CHAR_RE = /\p{Cc}/u;

/** The same class for DuckDB's RE2 (bound as a parameter or used as a constant pattern). */
export const CONTROL_CHAR_SQL_PATTERN = '\\p{Cc}';

/**
 * Invisible formatting characters (Unicode category Cf: zero-width space and joiners, bidi marks, soft
 * hyphen, word joiner, a BOM inside the text). Pasted from web pages and spreadsheets into ids, they make
 * "C1\u200b2" a different key from the "C12" it looks like: a phantom customer and orders joined to no
 * one. Checked on ids at ingest (plausibility.ts), for RE2.
 */
export const INVISIBLE_CHAR_SQL_PATTERN = '\\p{Cf}';
