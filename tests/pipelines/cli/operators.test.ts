import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { ABANDONED_ERROR } from '../../../pipelines/jobs/abandoned-runs.js';

/** The real CLI in a child process, without API keys in its environment. */
function cxpulse(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC' };
  delete env.CXPULSE_API_KEYS;
  const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), fromRoot('pipelines', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

let dir: string;
let configPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-ops-'));
  const demo = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as { sources: Record<string, { path: string }> };
  for (const s of Object.values(demo.sources)) s.path = fromRoot('data-samples', s.path);
  configPath = join(dir, 'cxpulse.config.json');
  writeFileSync(configPath, JSON.stringify({ ...demo, warehouse: 'wh/warehouse.duckdb', exports: { dir: 'exports' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runs(): Promise<{ run_id: string; status: string; error: string | null; finished: boolean }[]> {
  const wh = await Warehouse.open(join(dir, 'wh', 'warehouse.duckdb'));
  try {
    await migrate(wh);
    return await wh.all('select run_id, status, error, finished_at is not null as finished from pipeline_runs order by run_id');
  } finally {
    wh.close();
  }
}

describe('operators: server settings are checked before any job', () => {
  it('start --port notaport refuses before opening the warehouse', () => {
    const res = cxpulse(['start', '--config', configPath, '--port', 'notaport'], dir);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('--port "notaport" is not a port number');
    expect(existsSync(join(dir, 'wh', 'warehouse.duckdb'))).toBe(false);
  });

  it('start --host 0.0.0.0 without API keys refuses before the first job runs (no run recorded, no export written)', async () => {
    const res = cxpulse(['start', '--config', configPath, '--host', '0.0.0.0', '--port', '0'], dir);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('CXP_ERR_INSECURE_BIND');
    expect(res.stdout).not.toMatch(/ingest|customers\s+\d/);
    expect(await runs()).toEqual([]);
    expect(existsSync(join(dir, 'exports'))).toBe(false);
  });
});

describe('operators: runs a killed process left running are marked abandoned on the next start', () => {
  it('the next command that opens the warehouse marks them, with a finish time and a reason', async () => {
    const wh = await Warehouse.open(join(dir, 'wh', 'warehouse.duckdb'));
    try {
      await migrate(wh);
      await wh.run(
        `insert into pipeline_runs (run_id, started_at, finished_at, status, jobs, trigger) values
           ('r-killed', '2026-11-20 03:00:00', null, 'running', 'ingest,transform', 'schedule'),
           ('r-done', '2026-11-19 03:00:00', '2026-11-19 03:01:00', 'succeeded', 'ingest', 'cli')`,
      );
    } finally {
      wh.close();
    }
    // Any command that opens the warehouse; this one then fails on its own (unknown customer).
    const res = cxpulse(['forget', 'NOBODY', '--config', configPath], dir);
    expect(res.stderr).toContain('marked 1 run(s) abandoned');
    expect(await runs()).toEqual([
      { run_id: 'r-done', status: 'succeeded', error: null, finished: true },
      { run_id: 'r-killed', status: 'abandoned', error: ABANDONED_ERROR, finished: true },
    ]);
  });
});
