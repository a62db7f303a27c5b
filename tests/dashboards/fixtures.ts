/**
 * Fixture warehouses for the dashboard tests: the canonical tables (migrations) plus the tables other
 * modules own, created here with their contract columns (docs/architecture.md and the issues). Kept in
 * this one file so a contract change is one edit.
 */
import { mulberry32 } from '../helpers/prng.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fromRoot } from '../../pipelines/core/paths.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../pipelines/core/migrate.js';
import { Warehouse } from '../../pipelines/core/warehouse.js';
import { useLocalDays } from '../../pipelines/core/time-zone.js';

export const AS_OF = '2026-06-30';
const CHANNELS = ['phone', 'email', 'chat', 'social', 'store', 'app'];
const COUNTRIES = ['DE', 'FR', 'US'];
export const SEGMENTS = ['Champions', 'Loyal Customers', 'At Risk', 'Hibernating', 'New Customers'];
const STAGES = ['new', 'active', 'at_risk', 'lapsed'];
const MAY_STAGES = ['prospect', 'new', 'active', 'at_risk', 'lapsed'];

/** Deterministic PRNG (mulberry32) so fixtures are the same on every run. */
export const rng = mulberry32;

export interface Fixture {
  dir: string;
  warehouse: Warehouse;
  close(): void;
}

export interface FixtureOptions {
  customers?: number;
  /** Which module tables to create: default all. */
  modules?: ('satisfaction' | 'value' | 'churn' | 'triggers' | 'runs')[];
}

/** Customers whose text fields start with formula characters, for the CSV-injection tests. */
export const HOSTILE = [
  { customer_id: '=HYPERLINK("http://x")', country: 'DE', email: '=cmd|calc', reason: '=1+2' },
  { customer_id: 'c-plus', country: 'DE', email: '+49 123', reason: '+SUM(A1)' },
  { customer_id: 'c-minus', country: 'DE', email: '-2+3@x.test', reason: '-churn' },
  { customer_id: 'c-at', country: 'DE', email: '@SUM(1)', reason: '@risk, "quoted"' },
  // Benign: starts with a digit or a comma-free word; must come out unchanged.
  { customer_id: '42-benign', country: 'DE', email: '1st@example.test', reason: '3 complaints' },
];

async function createModuleTables(wh: Warehouse): Promise<void> {
  // Contract columns (sql/scores/030-050 and the satisfaction marts); `if not exists` so the real schemas win.
  await wh.run(`create table if not exists customer_satisfaction (customer_id varchar, last_nps integer, last_nps_at timestamp, csat_avg double, csi double,
    count_interactions_90d integer, count_complaints_90d integer, count_open_items integer, median_first_response_minutes double)`);
  await wh.run(`create table if not exists satisfaction_drivers (as_of date, target varchar, driver varchar, kind varchar, std_weight double,
    coefficient double, relative_importance double, t_stat double, p_value double, is_significant boolean, r_squared double, n bigint,
    importance_method varchar, note varchar, run_id varchar)`);
  await wh.run(`create table if not exists customer_value (customer_id varchar, as_of date, first_purchase_on date, last_purchase_on date,
    recency_days integer, frequency integer, monetary double, count_purchase_days integer, r_score tinyint, f_score tinyint, m_score tinyint,
    rfm_segment varchar, lifecycle_stage varchar, p_alive double, expected_purchases_90d double, expected_order_value double, clv double, value_run_id varchar)`);
  await wh.run(`create table if not exists rfm_history (as_of date, customer_id varchar, recency_days integer, frequency integer, monetary double,
    r_score tinyint, f_score tinyint, m_score tinyint, rfm_segment varchar, lifecycle_stage varchar, clv double, run_id varchar)`);
  await wh.run(`create table if not exists churn_scores (customer_id varchar, churn_risk double, churn_band varchar, churn_reasons json,
    as_of_on date, scored_at timestamp, model_id varchar)`);
  await wh.run(`create table if not exists churn_models (model_id varchar, trained_at timestamp, as_of_on date, is_active boolean, learner varchar,
    features json, train_cutoff_on date, train_label_end_on date, count_train_rows bigint, count_train_churned bigint, parameters json,
    calibration varchar, metrics json, feature_importance json, training_ms bigint, model blob)`);
  await wh.run(`create table if not exists retention_actions (action_id varchar, idempotency_key varchar, rule varchar, action varchar, kind varchar,
    channel varchar, endpoint varchar, customer_id varchar, fired_at timestamp, as_of date, run_id varchar, is_holdout boolean, payload json,
    status varchar, attempts integer, next_attempt_at timestamp, delivered_at timestamp, last_status_code integer, last_error varchar)`);
  await wh.run(`create table if not exists customer_360 (customer_id varchar, country varchar, rfm_segment varchar, clv double, churn_risk double)`);
}

