/**
 * Config keys of a source beyond the file reader's: where rows come from (`type`, and for PostgreSQL
 * `url`, `table` | `query`, `incremental`), the grain of a purchases source (`grain`, `returns`), value
 * mapping (`values`) and `preset`. The JSON schema fragments are spread into the source schema in
 * pipelines/config/schema.ts; the checks a schema cannot express are in sourceProblems().
 */

export const SOURCE_TYPES = ['file', 'postgres'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const PRESET_NAMES = [
  'shopify-orders',
  'woocommerce-orders',
  'zendesk-tickets',
  'zendesk-satisfaction',
  'freshdesk-tickets',
  'typeform',
  'surveymonkey',
  'google-forms',
  'qualtrics',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface IncrementalOptions {
  /** Column whose value only grows when a row is inserted or changed (updated_at, a version number). */
  column: string;
  /** Rows up to this many minutes older than the watermark are read again (late commits); time columns only. */
  overlapMinutes: number;
}

export interface ReturnsOptions {
  /** Order keys starting with this text are cancellation/credit documents (e.g. "C" for C536379). */
  orderIdPrefix?: string;
}

export interface SourceExtraOptions {
  /** `file` (default) or `postgres`. */
  type?: SourceType;
  /** PostgreSQL: `env:NAME` (the URL, with its password, comes from that environment variable) or a URL without a password. */
  url?: string;
  table?: string;
  query?: string;
  incremental?: IncrementalOptions;
  /** Rows fetched from the database per round trip (and appended to the warehouse per batch). */
  fetchRows?: number;
  connectTimeoutSeconds?: number;
  /** Read everything on every run (database: ignore the watermark; files: read even when unchanged). */
  fullReload?: boolean;
  /** Purchases: `order` (one row per order) or `line` (one row per order line; summed into orders). */
  grain?: 'order' | 'line';
  returns?: ReturnsOptions;
  /** Canonical column -> { source value (any case) -> canonical value }. Unlisted values pass through. */
  values?: Record<string, Record<string, string>>;
  preset?: PresetName;
}

export const sourceExtraSchema = {
  type: { type: 'string', enum: [...SOURCE_TYPES], description: 'file (default) or postgres' },
  url: {
    type: 'string',
    minLength: 1,
    description: 'postgres: env:NAME to read the connection URL (with its password) from an environment variable',
  },
  table: { type: 'string', minLength: 1, description: 'postgres: table or view, optionally schema-qualified (public.orders)' },
  query: { type: 'string', minLength: 1, description: 'postgres: a select statement instead of a table' },
  incremental: {
    type: 'object',
    additionalProperties: false,
    required: ['column'],
    properties: {
      column: { type: 'string', minLength: 1 },
      overlapMinutes: { type: 'number', minimum: 0, default: 0 },
    },
    description: 'postgres: pull only rows whose column is past the stored watermark (minus the overlap)',
  },
  fullReload: { type: 'boolean', description: 'read everything on every run (cxpulse run ingest --full does it once)' },
  fetchRows: { type: 'integer', minimum: 1, description: 'postgres: rows per fetch (default 10000)' },
  connectTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, description: 'postgres: default 15' },
  grain: { type: 'string', enum: ['order', 'line'], description: 'purchases: line = one row per order line, summed into orders' },
  returns: {
    type: 'object',
    additionalProperties: false,
    properties: { orderIdPrefix: { type: 'string', minLength: 1 } },
  },
  values: {
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    description: 'canonical column -> { source value -> canonical value } (matched case-insensitively)',
  },
  preset: { type: 'string', enum: [...PRESET_NAMES], description: 'a known export format supplying columns, formats and values' },
} as const;

/** Canonical purchases columns only a line-grained source has. */
export const LINE_COLUMNS = ['quantity', 'unit_price', 'line_amount'] as const;

interface CheckedSource extends SourceExtraOptions {
  path?: string;
  columns?: Record<string, string>;
  delimiter?: string;
  names?: string[];
  format?: string;
  decimalSeparator?: string;
}

/** The grain of a source: explicit, else `line` when a line column is mapped. */
export function grainOf(src: CheckedSource): 'order' | 'line' {
  if (src.grain) return src.grain;
  return LINE_COLUMNS.some((c) => src.columns?.[c] !== undefined) ? 'line' : 'order';
}

/** Rules the schema cannot express, keyed `sources.<name>.<key>: problem`. */
export function sourceProblems(name: string, src: CheckedSource): string[] {
  const out: string[] = [];
  const at = `sources.${name}`;
  if ((src.type ?? 'file') === 'file') {
    if (!src.path) out.push(`${at}.path: is required for a file source`);
    for (const k of ['url', 'table', 'query', 'incremental'] as const) {
      if (src[k] !== undefined) out.push(`${at}.${k}: only a postgres source has it (set type: "postgres")`);
    }
  } else {
    if (src.path !== undefined) out.push(`${at}.path: a postgres source reads url and table or query, not a path`);
    if (!src.url) out.push(`${at}.url: is required for a postgres source (env:NAME, the variable holding the URL)`);
    else out.push(...urlProblems(`${at}.url`, src.url));
    if ((src.table === undefined) === (src.query === undefined)) out.push(`${at}: give exactly one of table or query`);
    for (const k of ['delimiter', 'names', 'format', 'decimalSeparator'] as const) {
      if (src[k] !== undefined) out.push(`${at}.${k}: only file sources have it`);
    }
  }
  if ((src.grain === 'line' || grainOf(src) === 'line') && name !== 'purchases') {
    out.push(`${at}.grain: only a purchases source can be line-grained`);
  }
  if (grainOf(src) === 'line') {
    const c = src.columns ?? {};
    const hasAmount = c.line_amount !== undefined || (c.quantity !== undefined && c.unit_price !== undefined);
    if (name === 'purchases' && !hasAmount && !src.preset) {
      out.push(`${at}.columns: a line-grained purchases source maps quantity and unit_price, or line_amount`);
    }
  }
  if (src.returns && name !== 'purchases') out.push(`${at}.returns: only purchases have returns`);
  return out;
}

/** A URL written in the config file must not carry a password (it would sit in the file and in backups). */
export function urlProblems(key: string, url: string): string[] {
  if (url.startsWith('env:')) {
    return /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(url) ? [] : [`${key}: env: must be followed by an environment variable name`];
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [`${key}: is neither env:NAME nor a postgres:// URL`];
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) return [`${key}: must be a postgres:// URL or env:NAME`];
  if (parsed.password || /[?&]password=/i.test(parsed.search)) {
    return [`${key}: contains a password; put the whole URL in an environment variable and write "env:NAME" (or use PGPASSWORD)`];
  }
  return [];
}
