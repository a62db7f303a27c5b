import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { readManifest, writeExports } from '../../../pipelines/export/write-exports.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function seeded() {
  const t = await tempWarehouse();
  cleanups.push(t.cleanup);
  await t.wh.run(`insert into customers (customer_id, email, marketing_consent, loaded_run_id) values ('c1', 'a@example.com', true, 'r1'), ('c2', 'b@example.com', false, 'r1')`);
  await t.wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('o1', 'c1', '2026-01-01', 10.5, 'completed')`);
  return t;
}

const canonical = EXPORT_DATASETS.filter((d) => ['customers', 'purchases', 'interactions', 'surveys'].includes(d.name));

describe('writeExports', () => {
  it('writes one Parquet file per dataset and a manifest that matches the files', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    const { written } = await writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: false, runId: 'r1', now: new Date('2026-07-01T00:00:00Z') });
    expect(written.map((w) => w.dataset).sort()).toEqual(['customers', 'interactions', 'purchases', 'surveys']);
    const manifest = readManifest(out);
    for (const e of manifest.datasets) {
      const file = join(out, e.path);
      expect(e.path).toBe(`${e.dataset}/as_of=2026-06-30/data.parquet`);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(e.sha256);
      const n = await wh.one<{ n: number }>('select count(*) as n from read_parquet($1)', [file]);
      expect(n?.n).toBe(e.rows);
    }
    expect(manifest.datasets.find((d) => d.dataset === 'customers')?.rows).toBe(2);
    // No temp files left behind.
    expect(readdirSync(join(out, 'customers', 'as_of=2026-06-30'))).toEqual(['data.parquet']);
  });

  it('leaves out PII and bookkeeping unless asked', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    await writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: false, runId: 'r1', now: new Date() });
    const cols = readManifest(out).datasets.find((d) => d.dataset === 'customers')!.columns.map((c) => c.name);
    expect(cols).not.toContain('email');
    expect(cols).not.toContain('loaded_run_id');
    const rows = await wh.all('select * from read_parquet($1)', [join(out, 'customers/as_of=2026-06-30/data.parquet')]);
    expect(Object.keys(rows[0])).not.toContain('email');

    await writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: true, runId: 'r2', now: new Date() });
    const withPii = readManifest(out).datasets.find((d) => d.dataset === 'customers')!;
    expect(withPii.columns.map((c) => c.name)).toContain('email');
    expect(withPii.run_id).toBe('r2');
  });

  it('re-exporting the same as_of replaces the partition; another as_of adds one', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    const opts = { dir: out, includePii: false, runId: 'r', now: new Date() };
    await writeExports(wh, canonical, { ...opts, asOf: '2026-06-30' });
    const first = readManifest(out).datasets.map((d) => [d.dataset, d.as_of, d.sha256]);
    await writeExports(wh, canonical, { ...opts, asOf: '2026-06-30' });
    expect(readManifest(out).datasets.map((d) => [d.dataset, d.as_of, d.sha256])).toEqual(first);
    await writeExports(wh, canonical, { ...opts, asOf: '2026-07-31' });
    expect(readManifest(out).datasets.filter((d) => d.dataset === 'purchases').map((d) => d.as_of)).toEqual(['2026-06-30', '2026-07-31']);
    expect(existsSync(join(out, 'purchases/as_of=2026-07-31/data.parquet'))).toBe(true);
  });

  it('skips datasets whose table does not exist yet', async () => {
    const { wh, dir } = await seeded();
    const res = await writeExports(wh, [{ name: 'nope', table: 'no_such_table' }], { dir: join(dir, 'e'), asOf: '2026-06-30', includePii: false, runId: 'r', now: new Date() });
    expect(res).toEqual({ written: [], skipped: ['nope'] });
  });
});

describe('writeExports when a dataset fails', () => {
  it('a failed copy leaves every previous file and the manifest as they were', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    const opts = { dir: out, asOf: '2026-06-30', includePii: false, now: new Date() };
    await writeExports(wh, canonical, { ...opts, runId: 'r1' });
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const customersFile = join(out, 'customers/as_of=2026-06-30/data.parquet');
    const customersBefore = readFileSync(customersFile);
    await wh.run("insert into customers (customer_id) values ('c3')");
    // Block the purchases temp file with a non-empty directory, so its COPY fails after customers was written.
    const blocker = join(out, `purchases/as_of=2026-06-30/data.parquet.tmp-${process.pid}`);
    mkdirSync(join(blocker, 'x'), { recursive: true });
    await expect(writeExports(wh, canonical, { ...opts, runId: 'r2' })).rejects.toMatchObject({ code: 'CXP_ERR_EXPORT_FAILED' });
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
    expect(readFileSync(customersFile).equals(customersBefore)).toBe(true);
    expect(readdirSync(join(out, 'customers/as_of=2026-06-30'))).toEqual(['data.parquet']);
  });

  it('when a move into place fails, the manifest describes exactly the files that were moved', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    // Something that is not a file sits where the purchases export goes.
    mkdirSync(join(out, 'purchases/as_of=2026-06-30/data.parquet/x'), { recursive: true });
    await expect(
      writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: false, runId: 'r1', now: new Date() }),
    ).rejects.toMatchObject({ code: 'CXP_ERR_EXPORT_FAILED' });
    for (const e of readManifest(out).datasets) {
      expect(createHash('sha256').update(readFileSync(join(out, e.path))).digest('hex')).toBe(e.sha256);
    }
    expect(readManifest(out).datasets.map((d) => d.dataset)).not.toContain('purchases');
  });
});
