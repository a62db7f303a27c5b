import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoDate } from '../../../pipelines/core/clock.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { trainCommand } from '../../../pipelines/cli/train-command.js';
import { loadConfig } from '../../../pipelines/config/load-config.js';
import { generateHistory, loadHistoryCsv, writeHistoryCsv } from '../../models/churn/synthetic-history.js';

let dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});

async function setup(customers: number, churn: Record<string, unknown>): Promise<{ config: string; asOf: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-churn-cli-'));
  dirs.push(dir);
  const h = generateHistory({ customers, seed: 8 });
  writeHistoryCsv(h, join(dir, 'csv'));
  const wh = await Warehouse.open(join(dir, 'warehouse.duckdb'));
  try {
    await migrate(wh);
    await loadHistoryCsv(wh, join(dir, 'csv'));
  } finally {
    wh.close();
  }
  const config = join(dir, 'cxpulse.config.json');
  writeFileSync(config, JSON.stringify({ warehouse: 'warehouse.duckdb', sources: { purchases: { path: 'csv/purchases.csv' } }, churn }));
  return { config, asOf: h.end };
}

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
}

describe('cxpulse train', () => {
  it('the churn config section validates, with defaults filled in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxp-churn-cfg-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ sources: { purchases: { path: 'csv/purchases.csv' } }, churn: { bands: { high: 0.7 } } }));
    const cfg = loadConfig(join(dir, 'c.json'));
    expect(cfg.churn).toMatchObject({ horizonDays: 90, lookbackDays: 365, minChurnExamples: 50, bands: { medium: 0.3, high: 0.7 } });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ sources: { purchases: { path: 'csv/purchases.csv' } }, churn: { horizonDays: 'soon' } }));
    expect(() => loadConfig(join(dir, 'bad.json'))).toThrow(/churn/);
  });

  it('trains, activates and prints the out-of-time validation', async () => {
    const { config, asOf } = await setup(1500, { trees: 30 });
    const io = capture();
    const code = await trainCommand.action({ values: { config, 'as-of': asOf }, positionals: [] });
    vi.restoreAllMocks();
    expect(io.err.join('')).not.toMatch(/CXP_ERR|error/);
    expect(code).toBe(0);
    const text = io.out.join('');
    expect(text).toMatch(new RegExp(`churn model churn-${asOf}-\\w+ trained for ${asOf} and active`));
    expect(text).toMatch(/out of time: ROC AUC 0\.\d+/);
    const wh = await Warehouse.open(join(config, '..', 'warehouse.duckdb'));
    try {
      const rows = await wh.all<{ as_of_on: Date; is_active: boolean }>('select as_of_on, is_active from churn_models');
      expect(rows.map((r) => [isoDate(r.as_of_on), r.is_active])).toEqual([[asOf, true]]);
    } finally {
      wh.close();
    }
  });

  it('exits 1 with the refusal when there are too few churn examples', async () => {
    const { config } = await setup(40, {});
    const io = capture();
    // No --as-of: the latest event loaded, so the labels are observed and only the example count is short.
    const code = await trainCommand.action({ values: { config }, positionals: [] });
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(/CXP_ERR_MODEL_INSUFFICIENT_DATA: cannot train the churn model: .* \(at churn\.minChurnExamples\)/);
  });

  it('refuses an as-of whose label window runs past the data loaded', async () => {
    const { config, asOf } = await setup(1500, { trees: 10 });
    const later = isoDate(new Date(Date.parse(`${asOf}T00:00:00Z`) + 30 * 86_400_000));
    const io = capture();
    const code = await trainCommand.action({ values: { config, 'as-of': later }, positionals: [] });
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(new RegExp(`CXP_ERR_MODEL_INSUFFICIENT_DATA: cannot train the churn model for ${later}: its labels need data up to ${later}, but the latest event loaded is \\d{4}-\\d{2}-\\d{2} \\(at as-of\\)`));
  });
});
