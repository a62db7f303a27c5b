import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';

// Whole pipeline runs in child processes (up to the spawn timeout below) on a shared machine.
vi.setConfig({ testTimeout: 300_000 });

/** Runs the real CLI in a child process, as a user would. */
function cxpulse(args: string[], cwd: string) {
  // tsx resolved from here: the child runs in a temp folder with no node_modules.
  const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), fromRoot('pipelines', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    timeout: 240_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const expected = JSON.parse(readFileSync(fromRoot('data-samples', 'demo', 'EXPECTED.json'), 'utf8')) as {
  sources: Record<string, { rows: number; loaded: number; updated: number; duplicates: number; rejected: number }>;
};

let dir: string;
let configPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-cli-'));
  // The demo config, with its paths made absolute, in a folder of its own.
  const demo = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as { sources: Record<string, { path: string }> };
  for (const s of Object.values(demo.sources)) s.path = fromRoot('data-samples', s.path);
  configPath = join(dir, 'cxpulse.config.json');
  writeFileSync(configPath, JSON.stringify({ ...demo, warehouse: 'wh/warehouse.duckdb', exports: { dir: 'exports' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cxpulse CLI', () => {
  it('runs the whole pipeline on the demo data and prints the per-source counts', () => {
    const res = cxpulse(['run', '--config', configPath], dir);
    expect(res.stderr).not.toMatch(/failed/);
    expect(res.code).toBe(0);
    for (const [source, e] of Object.entries(expected.sources)) {
      const line = res.stdout.split('\n').find((l) => l.trim().startsWith(source + ' '));
      expect(line?.trim().split(/\s+/).slice(1).map(Number)).toEqual([e.rows, e.loaded, e.updated, e.duplicates, e.rejected]);
    }
    for (const job of ['transform', 'score', 'export', 'triggers']) expect(res.stdout).toMatch(new RegExp(`^\\s+${job}\\s`, 'm'));
    const manifest = JSON.parse(readFileSync(join(dir, 'exports', 'manifest.json'), 'utf8')) as { datasets: { dataset: string }[] };
    expect(manifest.datasets.map((d) => d.dataset)).toEqual(expect.arrayContaining(['customers', 'satisfaction_daily', 'customer_360', 'rfm_history', 'churn_models']));
  });

  it('a second run on the same files loads nothing new', () => {
    const res = cxpulse(['run', 'ingest', '--config', configPath], dir);
    expect(res.code).toBe(0);
    const purchases = res.stdout.split('\n').find((l) => l.trim().startsWith('purchases '));
    // read 0: every file is unchanged and skipped.
    expect(purchases?.trim().split(/\s+/).slice(1).map(Number)).toEqual([0, 0, 0, 0, 0]);
  });

  it('records both runs in pipeline_runs', async () => {
    const wh = await Warehouse.open(join(dir, 'wh', 'warehouse.duckdb'), { readOnly: true });
    try {
      const runs = await wh.all<{ status: string; jobs: string; trigger: string }>('select status, jobs, trigger from pipeline_runs order by started_at');
      expect(runs).toEqual([
        { status: 'succeeded', jobs: 'ingest,transform,score,export,triggers,alerts', trigger: 'cli' },
        { status: 'succeeded', jobs: 'ingest', trigger: 'cli' },
      ]);
    } finally {
      wh.close();
    }
  });

  it('skips transform, score and export when nothing new came; --full recomputes them to the same numbers', async () => {
    const warehousePath = join(dir, 'wh', 'warehouse.duckdb');
    const read = async () => {
      const wh = await Warehouse.open(warehousePath, { readOnly: true });
      try {
        return {
          customer360: JSON.stringify(await wh.all('select * from customer_360 order by customer_id')),
          satisfaction: JSON.stringify(await wh.all('select * from satisfaction_daily order by all')),
          history: (await wh.one<{ n: number }>('select count(*) as n from churn_score_history'))!.n,
        };
      } finally {
        wh.close();
      }
    };
    const before = await read();
    const manifest = readFileSync(join(dir, 'exports', 'manifest.json'), 'utf8');
    const idle = cxpulse(['run', '--config', configPath], dir);
    expect(idle.code).toBe(0);
    for (const job of ['transform', 'score', 'export']) expect(idle.stdout).toMatch(new RegExp(`^\\s+${job}\\s+up to date: nothing it reads changed since run `, 'm'));
    expect(idle.stdout).toMatch(/^\s+triggers\s+\{/m);
    const skipped = await read();
    expect(skipped).toEqual(before);
    expect(readFileSync(join(dir, 'exports', 'manifest.json'), 'utf8')).toBe(manifest);

    const full = cxpulse(['run', '--full', '--config', configPath], dir);
    expect(full.code).toBe(0);
    for (const job of ['transform', 'score', 'export']) expect(full.stdout).toMatch(new RegExp(`^\\s+${job}\\s+\\{`, 'm'));
    const recomputed = await read();
    // What the skipped run left is what computing it again gives.
    expect(recomputed.customer360).toBe(before.customer360);
    expect(recomputed.satisfaction).toBe(before.satisfaction);
    expect(recomputed.history).toBeGreaterThan(before.history);
  });

  it('exits non-zero with a one-line reason for an unknown job', () => {
    const res = cxpulse(['run', 'nosuchjob', '--config', configPath], dir);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/CXP_ERR_JOB_UNKNOWN: unknown job "nosuchjob".*jobs are: ingest, transform, score, export, triggers/);
  });

  it('names the bad config key', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ sources: { purchases: { path: 'x.csv', delimiter: 'ab' } }, asOf: 'yesterday' }));
    const res = cxpulse(['run', '--config', bad], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/CXP_ERR_CONFIG_INVALID/);
    expect(res.stderr).toMatch(/asOf: must be a date written YYYY-MM-DD/);
  });

  it('says which process holds the warehouse and what to do, without pointing to a server that is not there', async () => {
    const wh = await Warehouse.open(join(dir, 'wh', 'warehouse.duckdb'));
    try {
      const res = cxpulse(['run', '--config', configPath], dir);
      expect(res.code).toBe(1);
      // This test process holds it: DuckDB names its PID; it is no cxpulse server, so no endpoint is suggested.
      expect(res.stderr).toMatch(new RegExp(`CXP_ERR_WAREHOUSE_LOCKED: the warehouse .* is held by PID ${process.pid} `));
      expect(res.stderr).toContain(`close that program (PID ${process.pid}) and run \`cxpulse run\` again`);
      expect(res.stderr).toContain(join(dir, 'exports', 'cxpulse.duckdb'));
      expect(res.stderr).not.toMatch(/\/api\//);
      expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      wh.close();
    }
  });

  it('prints the effective config with defaults', () => {
    const res = cxpulse(['config', '--config', configPath], dir);
    expect(res.code).toBe(0);
    const cfg = JSON.parse(res.stdout) as { warehouse: string; satisfaction: { minSample: number } };
    expect(cfg.warehouse).toBe(join(dir, 'wh', 'warehouse.duckdb'));
    expect(cfg.satisfaction.minSample).toBe(30);
  });

  it('lists the commands', () => {
    const res = cxpulse(['help'], dir);
    expect(res.code).toBe(0);
    for (const c of ['start', 'run', 'serve', 'train', 'replay', 'forget', 'config']) expect(res.stdout).toContain(`cxpulse ${c}`);
  });
});
