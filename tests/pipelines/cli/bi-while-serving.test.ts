/**
 * BI tools next to a running cxpulse, with real processes: `cxpulse serve` holds the warehouse while
 * another process reads exports/cxpulse.duckdb; a command refused by the lock names the holder's PID and
 * a request that works; and the reverse case, a BI tool holding the warehouse when `cxpulse serve` starts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';

// Each test runs real processes (a pipeline run, training) on a shared 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

const TSX = import.meta.resolve('tsx');
const MAIN = fromRoot('pipelines', 'cli', 'main.ts');
const env = { ...process.env, TZ: 'UTC', CXPULSE_API_KEYS: '' };

function cxpulse(args: string[], cwd: string) {
  const res = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, encoding: 'utf8', env, timeout: 300_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Another program (a BI tool, a script) with DuckDB: runs `script` with `@duckdb/node-api` in its own process. */
function duckdbProcess(script: string, cwd: string): ChildProcess {
  const duckdb = import.meta.resolve('@duckdb/node-api');
  return spawn(process.execPath, ['--input-type=module', '-e', `import { DuckDBInstance } from ${JSON.stringify(duckdb)};\n${script}`], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function output(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output so far:\n${seen}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = re.exec(seen);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (seen += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ${re}:\n${seen}`)));
  });
}

let dir: string;
let configPath: string;
let server: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-bi-serve-'));
  const demo = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as { sources: Record<string, { path: string }> };
  for (const s of Object.values(demo.sources)) s.path = fromRoot('data-samples', s.path);
  configPath = join(dir, 'cxpulse.config.json');
  writeFileSync(configPath, JSON.stringify({ ...demo, warehouse: 'wh/warehouse.duckdb', exports: { dir: 'exports' } }));
  const run = cxpulse(['run', '--config', configPath], dir);
  expect(run.code, run.stderr).toBe(0);
  server = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '--config', configPath, '--port', '0'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  url = (await waitForLine(server, /cxpulse: dashboards (http:\/\/127\.0\.0\.1:\d+)\//))[1];
}, 600_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('with cxpulse serve holding the warehouse', () => {
  it('a second process opens exports/cxpulse.duckdb read-only and gets the same counts as the API', async () => {
    const bands = ['low', 'medium', 'high'];
    const reader = duckdbProcess(
      `const db = await DuckDBInstance.create('cxpulse.duckdb', { access_mode: 'READ_ONLY' });
       const c = await db.connect();
       const rows = (await c.runAndReadAll(\`select churn_band, count(*)::integer as n, count(*) filter (where not is_lost)::integer as at_risk,
                                                   count(*) filter (where not is_lost and marketing_consent)::integer as consented
                                           from customer_360 where churn_band is not null group by 1\`)).getRowObjectsJson();
       const orders = (await c.runAndReadAll('select count(*)::integer as n from purchases')).getRowObjectsJson();
       console.log(JSON.stringify({ rows, orders: orders[0].n }));`,
      join(dir, 'exports'),
    );
    const res = await output(reader);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const fromCatalog = JSON.parse(res.stdout) as { rows: { churn_band: string; n: number; at_risk: number; consented: number }[]; orders: number };
    const total = async (q: string) => ((await (await fetch(`${url}/api/customers/at-risk?${q}&limit=1`)).json()) as { total: number }).total;
    let lost = 0;
    for (const band of bands) {
      const row = fromCatalog.rows.find((r) => r.churn_band === band);
      // Every scored customer, the list's default population (the lost apart) and its consented part.
      expect(await total(`band=${band}&population=all&consent_only=false`), band).toBe(row?.n);
      expect(await total(`band=${band}&consent_only=false`), band).toBe(row?.at_risk);
      expect(await total(`band=${band}`), band).toBe(row?.consented);
      expect(row!.at_risk, band).toBeGreaterThan(0);
      lost += row!.n - row!.at_risk;
    }
    // The demo has customers long gone: the split is not vacuous.
    expect(lost).toBeGreaterThan(0);
    // The demo's orders: every purchase loaded, once (data-samples/demo/EXPECTED.json).
    const expected = JSON.parse(readFileSync(fromRoot('data-samples', 'demo', 'EXPECTED.json'), 'utf8')) as { sources: { purchases: { loaded: number } } };
    expect(fromCatalog.orders).toBe(expected.sources.purchases.loaded);
  });

  it('a job run from the command line names the server and its PID, and the request it suggests works', async () => {
    const res = cxpulse(['run', 'export', '--config', configPath], dir);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`CXP_ERR_WAREHOUSE_LOCKED: the warehouse ${join(dir, 'wh', 'warehouse.duckdb')} is held by the cxpulse server at ${url} (PID ${server!.pid})`);
    const m = /curl -X POST -H "Authorization: Bearer \$ADMIN_KEY" '([^']+)'/.exec(res.stderr);
    expect(m?.[1]).toBe(`${url}/api/jobs/export/run?wait=true`);
    // Open demo mode: no key needed here; the suggested request runs the job in the server.
    const r = await fetch(m![1], { method: 'POST' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { status: string }).status).toBe('succeeded');
  });
});

