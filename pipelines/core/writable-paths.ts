import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { userInfo } from 'node:os';
import { CxpError } from './errors.js';

/**
 * Checks, before any job starts (open-context.ts) and in `cxpulse config`, that the places cxpulse
 * writes can be written: the warehouse file (config key `warehouse`) and the exports folder
 * (`exports.dir`). Without it the first write fails deep inside a job with a bare EACCES/ENOTDIR, and a
 * path under /proc (a kernel pseudo-filesystem) made DuckDB retry forever. Nothing is created here:
 * missing folders are fine when their nearest existing parent is a writable folder.
 */

/** Kernel pseudo-filesystems: nothing cxpulse writes can live there. */
const PSEUDO_ROOTS = ['/proc', '/sys'];

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(root + sep);
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

function who(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

function problem(key: string, path: string, what: string, hint: string, errno: string): CxpError {
  return new CxpError('CXP_ERR_CONFIG_INVALID', `${key} ${path}: ${what} (${errno})`, { where: key, path, hint });
}

/**
 * The problem with writing `path` (kind `file`: the file and its folder; `dir`: the folder), or
 * undefined when it can be written. `key` is the config key that set it.
 */
export function writablePathProblem(key: string, path: string, kind: 'file' | 'dir'): CxpError | undefined {
  const abs = resolve(path);
  const fix = `set ${key} to a path in a folder this user (${who()}) can write, e.g. ./var/${kind === 'file' ? 'warehouse.duckdb' : 'exports'}`;
  const pseudo = (p: string) => PSEUDO_ROOTS.find((r) => under(p, r));
  const rootOf = pseudo(abs);
  if (rootOf) {
    return problem(key, path, `is under ${rootOf}, a kernel pseudo-filesystem where no file can be created`, fix, 'EINVAL');
  }
  const folder = kind === 'file' ? dirname(abs) : abs;
  // Walk down from the root: every existing part must be a folder; stop at the first missing one.
  const parts = folder.split(sep).filter(Boolean);
  let existing: string = sep;
  for (let i = 0; i < parts.length; i++) {
    const p = sep + parts.slice(0, i + 1).join(sep);
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if (codeOf(err) === 'ENOENT') break;
      if (codeOf(err) === 'EACCES') {
        return problem(key, path, `${dirname(p)} cannot be searched by this user (${who()})`, `give the user access to ${dirname(p)} (chmod/chown), or ${fix}`, 'EACCES');
      }
      throw err;
    }
    if (!isDir) {
      return problem(key, path, `${p} is a file, not a folder`, `move ${p} away, or ${fix}`, 'ENOTDIR');
    }
    existing = p;
  }
  const real = realpathSync(existing);
  const realRoot = pseudo(real);
  if (realRoot) {
    return problem(key, path, `${existing} leads to ${real}, under ${realRoot}, a kernel pseudo-filesystem where no file can be created`, fix, 'EINVAL');
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    const missing = existing !== folder ? ` (cxpulse would create ${folder} in it)` : '';
    return problem(key, path, `the folder ${existing} is not writable by this user (${who()})${missing}`, `give the user write access (chown/chmod ${existing}), or ${fix}`, codeOf(err) ?? 'EACCES');
  }
  if (kind === 'file') {
    try {
      const st = statSync(abs);
      if (st.isDirectory()) return problem(key, path, 'is a folder, not a file', `${fix} (a file name, not a folder)`, 'EISDIR');
      accessSync(abs, constants.R_OK | constants.W_OK);
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return undefined;
      if (err instanceof CxpError) throw err;
      return problem(key, path, `the file is not writable by this user (${who()})`, `give the user write access (chown/chmod ${abs}), or ${fix}`, codeOf(err) ?? 'EACCES');
    }
  }
  return undefined;
}

/** Problems with the warehouse and exports paths of a config (empty when both can be written). */
export function writablePathsProblems(config: { warehouse: string; exports: { dir: string } }): CxpError[] {
  const out: CxpError[] = [];
  if (config.warehouse !== ':memory:') {
    const w = writablePathProblem('warehouse', config.warehouse, 'file');
    if (w) out.push(w);
  }
  const e = writablePathProblem('exports.dir', config.exports.dir, 'dir');
  if (e) out.push(e);
  return out;
}

/** Throws the first problem of writablePathsProblems (before any job starts). */
export function assertWritablePaths(config: { warehouse: string; exports: { dir: string } }): void {
  const [first] = writablePathsProblems(config);
  if (first) throw first;
}
