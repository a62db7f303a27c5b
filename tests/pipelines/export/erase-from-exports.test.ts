import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { CATALOG_FILE, writeCatalog } from '../../../pipelines/export/catalog.js';
import { eraseFromExports } from '../../../pipelines/export/erase-from-exports.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { readManifest, writeExports } from '../../../pipelines/export/write-exports.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('eraseFromExports', () => {
  it('removes the customer from every partition already written and keeps the manifest true', async () => {
    const { wh, dir, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await wh.run(`insert into customers (customer_id, email) values ('c1', 'one@x.test'), ('c2', 'two@x.test')`);
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('o1', 'c1', '2026-01-01', 10, 'completed'), ('o2', 'c2', '2026-01-02', 20, 'completed'), ('o3', 'c1', '2026-01-03', 30, 'completed')`);
    const out = join(dir, 'exports');
    const datasets = EXPORT_DATASETS.filter((d) => ['customers', 'purchases'].includes(d.name));
    // customers: latest/ and two history partitions (two as-of dates), all holding c1; purchases once, in its month.
    for (const asOf of ['2026-05-31', '2026-06-30']) {
      await writeExports(wh, datasets, { dir: out, asOf, includePii: true, runId: 'r', now: new Date() });
    }
    const res = await eraseFromExports(wh, out, 'c1');
    expect(res).toMatchObject({ files: 4, rows: 5 });
    for (const e of readManifest(out).datasets) {
      const file = join(out, e.path);
      const n = await wh.one<{ n: number; c1: number }>(
        "select count(*) as n, count(*) filter (where customer_id = 'c1') as c1 from read_parquet($1, hive_partitioning = false)",
        [file],
      );
      expect(n).toEqual({ n: e.rows, c1: 0 });
      expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(e.sha256);
      // Rewritten files keep their in-file schema: no partition column copied in.
      const cols = await wh.all<{ column_name: string }>('describe select * from read_parquet($1, hive_partitioning = false)', [file]);
      expect(cols.map((c) => c.column_name)).toEqual(e.columns.map((c) => c.name));
    }
    expect(await eraseFromExports(wh, out, 'c1')).toEqual({ files: 0, rows: 0, byFile: {} });
  });

  it("brings the BI catalog's file list in line, while a reader holds the previous catalog open", async () => {
    const { wh, dir, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await wh.run(`insert into customers (customer_id, email) values ('c1', 'one@x.test'), ('c2', 'two@x.test')`);
    await wh.run(`insert into purchases (order_id, customer_id, ordered_at, amount, status) values
      ('o1', 'c1', '2026-01-01', 10, 'completed'), ('o2', 'c2', '2026-01-02', 20, 'completed')`);
    const out = join(dir, 'exports');
    const datasets = EXPORT_DATASETS.filter((d) => ['customers', 'purchases'].includes(d.name));
    const res = await writeExports(wh, datasets, { dir: out, asOf: '2026-05-31', includePii: true, runId: 'r', now: new Date() });
    await writeCatalog(out, datasets, res.manifest, res.schemas);
    const holder = await Warehouse.open(join(out, CATALOG_FILE), { readOnly: true, settings: { file_search_path: out } });
    try {
      await eraseFromExports(wh, out, 'c1');
      // What the catalog says about each file, against the files themselves, counted here.
      const catalog = await Warehouse.open(join(out, CATALOG_FILE), { readOnly: true, settings: { file_search_path: out } });
      try {
        const listed = await catalog.all<{ path: string; rows: number; sha256: string }>('select path, rows::integer as rows, sha256 from cxpulse_files order by path');
        expect(listed.length).toBeGreaterThan(0);
        for (const f of listed) {
          const file = join(out, f.path);
          const n = await wh.one<{ n: number }>('select count(*)::integer as n from read_parquet($1, hive_partitioning = false)', [file]);
          expect(f.rows, f.path).toBe(n!.n);
          expect(f.sha256, f.path).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
        }
        expect(await catalog.one<{ n: number }>("select count(*)::integer as n from purchases where customer_id = 'c1'")).toEqual({ n: 0 });
      } finally {
        catalog.close();
      }
      // The reader that had it open keeps its (old) catalog undisturbed.
      expect(await holder.one<{ n: number }>('select count(*)::integer as n from cxpulse_files')).toBeDefined();
    } finally {
      holder.close();
    }
  });
});
