/**
 * Largest `offset` a paged route accepts: far above any real table, far below where DuckDB's BIGINT or a
 * JavaScript number would lose precision (`offset=99999999999999999999` is a 400, not a 500).
 */
export const MAX_OFFSET = 1_000_000_000;
