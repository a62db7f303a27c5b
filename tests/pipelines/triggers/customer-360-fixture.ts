import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import type { Config } from '../../../pipelines/config/types.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse, type SqlValue } from '../../../pipelines/core/warehouse.js';

/**
 * A stand-in for the lead's customer_360 (docs/architecture.md: customers + purchases summary +
 * customer_satisfaction + customer_value + churn_scores), with the contract's column names.
 */
export const CUSTOMER_360_DDL = `
create or replace table customer_360 (
  customer_id varchar not null, signup_at timestamp, country varchar, email varchar, marketing_consent boolean,
  count_orders integer, last_order_at timestamp,
  last_nps integer, last_nps_at timestamp, csat_avg double, csi double, count_interactions_90d integer,
  count_complaints_90d integer, count_open_items integer, median_first_response_minutes double,
  recency_days integer, frequency integer, monetary double, r_score integer, f_score integer, m_score integer,
  rfm_segment varchar, lifecycle_stage varchar, p_alive double, expected_purchases_90d double,
  expected_order_value double, clv double,
  churn_risk double, churn_band varchar, churn_reasons json, scored_at timestamp, model_id varchar
)`;

export interface Customer360Row {
  customer_id: string;
  signup_at?: string | null;
  country?: string | null;
  email?: string | null;
  marketing_consent?: boolean;
  last_nps?: number | null;
  last_nps_at?: string | null;
  csat_avg?: number | null;
  count_complaints_90d?: number | null;
  count_open_items?: number | null;
  rfm_segment?: string | null;
  lifecycle_stage?: string | null;
  clv?: number | null;
  churn_risk?: number | null;
  churn_band?: string | null;
  churn_reasons?: unknown;
}

const COLS = [
  'customer_id', 'signup_at', 'country', 'email', 'marketing_consent', 'last_nps', 'last_nps_at', 'csat_avg',
  'count_complaints_90d', 'count_open_items', 'rfm_segment', 'lifecycle_stage', 'clv', 'churn_risk', 'churn_band', 'churn_reasons',
] as const;

/** Replaces customer_360 with these rows (as the score job rebuilds it each run). */
export async function setCustomers(wh: Warehouse, rows: Customer360Row[]): Promise<void> {
  await wh.transaction(async (tx) => {
    await tx.run('delete from customer_360');
    const all: SqlValue[][] = rows.map((r) =>
      COLS.map((c): SqlValue => {
        const x = (r as unknown as Record<string, unknown>)[c];
        if (c === 'churn_reasons') return x === undefined ? null : JSON.stringify(x);
        if (c === 'marketing_consent') return (x as boolean | undefined) ?? false;
        return (x ?? null) as SqlValue;
      }),
    );
    const cast = (c: string) => (c.endsWith('_at') ? '::timestamp' : c === 'churn_reasons' ? '::json' : '');
    for (let i = 0; i < all.length; i += 100) {
      const batch = all.slice(i, i + 100);
      const tuples = batch.map((_, j) => `(${COLS.map((c, k) => `$${j * COLS.length + k + 1}${cast(c)}`).join(', ')})`);
      await tx.run(`insert into customer_360 (${COLS.join(', ')}) values ${tuples.join(', ')}`, batch.flat());
    }
  });
}

export interface Fixture {
  dir: string;
  warehouse: Warehouse;
  config: Config;
  close(): void;
}

/** A temp dir, a migrated warehouse with an empty customer_360, and a config built from `raw`. */
export async function openFixture(raw: Record<string, unknown> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-trg-'));
  const config = resolveConfig({ sources: { customers: { path: 'c.csv' } }, warehouse: 'wh.duckdb', ...raw }, dir);
  const warehouse = await Warehouse.open(config.warehouse);
  await migrate(warehouse);
  await warehouse.run(CUSTOMER_360_DDL);
  return {
    dir,
    warehouse,
    config,
    close() {
      warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
