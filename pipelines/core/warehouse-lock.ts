import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

/**
 * Who holds the warehouse file when DuckDB refuses to open it. DuckDB allows one process per file
 * (even read-only openers are refused while a writer holds it) and names the holder in its error:
 * `Conflicting lock is held in /usr/bin/node (PID 4242)`. A cxpulse server announces itself beside
 * the warehouse (`<warehouse>.server.json`: pid and URL), so a second command can point to it; the
 * announcement counts only when its pid is the one DuckDB names.
 */
export interface LockHolder {
  pid?: number;
  /** The executable DuckDB names. */
  program?: string;
  /** Its command line, where the OS tells (Linux /proc). */
  commandLine?: string;
  /** Set when the holder is a cxpulse server on this warehouse. */
  server?: ServerInfo;
  /** The holder runs cxpulse (a server or another command). */
  isCxpulse: boolean;
}

export interface ServerInfo {
  pid: number;
  url: string;
  started_at: string;
}

/** What to tell the user for one command, given who holds the file. */
export type LockAdvice = (holder: LockHolder) => string;

export function serverInfoPath(warehousePath: string): string {
  return `${warehousePath}.server.json`;
}

export function writeServerInfo(warehousePath: string, info: ServerInfo): void {
  writeFileAtomic(serverInfoPath(warehousePath), JSON.stringify(info) + '\n');
}

/** Removes the announcement if it is this process's (a newer server's stays). */
export function removeServerInfo(warehousePath: string, pid = process.pid): void {
  const info = readServerInfo(warehousePath);
  if (info?.pid === pid) rmSync(serverInfoPath(warehousePath), { force: true });
}

export function readServerInfo(warehousePath: string): ServerInfo | undefined {
  const p = serverInfoPath(warehousePath);
  if (!existsSync(p)) return undefined;
  try {
    const v = JSON.parse(readFileSync(p, 'utf8')) as Partial<ServerInfo>;
    return typeof v.pid === 'number' && typeof v.url === 'string' ? { pid: v.pid, url: v.url, started_at: String(v.started_at ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** PID and program from DuckDB's lock error, when it gives them. */
export function parseLockMessage(message: string): { pid?: number; program?: string } {
  const m = /lock is held in (.*?) \(PID (\d+)\)/i.exec(message);
  if (!m) return {};
  return { program: m[1], pid: Number(m[2]) };
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** A cxpulse command: the `cxpulse` bin, or node running pipelines/cli/main (dist or source). */
function isCxpulseArgv(argv: string[]): boolean {
  return argv.slice(0, 4).some((a) => /(^|[/\\])cxpulse$/.test(a) || /pipelines[/\\]cli[/\\]main\.(js|ts)$/.test(a));
}

export function lockHolderOf(warehousePath: string, message: string): LockHolder {
  const { pid, program } = parseLockMessage(message);
  const argv = pid !== undefined ? argvOf(pid) : [];
  const info = readServerInfo(warehousePath);
  const server = info && pid !== undefined && info.pid === pid ? info : undefined;
  return { pid, program, commandLine: argv.length ? argv.join(' ') : undefined, server, isCxpulse: server !== undefined || isCxpulseArgv(argv) };
}

/** "the cxpulse server at http://127.0.0.1:3000 (PID 4242)", "PID 4242 (duckdb -readonly wh.duckdb)". */
export function describeHolder(h: LockHolder): string {
  if (h.pid === undefined) return 'another process (DuckDB did not say which)';
  if (h.server) return `the cxpulse server at ${h.server.url} (PID ${h.pid})`;
  const what = h.commandLine ?? h.program;
  const shown = what && what.length > 160 ? `${what.slice(0, 157)}...` : what;
  return `${h.isCxpulse ? 'another cxpulse command, ' : ''}PID ${h.pid}${shown ? ` (${shown})` : ''}`;
}

/** Used when the caller gives no advice of its own: stop the holder. */
export const stopHolderAdvice: LockAdvice = (h) =>
  h.pid === undefined ? 'close the program that has it open, then try again' : `stop that process (PID ${h.pid}) first, then try again`;
