/**
 * The churn feature set: read from sql/features/churn_features.sql as of a cutoff. Feature order
 * here is the model's column order and is stored with every model (churn_models.features).
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { isoDate } from '../../pipelines/core/clock.js';
import { sqlDate } from '../../pipelines/core/sql-date.js';
import { fromRoot } from '../../pipelines/core/paths.js';
import {
  DuckDBBigIntVector,
  DuckDBDoubleVector,
  DuckDBFloatVector,
  DuckDBIntegerVector,
  DuckDBSmallIntVector,
  DuckDBTinyIntVector,
  type DuckDBDateValue,
  type DuckDBVector,
} from '@duckdb/node-api';
import { useLocalDays } from '../../pipelines/core/time-zone.js';
import type { ConnDb, Db, Warehouse } from '../../pipelines/core/warehouse.js';
import type { Matrix } from './matrix.js';
import { satisfactionSettings } from '../satisfaction/settings.js';
import { ATTRIBUTE_PREFIX } from './attribute-prefix.js';

export const CHURN_FEATURES = [
  'days_since_last_purchase',
  'tenure_days',
  'count_orders_30d',
  'count_orders_90d',
  'count_orders_365d',
  'count_orders_total',
  'order_trend_90d',
  'amount_90d',
  'amount_365d',
  'amount_trend_90d',
  'avg_order_value_365d',
  'median_gap_days',
  'recency_over_gap',
  'gap_cv',
  'count_refunds_365d',
  'refund_rate_365d',
  'count_returns_365d',
  'amount_returns_365d',
  'count_interactions_90d',
  'count_interactions_365d',
  'count_complaints_90d',
  'count_complaints_365d',
  'count_unresolved',
  'count_unresolved_complaints',
  'count_unanswered',
  'count_slow_first_responses_365d',
  'count_slow_first_responses_total',
  'median_first_response_minutes_365d',
  'max_first_response_minutes_90d',
  'max_first_response_minutes_365d',
  'median_resolution_hours_365d',
  'fcr_rate_365d',
  'share_assisted_channel_365d',
  'last_nps',
  'days_since_last_nps',
  'csat_avg_365d',
] as const;

export type ChurnFeature = (typeof CHURN_FEATURES)[number];

/** 'purchase_gap': no completed order in the horizon; 'cancellation': customers.churned_at within it. */
export type LabelMode = 'purchase_gap' | 'cancellation';

/** Declared customer attributes (sources.customers.attributes): name -> type. */
export type AttributeTypes = Record<string, 'categorical' | 'numeric'>;

export { ATTRIBUTE_PREFIX };
export const attributeFeature = (name: string): string => `${ATTRIBUTE_PREFIX}${name}`;

/** The model's feature list: the behavioural features, then one per declared attribute. */
export function featureNames(attributes: AttributeTypes = {}): string[] {
  return [...CHURN_FEATURES, ...Object.keys(attributes).map(attributeFeature)];
}

/** Attribute types from the config's customers source. */
export function attributeTypes(sources: unknown): AttributeTypes {
  const attrs = (sources as { customers?: { attributes?: Record<string, { type: 'categorical' | 'numeric' }> } } | undefined)?.customers?.attributes;
  return Object.fromEntries(Object.entries(attrs ?? {}).map(([n, a]) => [n, a.type]));
}

/** 'cancellation' when any customer has a cancellation date, else 'purchase_gap' (for churn.label = 'auto'). */
export async function resolveLabelMode(db: Db, setting: 'auto' | LabelMode): Promise<LabelMode> {
  if (setting !== 'auto') return setting;
  const r = await db.one<{ n: number }>('select count(*)::integer as n from (select 1 from customers where churned_at is not null limit 1)');
  return (r?.n ?? 0) > 0 ? 'cancellation' : 'purchase_gap';
}

/** Features of one population at one cutoff. */
export interface FeatureSet {
  cutoff: string;
  features: readonly string[];
  customerIds: string[];
  x: Matrix;
  /** Categorical attribute features: the raw category per row (their x columns hold NaN until encoded). */
  categorical: Record<string, (string | null)[]>;
  /** 1 = churned in the horizon after the cutoff (see LabelMode). Only meaningful when labelObserved. */
  y: Uint8Array;
  labelMode: LabelMode;
  /** Whether the data reaches the end of the label horizon (cutoff + horizon <= data end). */
  labelObserved: boolean;
}

let sqlText: string | undefined;
export function churnFeaturesSql(): string {
  sqlText ??= readFileSync(fromRoot('sql', 'features', 'churn_features.sql'), 'utf8');
  return sqlText;
}

export interface FeatureQuery {
  cutoff: Date;
  lookbackDays: number;
  horizonDays: number;
  /** Latest date present in the data; labels are observed when cutoff + horizon <= dataEnd. */
  dataEnd?: Date;
  /** First-response SLA (config satisfaction.sla); defaults: 15 min chat/phone, 24 h elsewhere. */
  sla?: FirstResponseSla;
  labelMode?: LabelMode;
  /** Declared attributes; their features are read from customers.attributes. */
  attributes?: AttributeTypes;
  /** The company's IANA zone (config `timezone`): the cutoff day ends at local midnight; ages are local days. */
  timezone?: string;
}

