import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { quoteLiteral } from '../../../pipelines/core/sql-ident.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { CANONICAL_TABLES, ingestEnv, tableChecksum, warehouseChecksums, type IngestEnv } from './ingest-helpers.js';

const SOURCES = {
  customers: { path: 'customers-*.csv' },
  purchases: { path: 'purchases-*.csv' },
};

/** Fingerprints that two warehouses built from the same relative files in different dirs share. */
async function portableChecksums(wh: Warehouse): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of CANONICAL_TABLES) {
    out[t] = await tableChecksum(wh, t, ['loaded_run_id', 'updated_run_id', 'run_id', 'ingested_at', 'rejected_at', 'file', 'modified_at', 'changed_at']);
  }
  return out;
}

/**
 * Writes the base files (small) and the big second batch. Generated with DuckDB so the test needs no
 * checked-in megabytes; the content is deterministic (no random()).
 */
async function writeInputs(env: IngestEnv, big: boolean): Promise<void> {
  const q = (name: string) => quoteLiteral(join(env.dir, name));
  await env.wh.run(`copy (select 'C' || i as customer_id, 'DE' as country, (i % 2 = 0) as marketing_consent from range(1000) t(i)) to ${q('customers-1.csv')} (header)`);
  await env.wh.run(`copy (select 'O' || i as order_id, 'C' || (i % 1000) as customer_id, timestamp '2026-01-01' + to_minutes(i) as ordered_at, (i % 50)::decimal(18,2) as amount from range(2000) t(i)) to ${q('purchases-1.csv')} (header)`);
  if (!big) return;
  // Second batch: 1,000 customer updates + new customers, and 600k purchases (a few bad, some for unknown customers).
  await env.wh.run(`copy (select 'C' || i as customer_id, case when i < 1000 then 'FR' else 'US' end as country, true as marketing_consent from range(50000) t(i)) to ${q('customers-2.csv')} (header)`);
  await env.wh.run(`copy (select 'O' || i as order_id, 'C' || (i % 60000) as customer_id,
      case when i % 100000 = 7 then 'not a date' else strftime(timestamp '2026-01-01' + to_seconds(i), '%Y-%m-%d %H:%M:%S') end as ordered_at,
      (i % 97)::decimal(18,2) as amount, case when i % 10 = 0 then 'refunded' else 'completed' end as status
    from range(2000, 602000) t(i)) to ${q('purchases-2.csv')} (header)`);
}

describe('ingest is atomic', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv('cxp-atomic-');
  });
  afterEach(() => env.close());

  it('a failure in a later source leaves the warehouse exactly as before (rows, rejects, file records)', async () => {
    await writeInputs(env, false);
    await env.ingest(SOURCES);
    const before = await warehouseChecksums(env.wh);
    // Customers change (would be updates) but purchases has a file missing a required column.
    env.write('customers-3.csv', 'customer_id,country\nC1,SE\nNEW,SE\n');
    env.write('purchases-9.csv', 'order_id,customer_id,amount\nX,C1,5\n');
    const err = await env.ingest(SOURCES).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('CXP_ERR_SOURCE_COLUMN_MISSING');
    expect(await warehouseChecksums(env.wh)).toEqual(before);
    expect(await env.wh.one("select country from customers where customer_id = 'C1'")).toEqual({ country: 'DE' });
  });

  it('re-running on the same files changes nothing, and skips every file', async () => {
    await writeInputs(env, false);
    const first = await env.ingest(SOURCES);
    expect(first.sources.purchases).toMatchObject({ read: 2000, loaded: 2000, files: 1, skipped_files: 0 });
    const before = await warehouseChecksums(env.wh);
    const again = await env.ingest(SOURCES);
    expect(again.sources.customers).toEqual({ read: 0, loaded: 0, updated: 0, duplicate: 0, rejected: 0, conflicts: 0, files: 1, skipped_files: 1 });
    expect(again.sources.purchases).toEqual({ read: 0, loaded: 0, updated: 0, duplicate: 0, rejected: 0, conflicts: 0, files: 1, skipped_files: 1 });
    expect(await warehouseChecksums(env.wh)).toEqual(before);
  });

  it('forgetting the file records (forcing a re-read of every row) still changes no canonical row', async () => {
    await writeInputs(env, false);
    await env.ingest(SOURCES);
    const before = await warehouseChecksums(env.wh);
    await env.wh.run('delete from ingested_files');
    const again = await env.ingest(SOURCES);
    expect(again.sources.purchases).toMatchObject({ read: 2000, loaded: 0, updated: 0, duplicate: 2000 });
    expect(again.sources.customers).toMatchObject({ read: 1000, loaded: 0, updated: 0, duplicate: 1000 });
    const after = await warehouseChecksums(env.wh);
    for (const t of ['customers', 'purchases', 'interactions', 'surveys', 'survey_answers', 'rejected_rows']) expect(after[t]).toBe(before[t]);
  });

  it('killing the process mid-run leaves the previous state; running again equals one clean run', async () => {
    await writeInputs(env, false);
    await env.ingest(SOURCES);
    const base = await warehouseChecksums(env.wh);
    await writeInputs(env, true);
    const configPath = join(env.dir, 'cxpulse.config.json');
    writeFileSync(configPath, JSON.stringify({ warehouse: 'child.duckdb', sources: SOURCES }));
    // The child gets its own copy of the base warehouse (checkpointed, so the file alone is the state).
    await env.wh.checkpoint();
    copyFileSync(join(env.dir, 'warehouse.duckdb'), join(env.dir, 'child.duckdb'));

    const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('tests', 'pipelines', 'sources', 'ingest-child.ts'), configPath, 'killed-run'], {
      cwd: fromRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.on('exit', (code, signal) => res({ code, signal })),
    );
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('landing staged rows in one transaction')) {
          // Inside the transaction: the merge of 600k rows is under way.
          setTimeout(() => {
            child.kill('SIGKILL');
            res();
          }, 100);
        }
      });
      child.on('exit', () => rej(new Error(`child exited before it could be killed:\n${out}\n${stderr}`)));
    });
    const { signal } = await exited;
    expect(signal).toBe('SIGKILL');
    expect(out).not.toContain('done ');

    const killed = await Warehouse.open(join(env.dir, 'child.duckdb'));
    try {
      await migrate(killed);
      expect(await warehouseChecksums(killed)).toEqual(base);
      // Run again (in this process): must finish and equal a clean run of both batches.
      const { runIngest } = await import('../../../pipelines/sources/run-ingest.js');
      const { silentLogger } = await import('../../../pipelines/core/logger.js');
      const { fixedClock } = await import('../../../pipelines/core/clock.js');
      const rerun = await runIngest({ warehouse: killed, config: env.config(SOURCES), runId: 'rerun', clock: fixedClock('2026-07-02T00:00:00Z'), logger: silentLogger });
      expect(rerun.sources.purchases).toMatchObject({ read: 600_000, rejected: 6, skipped_files: 1 });
      const afterKill = await portableChecksums(killed);

      // Reference: the same two batches in a fresh warehouse, no kill.
      const clean = await ingestEnv('cxp-clean-');
      try {
        await writeInputs(clean, false);
        await clean.ingest(SOURCES);
        await writeInputs(clean, true);
        await clean.ingest(SOURCES);
        expect(afterKill).toEqual(await portableChecksums(clean.wh));
      } finally {
        clean.close();
      }
    } finally {
      killed.close();
    }
  }, 300_000); // two ingests of 600k rows and a child process: minutes on a busy 2-core machine
});
