#!/usr/bin/env node
/* global process */
// `npm start` runs the compiled CLI. This compiles only when a TypeScript source is newer than the last
// build (or the build is missing), so a start after `npm ci` (whose `prepare` builds) does not spend
// time recompiling. Plain JavaScript because it must run before anything is compiled.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['pipelines', 'models', 'dashboards', 'data-samples', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return /\.(ts|json)$/.test(path) ? st.mtimeMs : 0;
  let m = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'static' || name.startsWith('.')) continue;
    m = Math.max(m, newest(join(path, name)));
  }
  return m;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...SOURCES.map((s) => newest(join(root, s))));
if (built === 0 || changed > built) {
  process.stderr.write(built === 0 ? 'cxpulse: building (first start) ...\n' : 'cxpulse: sources changed since the last build, rebuilding ...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString() + '\n');
}