export interface FirstResponseSla {
  firstResponseMinutes: Record<string, number>;
  firstResponseDefaultMinutes: number;
}

/** The SLA from config.satisfaction.sla (the company's one definition of "slow"; its defaults live there). */
export function slaFromConfig(satisfaction: unknown): FirstResponseSla {
  const { firstResponseMinutes, firstResponseDefaultMinutes } = satisfactionSettings({ satisfaction }).sla;
  return { firstResponseMinutes, firstResponseDefaultMinutes };
}

export const DEFAULT_SLA: FirstResponseSla = slaFromConfig(undefined);

// DOUBLE/INTEGER come back as numbers, BIGINT as bigints, DECIMAL as values whose text is the number; NULL as null.
const num = (v: unknown): number => (v === null || v === undefined ? Number.NaN : Number(v));

type Columns = Record<string, unknown[]>;

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Column j of a chunk (m rows) into out[base + i * stride], NULL -> NaN: the same numbers as
 * num(v.getItem(i)). Plain numeric vectors are read from their typed array and validity mask in one
 * loop (getItem tests validity with BigInt operations: most of the read's time at a million rows);
 * any other vector type (DECIMAL, ...) goes through getItem.
 */
export function readNumberColumn(v: DuckDBVector, m: number, out: Float64Array, base: number, stride: number): void {
  const raw = v as unknown as { items?: unknown; validity?: { data?: BigUint64Array | null; offset?: number } };
  const items = raw.items;
  const plain =
    LITTLE_ENDIAN &&
    (v instanceof DuckDBDoubleVector ||
    v instanceof DuckDBIntegerVector ||
    v instanceof DuckDBBigIntVector ||
    v instanceof DuckDBSmallIntVector ||
    v instanceof DuckDBTinyIntVector ||
    v instanceof DuckDBFloatVector);
  const mask = raw.validity?.data;
  const offset = raw.validity?.offset ?? 0;
  if (!plain || !ArrayBuffer.isView(items) || (items as unknown as ArrayLike<unknown>).length < m || (mask !== null && !(mask instanceof BigUint64Array)) || offset !== 0) {
    for (let i = 0; i < m; i++) out[base + i * stride] = num(v.getItem(i));
    return;
  }
  const it = items as unknown as ArrayLike<number | bigint>;
  if (mask === null || mask === undefined) {
    for (let i = 0; i < m; i++) out[base + i * stride] = Number(it[i]);
    return;
  }
  // The mask as 32-bit words (little-endian: bit i of the 64-bit words is bit i & 31 of word i >>> 5).
  const words = new Uint32Array(mask.buffer, mask.byteOffset, mask.length * 2);
  for (let i = 0; i < m; i++) out[base + i * stride] = (words[i >>> 5] >>> (i & 31)) & 1 ? Number(it[i]) : Number.NaN;
}

/** Runs `read` on one raw connection: the Warehouse's own, or the ConnDb (transaction) it is given. */
function onConnection<T>(db: Db, read: (c: ConnDb) => Promise<T>): Promise<T> {
  if ('withConnection' in db) return (db as Warehouse).withConnection(read);
  return read(db as ConnDb);
}

/**
 * Reads the result column by column: for a million customers this is several times faster than
 * building one object per row.
 */
async function readColumns(db: Db, sql: string, params: Record<string, string | number | DuckDBDateValue>): Promise<Columns> {
  return onConnection(db, async (c) => (await c.connection.runAndReadAll(sql, params)).getColumnsObjectJS() as Columns);
}

/** Attribute values (as text) of the customers that have any, keyed by customer id. */
async function readAttributes(db: Db, names: string[]): Promise<Map<string, (string | null)[]>> {
  const out = new Map<string, (string | null)[]>();
  if (names.length === 0) return out;
  // Names match ^[A-Za-z_][A-Za-z0-9_]*$ (config schema); they are bound as a list all the same.
  const cols = await readColumns(
    db,
    `select customer_id, list_transform(from_json($names::varchar, '["VARCHAR"]'), k -> json_extract_string(attributes, '$.' || k)) as vals
     from customers where attributes is not null`,
    { names: JSON.stringify(names) },
  );
  const ids = cols.customer_id ?? [];
  const vals = (cols.vals ?? []) as ((string | null)[] | null)[];
  for (let i = 0; i < ids.length; i++) out.set(String(ids[i]), vals[i] ?? []);
  return out;
}

const EMPTY = new Float64Array(0);

/** The feature query's result as typed arrays: ids, the wanted numeric columns row-major, the label. */
interface FeatureRows {
  ids: string[];
  data: Float64Array;
  y: Uint8Array;
}

/**
 * Streams the feature SQL chunk by chunk straight into one Float64Array (row-major, in `wanted`
 * order; NULL -> NaN; columns not in the result stay NaN and are reported in `missing`). No JS object
 * or boxed value per cell: at a million customers, materialising the result column-wise
 * (getColumnsObjectJS) took seconds and a large share of the score job's peak memory.
 */
async function streamFeatureRows(
  db: Db,
  sql: string,
  params: Record<string, string | number | DuckDBDateValue>,
  zone: string,
  wanted: readonly (string | null)[],
): Promise<FeatureRows & { missing: string[] }> {
  const read = async (c: ConnDb) => {
    await useLocalDays(c, zone);
    const result = await c.connection.stream(sql, params);
    const names = result.columnNames();
    const nc = wanted.length;
    const at = wanted.map((w) => (w === null ? -1 : names.indexOf(w)));
    const idCol = names.indexOf('customer_id');
    const yCol = names.indexOf('is_churned');
    const ids: string[] = [];
    const labels: number[] = [];
    // One array per chunk, joined once at the end: a doubling buffer held up to 4x the matrix at once
    // (the old and the grown buffer, then the trimmed copy: ~650 MB for 673k rows x 36 at 1M customers).
    const parts: Float64Array[] = [];
    let n = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const m = chunk.rowCount;
      const data = new Float64Array(m * nc);
      parts.push(data);
      const idv = chunk.getColumnVector(idCol);
      for (let i = 0; i < m; i++) ids.push(String(idv.getItem(i)));
      if (yCol >= 0) {
        const yv = chunk.getColumnVector(yCol);
        for (let i = 0; i < m; i++) labels.push(yv.getItem(i) ? 1 : 0);
      }
      for (let j = 0; j < nc; j++) {
        if (at[j] < 0) {
          for (let i = 0; i < m; i++) data[j + i * nc] = Number.NaN;
          continue;
        }
        readNumberColumn(chunk.getColumnVector(at[j]), m, data, j, nc);
      }
      n += m;
    }
    const data = new Float64Array(n * nc);
    for (let k = 0, off = 0; k < parts.length; k++) {
      data.set(parts[k], off);
      off += parts[k].length;
      parts[k] = EMPTY; // each chunk's array can go as soon as it is copied
    }
    const missing = wanted.filter((w, j): w is string => w !== null && at[j] < 0);
    return { ids, data, y: yCol >= 0 ? Uint8Array.from(labels) : new Uint8Array(n), missing };
  };
  return onConnection(db, read);
}

