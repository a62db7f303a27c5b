import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';

/**
 * Every hint points to something that exists: a README section named in an error or log text is a heading
 * of README.md, and a documentation file named there is in the repository.
 */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'static') out.push(...sourceFiles(p));
    } else if (/\.(ts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const files = ['pipelines', 'models', 'dashboards'].flatMap((d) => sourceFiles(fromRoot(d)));
const headings = new Set(
  readFileSync(fromRoot('README.md'), 'utf8')
    .split('\n')
    .filter((l) => /^#{2,4} /.test(l))
    .map((l) => l.replace(/^#+ /, '').trim()),
);

describe('hints point to places that exist', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('every README "Section" named in the code is a heading of README.md', () => {
    const missing: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/README "([^"]+)"/g)) {
        if (!headings.has(m[1])) missing.push(`${relative(fromRoot(), f)}: README "${m[1]}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every documentation file named in the code exists', () => {
    const missing: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\b((?:docs|models|pipelines|dashboards|data-samples|sql)\/[\w./-]+\.md)\b/g)) {
        if (!existsSync(fromRoot(m[1]))) missing.push(`${relative(fromRoot(), f)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
