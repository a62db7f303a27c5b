import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
  it('writes each dataset in its layout and a manifest that matches the files', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    const { written } = await writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: false, runId: 'r1', now: new Date('2026-07-01T00:00:00Z') });
    // Interactions and surveys have no rows: no event partition at all.
    expect(written.map((w) => w.path).sort()).toEqual([
      'events/purchases/ordered_month=2026-01/data.parquet',
      'history/customers/as_of=2026-06-30/data.parquet',
      'latest/customers/data.parquet',
    ]);
    const manifest = readManifest(out);
    expect(manifest.latest_as_of).toBe('2026-06-30');
    for (const e of manifest.datasets) {
      const file = join(out, e.path);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(e.sha256);
      const n = await wh.one<{ n: number }>('select count(*) as n from read_parquet($1, hive_partitioning = false)', [file]);
      expect(n?.n).toBe(e.rows);
      expect(e.run_id).toBe('r1');
      expect(e.run_as_of).toBe('2026-06-30');
    }
    expect(manifest.datasets.find((d) => d.path === 'latest/customers/data.parquet')).toMatchObject({ rows: 2, as_of: '2026-06-30', kind: 'latest', partition: null });
    expect(manifest.datasets.find((d) => d.dataset === 'purchases')).toMatchObject({ kind: 'events', as_of: null, partition: { ordered_month: '2026-01' } });
    // No temp files left behind.
    expect(readdirSync(join(out, 'latest', 'customers'))).toEqual(['data.parquet']);
  });

  it('leaves out PII and bookkeeping unless asked', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    await writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: false, runId: 'r1', now: new Date() });
    const cols = readManifest(out).datasets.find((d) => d.dataset === 'customers')!.columns.map((c) => c.name);
    expect(cols).not.toContain('email');
    expect(cols).not.toContain('loaded_run_id');
    const rows = await wh.all('select * from read_parquet($1)', [join(out, 'latest/customers/data.parquet')]);
    expect(Object.keys(rows[0])).not.toContain('email');

    await writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: true, runId: 'r2', now: new Date() });
    const withPii = readManifest(out).datasets.find((d) => d.dataset === 'customers')!;
    expect(withPii.columns.map((c) => c.name)).toContain('email');
    expect(withPii.run_id).toBe('r2');
  });

  it('re-exporting unchanged data rewrites nothing; an event month is rewritten only when it changed', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    const opts = { dir: out, includePii: false, runId: 'r', now: new Date() };
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('o2', 'c2', '2026-02-03', 5, 'completed')`);
    await writeExports(wh, canonical, { ...opts, asOf: '2026-06-30' });
    const first = readManifest(out).datasets.map((d) => [d.path, d.sha256, d.written_at]);
    const again = await writeExports(wh, canonical, { ...opts, asOf: '2026-06-30', runId: 'r2' });
    expect(again.written).toEqual([]);
    expect(readManifest(out).datasets.map((d) => [d.path, d.sha256, d.written_at])).toEqual(first);
    await wh.run(`update purchases set status = 'refunded' where order_id = 'o2'`);
    const third = await writeExports(wh, canonical, { ...opts, asOf: '2026-06-30', runId: 'r3' });
    expect(third.written.map((w) => w.path)).toEqual(['events/purchases/ordered_month=2026-02/data.parquet']);
  });

  it('a later as-of adds a history partition and moves latest/; an earlier one after it leaves latest/ alone', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    const opts = { dir: out, includePii: false, runId: 'r', now: new Date() };
    await writeExports(wh, canonical, { ...opts, asOf: '2026-06-30' });
    await writeExports(wh, canonical, { ...opts, asOf: '2026-07-31' });
    await writeExports(wh, canonical, { ...opts, asOf: '2026-05-31' });
    const m = readManifest(out);
    expect(m.latest_as_of).toBe('2026-07-31');
    expect(m.datasets.filter((d) => d.dataset === 'customers' && d.kind === 'history').map((d) => d.as_of)).toEqual(['2026-05-31', '2026-06-30', '2026-07-31']);
    expect(m.datasets.find((d) => d.dataset === 'customers' && d.kind === 'latest')?.as_of).toBe('2026-07-31');
    expect(m.datasets.filter((d) => d.dataset === 'purchases')).toHaveLength(1);
  });

  it('removes the files of the earlier layout, which held a full copy per as-of', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    mkdirSync(join(out, 'purchases/as_of=2026-05-31'), { recursive: true });
    await wh.run(`copy (select * from purchases) to '${join(out, 'purchases/as_of=2026-05-31/data.parquet')}' (format parquet)`);
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ generated_at: '', datasets: [{ dataset: 'purchases', as_of: '2026-05-31', path: 'purchases/as_of=2026-05-31/data.parquet', rows: 1, columns: [], sha256: '', written_at: '', run_id: 'old' }] }));
    await writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: false, runId: 'r', now: new Date() });
    expect(existsSync(join(out, 'purchases'))).toBe(false);
    expect(readManifest(out).datasets.map((d) => d.path)).not.toContain('purchases/as_of=2026-05-31/data.parquet');
  });

  it('skips datasets whose table does not exist yet', async () => {
    const { wh, dir } = await seeded();
    const res = await writeExports(wh, [{ name: 'nope', table: 'no_such_table', layout: { kind: 'current' }, description: '' }], { dir: join(dir, 'e'), asOf: '2026-06-30', includePii: false, runId: 'r', now: new Date() });
    expect(res).toMatchObject({ written: [], skipped: ['nope'] });
  });
});

describe('writeExports when a dataset fails', () => {
  it('a failed copy leaves every previous file and the manifest as they were', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    const opts = { dir: out, asOf: '2026-06-30', includePii: false, now: new Date() };
    await writeExports(wh, canonical, { ...opts, runId: 'r1' });
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const customersFile = join(out, 'latest/customers/data.parquet');
    const customersBefore = readFileSync(customersFile);
    await wh.run("insert into customers (customer_id) values ('c3')");
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values ('o9', 'c3', '2026-01-09', 1, 'completed')`);
    // Block the purchases staging folder (its partitions are written by one COPY) with a file, so its
    // COPY fails after customers was written.
    writeFileSync(join(out, `events/purchases.tmp-${process.pid}`), 'in the way');
    await expect(writeExports(wh, canonical, { ...opts, runId: 'r2' })).rejects.toMatchObject({ code: 'CXP_ERR_EXPORT_FAILED' });
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
    expect(readFileSync(customersFile).equals(customersBefore)).toBe(true);
    expect(readdirSync(join(out, 'latest/customers'))).toEqual(['data.parquet']);
  });

  it('when a move into place fails, the manifest describes exactly the files that were moved', async () => {
    const { wh, dir } = await seeded();
    const out = join(dir, 'exports');
    // Something that is not a file sits where the purchases export goes.
    mkdirSync(join(out, 'events/purchases/ordered_month=2026-01/data.parquet/x'), { recursive: true });
    await expect(
      writeExports(wh, canonical, { dir: out, asOf: '2026-06-30', includePii: false, runId: 'r1', now: new Date() }),
    ).rejects.toMatchObject({ code: 'CXP_ERR_EXPORT_FAILED' });
    for (const e of readManifest(out).datasets) {
      expect(createHash('sha256').update(readFileSync(join(out, e.path))).digest('hex')).toBe(e.sha256);
    }
    expect(readManifest(out).datasets.map((d) => d.dataset)).not.toContain('purchases');
  });
});
