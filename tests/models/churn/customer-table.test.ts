/**
 * A subscription company's customer table alone (attributes, signup, cancellation; no orders), with
 * planted effects: the contract drives cancellations, payment method and region do nothing. `cxpulse
 * run` (all jobs) must train and score churn from it, find the planted attribute, name it in the
 * reasons, and report its validation honestly: out of time when the history allows, cross-validated
 * (and saying so) when it does not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { memoryLogger } from '../../../pipelines/core/logger.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { JOBS } from '../../../pipelines/jobs/registry.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import { mulberry32 } from '../../helpers/prng.js';
import { customerProfile } from '../../../dashboards/data/customers.js';
import { quoteLiteral } from '../../../pipelines/core/sql-ident.js';

const AS_OF = Date.parse('2026-06-30T00:00:00Z');
const DAY = 86_400_000;
// Daily cancellation hazard by contract: the planted effect. Names in an order unrelated to risk.
const HAZARD: Record<string, number> = { 'month-to-month': 1 / 150, 'one-year': 1 / 1500, 'two-year': 1 / 5000 };
const CONTRACTS = ['two-year', 'month-to-month', 'one-year'];

interface Planted {
  id: string;
  signup: number;
  churned: number | null;
  contract: string;
}

function generate(n: number, historyDays: number, seed: number): { csv: string; rows: Planted[] } {
  const u = mulberry32(seed);
  const lines = ['customer_id,signup_date,cancelled_on,contract,payment_method,region,monthly_charges'];
  const rows: Planted[] = [];
  for (let i = 0; i < n; i++) {
    const contract = CONTRACTS[Math.floor(u() * 3)];
    const payment = ['card', 'invoice', 'transfer'][Math.floor(u() * 3)];
    const region = ['north', 'south', 'east', 'west'][Math.floor(u() * 4)];
    const charges = (20 + 80 * u()).toFixed(2);
    const signup = AS_OF - Math.floor(u() * historyDays) * DAY;
    const life = Math.ceil(-Math.log(1 - u()) / HAZARD[contract]);
    const churned = signup + life * DAY <= AS_OF ? signup + life * DAY : null;
    const d = (t: number) => new Date(t).toISOString().slice(0, 10);
    lines.push(`c${i},${d(signup)},${churned === null ? '' : d(churned)},${contract},${payment},${region},${charges}`);
    rows.push({ id: `c${i}`, signup, churned, contract });
  }
  return { csv: lines.join('\n') + '\n', rows };
}

/** Rank AUC (ties half), written here independently of models/churn/metrics.ts. */
function auc(score: number[], y: number[]): number {
  let pairs = 0;
  let wins = 0;
  const pos = score.filter((_, i) => y[i] === 1);
  const neg = score.filter((_, i) => y[i] === 0);
  for (const p of pos) for (const q of neg) {
    pairs++;
    wins += p > q ? 1 : p === q ? 0.5 : 0;
  }
  return wins / pairs;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runOn(csv: string) {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-churn-table-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'customers.csv'), csv);
  const config = resolveConfig(
    {
      sources: {
        customers: {
          path: 'customers.csv',
          columns: { signup_at: 'signup_date', churned_at: 'cancelled_on' },
          attributes: {
            contract: { type: 'categorical' },
            payment_method: { type: 'categorical' },
            region: { type: 'categorical' },
            monthly_charges: { type: 'numeric' },
          },
        },
      },
      exports: { dir: 'exports' },
      churn: { trees: 60, minChurnExamples: 30 },
    },
    dir,
    join(dir, 'cxpulse.config.json'),
  );
  const wh = await Warehouse.open(join(dir, 'w.duckdb'));
  await migrate(wh);
  const logger = memoryLogger();
  const out = await runPipeline([...JOBS], { config, warehouse: wh, clock: fixedClock('2026-07-01T02:00:00Z'), logger }, { trigger: 'cli' });
  return { wh, out, logger, dir };
}

