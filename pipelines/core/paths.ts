import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where package.json is), found from this file whether run from src or dist. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'sql'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cxpulse: cannot find the package root (package.json with sql/)');
    dir = parent;
  }
}

export function fromRoot(...parts: string[]): string {
  return resolve(projectRoot(), ...parts);
}
