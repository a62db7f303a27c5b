import { afterEach, describe, expect, it } from 'vitest';
import { insertRows } from '../../../pipelines/core/insert-rows.js';
import { sqlDate } from '../../../pipelines/core/sql-date.js';
import { Warehouse, type SqlValue } from '../../../pipelines/core/warehouse.js';

let wh: Warehouse | undefined;
afterEach(() => {
  wh?.close();
  wh = undefined;
});

describe('insertRows', () => {
  it('lands every row as bound, typed by the target columns, across statement chunks', async () => {
    wh = await Warehouse.open(':memory:');
    await wh.run('create table t (id integer, name varchar, day date, n bigint, ok boolean, written_at timestamptz, x double)');
    // 600 rows: three statements; nulls lead some columns so no column's type comes from its first row.
    const rows: SqlValue[][] = Array.from({ length: 600 }, (_, i) => [
      i,
      i % 7 === 0 ? null : `n'${i}"; drop table t; --`,
      i === 0 ? null : sqlDate(new Date(Date.UTC(2026, 0, 1 + (i % 300)))),
      i === 0 ? null : 2n ** 40n + BigInt(i),
      i % 2 === 0,
      i === 0 ? null : new Date(Date.UTC(2026, 2, 1, 12, 0, i % 60)).toISOString(),
      i === 1 ? null : i / 8,
    ]);
    await insertRows(wh, 't', ['id', 'name', 'day', 'n', 'ok', 'written_at', 'x'], rows, { written_at: 'timestamptz' });
    const back = await wh.all<{ id: number; name: string | null; day: string | null; n: string | null; ok: boolean; at: string | null; x: number | null }>(
      "select id, name, strftime(day, '%Y-%m-%d') as day, n::varchar as n, ok, strftime(written_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S') as at, x from t order by id",
    );
    expect(back).toHaveLength(600);
    for (const r of back) {
      const i = r.id;
      expect(r.name).toBe(i % 7 === 0 ? null : `n'${i}"; drop table t; --`);
      expect(r.day).toBe(i === 0 ? null : new Date(Date.UTC(2026, 0, 1 + (i % 300))).toISOString().slice(0, 10));
      expect(r.n).toBe(i === 0 ? null : String(2n ** 40n + BigInt(i)));
      expect(r.ok).toBe(i % 2 === 0);
      expect(r.at).toBe(i === 0 ? null : `2026-03-01T12:00:${String(i % 60).padStart(2, '0')}`);
      expect(r.x).toBe(i === 1 ? null : i / 8);
    }
  });

  it('does nothing for no rows, and refuses a row of the wrong width before writing', async () => {
    wh = await Warehouse.open(':memory:');
    await wh.run('create table t (a integer, b varchar)');
    await insertRows(wh, 't', ['a', 'b'], []);
    await expect(insertRows(wh, 't', ['a', 'b'], [[1, 'x'], [2]])).rejects.toThrow(/a row has 1 values for 2 columns/);
    expect(await wh.all('select * from t')).toEqual([]);
  });
});
