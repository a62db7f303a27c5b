import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('Warehouse', () => {
  it('binds values and normalises types', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    const row = await wh.one(
      'select $1::bigint as a, $2::decimal(18,2) as b, $3::timestamp as t, $4 as s, $5::boolean as x, null as n',
      [42, '12.50', new Date('2026-06-30T10:00:00Z'), "o'neil; drop table x", true],
    );
    expect(row).toEqual({ a: 42, b: 12.5, t: new Date('2026-06-30T10:00:00Z'), s: "o'neil; drop table x", x: true, n: null });
  });

  it('rolls a failed transaction back completely', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await wh.run("insert into customers (customer_id) values ('a')");
    await expect(
      wh.transaction(async (tx) => {
        await tx.run("insert into customers (customer_id) values ('b')");
        await tx.run('select * from no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    const rows = await wh.all<{ customer_id: string }>('select customer_id from customers order by 1');
    expect(rows.map((r) => r.customer_id)).toEqual(['a']);
  });

  it('commits a successful transaction', async () => {
    const { wh, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    const out = await wh.transaction(async (tx) => {
      await tx.run("insert into customers (customer_id) values ('a'), ('b')");
      return 'done';
    });
    expect(out).toBe('done');
    expect((await wh.one<{ n: number }>('select count(*) as n from customers'))?.n).toBe(2);
  });

  it('says the file is held by another process, and what to do', async () => {
    const { wh, dir, cleanup } = await tempWarehouse();
    cleanups.push(cleanup);
    await wh.checkpoint();
    // A second process opening the same file must fail with the lock error, not a trace.
    const script = `
      import { Warehouse } from './pipelines/core/warehouse.ts';
      try { await Warehouse.open(${JSON.stringify(dir + '/warehouse.duckdb')}); console.log('opened'); }
      catch (e) { console.log(e.code + ' ' + e.message + ' ' + e.details.hint); }
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    expect(res.stdout).toMatch(/CXP_ERR_WAREHOUSE_LOCKED/);
    // DuckDB names the holder (this test process); with no advice from a command, the hint is to stop it.
    expect(res.stdout).toContain(`is held by PID ${process.pid}`);
    expect(res.stdout).toContain(`stop that process (PID ${process.pid}) first`);
    expect(res.stdout).not.toMatch(/\/api\//);
  });

  it('refuses use after close', async () => {
    const wh = await Warehouse.open(':memory:');
    wh.close();
    await expect(wh.all('select 1')).rejects.toBeInstanceOf(CxpError);
  });
});
