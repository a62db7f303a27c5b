import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { writeExports } from '../../../pipelines/export/write-exports.js';
import { addDays } from '../../../pipelines/core/clock.js';
import { CxpError } from '../../../pipelines/core/errors.js';
import { scoreChurn, trainAndActivate } from '../../../models/churn/score-step.js';
import { loadChurnFeatures } from '../../../models/churn/features.js';
import { binRowMajor, contributionsBinned } from '../../../models/churn/forest.js';
import { loadActiveModel } from '../../../models/churn/model-store.js';
import { rocAuc } from '../../../models/churn/metrics.js';
import { jobContext, warehouseWithHistory, type TempWarehouse } from './helpers.js';
import { scoreJob } from '../../../pipelines/jobs/score-job.js';
import type { JobContext } from '../../../pipelines/jobs/types.js';

const FAST = { trees: 60 };
type W = TempWarehouse & { asOf: Date };

type ScoreRow = {
  customer_id: string;
  churn_risk: number;
  churn_band: string;
  churn_reasons: string;
  model_id: string;
};

async function scores(t: W): Promise<ScoreRow[]> {
  return t.wh.all<ScoreRow>('select customer_id, churn_risk, churn_band, churn_reasons::varchar as churn_reasons, model_id from churn_scores order by customer_id');
}

