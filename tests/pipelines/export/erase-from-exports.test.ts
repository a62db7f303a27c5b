import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { eraseFromExports } from '../../../pipelines/export/erase-from-exports.js';
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
});
