import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeHolder, lockHolderOf, parseLockMessage, readServerInfo, removeServerInfo, writeServerInfo } from '../../../pipelines/core/warehouse-lock.js';

// DuckDB 1.5's message, verbatim.
const MESSAGE = (pid: number) =>
  `IO Error: Could not set lock on file "/x/warehouse.duckdb": Conflicting lock is held in /usr/bin/node (PID ${pid}). See also https://duckdb.org/docs/stable/connect/concurrency`;

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe('lock holder', () => {
  it('reads PID and program from DuckDB\'s message', () => {
    expect(parseLockMessage(MESSAGE(4242))).toEqual({ pid: 4242, program: '/usr/bin/node' });
    expect(parseLockMessage('IO Error: Could not set lock on file "x"')).toEqual({});
  });

  it('recognises a cxpulse server only when its announcement names the PID DuckDB gives', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxp-lock-'));
    dirs.push(dir);
    const wh = join(dir, 'warehouse.duckdb');
    writeServerInfo(wh, { pid: process.pid, url: 'http://127.0.0.1:3999', started_at: '2026-01-01T00:00:00Z' });
    const holder = lockHolderOf(wh, MESSAGE(process.pid));
    expect(holder.server?.url).toBe('http://127.0.0.1:3999');
    expect(describeHolder(holder)).toBe(`the cxpulse server at http://127.0.0.1:3999 (PID ${process.pid})`);
    // A stale announcement (another PID holds the file) is ignored.
    const other = lockHolderOf(wh, MESSAGE(process.pid + 1_000_000));
    expect(other.server).toBeUndefined();
    expect(describeHolder(other)).toMatch(new RegExp(`^PID ${process.pid + 1_000_000}`));
    removeServerInfo(wh, process.pid + 1);
    expect(readServerInfo(wh)).toBeDefined();
    removeServerInfo(wh);
    expect(readServerInfo(wh)).toBeUndefined();
  });

  it('shows the holder\'s command line where the OS tells it', () => {
    const holder = lockHolderOf('/nonexistent/warehouse.duckdb', MESSAGE(process.pid));
    if (process.platform === 'linux') expect(holder.commandLine).toContain(process.argv[1].split('/').pop()!);
    expect(describeHolder({ isCxpulse: false })).toMatch(/another process/);
  });
});