describe('score churn step (planted history)', () => {
  let t: W;
  let first: Record<string, unknown>;
  beforeAll(async () => {
    t = await warehouseWithHistory({ customers: 3000, seed: 21 });
    first = await scoreChurn(jobContext(t.wh, FAST, 'run-1'), t.asOf);
  });
  afterAll(() => t?.close());

  it('trains when there is no model, then writes one score per customer in the population', async () => {
    expect(first.trained).toMatchObject({ reason: 'no active model' });
    const pop = await loadChurnFeatures(t.wh, { cutoff: t.asOf, lookbackDays: 365, horizonDays: 90 });
    const rows = await scores(t);
    expect(rows.map((r) => r.customer_id)).toEqual([...pop.customerIds].sort());
    for (const r of rows) {
      expect(r.churn_risk).toBeGreaterThanOrEqual(0);
      expect(r.churn_risk).toBeLessThanOrEqual(1);
      expect(r.churn_band).toBe(r.churn_risk >= 0.6 ? 'high' : r.churn_risk >= 0.3 ? 'medium' : 'low');
      const reasons = JSON.parse(r.churn_reasons) as { feature: string; text: string; contribution: number }[];
      expect(reasons.length).toBeGreaterThan(0);
      expect(reasons.length).toBeLessThanOrEqual(3);
      for (const x of reasons) expect(Object.keys(x).sort()).toEqual(['contribution', 'feature', 'text']);
    }
    const hist = await t.wh.one<{ n: number }>(`select count(*) as n from churn_score_history where run_id = 'run-1'`);
    expect(hist?.n).toBe(rows.length);
  });

  it('beats chance clearly out of time, and stores the validation with the model', async () => {
    const m = await t.wh.one<{ metrics: string; n: number }>(
      `select metrics::varchar as metrics, (select count(*) from churn_models where is_active) as n from churn_models where is_active`,
    );
    expect(m?.n).toBe(1);
    const metrics = JSON.parse(m!.metrics);
    const oot = metrics.out_of_time;
    expect(oot.test_cutoff_on > oot.train_cutoff_on).toBe(true);
    expect(oot.calibrated.roc_auc).toBeGreaterThan(0.75);
    expect(oot.calibrated.top_decile_lift).toBeGreaterThan(2);
    expect(oot.calibrated.reliability).toHaveLength(10);
    expect(['none', 'isotonic']).toContain(metrics.calibration.method);
    // The test window's labels, recomputed here independently of the feature SQL: customers with an
    // order (not cancelled) in the 365 days up to the end of the cutoff day, churned when no completed
    // order follows within 90 days.
    const labels = await t.wh.one<{ n: number; churned: number }>(
      `with c as (select ($c::date + 1)::timestamp as at),
       pop as (select distinct customer_id from purchases, c where status <> 'cancelled' and ordered_at < c.at and ordered_at >= c.at - interval 365 day),
       back as (select distinct customer_id from purchases, c where status = 'completed' and ordered_at >= c.at and ordered_at < c.at + interval 90 day)
       select count(*) as n, count(*) filter (where customer_id not in (select customer_id from back)) as churned from pop`,
      { c: oot.test_cutoff_on },
    );
    expect(oot.calibrated.count).toBe(labels!.n);
    expect(oot.calibrated.count_churned).toBe(labels!.churned);
  });

  it('the export job writes dataset churn_models from churn_models_export, without the serialised model', async () => {
    const dir = join(t.dir, 'exports');
    const res = await writeExports(t.wh, EXPORT_DATASETS.filter((d) => d.name === 'churn_models'), {
      dir,
      asOf: '2025-12-30',
      includePii: false,
      runId: 'run-1',
      now: new Date('2026-02-01T00:00:00Z'),
    });
    expect(res.written.map((w) => [w.dataset, w.rows])).toEqual([['churn_models', 1]]);
    const names = res.written[0].columns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['model_id', 'metrics', 'feature_importance', 'parameters', 'is_active']));
    expect(names).not.toContain('model');
  });

  it('exports model metrics without the serialised model', async () => {
    const cols = await t.wh.all<{ column_name: string }>(
      `select column_name from information_schema.columns where table_name = 'churn_models_export'`,
    );
    const names = cols.map((c) => c.column_name);
    expect(names).toContain('metrics');
    expect(names).toContain('feature_importance');
    expect(names).not.toContain('model');
  });

  it('explanations point at the planted causes', async () => {
    const control = await warehouseWithHistory({ customers: 3000, seed: 21, signal: 0 });
    try {
      await scoreChurn(jobContext(control.wh, FAST), control.asOf);
      const contribution = async (w: W) => {
        const f = await loadChurnFeatures(w.wh, { cutoff: w.asOf, lookbackDays: 365, horizonDays: 90 });
        const model = (await loadActiveModel(w.wh))!.body;
        const rb = binRowMajor(model.forest.binning, f.x.data, f.x.nRows, f.x.nCols);
        const j = (n: string) => f.features.indexOf(n);
        const unresolved = [j('count_unresolved_complaints'), j('count_unresolved')];
        const slow = [j('max_first_response_minutes_90d'), j('max_first_response_minutes_365d'), j('median_first_response_minutes_365d')];
        let cu = 0;
        let nu = 0;
        let cs = 0;
        let ns = 0;
        for (let i = 0; i < f.x.nRows; i++) {
          const v = (k: number) => f.x.data[i * f.x.nCols + k];
          const { contrib } = contributionsBinned(model.forest, rb, i);
          if (v(j('count_unresolved_complaints')) >= 1) {
            nu++;
            cu += unresolved.reduce((a, k) => a + contrib[k], 0);
          }
          if (v(j('max_first_response_minutes_90d')) > 480) {
            ns++;
            cs += slow.reduce((a, k) => a + contrib[k], 0);
          }
        }
        return { unresolved: cu / nu, slow: cs / ns, nu, ns };
      };
      const planted = await contribution(t);
      const none = await contribution(control);
      expect(planted.nu).toBeGreaterThan(100);
      expect(planted.ns).toBeGreaterThan(50);
      // With the planted hazard, the model credits unresolved complaints and slow responses with
      // raising risk for the customers who have them; without it, not (or much less).
      expect(planted.unresolved).toBeGreaterThan(0.02);
      expect(planted.unresolved).toBeGreaterThan(none.unresolved + 0.02);
      expect(planted.slow).toBeGreaterThan(0);
      expect(planted.slow).toBeGreaterThan(none.slow + 0.005);

      // And the stored reasons say so, in words, for recent buyers with 2+ unresolved complaints.
      const f = await loadChurnFeatures(t.wh, { cutoff: t.asOf, lookbackDays: 365, horizonDays: 90 });
      const byId = new Map((await scores(t)).map((r) => [r.customer_id, r]));
      let n = 0;
      let hit = 0;
      for (let i = 0; i < f.x.nRows; i++) {
        const v = (name: string) => f.x.data[i * f.x.nCols + f.features.indexOf(name)];
        if (v('count_unresolved_complaints') >= 2 && v('days_since_last_purchase') < 30) {
          n++;
          const reasons = JSON.parse(byId.get(f.customerIds[i])!.churn_reasons) as { text: string }[];
          if (reasons.some((r) => /^\d+ unresolved complaints? .*raises risk/.test(r.text))) hit++;
        }
      }
      expect(n).toBeGreaterThan(15);
      expect(hit / n).toBeGreaterThan(0.5);
    } finally {
      control.close();
    }
  });

  it('customers with the planted causes get higher risk than those without', async () => {
    const f = await loadChurnFeatures(t.wh, { cutoff: t.asOf, lookbackDays: 365, horizonDays: 90 });
    const byId = new Map((await scores(t)).map((r) => [r.customer_id, r.churn_risk]));
    const risk: number[] = [];
    const cause: number[] = [];
    for (let i = 0; i < f.x.nRows; i++) {
      const v = (name: string) => f.x.data[i * f.x.nCols + f.features.indexOf(name)];
      if (v('days_since_last_purchase') >= 30) continue; // recency would dominate otherwise
      risk.push(byId.get(f.customerIds[i])!);
      cause.push(v('count_unresolved_complaints') >= 1 ? 1 : 0);
    }
    // AUC of risk for "has an unresolved complaint": 0.5 would mean the model ignores it.
    expect(rocAuc(risk, cause)).toBeGreaterThan(0.6);
  });

  it('reuses a fresh model, retrains when it is too old or from a later as-of', async () => {
    const active = (await loadActiveModel(t.wh))!;
    const again = await scoreChurn(jobContext(t.wh, FAST, 'run-2'), t.asOf);
    expect(again.trained).toBeUndefined();
    expect(again.model_id).toBe(active.modelId);
    const runs = await t.wh.all(`select distinct run_id from churn_score_history order by 1`);
    expect(runs).toEqual([{ run_id: 'run-1' }, { run_id: 'run-2' }]);

    const earlier = await scoreChurn(jobContext(t.wh, FAST, 'run-3'), addDays(t.asOf, -30));
    expect((earlier.trained as { reason: string }).reason).toMatch(/later as-of/);
    const later = await scoreChurn(jobContext(t.wh, { ...FAST, maxModelAgeDays: 7 }, 'run-4'), addDays(t.asOf, 0));
    expect((later.trained as { reason: string }).reason).toMatch(/older than churn.maxModelAgeDays/);
    const active2 = await t.wh.all(`select model_id from churn_models where is_active`);
    expect(active2).toHaveLength(1);
    const all = await t.wh.one<{ n: number }>(`select count(*) as n from churn_models`);
    expect(all?.n).toBe(3);
  });

  it("the score job's up-to-date state names the active model, so a retrain makes the next run score again", async () => {
    const state = scoreJob.upToDate!.state!;
    const ctx = jobContext(t.wh, FAST, 'run-5') as unknown as JobContext;
    const before = await state(ctx);
    expect(before).toContain((await loadActiveModel(t.wh))!.modelId);
    await trainAndActivate(jobContext(t.wh, FAST, 'run-6'), t.asOf);
    const after = await state(ctx);
    expect(after).toContain((await loadActiveModel(t.wh))!.modelId);
    expect(after).not.toBe(before);
  });
});

