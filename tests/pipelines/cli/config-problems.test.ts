import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { configProblems } from '../../../pipelines/cli/config-problems.js';
import { resolveRules } from '../../../pipelines/triggers/rules.js';
import { scheduleConfig } from '../../../pipelines/scheduler/schedule-config.js';
import { JOB_NAMES } from '../../../pipelines/jobs/registry.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { listSourceFiles } from '../../../pipelines/sources/source-files.js';
import { rfmSettings } from '../../../models/rfm/settings.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-config-'));
  writeFileSync(join(dir, 'customers.csv'), 'customer_id\nc1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = () => ({ sources: { customers: { path: 'customers.csv' } } });

describe('cxpulse config runs every check a job would run', () => {
  it('a valid file has no problems', async () => {
    expect(await configProblems(resolveConfig(base(), dir), {})).toEqual([]);
  });

  it('rfm.binning "fixed" without cut points is rejected at load, as the value step would', () => {
    const raw = { ...base(), rfm: { binning: 'fixed' } };
    expect(() => resolveConfig(raw, dir)).toThrow(/rfm\.cutPoints\.recency: is required when rfm\.binning is "fixed"/);
    expect(() => rfmSettings({ binning: 'fixed' })).toThrow(/rfm\.cutPoints\.recency/);
  });

  it('names a trigger rule on an unknown field, as the triggers job would reject it', async () => {
    const cfg = resolveConfig({ ...base(), triggers: { rules: [{ name: 'r1', when: { field: 'no_such_field', op: '>', value: 1 } }] } }, dir);
    const problems = await configProblems(cfg, {});
    expect(problems.join('\n')).toMatch(/triggers\.rules\[0\]\.when.*no_such_field/);
    expect(() => resolveRules(cfg)).toThrow(/no_such_field/);
  });

  it('names a source path with no file and a glob with no match, as ingest would', async () => {
    const cfg = resolveConfig({ sources: { customers: { path: 'missing.csv' }, purchases: { path: 'orders/*.csv' } } }, dir);
    const problems = await configProblems(cfg, {});
    expect(problems.filter((p) => p.startsWith('sources.customers.path: no file matches'))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith('sources.purchases.path: no file matches'))).toHaveLength(1);
    const wh = await Warehouse.open(':memory:');
    try {
      await expect(listSourceFiles(wh, 'customers', cfg.sources.customers!)).rejects.toMatchObject({ code: 'CXP_ERR_SOURCE_NOT_FOUND' });
    } finally {
      wh.close();
    }
  });

  it('names a source file of a format the ingest does not read (a workbook, an unknown extension), once per source', async () => {
    for (const f of ['book-1.xlsx', 'book-2.xlsx', 'notes.dat']) writeFileSync(join(dir, f), 'order_id\no1\n');
    const cfg = resolveConfig({ sources: { customers: { path: 'customers.csv' }, purchases: { path: 'book-*.xlsx' }, interactions: { path: 'notes.dat' } } }, dir);
    const problems = await configProblems(cfg, {});
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^sources\.purchases\.path: .*book-1\.xlsx is a spreadsheet workbook; .*Save As.*CSV UTF-8.* \(and 1 more files\)$/);
    expect(problems[1]).toMatch(/^sources\.interactions\.path: cannot tell the format of .*notes\.dat from its extension; set sources\.interactions\.format/);
    // With the format given, the extension no longer decides: no problem for the .dat file.
    const given = resolveConfig({ sources: { customers: { path: 'customers.csv' }, interactions: { path: 'notes.dat', format: 'csv' } } }, dir);
    expect(await configProblems(given, {})).toEqual([]);
  });

  it('names a webhook endpoint whose secret environment variable is unset, and accepts it once set', async () => {
    const raw = { ...base(), delivery: { endpoints: { default: { url: 'https://example.invalid/hook', secretEnv: 'CXP_TEST_HOOK_SECRET' } } } };
    const cfg = resolveConfig(raw, dir);
    const unset = await configProblems(cfg, {});
    expect(unset).toHaveLength(1);
    expect(unset[0]).toMatch(/^delivery\.endpoints\.default: .*no signing secret.*CXP_TEST_HOOK_SECRET/);
    expect(await configProblems(cfg, { CXP_TEST_HOOK_SECRET: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}` })).toEqual([]);
  });

  it('names an invalid cron expression, as the scheduler would refuse to start', async () => {
    const cfg = resolveConfig({ ...base(), schedule: { runs: { nightly: { cron: '61 * * * *' } } } }, dir);
    expect((await configProblems(cfg, {})).join('\n')).toMatch(/schedule\.runs\.nightly\.cron: "61 \* \* \* \*" is invalid/);
    expect(() => scheduleConfig(cfg, JOB_NAMES)).toThrow(/schedule\.runs\.nightly\.cron/);
  });
});
