import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../../../pipelines/core/progress.js';
import { trainChurnModel } from '../../../models/churn/train.js';
import { churnConfig } from '../../../models/churn/settings.js';
import { forestToJSON } from '../../../models/churn/forest.js';
import { runTransform } from '../../../pipelines/transform/run-transform.js';
import { discoverModels } from '../../../pipelines/transform/sql-models.js';
import { transformVariables } from '../../../pipelines/transform/variables.js';
import { readManifest, writeExports } from '../../../pipelines/export/write-exports.js';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import type { Config } from '../../../pipelines/config/types.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { runIngest } from '../../../pipelines/sources/run-ingest.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';
import { warehouseWithHistory, type TempWarehouse } from '../../models/churn/helpers.js';

/**
 * The long steps of a run report progress on a terminal (pipelines/core/progress.ts): each announces how
 * many units it will do and ticks each one once, and the line is cleared at the end, also on failure.
 * Here a recording Progress stands in for the terminal.
 */
function recorder() {
  const calls: { total: number; ticks: number; done: number }[] = [];
  const factory = (total: number): Progress => {
    const c = { total, ticks: 0, done: 0 };
    calls.push(c);
    return { tick: (n) => (c.ticks += n), done: () => (c.done += 1) };
  };
  return { calls, factory };
}

let t: TempWarehouse & { asOf: Date };
beforeAll(async () => {
  t = await warehouseWithHistory({ customers: 1200, seed: 5 });
}, 120_000);
afterAll(() => t?.close());

describe('progress of the long steps', () => {
  it('churn training announces every tree of both forests and counts each once; the model is the same without it', async () => {
    const cfg = churnConfig({ trees: 30, seed: 4 });
    const opts = { asOf: t.asOf, config: cfg, now: new Date('2026-02-01T00:00:00Z'), modelId: 'm' };
    const r = recorder();
    const withProgress = await trainChurnModel(t.wh, { ...opts, progress: r.factory });
    const without = await trainChurnModel(t.wh, opts);
    // Out-of-time validation on this history: a validation forest and the final one, 30 trees each.
    expect(withProgress.metrics.validation).toBe('out_of_time');
    expect(r.calls).toEqual([{ total: 60, ticks: 60, done: 1 }]);
    expect(forestToJSON(withProgress.forest)).toEqual(forestToJSON(without.forest));
  }, 120_000);

  it("churn training that must cross-validate counts the folds' forests and the final one", async () => {
    const now = new Date('2026-02-01T00:00:00Z');
    const probe = await trainChurnModel(t.wh, { asOf: t.asOf, config: churnConfig({ trees: 10, seed: 4 }), now, modelId: 'p' });
    // The earlier (validation) window's smaller class, from its size and churn rate as stored.
    const oot = probe.metrics.out_of_time as { count_train_rows: number };
    const rate = (probe.metrics.base_rate as { previous_window_observed: number }).previous_window_observed;
    const valChurned = Math.round(rate * oot.count_train_rows);
    const valMinority = Math.min(valChurned, oot.count_train_rows - valChurned);
    const trainMinority = Math.min(probe.countTrainChurned, probe.countTrainRows - probe.countTrainChurned);
    // The fixture's latest window has more of its smaller class than the earlier one, so one more than the
    // earlier window has is a threshold only the latest meets: then training cross-validates.
    expect(trainMinority).toBeGreaterThan(valMinority + 1);
    const r = recorder();
    const cfg = churnConfig({ trees: 10, seed: 4, cvFolds: 3, minChurnExamples: valMinority + 1 });
    const cv = await trainChurnModel(t.wh, { asOf: t.asOf, config: cfg, now, modelId: 'c', progress: r.factory });
    expect(cv.metrics.validation).toBe('cross_validation');
    expect(r.calls).toEqual([{ total: 40, ticks: 40, done: 1 }]);
  }, 120_000);
  it('transform counts each model once, and clears the line when a model fails', async () => {
    const config = { satisfaction: {} } as unknown as Config;
    const r = recorder();
    const res = await runTransform(t.wh, transformVariables(config, t.asOf), silentLogger, { progress: r.factory });
    expect(res.models.length).toBe(discoverModels().length);
    expect(r.calls).toEqual([{ total: discoverModels().length, ticks: discoverModels().length, done: 1 }]);
    // The second model fails: one model counted, the line still cleared.
    const failing = discoverModels().slice(0, 2);
    failing[1] = { ...failing[1], sql: 'select * from no_such_table' };
    const f = recorder();
    await expect(runTransform(t.wh, transformVariables(config, t.asOf), silentLogger, { models: failing, tests: [], progress: f.factory })).rejects.toThrow(/no_such_table/i);
    expect(f.calls).toEqual([{ total: 2, ticks: 1, done: 1 }]);
  }, 120_000);

  it('export counts each file it writes (partitioned COPYs and byte copies included); an export with nothing new counts none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxp-progress-'));
    try {
      const datasets = EXPORT_DATASETS.filter((d) => ['customers', 'purchases', 'interactions', 'surveys'].includes(d.name));
      const opts = { dir, asOf: '2026-01-31', includePii: false, runId: 'r1', now: new Date('2026-02-01T00:00:00Z') };
      const r = recorder();
      const { written } = await writeExports(t.wh, datasets, { ...opts, progress: r.factory });
      const files = readManifest(dir).datasets.length;
      // Months of purchases, interactions and surveys, and customers' history and latest/ files.
      expect(files).toBeGreaterThan(10);
      expect(written.length).toBe(files);
      expect(r.calls).toEqual([{ total: files, ticks: files, done: 1 }]);
      const again = recorder();
      await writeExports(t.wh, datasets, { ...opts, runId: 'r2', progress: again.factory });
      expect(again.calls).toEqual([{ total: 0, ticks: 0, done: 1 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
  it('ingest counts each file by its size, once, whether staged or skipped as unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxp-progress-in-'));
    const env = await tempWarehouse();
    try {
      mkdirSync(join(dir, 'purchases'));
      writeFileSync(join(dir, 'customers.csv'), 'customer_id,signup_at,country\nC1,2026-01-02 10:00:00,LV\nC2,2026-01-03 10:00:00,CN\n');
      writeFileSync(join(dir, 'purchases', 'a.csv'), 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-05 10:00:00,10\n');
      writeFileSync(join(dir, 'purchases', 'b.csv'), `order_id,customer_id,ordered_at,amount\n${Array.from({ length: 500 }, (_, i) => `O${i + 2},C2,2026-01-06 10:00:00,${i}`).join('\n')}\n`);
      const config = resolveConfig({ sources: { customers: { path: 'customers.csv' }, purchases: { path: 'purchases/*.csv' } } }, dir);
      const mb = ['customers.csv', 'purchases/a.csv', 'purchases/b.csv'].map((f) => statSync(join(dir, f)).size / 2 ** 20);
      for (const runId of ['first', 'again']) {
        const ticks: number[] = [];
        let total = 0;
        let done = 0;
        const progress = (m: number): Progress => {
          total = m;
          return {
            tick: (n) => ticks.push(n),
            done: () => (done += 1),
          };
        };
        const summary = await runIngest({ warehouse: env.wh, config, runId, clock: fixedClock('2026-02-01T00:00:00Z'), logger: silentLogger, progress });
        expect(total, runId).toBeCloseTo(mb.reduce((a, b) => a + b, 0), 12);
        expect(ticks, runId).toEqual(mb);
        expect(done, runId).toBe(1);
        if (runId === 'again') expect(summary.sources.purchases?.skipped_files).toBe(2);
      }
    } finally {
      env.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
