/**
 * The scaling table of `npm run bench`: each job of `cxpulse run` in its own process (so each step's peak
 * RSS is its own) at several sizes, next to DuckDB's bare `read_csv` of the same files, so users see how
 * cost grows and which step grows fastest.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../pipelines/core/paths.js';
import { bareDuckdb } from './ingest.js';
import { benchConfig, ensureSamples, timedRun } from './peer.js';

export const SCALING_STEPS = ['ingest', 'transform', 'score', 'export', 'triggers'] as const;

export interface ScalingRow {
  customers: number;
  bare_read_s: number;
  steps: Record<string, { seconds: number; rss_mb: number; ok: boolean }>;
  total_s: number;
  peak_rss_mb: number;
}

export async function benchScaling(opts: { sizes: number[]; log: (s: string) => void }): Promise<ScalingRow[]> {
  const out: ScalingRow[] = [];
  for (const customers of opts.sizes) {
    const dataDir = fromRoot('bench', 'out', `scaling-data-${customers}`);
    await ensureSamples(dataDir, customers, 'standard', opts.log);
    const workDir = fromRoot('bench', 'out', `scaling-run-${customers}`);
    // The cap docs/operations.md recommends for a machine of this size (and the pipeline row's): peak RSS is DuckDB's
    // buffer pool plus the churn model's arrays, and the cap is the part a user sets.
    const config = benchConfig(dataDir, workDir, { duckdb: { memoryLimit: '1.5GB' } });
    const bareDir = join(workDir, 'bare');
    mkdirSync(bareDir, { recursive: true });
    opts.log(`bare read_csv (${customers.toLocaleString('en')}) ...`);
    const bare = await bareDuckdb(dataDir, bareDir);
    const steps: ScalingRow['steps'] = {};
    for (const step of SCALING_STEPS) {
      opts.log(`cxpulse run ${step} (${customers.toLocaleString('en')}) ...`);
      const r = await timedRun(process.execPath, [fromRoot('dist', 'pipelines', 'cli', 'main.js'), 'run', step, '--config', config], { cwd: workDir });
      if (r.code !== 0) opts.log(r.stderr.slice(-3000));
      steps[step] = { seconds: r.seconds, rss_mb: r.rssMb, ok: r.code === 0 };
      if (r.code !== 0) break;
    }
    const all = Object.values(steps);
    out.push({
      customers,
      bare_read_s: bare.ms / 1000,
      steps,
      total_s: all.reduce((a, s) => a + s.seconds, 0),
      peak_rss_mb: Math.max(...all.map((s) => s.rss_mb)),
    });
  }
  return out;
}
