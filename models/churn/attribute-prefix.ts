/**
 * Prefix of a declared attribute's feature name ('attribute:plan'). A module of its own, so the
 * scoring worker (explain.ts) reads it without loading features.ts and the DuckDB binding with it.
 */
export const ATTRIBUTE_PREFIX = 'attribute:';
