import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { writablePathProblem, writablePathsProblems } from '../../../pipelines/core/writable-paths.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { configProblems } from '../../../pipelines/cli/config-problems.js';
import { openContext } from '../../../pipelines/cli/open-context.js';

let dir: string;
let aFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cxp-writable-'));
  aFile = join(dir, 'not-a-folder');
  writeFileSync(aFile, 'x');
  writeFileSync(join(dir, 'customers.csv'), 'customer_id\nc1\n');
});
afterAll(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

function expectProblem(e: CxpError | undefined, key: string, path: string, what: RegExp): CxpError {
  expect(e).toBeInstanceOf(CxpError);
  expect(e!.code).toBe('CXP_ERR_CONFIG_INVALID');
  expect(e!.details.where).toBe(key);
  expect(e!.message.startsWith(`${key} ${path}: `)).toBe(true);
  expect(e!.message).toMatch(what);
  expect(String(e!.details.hint)).toContain(`set ${key} to a path`);
  return e!;
}

describe('unwritable warehouse / exports paths name their key, the path and what to do', () => {
  it('missing folders under a writable one are fine (they are created later, not here)', () => {
    const wh = join(dir, 'new', 'deeper', 'warehouse.duckdb');
    const ex = join(dir, 'new2', 'exports');
    expect(writablePathsProblems({ warehouse: wh, exports: { dir: ex } })).toEqual([]);
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect(existsSync(ex)).toBe(false);
  });

  it('ENOTDIR: a file where a folder should be, for both keys', () => {
    const wh = join(aFile, 'warehouse.duckdb');
    const ex = join(aFile, 'exports');
    expectProblem(writablePathProblem('warehouse', wh, 'file'), 'warehouse', wh, new RegExp(`${aFile} is a file, not a folder \\(ENOTDIR\\)`));
    expectProblem(writablePathProblem('exports.dir', ex, 'dir'), 'exports.dir', ex, /is a file, not a folder \(ENOTDIR\)/);
    // exports.dir pointing AT a file is the same fault.
    expectProblem(writablePathProblem('exports.dir', aFile, 'dir'), 'exports.dir', aFile, /ENOTDIR/);
  });

  it('a folder where the warehouse file should be: EISDIR', () => {
    expectProblem(writablePathProblem('warehouse', dir, 'file'), 'warehouse', dir, /is a folder, not a file \(EISDIR\)/);
  });

  it('/proc, directly or through a symlink, is refused at once (no spinning)', () => {
    const started = Date.now();
    expectProblem(writablePathProblem('warehouse', '/proc/cxpulse/warehouse.duckdb', 'file'), 'warehouse', '/proc/cxpulse/warehouse.duckdb', /under \/proc, a kernel pseudo-filesystem/);
    expectProblem(writablePathProblem('exports.dir', '/proc/self/exports', 'dir'), 'exports.dir', '/proc/self/exports', /under \/proc/);
    const link = join(dir, 'to-proc');
    symlinkSync('/proc/self', link);
    const ex = join(link, 'exports');
    expectProblem(writablePathProblem('exports.dir', ex, 'dir'), 'exports.dir', ex, /leads to \/proc\/\d+, under \/proc/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  // Root may write anywhere (access(2) grants it), so as root the check runs in a child process
  // as the unprivileged user nobody (65534), where the permission bits apply.
  it('EACCES: a read-only folder (as root: checked in a child running as nobody)', () => {
    const asRoot = process.getuid?.() === 0;
    // nobody must reach the folder: under /tmp when the run's TMPDIR may be private to root (mode 700).
    const base = asRoot ? mkdtempSync('/tmp/cxp-writable-nobody-') : dir;
    chmodSync(base, 0o755);
    const ro = join(base, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    const ex = join(ro, 'exports');
    let got: { code?: string; where?: string; message?: string };
    if (asRoot) {
      const code = `import(${JSON.stringify(fromRoot('pipelines', 'core', 'writable-paths.ts'))}).then((m) => {
        const e = m.writablePathProblem('exports.dir', ${JSON.stringify(ex)}, 'dir');
        process.stdout.write(JSON.stringify({ code: e?.code, where: e?.details.where, message: e?.message }));
      })`;
      // The child's own temp folder (tsx writes its cache there): the TMPDIR of the test run may be private to root.
      const childTmp = join(base, 'child-tmp');
      mkdirSync(childTmp);
      chmodSync(childTmp, 0o1777);
      const child = spawnSync(fromRoot('node_modules', '.bin', 'tsx'), ['-e', code], {
        uid: 65534,
        gid: 65534,
        cwd: childTmp,
        env: { ...process.env, HOME: childTmp, TMPDIR: childTmp },
        encoding: 'utf8',
        timeout: 30_000,
      });
      chmodSync(ro, 0o755);
      rmSync(base, { recursive: true, force: true });
      expect(child.status, child.stderr).toBe(0);
      got = JSON.parse(child.stdout) as typeof got;
    } else {
      const e = writablePathProblem('exports.dir', ex, 'dir');
      got = { code: e?.code, where: e?.details.where as string, message: e?.message };
    }
    expect(got.code).toBe('CXP_ERR_CONFIG_INVALID');
    expect(got.where).toBe('exports.dir');
    expect(got.message).toBe(`exports.dir ${ex}: the folder ${ro} is not writable by this user (${got.message!.match(/user \(([^)]+)\)/)![1]}) (cxpulse would create ${ex} in it) (EACCES)`);
  });

  it('cxpulse config lists the problem with its key and hint', async () => {
    const cfg = resolveConfig({ sources: { customers: { path: 'customers.csv' } }, warehouse: join(aFile, 'wh.duckdb'), exports: { dir: '/proc/self/exports' } }, dir);
    const problems = await configProblems(cfg, {});
    expect(problems.filter((p) => p.startsWith(`warehouse ${join(aFile, 'wh.duckdb')}: `) && /ENOTDIR.*set warehouse to a path/.test(p))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith('exports.dir /proc/self/exports: ') && /pseudo-filesystem/.test(p))).toHaveLength(1);
  });

  it('every command refuses before it opens the warehouse or runs a job', async () => {
    for (const [raw, key] of [
      [{ warehouse: join(aFile, 'wh.duckdb'), exports: { dir: join(dir, 'ex-a') } }, 'warehouse'],
      [{ warehouse: join(dir, 'wh-b', 'warehouse.duckdb'), exports: { dir: '/proc/cxpulse-exports' } }, 'exports.dir'],
    ] as const) {
      const configPath = join(dir, `cfg-${key}.json`);
      writeFileSync(configPath, JSON.stringify({ sources: { customers: { path: 'customers.csv' } }, ...raw }));
      const err = await openContext({ config: configPath, command: 'run' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CxpError);
      expect((err as CxpError).details.where).toBe(key);
      expect(existsSync(join(dir, 'wh-b'))).toBe(false);
    }
  });
});
