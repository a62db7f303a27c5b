import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';

/** The newcomer's path through the real CLI in a child process: version, JSON logs, a busy port, the schema. */
const args = (a: string[]) => ['--import', import.meta.resolve('tsx'), fromRoot('pipelines', 'cli', 'main.ts'), ...a];
function cxpulse(a: string[], cwd: string, env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, args(a), { cwd, encoding: 'utf8', env: { ...process.env, TZ: 'UTC', ...env }, timeout: 240_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

let dir: string;
let configPath: string;
let busy: Server;
let busyPort: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-newcomer-'));
  writeFileSync(join(dir, 'customers.csv'), 'customer_id,signup_at,country\nC1,2026-01-02 10:00:00,LV\nC2,2026-02-03 11:00:00,CN\n');
  configPath = join(dir, 'cxpulse.config.json');
  writeFileSync(configPath, JSON.stringify({ warehouse: 'warehouse.duckdb', sources: { customers: { path: 'customers.csv' } }, exports: { dir: 'exports' } }));
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => busy.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('newcomer path', () => {
  it('--version prints the package version', () => {
    const res = cxpulse(['--version'], dir);
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^cxpulse ${pkg.version.replace(/\./g, '\\.')} \\(node ${process.versions.node}, @duckdb/node-api \\d`));
  });

  it('--log-format json writes every log line as a JSON object', () => {
    const res = cxpulse(['run', 'ingest', '--config', configPath, '--log-format', 'json'], dir);
    expect(res.code, res.stderr).toBe(0);
    const lines = res.stderr.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) {
      const o = JSON.parse(l) as Record<string, unknown>;
      expect(typeof o.time).toBe('string');
      expect(['debug', 'info', 'warn', 'error']).toContain(o.level);
      expect(typeof o.msg).toBe('string');
    }
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('job ingest succeeded');
    const bad = cxpulse(['--log-format', 'yaml', 'config', '--config', configPath], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--log-format "yaml" is not one of text, json/);
  });

  it('a busy port is reported before anything runs, with the port and what to do', async () => {
    const child = spawn(process.execPath, args(['start', '--config', configPath, '--port', String(busyPort)]), { cwd: dir, env: { ...process.env, TZ: 'UTC' } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`CXP_ERR_PORT_IN_USE: port ${busyPort} on 127\\.0\\.0\\.1 is already in use`));
    expect(out).toMatch(/--port \d+/);
    // Nothing ran: no job, no scheduler.
    expect(out).not.toMatch(/job ingest|scheduler/);
  });

  it('config --schema prints a JSON Schema that accepts a valid config and names a misspelt key', () => {
    const res = cxpulse(['config', '--schema'], dir);
    expect(res.code).toBe(0);
    const schema = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(schema.$schema).toMatch(/json-schema\.org/);
    const ajv = new Ajv({ allErrors: true, strict: false });
    // ajv-formats is CommonJS: its function is the default export's default under NodeNext.
    (addFormatsModule as unknown as { default: (a: Ajv) => void }).default(ajv);
    const validate = ajv.compile(schema);
    const demo = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as Record<string, unknown>;
    expect(validate({ ...demo, $schema: './cxpulse.schema.json' }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...demo, warehous: 'x.duckdb' })).toBe(false);
    expect(JSON.stringify(validate.errors)).toMatch(/warehous/);
  });

  it('npm ci asks about no install script: every locked package that has one is listed in allowScripts', () => {
    // npm 11 runs a dependency's install script only when package.json's allowScripts names it, and warns
    // about the rest. The lockfile marks every package with an install script, for every platform.
    const lock = JSON.parse(readFileSync(fromRoot('package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean; version?: string }>;
    };
    const allowed = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.hasInstallScript)
      .map(([path, p]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: p.version }));
    expect(withScripts.map((p) => p.name)).toContain('esbuild');
    expect(withScripts.filter((p) => allowed[p.name] === undefined && allowed[`${p.name}@${p.version}`] === undefined)).toEqual([]);
  });
});
