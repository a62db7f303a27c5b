import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, sep } from 'node:path';

/**
 * Finds a Chromium for the browser tests, so `npm ci && npm test` needs nothing but Node:
 * 1. `CXP_CHROMIUM` when set (an error if it does not run);
 * 2. a system Chromium or Chrome on the PATH or at the usual Debian/Ubuntu places;
 * 3. the headless Chromium inside the `@sparticuz/chromium` dev dependency, unpacked once into the temp folder.
 *
 * Test files run in parallel worker processes, and the package unpacks to a fixed path that it treats as
 * ready as soon as it exists, so a second worker could start a half-written binary. The unpacking is
 * therefore done by one process under a lock directory; the others wait for a marker file that holds the
 * verified path.
 */
export async function findChromium(): Promise<{ path: string; source: 'env' | 'system' | 'bundled' }> {
  const fromEnv = process.env.CXP_CHROMIUM;
  if (fromEnv) {
    if (!runs(fromEnv)) throw new Error(`CXP_CHROMIUM=${fromEnv} does not run (\`${fromEnv} --version\` failed)`);
    return { path: fromEnv, source: 'env' };
  }
  const system = systemChromium();
  if (system) return { path: system, source: 'system' };
  return { path: await bundledChromium(), source: 'bundled' };
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

function systemChromium(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin', '/snap/bin'];
  for (const dir of dirs) {
    for (const name of SYSTEM_NAMES) {
      const p = join(dir, name);
      if (isExecutableFile(p) && runs(p)) return p;
    }
  }
  return undefined;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function runs(p: string): boolean {
  try {
    return /chrom/i.test(execFileSync(p, ['--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return false;
  }
}

async function bundledChromium(): Promise<string> {
  // The package's exports map hides package.json; find it from the entry point.
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const pkgJson = join(entry.slice(0, entry.lastIndexOf(`${sep}@sparticuz${sep}chromium${sep}`)), '@sparticuz', 'chromium', 'package.json');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const marker = join(tmpdir(), `cxp-chromium-${version}.ready`);
  const lock = join(tmpdir(), `cxp-chromium-${version}.lock`);
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const ready = readMarker(marker);
    if (ready) return ready;
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is unpacking; a lock older than 10 minutes belongs to a process that died.
      if (Date.now() - lockAge(lock) > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock} (another test worker unpacking Chromium)`);
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      const { default: chromium } = await import('@sparticuz/chromium');
      let path = await chromium.executablePath();
      if (!runs(path)) {
        // A binary left half-written by a killed run: remove it and unpack again.
        rmSync(path, { force: true });
        path = await chromium.executablePath();
      }
      if (!runs(path)) throw new Error(`the Chromium unpacked from @sparticuz/chromium at ${path} does not run`);
      writeFileSync(marker, path);
      return path;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

function readMarker(marker: string): string | undefined {
  if (!existsSync(marker)) return undefined;
  const path = readFileSync(marker, 'utf8').trim();
  return path && isExecutableFile(path) ? path : undefined;
}

function lockAge(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
}