describe('train, replay and forget while the server runs', () => {
  it('train and replay point to their server endpoints, which work; forget says to stop the server', async () => {
    const train = cxpulse(['train', '--config', configPath], dir);
    expect(train.code).toBe(1);
    expect(train.stderr).toContain(`(PID ${server!.pid})`);
    const t = /curl -X POST -H "Authorization: Bearer \$ADMIN_KEY" '([^']+)'/.exec(train.stderr);
    expect(t?.[1]).toBe(`${url}/api/churn/train`);
    const trained = await fetch(t![1], { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(trained.status).toBe(200);
    expect(((await trained.json()) as { model_id: string }).model_id).toMatch(/^churn-/);

    const replay = cxpulse(['replay', '--dead', '--config', configPath], dir);
    expect(replay.code).toBe(1);
    const r = /-d '([^']+)' '([^']+)'/.exec(replay.stderr);
    expect(r?.[2]).toBe(`${url}/api/actions/replay`);
    const replayed = await fetch(r![2], { method: 'POST', headers: { 'content-type': 'application/json' }, body: r![1] });
    expect(replayed.status).toBe(200);
    expect((await replayed.json()) as object).toHaveProperty('action_ids');

    const forget = cxpulse(['forget', 'c00001', '--config', configPath], dir);
    expect(forget.code).toBe(1);
    expect(forget.stderr).toContain(`the server has no endpoint for \`cxpulse forget c00001\`: stop it (Ctrl-C in its terminal, or kill ${server!.pid})`);
    expect(forget.stderr).not.toMatch(/\/api\//);
  });
});

describe('with another program holding the warehouse', () => {
  it('cxpulse serve says which process (PID) and what to do, and suggests no endpoint', async () => {
    const exited = new Promise((r) => server!.once('exit', r));
    server!.kill('SIGTERM');
    await exited;
    expect(existsSync(join(dir, 'wh', 'warehouse.duckdb.server.json'))).toBe(false);
    const holder = duckdbProcess(
      `const db = await DuckDBInstance.create('wh/warehouse.duckdb', { access_mode: 'READ_ONLY' });
       console.log('holding'); setInterval(() => {}, 1000);`,
      dir,
    );
    try {
      await waitForLine(holder, /holding/);
      const res = cxpulse(['serve', '--config', configPath, '--port', '0'], dir);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain(`is held by PID ${holder.pid}`);
      expect(res.stderr).toContain(`close that program (PID ${holder.pid})`);
      expect(res.stderr).toContain(join(dir, 'exports', 'cxpulse.duckdb'));
      expect(res.stderr).not.toMatch(/\/api\//);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.kill();
    }
  });
});
