import type { ConnDb } from '../core/warehouse.js';
import type { SourceConfig } from '../config/types.js';

/**
 * Per-value rewriting of source text before staging, for every kind of source:
 *
 * - `values` (config or preset): canonical column -> { source value -> canonical value }, matched
 *   case-insensitively after trimming; values not listed pass through unchanged (and the staging model
 *   rejects them if they are not valid). The map is bound as a DuckDB MAP variable, never concatenated.
 * - Numeric ids written as floats: an id that is an integer followed by a zero fraction (`17850.0`,
 *   `17850.00`) is that integer (`17850`). Spreadsheets and dataframe tools write integer ids so when the
 *   column has blanks; the same customer must not become two. Any other id is kept exactly as written
 *   (`17850.5`, `0017850`, `A-17850.0` are not changed).
 */
export const SOURCE_MACROS = [
  `create or replace temp macro cxp_norm_id(v) as
     case when contains(v, '.') and regexp_full_match(v, '-?[0-9]+\\.0+') then split_part(v, '.', 1) else v end`,
];

export async function createSourceMacros(db: ConnDb): Promise<void> {
  for (const m of SOURCE_MACROS) await db.run(m);
}

/** Key columns whose float-written integer ids are normalised. */
const ID_COLUMNS = new Set(['customer_id', 'order_id', 'interaction_id', 'response_id']);

function mapVar(canonical: string): string {
  // Canonical names are ours (source-specs.ts): a safe identifier.
  return `cxp_values_${canonical}`;
}

/** Binds the value maps of a source; call before building its raw view. */
export async function setValueMaps(db: ConnDb, cfg: SourceConfig): Promise<void> {
  for (const [canonical, map] of Object.entries(cfg.values ?? {})) {
    if (!/^[a-z_]+$/.test(canonical)) continue;
    const entries = Object.entries(map).map(([k, v]) => ({ k: k.trim().toLowerCase(), v }));
    await db.run(
      `set variable ${mapVar(canonical)} = map_from_entries(from_json($1::varchar, '[{"k": "VARCHAR", "v": "VARCHAR"}]'))`,
      [JSON.stringify(entries)],
    );
  }
}

/** SQL for a canonical column's text after value mapping and id normalisation. */
export function rewriteValueSql(cfg: SourceConfig, canonical: string, expr: string): string {
  let out = expr;
  if (cfg.values?.[canonical] && /^[a-z_]+$/.test(canonical)) {
    out = `coalesce(getvariable('${mapVar(canonical)}')[lower(${out})], ${out})`;
  }
  if (ID_COLUMNS.has(canonical)) out = `cxp_norm_id(${out})`;
  return out;
}
