import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { openContext } from '../../../pipelines/cli/open-context.js';

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** DuckDB prints a size in MiB with one decimal, cut (not rounded): 512MB = 512,000,000 bytes. */
const mib = (bytes: number) => `${(Math.floor((bytes / 2 ** 20) * 10) / 10).toFixed(1)} MiB`;

/** Opens the warehouse of a config file the way every command does, and reads DuckDB's settings back. */
async function settingsOpened(duckdb: Record<string, unknown> | undefined): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'cxp-duckdb-settings-'));
  made.push(dir);
  const path = join(dir, 'cxpulse.config.json');
  writeFileSync(path, JSON.stringify({ warehouse: 'w.duckdb', sources: { purchases: { path: 'in/*.csv' } }, exports: { dir: 'exports' }, ...(duckdb ? { duckdb } : {}) }));
  const ctx = await openContext({ config: path, command: 'run' });
  try {
    const row = await ctx.warehouse.one<Record<string, string>>(
      "select current_setting('block_allocator_memory') as block, current_setting('memory_limit') as memory, current_setting('threads')::varchar as threads",
    );
    return row!;
  } finally {
    ctx.warehouse.close();
  }
}

describe('duckdb settings of the config', () => {
  it('lets DuckDB keep 512MB of freed blocks when no memoryLimit is set (docs/decisions/0020)', async () => {
    const s = await settingsOpened(undefined);
    expect(s.block).toBe(mib(512e6));
  });

  it('keeps the block allocator off under a memoryLimit unless it is set too', async () => {
    const capped = await settingsOpened({ memoryLimit: '1GB', threads: 1 });
    expect(capped.block).toBe('0 bytes');
    // DuckDB keeps a little of memory_limit back for itself, so only the order of magnitude is checked.
    expect(capped.memory).toMatch(/^9\d\d\.\d MiB$/);
    expect(capped.threads).toBe('1');
    expect((await settingsOpened({ memoryLimit: '1GB', blockAllocatorMemory: '256MB' })).block).toBe(mib(256e6));
  });

  it('takes an explicit size; 0MB turns the allocator off', async () => {
    expect((await settingsOpened({ blockAllocatorMemory: '1GB' })).block).toBe(mib(1e9));
    expect((await settingsOpened({ blockAllocatorMemory: '0MB' })).block).toBe('0 bytes');
  });

  it('refuses a percentage (DuckDB 1.5.5 aborts on one given at open) as a config error naming the key', () => {
    let problems: string[] = [];
    try {
      resolveConfig({ sources: { purchases: { path: 'x.csv' } }, duckdb: { blockAllocatorMemory: '50%' } }, '/x');
    } catch (err) {
      expect(err).toBeInstanceOf(CxpError);
      problems = (err as CxpError).details.problems as string[];
    }
    expect(problems.join('\n')).toContain('duckdb.blockAllocatorMemory');
  });
});