describe('churn training: reproducibility and refusal', () => {
  it('the same seed gives the same scores; another seed different ones', async () => {
    const a = await warehouseWithHistory({ customers: 1200, seed: 5 });
    const b = await warehouseWithHistory({ customers: 1200, seed: 5 });
    try {
      await scoreChurn(jobContext(a.wh, { ...FAST, seed: 1 }), a.asOf);
      await scoreChurn(jobContext(b.wh, { ...FAST, seed: 1 }), b.asOf);
      const ra = (await scores(a)).map((r) => [r.customer_id, r.churn_risk, r.churn_reasons]);
      const rb = (await scores(b)).map((r) => [r.customer_id, r.churn_risk, r.churn_reasons]);
      expect(ra.length).toBeGreaterThan(500);
      expect(rb).toEqual(ra);
      await trainAndActivate(jobContext(b.wh, { ...FAST, seed: 2 }), b.asOf);
      await scoreChurn(jobContext(b.wh, { ...FAST, seed: 2 }), b.asOf);
      const rc = (await scores(b)).map((r) => [r.customer_id, r.churn_risk, r.churn_reasons]);
      expect(rc).not.toEqual(ra);
    } finally {
      a.close();
      b.close();
    }
  });

  it('refuses to train below churn.minChurnExamples and says why; the score step skips without writing', async () => {
    const t = await warehouseWithHistory({ customers: 60, seed: 3 });
    try {
      const err = await trainAndActivate(jobContext(t.wh, FAST), t.asOf).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CxpError);
      const e = err as CxpError;
      expect(e.code).toBe('CXP_ERR_MODEL_INSUFFICIENT_DATA');
      expect(e.details.where).toBe('churn.minChurnExamples');
      expect(e.message).toMatch(/at least 50 of each are needed/);
      const out = await scoreChurn(jobContext(t.wh, FAST), t.asOf);
      expect(out.code).toBe('CXP_ERR_MODEL_INSUFFICIENT_DATA');
      expect((await t.wh.one<{ n: number }>('select count(*) as n from churn_models'))?.n).toBe(0);
      expect((await t.wh.one<{ n: number }>('select count(*) as n from churn_scores'))?.n).toBe(0);
      // The same data trains once the threshold is lowered knowingly.
      const ok = await trainAndActivate(jobContext(t.wh, { ...FAST, minChurnExamples: 5 }), t.asOf);
      expect(ok.countTrainRows).toBeGreaterThan(10);
    } finally {
      t.close();
    }
  });
});
