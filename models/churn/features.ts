/**
 * The churn feature set: read from sql/features/churn_features.sql as of a cutoff. Feature order
 * here is the model's column order and is stored with every model (churn_models.features).
 */
import { readFileSync } from 'node:fs';
import { isoDate } from '../../pipelines/core/clock.js';
import { fromRoot } from '../../pipelines/core/paths.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ConnDb, Db, Warehouse } from '../../pipelines/core/warehouse.js';
import type { Matrix } from './matrix.js';
import { satisfactionSettings } from '../satisfaction/settings.js';

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

/** Features of one population at one cutoff. */
export interface FeatureSet {
  cutoff: string;
  features: readonly string[];
  customerIds: string[];
  x: Matrix;
  /** 1 = no completed purchase in the horizon after the cutoff. Only meaningful when labelObserved. */
  y: Uint8Array;
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

// DECIMAL/BIGINT come back as numbers or bigints (getColumnsObjectJS), NULL as null.
const num = (v: unknown): number => (v === null || v === undefined ? Number.NaN : Number(v));

type Columns = Record<string, unknown[]>;

/**
 * Reads the result column by column: for a million customers this is several times faster than
 * building one object per row. Uses the raw connection when the Db offers one (Warehouse, ConnDb).
 */
async function readColumns(db: Db, sql: string, params: Record<string, string | number>): Promise<Columns> {
  const read = async (conn: DuckDBConnection) => (await conn.runAndReadAll(sql, params)).getColumnsObjectJS() as Columns;
  if ('withConnection' in db) return (db as Warehouse).withConnection((c) => read(c.connection));
  if ('connection' in db) return read((db as ConnDb).connection);
  const rows = await db.all(sql, params);
  const cols: Columns = {};
  for (const k of rows.length ? Object.keys(rows[0]) : []) cols[k] = rows.map((r) => r[k]);
  return cols;
}

/** Runs the feature SQL with bound parameters and returns the matrix in CHURN_FEATURES order. */
export async function loadChurnFeatures(db: Db, q: FeatureQuery, features: readonly string[] = CHURN_FEATURES): Promise<FeatureSet> {
  const sla = q.sla ?? DEFAULT_SLA;
  const cols = await readColumns(db, churnFeaturesSql(), {
    cutoff: isoDate(q.cutoff),
    lookback_days: q.lookbackDays,
    horizon_days: q.horizonDays,
    sla_minutes: JSON.stringify(sla.firstResponseMinutes),
    sla_default_minutes: sla.firstResponseDefaultMinutes,
  });
  const ids = cols.customer_id ?? [];
  const n = ids.length;
  const nc = features.length;
  const data = new Float64Array(n * nc);
  for (let j = 0; j < nc; j++) {
    const col = cols[features[j]];
    if (!col) {
      if (n === 0) continue;
      throw new Error(`churn features: the SQL returned no column ${features[j]}`);
    }
    for (let i = 0; i < n; i++) data[i * nc + j] = num(col[i]);
  }
  const churned = cols.is_churned ?? [];
  const y = Uint8Array.from({ length: n }, (_, i) => (churned[i] ? 1 : 0));
  const customerIds = ids.map(String);
  const labelEnd = q.cutoff.getTime() + q.horizonDays * 86_400_000;
  return {
    cutoff: isoDate(q.cutoff),
    features,
    customerIds,
    x: { nRows: n, nCols: nc, data },
    y,
    labelObserved: q.dataEnd !== undefined && labelEnd <= q.dataEnd.getTime(),
  };
}