/** Runs the feature SQL with bound parameters and returns the matrix in the model's feature order. */
export async function loadChurnFeatures(db: Db, q: FeatureQuery, features: readonly string[] = featureNames(q.attributes)): Promise<FeatureSet> {
  const sla = q.sla ?? DEFAULT_SLA;
  const labelMode = q.labelMode ?? 'purchase_gap';
  // Attribute columns are filled below from customers.attributes; the SQL gives the behavioural ones.
  const wanted = features.map((f) => (f.startsWith(ATTRIBUTE_PREFIX) ? null : f));
  const rows = await streamFeatureRows(db, churnFeaturesSql(), {
    cutoff: sqlDate(q.cutoff),
    lookback_days: q.lookbackDays,
    horizon_days: q.horizonDays,
    sla_minutes: JSON.stringify(sla.firstResponseMinutes),
    sla_default_minutes: sla.firstResponseDefaultMinutes,
    label_mode: labelMode,
  }, q.timezone ?? 'UTC', wanted);
  const ids = rows.ids;
  const n = ids.length;
  const nc = features.length;
  if (rows.missing.length > 0 && n > 0) throw new Error(`churn features: the SQL returned no column ${rows.missing[0]}`);
  const data = rows.data;
  const attrNames = features.filter((f) => f.startsWith(ATTRIBUTE_PREFIX)).map((f) => f.slice(ATTRIBUTE_PREFIX.length));
  const attrs = await readAttributes(db, attrNames);
  const categorical: Record<string, (string | null)[]> = {};
  for (let j = 0; j < nc; j++) {
    if (!features[j].startsWith(ATTRIBUTE_PREFIX)) continue;
    const name = features[j].slice(ATTRIBUTE_PREFIX.length);
    const a = attrNames.indexOf(name);
    const kind = q.attributes?.[name] ?? 'numeric';
    const raw = ids.map((id) => attrs.get(id)?.[a] ?? null);
    if (kind === 'categorical') {
      categorical[features[j]] = raw;
      for (let i = 0; i < n; i++) data[i * nc + j] = Number.NaN;
    } else {
      for (let i = 0; i < n; i++) data[i * nc + j] = raw[i] === null ? Number.NaN : Number(raw[i]);
    }
  }
  const y = rows.y;
  const customerIds = ids;
  const labelEnd = q.cutoff.getTime() + q.horizonDays * 86_400_000;
  return {
    cutoff: isoDate(q.cutoff),
    features,
    customerIds,
    x: { nRows: n, nCols: nc, data },
    categorical,
    y,
    labelMode,
    labelObserved: q.dataEnd !== undefined && labelEnd <= q.dataEnd.getTime(),
  };
}
