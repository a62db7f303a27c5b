/**
 * The peer comparison of `npm run bench`: the whole `cxpulse run` against a plain pandas + scikit-learn
 * script (bench/peer_pandas_sklearn.py) on the same generated files, for the standard data and for the
 * `foreign` variant (other column names, US-format timestamps, many long-dead customers). Each side runs in
 * its own process under /usr/bin/time, so the figures include start-up and peak RSS is its own.
 *
 * The peer needs Debian's python3-pandas and python3-sklearn (benchmark only, never the product):
 *   apt-get install -y python3-pandas python3-sklearn
 * Without them the rows say so and the cxpulse side is still measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../pipelines/core/paths.js';

export interface TimedRun {
  seconds: number;
  rssMb: number;
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command under GNU time: wall seconds, peak RSS (MB), output. */
export function timedRun(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-v', cmd, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ seconds: (performance.now() - t0) / 1000, rssMb: m ? Math.round(Number(m[1]) / 1024) : -1, stdout, stderr, code: code ?? 1 });
    });
  });
}

/** Generates a csv sample set once (cached in bench/out/, git-ignored). */
export async function ensureSamples(dir: string, customers: number, variant: 'standard' | 'foreign', log: (s: string) => void): Promise<void> {
  if (existsSync(join(dir, 'cxpulse.config.json')) && existsSync(join(dir, 'EXPECTED.json'))) return;
  log(`generating ${customers.toLocaleString('en')} customers (${variant}) into ${dir} ...`);
  const r = await timedRun(process.execPath, ['--import', 'tsx', fromRoot('data-samples', 'generate.ts'), '--customers', String(customers), '--format', 'csv', '--variant', variant, '--out', dir], { cwd: fromRoot() });
  if (r.code !== 0) throw new Error(`sample generation failed: ${r.stderr.slice(-2000)}`);
}

/** A config for a generated set: its own sources (absolute paths), a fresh warehouse and exports in workDir. */
export function benchConfig(dataDir: string, workDir: string, extra: Record<string, unknown> = {}): string {
  const generated = JSON.parse(readFileSync(join(dataDir, 'cxpulse.config.json'), 'utf8')) as { sources: Record<string, Record<string, unknown>> };
  const sources = Object.fromEntries(Object.entries(generated.sources).map(([k, v]) => [k, { ...v, path: join(dataDir, String(v.path)) }]));
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const path = join(workDir, 'cxpulse.config.json');
  writeFileSync(path, JSON.stringify({ warehouse: 'warehouse.duckdb', sources, exports: { dir: 'exports' }, ...extra }, null, 2));
  return path;
}

function peerAvailable(): string | null {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import pandas, sklearn'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'python3-pandas / python3-sklearn not installed (apt-get install -y python3-pandas python3-sklearn)';
  }
}

export interface PeerRow {
  variant: string;
  customers: number;
  cxpulse_s: number | null;
  cxpulse_rss_mb: number | null;
  peer_s: number | null;
  peer_rss_mb: number | null;
  ratio: number | null;
  note: string;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/**
 * Each variant: `runs` rounds of cxpulse then the peer, alternating, each cxpulse run on a fresh warehouse.
 * A single run of either moves by about 10% on these machines (docs/benchmarks.md), so the ratio is of
 * the medians, and the note lists every run.
 */
export async function benchPeer(opts: { customers: number; variants: ('standard' | 'foreign')[]; runs?: number; log: (s: string) => void }): Promise<PeerRow[]> {
  const out: PeerRow[] = [];
  const missing = peerAvailable();
  const rounds = Math.max(1, opts.runs ?? 3);
  for (const variant of opts.variants) {
    const dataDir = fromRoot('bench', 'out', `peer-data-${variant}-${opts.customers}`);
    await ensureSamples(dataDir, opts.customers, variant, opts.log);
    const workDir = fromRoot('bench', 'out', `peer-run-${variant}-${opts.customers}`);
    const cxRuns: TimedRun[] = [];
    const peerRuns: TimedRun[] = [];
    let failure = '';
    for (let round = 1; round <= rounds && !failure; round++) {
      // A fresh warehouse every round: nothing is up to date, every job runs.
      const config = benchConfig(dataDir, workDir);
      opts.log(`cxpulse run (${variant}, ${round} of ${rounds}) ...`);
      const cx = await timedRun(process.execPath, [fromRoot('dist', 'pipelines', 'cli', 'main.js'), 'run', '--config', config], { cwd: workDir });
      if (cx.code !== 0) {
        opts.log(cx.stderr.slice(-3000));
        failure = `cxpulse exit ${cx.code}`;
        break;
      }
      cxRuns.push(cx);
      if (missing) continue;
      opts.log(`pandas + scikit-learn peer (${variant}, ${round} of ${rounds}) ...`);
      const peer = await timedRun('/usr/bin/python3', [fromRoot('bench', 'peer_pandas_sklearn.py'), dataDir, '--trees', '500', '--jobs', '2']);
      if (peer.code !== 0) {
        opts.log(peer.stderr.slice(-3000));
        failure = `peer exit ${peer.code}`;
        break;
      }
      peerRuns.push(peer);
    }
    const okCx = !failure && cxRuns.length === rounds;
    const okPeer = !failure && !missing && peerRuns.length === rounds;
    const secs = (rs: TimedRun[]) => rs.map((r) => r.seconds.toFixed(1)).join(' / ');
    let note = failure || missing || '';
    if (okCx && okPeer) {
      const detail = JSON.parse(peerRuns[peerRuns.length - 1].stdout.trim().split('\n').pop()!) as { seconds: Record<string, number> };
      note = `median of ${rounds} alternating runs; cxpulse ${secs(cxRuns)} s, peer ${secs(peerRuns)} s; last peer's steps ${Object.entries(detail.seconds)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')}`;
    }
    const cxS = okCx ? median(cxRuns.map((r) => r.seconds)) : null;
    const peerS = okPeer ? median(peerRuns.map((r) => r.seconds)) : null;
    out.push({
      variant,
      customers: opts.customers,
      cxpulse_s: cxS,
      cxpulse_rss_mb: okCx ? Math.max(...cxRuns.map((r) => r.rssMb)) : null,
      peer_s: peerS,
      peer_rss_mb: okPeer ? Math.max(...peerRuns.map((r) => r.rssMb)) : null,
      ratio: cxS !== null && peerS !== null ? peerS / cxS : null,
      note: note.trim(),
    });
  }
  return out;
}