describe('churn from a customer table alone (attributes + cancellations, no orders)', () => {
  it('cxpulse run trains out of time, finds the planted contract effect, names it in reasons; AUC honest against the oracle', async () => {
    const { csv, rows } = generate(3000, 900, 5);
    const { wh, out, dir } = await runOn(csv);
    try {
      expect(out.status).toBe('succeeded');
      // Attributes are on the customer page's data and in the customers export.
      const profile = await customerProfile(wh, new Set(['churn_scores']), 'c1');
      expect((profile.customer as { attributes: Record<string, unknown> }).attributes).toEqual({
        contract: rows[1].contract,
        payment_method: expect.any(String),
        region: expect.any(String),
        monthly_charges: expect.any(Number),
      });
      const exported = await wh.all<{ customer_id: string; contract: string }>(
        `select customer_id, json_extract_string(attributes, '$.contract') as contract
         from read_parquet(${quoteLiteral(join(dir, 'exports', 'latest', 'customers', 'data.parquet'))}) order by customer_id limit 3`,
      );
      expect(exported.length).toBe(3);
      expect(exported.every((r) => CONTRACTS.includes(r.contract))).toBe(true);
      const model = await wh.one<{ metrics: string; feature_importance: string; parameters: string }>(
        'select metrics::varchar as metrics, feature_importance::varchar as feature_importance, parameters::varchar as parameters from churn_models where is_active',
      );
      const metrics = JSON.parse(model!.metrics);
      expect(metrics.label).toBe('cancellation');
      expect(metrics.validation).toBe('out_of_time');
      const reported = metrics.out_of_time.calibrated.roc_auc as number;
      // Oracle: the planted probability of cancelling within 90 days, on the same test window
      // (active at 2026-04-01, labels from the next 90 days).
      const cutoff = AS_OF - 90 * DAY;
      const pop = rows.filter((r) => r.signup < cutoff + DAY && (r.churned === null || r.churned >= cutoff + DAY));
      const y: number[] = pop.map((r) => (r.churned !== null && r.churned < cutoff + DAY + 90 * DAY ? 1 : 0));
      const oracle = auc(pop.map((r) => 1 - Math.exp(-90 * HAZARD[r.contract])), y);
      expect(metrics.out_of_time.count_train_rows).toBeGreaterThan(500);
      expect(reported).toBeGreaterThan(oracle - 0.08);
      expect(reported).toBeLessThan(oracle + 0.03);
      // The planted attribute leads; the null ones trail it.
      const imp = JSON.parse(model!.feature_importance) as { feature: string; importance: number }[];
      const rank = (f: string) => imp.findIndex((r) => r.feature === f);
      expect(rank('attribute:contract')).toBeLessThan(rank('attribute:payment_method'));
      expect(rank('attribute:contract')).toBeLessThan(rank('attribute:region'));
      // Categories ordered by churn rate learned on the training window, not by name or by file order.
      const enc = (metrics.attribute_encodings as { feature: string; categories: string[] }[]).find((e) => e.feature === 'attribute:contract');
      expect(enc!.categories).toEqual(['two-year', 'one-year', 'month-to-month']);
      // Reasons name the attribute.
      const risky = await wh.all<{ reasons: string; risk: number }>(
        `select s.churn_reasons::varchar as reasons, s.churn_risk as risk from churn_scores s join customers c using (customer_id)
         where json_extract_string(c.attributes, '$.contract') = 'month-to-month' order by s.churn_risk desc limit 20`,
      );
      expect(risky.length).toBe(20);
      for (const r of risky) expect(r.reasons).toContain('month-to-month contract (raises risk)');
      const meanBy = await wh.all<{ contract: string; m: number }>(
        `select json_extract_string(c.attributes, '$.contract') as contract, avg(s.churn_risk) as m
         from churn_scores s join customers c using (customer_id) group by 1 order by m`,
      );
      expect(meanBy.map((r) => r.contract)).toEqual(['two-year', 'one-year', 'month-to-month']);
      // Already-cancelled customers left the scored population.
      const cancelled = await wh.one<{ n: number }>(
        'select count(*)::int as n from churn_scores s join customers c using (customer_id) where c.churned_at < timestamp \'2026-07-01\'',
      );
      expect(cancelled!.n).toBe(0);
      const active = rows.filter((r) => r.churned === null || r.churned >= AS_OF + DAY).length;
      expect((await wh.one<{ n: number }>('select count(*)::int as n from churn_scores'))!.n).toBe(active);
      expect(metrics.base_rate.latest_window_observed).toBeCloseTo(y.reduce((a, b) => a + b, 0) / y.length, 4);
    } finally {
      wh.close();
    }
  }, 240_000);

  it('with too little history for out-of-time validation, cross-validates and says so', async () => {
    const { csv } = generate(2500, 170, 6);
    const { wh, out, logger } = await runOn(csv);
    try {
      expect(out.status).toBe('succeeded');
      const m = JSON.parse((await wh.one<{ metrics: string }>('select metrics::varchar as metrics from churn_models where is_active'))!.metrics);
      expect(m.out_of_time).toBeNull();
      expect(m.validation).toBe('cross_validation');
      expect(m.cross_validation.folds).toBe(5);
      expect(m.cross_validation.note).toMatch(/out-of-time validation is impossible/);
      expect(m.cross_validation.calibrated.roc_auc).toBeGreaterThan(0.6);
      expect(logger.lines.some((l) => l.level === 'warn' && /cross-validated instead/.test(l.msg))).toBe(true);
      expect((await wh.one<{ n: number }>('select count(*)::int as n from churn_scores'))!.n).toBeGreaterThan(1000);
    } finally {
      wh.close();
    }
  }, 240_000);
});
