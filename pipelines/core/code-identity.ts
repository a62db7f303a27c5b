import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromRoot } from './paths.js';

/**
 * What identifies the code that computes the results: the package version, the DuckDB library version,
 * and the newest modification time and number of files of the code actually running (dist/ when built,
 * the TypeScript sources under tsx) and of sql/. An edit, a rebuild or an upgrade changes it, so a job
 * whose inputs are otherwise unchanged runs again (pipelines/jobs/up-to-date.ts). Computed once per process.
 */
let cached: string | undefined;

export function codeIdentity(): string {
  if (cached !== undefined) return cached;
  // This file is <code root>/pipelines/core/code-identity.(ts|js): the code root holds models/ and pipelines/.
  const codeRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  let newest = 0;
  let files = 0;
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        newest = Math.max(newest, statSync(p).mtimeMs);
      }
    }
  };
  for (const d of [join(codeRoot, 'models'), join(codeRoot, 'pipelines'), fromRoot('sql')]) walk(d);
  const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
  let duckdb = 'unknown';
  try {
    duckdb = (JSON.parse(readFileSync(fromRoot('node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // Installed elsewhere (hoisted): the version and the mtimes still identify the code.
  }
  cached = `cxpulse ${pkg.version}; duckdb ${duckdb}; ${files} files, newest ${Math.floor(newest)}`;
  return cached;
}