/**
 * A warehouse with `customers` customers (default 300) over Jan-Jun 2026, surveys tied to interactions,
 * and (by default) every module table filled consistently.
 */
export async function createFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-dash-'));
  const warehouse = await Warehouse.open(join(dir, 'wh.duckdb'));
  await migrate(warehouse);
  const n = opts.customers ?? 300;
  const mods = new Set(opts.modules ?? ['satisfaction', 'value', 'churn', 'triggers', 'runs']);
  const r = rng(42);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const span = Date.parse('2026-06-30T23:00:00Z') - start;
  const ts = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  const customers: string[] = [];
  const purchases: string[] = [];
  const interactions: string[] = [];
  const surveys: string[] = [];
  const ids: { id: string; country: string; consent: boolean; email: string }[] = [];
  for (let i = 0; i < n; i++) ids.push({ id: `c${String(i).padStart(5, '0')}`, country: COUNTRIES[i % 3], consent: i % 4 !== 0, email: `c${i}@example.test` });
  for (const h of HOSTILE) ids.push({ id: h.customer_id, country: h.country, consent: true, email: h.email });
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  let k = 0;
  for (const c of ids) {
    customers.push(`(${q(c.id)}, timestamp '2025-06-01', ${q(c.country)}, ${q(c.email)}, ${c.consent})`);
    for (let j = 0; j < 3; j++) {
      purchases.push(`('o${k}', ${q(c.id)}, timestamp '${ts(start + r() * span)}', ${(10 + r() * 90).toFixed(2)}, '${r() < 0.9 ? 'completed' : 'refunded'}', 'web')`);
      const opened = start + r() * span;
      const ch = CHANNELS[Math.floor(r() * CHANNELS.length)];
      const kind = r() < 0.3 ? 'complaint' : 'inquiry';
      const resp = opened + r() * 120 * 60_000;
      const resolved = r() < 0.85 ? `timestamp '${ts(resp + r() * 48 * 3_600_000)}'` : 'null';
      interactions.push(`('i${k}', ${q(c.id)}, '${ch}', '${kind}', '${['billing', 'delivery', 'product', 'website'][Math.floor(r() * 4)]}', timestamp '${ts(opened)}', timestamp '${ts(resp)}', ${resolved}, ${r() < 0.6})`);
      const type = ['nps', 'csat', 'ces'][j];
      const score = type === 'nps' ? Math.floor(r() * 11) : type === 'csat' ? 1 + Math.floor(r() * 5) : 1 + Math.floor(r() * 7);
      surveys.push(`('s${k}', ${q(c.id)}, timestamp '${ts(Math.min(resp + 3_600_000, start + span))}', '${type}', ${score}, 'i${k}', null)`);
      k++;
    }
  }
  await warehouse.run(`insert into customers (customer_id, signup_at, country, email, marketing_consent) values ${customers.join(',')}`);
  await warehouse.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status, channel) values ${purchases.join(',')}`);
  await warehouse.run(`insert into interactions (interaction_id, customer_id, channel, kind, category, opened_at, first_response_at, resolved_at, is_first_contact_resolution) values ${interactions.join(',')}`);
  await warehouse.run(`insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id, comment) values ${surveys.join(',')}`);
  if (mods.size > 0 && (mods.has('satisfaction') || mods.has('value') || mods.has('churn') || mods.has('triggers'))) await createModuleTables(warehouse);
  if (mods.has('value')) {
    const rows = ids.map((c, i) => {
      const seg = SEGMENTS[i % SEGMENTS.length];
      return `(${q(c.id)}, date '${AS_OF}', ${i % 200}, ${1 + (i % 7)}, ${(50 + i).toFixed(2)}, ${1 + (i % 7)}, ${1 + (i % 5)}, ${1 + ((i * 3) % 5)}, ${1 + ((i * 7) % 5)}, ${q(seg)}, ${q(STAGES[i % 4])}, 0.8, 1.2, 40, ${(100 + (i % 50) * 20).toFixed(2)}, 'v1')`;
    });
    await warehouse.run(`insert into customer_value (customer_id, as_of, recency_days, frequency, monetary, count_purchase_days, r_score, f_score, m_score,
      rfm_segment, lifecycle_stage, p_alive, expected_purchases_90d, expected_order_value, clv, value_run_id) values ${rows.join(',')}`);
    await warehouse.run(`insert into customer_360 (customer_id, rfm_segment, clv) select customer_id, rfm_segment, clv from customer_value`);
    // Lifecycle stages move between the snapshots (every 11th customer is new since May), for the flow chart.
    const hist = ids.flatMap((c, i) => [
      ...(i % 11 === 0 ? [] : [`(date '2026-05-31', ${q(c.id)}, 2, ${40 + i}, 3, 3, 3, ${q(SEGMENTS[(i + 1) % SEGMENTS.length])}, ${q(MAY_STAGES[i % MAY_STAGES.length])}, 'v0')`]),
      `(date '2026-06-30', ${q(c.id)}, 2, ${50 + i}, 3, 3, 3, ${q(SEGMENTS[i % SEGMENTS.length])}, ${q(STAGES[i % 4])}, 'v1')`,
    ]);
    await warehouse.run(`insert into rfm_history (as_of, customer_id, frequency, monetary, r_score, f_score, m_score, rfm_segment, lifecycle_stage, run_id) values ${hist.join(',')}`);
    // The cohort_retention mart as the transform builds it (sql/marts/cohort_retention.sql).
    await warehouse.withConnection(async (db) => {
      await db.run(`set variable as_of = date '${AS_OF}'`);
      await useLocalDays(db, 'UTC');
      await db.run(`create table cohort_retention as ${readFileSync(fromRoot('sql', 'marts', 'cohort_retention.sql'), 'utf8')}`);
    });
  }
  if (mods.has('churn')) {
    const rows = ids.map((c, i) => {
      const hostile = HOSTILE.find((h) => h.customer_id === c.id);
      const risk = hostile ? 0.99 : Math.round(rng(i + 7)() * 1000) / 1000;
      const band = risk >= 0.7 ? 'high' : risk >= 0.4 ? 'medium' : 'low';
      const reasons = JSON.stringify([{ feature: 'recency_days', text: hostile ? hostile.reason : `no purchase in ${i % 90} days`, contribution: 0.2 }]);
      return `(${q(c.id)}, ${risk}, '${band}', ${q(reasons)}, date '${AS_OF}', timestamp '2026-06-30 02:00:00', 'm1')`;
    });
    await warehouse.run(`insert into churn_scores (customer_id, churn_risk, churn_band, churn_reasons, as_of_on, scored_at, model_id) values ${rows.join(',')}`);
    // Shape written by models/churn/train.ts: metrics.out_of_time.calibrated.{roc_auc, reliability}. roc_curve is
    // the key the dashboard reads for the ROC chart (asked of the churn module; see the dashboards report).
    const metrics = {
      out_of_time: {
        calibrated: {
          roc_auc: 0.81,
          roc_curve: [{ fpr: 0, tpr: 0 }, { fpr: 0.1, tpr: 0.45 }, { fpr: 0.3, tpr: 0.75 }, { fpr: 1, tpr: 1 }],
          reliability: [
            { bin: 0, lower: 0, upper: 0.2, count: 100, mean_predicted: 0.1, observed_rate: 0.12 },
            { bin: 2, lower: 0.4, upper: 0.6, count: 80, mean_predicted: 0.5, observed_rate: 0.47 },
            { bin: 4, lower: 0.8, upper: 1, count: 40, mean_predicted: 0.85, observed_rate: 0.8 },
          ],
        },
      },
    };
    const imp = [{ feature: 'recency_days', importance: 0.4 }, { feature: 'count_complaints_90d', importance: 0.2 }];
    await warehouse.run(
      `insert into churn_models (model_id, trained_at, as_of_on, is_active, learner, features, train_cutoff_on, train_label_end_on, count_train_rows,
         count_train_churned, parameters, calibration, metrics, feature_importance, training_ms, model)
       values ('m1', timestamp '2026-06-29 01:00:00', date '${AS_OF}', true, 'hist-forest', '[]', date '2026-04-01', date '2026-06-30', 100, 30, '{}', 'none',
         $1::json, $2::json, 10, ''::blob)`,
      [JSON.stringify(metrics), JSON.stringify(imp)],
    );
  }
  if (mods.has('satisfaction')) {
    await warehouse.run(`insert into customer_satisfaction (customer_id, last_nps, last_nps_at, csat_avg, csi, count_interactions_90d, count_complaints_90d,
      count_open_items, median_first_response_minutes) select customer_id, 8, timestamp '2026-06-01', 4.1, 60 + (hash(customer_id) % 30), 2, 1, 0, 12 from customers`);
    await warehouse.run(`insert into satisfaction_drivers (as_of, target, driver, kind, relative_importance, p_value, is_significant, r_squared, n, importance_method)
      values (date '${AS_OF}', 'nps', 'q_speed', 'survey_aspect', 0.55, 0.001, true, 0.4, 500, 'lmg'),
             (date '${AS_OF}', 'nps', 'q_price', 'survey_aspect', 0.05, 0.4, false, 0.4, 500, 'lmg'),
             (date '${AS_OF}', 'nps', 'first_response', 'service', 0.4, 0.01, true, 0.4, 500, 'lmg'),
             (date '${AS_OF}', 'csat', 'q_speed', 'survey_aspect', 0.9, 0.01, true, 0.2, 500, 'lmg')`);
  }
  if (mods.has('triggers')) {
    const rows = ids.slice(0, 40).map((c, i) => `('a${i}', 'k${i}', '${['detractor_callback', 'win_back'][i % 2]}', 'act', 'marketing', 'list', ${q(c.id)},
      timestamp '2026-06-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00', ${i % 5 === 0}, '{}', '${i % 5 === 0 ? 'held_out' : 'delivered'}', 1)`);
    await warehouse.run(`insert into retention_actions (action_id, idempotency_key, rule, action, kind, channel, customer_id, fired_at, is_holdout, payload,
      status, attempts) values ${rows.join(',')}`);
  }
  if (mods.has('runs')) {
    await warehouse.run(
      "insert into pipeline_runs (run_id, started_at, finished_at, status, jobs, trigger, as_of) values ('r1', timestamp '2026-06-30 01:00:00', timestamp '2026-06-30 01:05:00', 'succeeded', 'ingest,transform,score', 'cli', date '2026-06-30')",
    );
  }
  return {
    dir,
    warehouse,
    close() {
      warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
