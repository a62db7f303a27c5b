/**
 * PostgreSQL sources against a real server the test starts itself (tests/helpers/postgres.ts):
 * a generated company (customers, orders, tickets, surveys), a first pull, upstream inserts and
 * updates, an incremental pull that reads only the changes (plus the configured overlap), counts
 * reconciled against PostgreSQL itself, a connection killed mid-pull that leaves the warehouse and
 * the watermark as they were, and clear failures for bad credentials, hosts, tables and columns.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../../pipelines/core/paths.js';
import type pg from 'pg';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { isCxpError, type CxpError } from '../../../pipelines/core/errors.js';
import { memoryLogger, silentLogger, type Logger } from '../../../pipelines/core/logger.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { runIngest, type IngestSummary } from '../../../pipelines/sources/run-ingest.js';
import { mulberry32 } from '../../helpers/prng.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { ingestEnv, type IngestEnv } from './ingest-helpers.js';

const ENV_URL = 'CXP_TEST_SHOP_DB_URL';

let server: TestPostgres;
let admin: pg.Client;
let env: IngestEnv;
let runNo = 0;

const sources = (over: Record<string, unknown> = {}) => ({
  customers: {
    type: 'postgres',
    url: `env:${ENV_URL}`,
    table: 'public.customers',
    columns: { marketing_consent: 'consent' },
    incremental: { column: 'updated_at' },
  },
  purchases: {
    type: 'postgres',
    url: `env:${ENV_URL}`,
    table: 'public.orders',
    incremental: { column: 'updated_at', overlapMinutes: 5 },
    fetchRows: 97,
  },
  interactions: {
    type: 'postgres',
    url: `env:${ENV_URL}`,
    // A query source: the columns are renamed in SQL instead of with `columns`.
    query: 'select ticket_id as interaction_id, customer_id, channel, kind, opened_at, first_response_at, resolved_at, updated_at from tickets',
    incremental: { column: 'updated_at' },
  },
  surveys: {
    type: 'postgres',
    url: `env:${ENV_URL}`,
    table: 'surveys',
    incremental: { column: 'version' },
  },
  ...over,
});

async function ingest(src: Record<string, unknown>, logger: Logger = silentLogger): Promise<IngestSummary> {
  const config = resolveConfig({ sources: src }, env.dir, `${env.dir}/cxpulse.config.json`);
  return runIngest({ warehouse: env.wh, config, runId: `pg-run-${++runNo}`, clock: fixedClock('2026-07-01T00:00:00Z'), logger });
}

async function pgCount(sql: string, params: unknown[] = []): Promise<number> {
  const r = await admin.query<{ n: string }>(sql, params);
  return Number(r.rows[0]!.n);
}

async function whCount(sql: string): Promise<number> {
  return Number((await env.wh.one<{ n: number }>(sql))?.n ?? 0);
}

async function watermarks(): Promise<Record<string, string>> {
  const rows = await env.wh.all<{ source: string; watermark: string }>('select source, watermark from source_watermarks order by source');
  return Object.fromEntries(rows.map((r) => [r.source, r.watermark]));
}

async function warehouseState(): Promise<string> {
  const parts: string[] = [];
  for (const t of ['customers', 'purchases', 'interactions', 'surveys', 'rejected_rows', 'source_watermarks']) {
    const r = await env.wh.one<{ n: number; h: string }>(`select count(*) as n, sum(hash(to_json(t)::varchar))::hugeint::varchar as h from ${t} t`);
    parts.push(`${t}:${r?.n}:${r?.h}`);
  }
  return parts.join('|');
}

/** A small company, deterministic from a seed; every row carries updated_at in 2025. */
async function seedCompany(c: pg.Client): Promise<void> {
  const rnd = mulberry32(17);
  await c.query(`
    create table customers (customer_id bigint primary key, signup_at timestamptz, country text, email text, consent boolean, updated_at timestamptz not null);
    create table orders (order_id text primary key, customer_id bigint not null, ordered_at timestamp not null, amount numeric(12,2) not null,
                         status text not null, channel text, updated_at timestamptz not null);
    create table tickets (ticket_id integer primary key, customer_id bigint, channel text, kind text, opened_at timestamptz,
                          first_response_at timestamptz, resolved_at timestamptz, updated_at timestamptz not null);
    create table surveys (response_id text primary key, customer_id bigint, submitted_at timestamptz, survey_type text, score integer, version bigint not null);
  `);
  const base = Date.UTC(2025, 0, 1);
  const day = 86_400_000;
  const ts = (ms: number) => new Date(ms).toISOString();
  for (let i = 1; i <= 120; i++) {
    await c.query('insert into customers values ($1, $2, $3, $4, $5, $6)', [
      i, ts(base + i * day), ['LV', 'DE', 'CN'][i % 3], `c${i}@example.com`, i % 2 === 0, ts(base + i * 3_600_000),
    ]);
  }
  for (let i = 1; i <= 600; i++) {
    const at = base + Math.floor(rnd() * 300) * day + Math.floor(rnd() * day);
    const status = rnd() < 0.9 ? 'completed' : 'refunded';
    await c.query('insert into orders values ($1, $2, $3, $4, $5, $6, $7)', [
      `O-${i}`, 1 + Math.floor(rnd() * 120), ts(at).replace('Z', ''), (5 + rnd() * 200).toFixed(2), status, rnd() < 0.5 ? 'web' : 'store',
      // updated_at one minute apart so the 5-minute overlap re-reads exactly the last rows.
      ts(base + 400 * day + i * 60_000),
    ]);
  }
  for (let i = 1; i <= 200; i++) {
    const at = base + Math.floor(rnd() * 300) * day;
    await c.query('insert into tickets values ($1, $2, $3, $4, $5, $6, $7, $8)', [
      i, 1 + Math.floor(rnd() * 120), ['email', 'phone', 'chat'][i % 3], ['inquiry', 'complaint'][i % 2], ts(at),
      ts(at + 600_000), i % 5 === 0 ? null : ts(at + 7_200_000), ts(base + i * 60_000),
    ]);
  }
  for (let i = 1; i <= 150; i++) {
    await c.query('insert into surveys values ($1, $2, $3, $4, $5, $6)', [
      `S-${i}`, 1 + Math.floor(rnd() * 120), ts(base + i * day), 'nps', Math.floor(rnd() * 11), i,
    ]);
  }
}

beforeAll(async () => {
  server = await startPostgres();
  await server.createDatabase('shop');
  admin = await server.client('shop');
  await seedCompany(admin);
  process.env[ENV_URL] = server.url('shop');
  env = await ingestEnv('cxp-pg-');
}, 120_000);

afterAll(async () => {
  delete process.env[ENV_URL];
  await admin?.end().catch(() => undefined);
  env?.close();
  await server?.stop();
});

describe('PostgreSQL source, incremental pulls', () => {
  it('first pull loads every row of every table, counts reconciled with PostgreSQL', async () => {
    const logger = memoryLogger();
    const s = await ingest(sources(), logger);
    // The URL (with its password) comes from the environment; the logs name the server without it.
    const logText = JSON.stringify(logger.lines);
    expect(logText).toContain(`postgres://${server.user}@127.0.0.1:${server.port}/shop`);
    expect(logText).not.toContain(server.password);
    expect(logText).not.toContain(encodeURIComponent(server.password));
    // Streamed: orders came in batches of fetchRows (97), never as one result.
    const batches = logger.lines.filter((l) => l.msg === 'postgres rows fetched' && l.fields?.source === 'purchases');
    expect(batches.map((b) => b.fields?.rows)).toEqual(
      Array.from({ length: Math.ceil(600 / 97) }, (_, i) => Math.min(600, (i + 1) * 97)),
    );
    const expected = {
      customers: await pgCount('select count(*) as n from customers'),
      purchases: await pgCount('select count(*) as n from orders'),
      interactions: await pgCount('select count(*) as n from tickets'),
      surveys: await pgCount('select count(*) as n from surveys'),
    };
    for (const [name, n] of Object.entries(expected)) {
      const c = s.sources[name as keyof typeof expected]!;
      expect(c, name).toMatchObject({ read: n, loaded: n, updated: 0, duplicate: 0, rejected: 0 });
      expect(await whCount(`select count(*) as n from ${name}`)).toBe(n);
    }
    // Money and timestamps survive the trip (sums computed by PostgreSQL vs by DuckDB).
    const pgSum = (await admin.query<{ s: string }>("select sum(amount)::text as s from orders where status = 'completed'")).rows[0]!.s;
    const whSum = await env.wh.one<{ s: string }>("select sum(amount)::varchar as s from purchases where status = 'completed'");
    expect(whSum?.s).toBe(pgSum);
    const first = (await admin.query<{ t: string }>("select to_char(ordered_at, 'YYYY-MM-DD HH24:MI:SS') as t from orders where order_id = 'O-7'")).rows[0]!.t;
    const whFirst = await env.wh.one<{ t: string }>("select strftime(ordered_at, '%Y-%m-%d %H:%M:%S') as t from purchases where order_id = 'O-7'");
    expect(whFirst?.t).toBe(first);
    const consent = await pgCount('select count(*) as n from customers where consent');
    expect(await whCount('select count(*) as n from customers where marketing_consent')).toBe(consent);
    // The watermark is the highest value read, per source.
    const wm = await watermarks();
    expect(wm.surveys).toBe('150');
    expect(wm.purchases).toBe((await admin.query<{ m: string }>('select max(updated_at)::text as m from orders')).rows[0]!.m);
  });

  it('a second pull reads only inserted and updated rows (plus the overlap), and reconciles', async () => {
    const before = await watermarks();
    await admin.query(`
      insert into orders select 'N-' || g, 1 + g % 120, timestamp '2025-11-20 10:00:00' + g * interval '1 hour', 10 + g, 'completed', 'web',
                                timestamptz '2026-06-01 00:00:00+00' + g * interval '1 second'
      from generate_series(1, 40) g;
      update orders set amount = amount + 1, updated_at = timestamptz '2026-06-02 00:00:00+00' where order_id in ('O-3', 'O-30', 'O-300');
      update orders set status = 'refunded', updated_at = timestamptz '2026-06-02 00:00:01+00' where order_id = 'O-31' and status = 'completed';
      update tickets set resolved_at = opened_at + interval '1 day', updated_at = timestamptz '2026-02-01 00:00:00+00' where ticket_id = 5;
      insert into surveys values ('S-151', 3, '2025-12-01T00:00:00Z', 'nps', 9, 151);`);
    const changedOrders = 40 + 3 + (await pgCount("select count(*) as n from orders where order_id = 'O-31' and updated_at = '2026-06-02 00:00:01+00'"));
    // Rows re-read because of the 5-minute overlap: an independent count in PostgreSQL.
    const overlap = await pgCount(
      "select count(*) as n from orders where updated_at > $1::timestamptz - interval '5 minutes' and updated_at <= $1::timestamptz",
      [before.purchases],
    );
    expect(overlap).toBeGreaterThan(0);
    const s = await ingest(sources());
    expect(s.sources.purchases).toMatchObject({ read: changedOrders + overlap, loaded: 40, updated: changedOrders - 40, duplicate: overlap, rejected: 0 });
    expect(s.sources.customers).toMatchObject({ read: 0, loaded: 0, updated: 0, duplicate: 0, rejected: 0 });
    expect(s.sources.interactions).toMatchObject({ read: 1, updated: 1 });
    expect(s.sources.surveys).toMatchObject({ read: 1, loaded: 1 });
    expect(await whCount('select count(*) as n from purchases')).toBe(await pgCount('select count(*) as n from orders'));
    const pgSum = (await admin.query<{ s: string }>('select sum(amount)::text as s from orders')).rows[0]!.s;
    expect((await env.wh.one<{ s: string }>('select sum(amount)::varchar as s from purchases'))?.s).toBe(pgSum);
    expect(await whCount("select count(*) as n from purchases where order_id = 'O-31' and status = 'refunded'")).toBe(1);
    expect(await whCount("select count(*) as n from purchases where order_id in ('O-3', 'O-30', 'O-300') and updated_run_id is not null")).toBe(3);
    expect((await watermarks()).purchases).toBe((await admin.query<{ m: string }>('select max(updated_at)::text as m from orders')).rows[0]!.m);
    expect((await watermarks()).purchases).toMatch(/^2026-06-02 00:00:0[01]\+00$/);
    // Nothing changed upstream: the next pull reads only the overlap, all duplicates.
    const again = await ingest(sources());
    expect(again.sources.purchases!.read).toBe(again.sources.purchases!.duplicate);
    expect(again.sources.customers!.read).toBe(0);
  });

  it('a connection killed in the middle of a pull fails the run whole; the next run resumes', async () => {
    await admin.query(`
      insert into orders select 'B-' || g, 1 + g % 120, timestamp '2025-12-01 00:00:00' + g * interval '1 minute', 20, 'completed', 'web',
                                timestamptz '2026-07-01 00:00:00+00' + g * interval '1 second'
      from generate_series(1, 3000) g;`);
    const state = await warehouseState();
    const marks = await watermarks();
    const logger = memoryLogger();
    let killed: Promise<unknown> | undefined;
    const killer: Logger = {
      ...logger,
      debug(msg, fields) {
        logger.debug(msg, fields);
        // After the first batch of orders reached the warehouse, another session ends the pull's backend.
        if (msg === 'postgres rows fetched' && fields?.source === 'purchases' && !killed) {
          killed = admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'cxpulse ingest purchases'");
        }
      },
    };
    const err = await ingest(sources(), killer).then(() => undefined, (e: unknown) => e);
    await killed;
    expect(isCxpError(err), String(err)).toBe(true);
    expect((err as CxpError).code).toBe('CXP_ERR_SOURCE_UNAVAILABLE');
    expect((err as CxpError).message).toMatch(/connection failed after \d+ rows.*watermark was not moved/);
    expect((err as CxpError).message).not.toContain(server.password);
    expect(await warehouseState()).toBe(state);
    expect(await watermarks()).toEqual(marks);

    const s = await ingest(sources());
    const overlap = await pgCount(
      "select count(*) as n from orders where updated_at > $1::timestamptz - interval '5 minutes' and updated_at <= $1::timestamptz",
      [marks.purchases],
    );
    expect(s.sources.purchases).toMatchObject({ read: 3000 + overlap, loaded: 3000, duplicate: overlap });
    expect(await whCount("select count(*) as n from purchases where order_id like 'B-%'")).toBe(3000);
  });

  it('a full reload reads everything again; unchanged rows are duplicates', async () => {
    const n = await pgCount('select count(*) as n from orders');
    const full = sources();
    (full.purchases as Record<string, unknown>).fullReload = true;
    const s = await ingest(full);
    expect(s.sources.purchases).toMatchObject({ read: n, loaded: 0, updated: 0, duplicate: n });
  });
});

describe('PostgreSQL source failures are clear and load nothing', () => {
  const only = (purchases: Record<string, unknown>) => ({ purchases: { type: 'postgres', url: `env:${ENV_URL}`, table: 'orders', ...purchases } });

  async function failure(src: Record<string, unknown>): Promise<CxpError> {
    const state = await warehouseState();
    const logger = memoryLogger();
    const err = await ingest(src, logger).then(() => undefined, (e: unknown) => e);
    expect(isCxpError(err), String(err)).toBe(true);
    expect(await warehouseState()).toBe(state);
    // Neither the message, its details, nor any log line carries a password.
    const said = JSON.stringify([(err as CxpError).toJSON(), logger.lines]);
    expect(said).not.toContain(server.password);
    expect(said).not.toContain('not-the-password');
    return err as CxpError;
  }

  it('wrong password: authentication failed, the password is not in the message', async () => {
    process.env.CXP_TEST_BAD_URL = `postgres://${server.user}:not-the-password@127.0.0.1:${server.port}/shop`;
    const err = await failure(only({ url: 'env:CXP_TEST_BAD_URL' }));
    expect(err.code).toBe('CXP_ERR_SOURCE_UNAVAILABLE');
    expect(err.message).toMatch(/authentication failed/);
    expect(err.message).toContain(`postgres://${server.user}@127.0.0.1:${server.port}/shop`);
    expect(JSON.stringify(err.toJSON())).not.toContain('not-the-password');
    expect(err.details.hint).toContain('CXP_TEST_BAD_URL');
  });

  it('unreachable host: cannot connect', async () => {
    process.env.CXP_TEST_BAD_URL = `postgres://${server.user}:x@127.0.0.1:1/shop`;
    const err = await failure(only({ url: 'env:CXP_TEST_BAD_URL', connectTimeoutSeconds: 3 }));
    expect(err.code).toBe('CXP_ERR_SOURCE_UNAVAILABLE');
    expect(err.message).toMatch(/cannot connect/);
    expect(err.details.hint).toMatch(/host and port in the URL in CXP_TEST_BAD_URL/);
  });

  it('missing table', async () => {
    const err = await failure(only({ table: 'public.no_such_orders' }));
    expect(err.code).toBe('CXP_ERR_SOURCE_NOT_FOUND');
    expect(err.message).toMatch(/no_such_orders/);
    expect(err.details.hint).toContain('sources.purchases.table');
  });

  it('a query naming a column the table lacks', async () => {
    const err = await failure(only({ table: undefined, query: 'select order_id, customer_id, ordered_at, total_price as amount from orders' }));
    expect(err.code).toBe('CXP_ERR_SOURCE_COLUMN_MISSING');
    expect(err.message).toMatch(/total_price/);
    expect(err.details.hint).toContain('sources.purchases.query');
  });

  it('missing mapped column names what the table has', async () => {
    const err = await failure(only({ columns: { amount: 'total_price' } }));
    expect(err.code).toBe('CXP_ERR_SOURCE_COLUMN_MISSING');
    expect(err.message).toMatch(/total_price.*"order_id"/);
  });

  it('missing incremental column', async () => {
    const err = await failure(only({ incremental: { column: 'changed_at' } }));
    expect(err.code).toBe('CXP_ERR_SOURCE_COLUMN_MISSING');
    expect(err.details.where).toBe('sources.purchases.incremental.column');
  });

  it('unset environment variable', async () => {
    const err = await failure(only({ url: 'env:CXP_TEST_NOT_SET' }));
    expect(err.code).toBe('CXP_ERR_CONFIG_INVALID');
    expect(err.message).toContain('CXP_TEST_NOT_SET');
  });

  it('a password written in the config file is refused and not echoed', () => {
    let err: unknown;
    try {
      resolveConfig({ sources: only({ url: 'postgres://shop:hunter2@db.example:5432/shop' }) }, env.dir);
    } catch (e) {
      err = e;
    }
    expect(isCxpError(err)).toBe(true);
    expect((err as CxpError).message).toMatch(/sources\.purchases\.url: contains a password/);
    expect(JSON.stringify((err as CxpError).toJSON())).not.toContain('hunter2');
  });
});

describe('PostgreSQL rows go through the same validation and rejects as a file', () => {
  it('bad values are rejected with their reason and where they came from; read = loaded + rejected', async () => {
    const rejEnv = await ingestEnv('cxp-pg-rejects-');
    try {
      await admin.query(`
        create table raw_orders (order_id text, customer_id text, ordered_at text, amount text, status text);
        insert into raw_orders values
          ('R-1', '7', '2025-03-01 10:00:00', '12.50', 'completed'),
          ('R-2', '7', '2025-03-02 10:00:00', '7.25', 'shipped'),
          ('R-3', '8', '2025-13-45 10:00:00', '3.00', 'completed'),
          ('R-4', '8', '2025-03-04 10:00:00', 'ten', 'completed'),
          ('R-5', null, '2025-03-05 10:00:00', '1.00', 'completed'),
          ('R-6', '9', '2025-03-06 10:00:00', '99.99', 'refunded');`);
      const config = resolveConfig({ sources: { purchases: { type: 'postgres', url: `env:${ENV_URL}`, table: 'raw_orders' } } }, rejEnv.dir, `${rejEnv.dir}/cxpulse.config.json`);
      const s = await runIngest({ warehouse: rejEnv.wh, config, runId: 'rj1', clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger });
      expect(s.sources.purchases).toMatchObject({ read: 6, loaded: 2, updated: 0, duplicate: 0, rejected: 4 });
      const rejected = await rejEnv.wh.all<{ file: string; line: number; reason: string }>('select file, line, reason from rejected_rows order by line');
      expect(rejected.map((r) => r.reason)).toEqual([
        expect.stringContaining('unknown status "shipped"'),
        expect.stringContaining('unparseable timestamp "2025-13-45 10:00:00"'),
        expect.stringContaining('unparseable amount "ten"'),
        'missing key customer_id',
      ]);
      for (const r of rejected) {
        expect(r.file).toBe(`postgres://${server.user}@127.0.0.1:${server.port}/shop/raw_orders`);
      }
      const loaded = await rejEnv.wh.all<{ order_id: string; amount: number }>('select order_id, amount::double as amount from purchases order by order_id');
      expect(loaded).toEqual([{ order_id: 'R-1', amount: 12.5 }, { order_id: 'R-6', amount: 99.99 }]);
    } finally {
      rejEnv.close();
    }
  });
});

describe('the real CLI against PostgreSQL', () => {
  /** `cxpulse run ingest` in a child process, as a user runs it; the URL only in the environment. */
  function cli(dir: string, extra: string[]) {
    const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), fromRoot('pipelines', 'cli', 'main.ts'), 'run', 'ingest', '--config', join(dir, 'cxpulse.config.json'), ...extra], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
      timeout: 120_000,
    });
    const row = /^\s*purchases\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/m.exec(res.stdout);
    const counts = row && { read: +row[1], loaded: +row[2], updated: +row[3], duplicate: +row[4], rejected: +row[5] };
    return { code: res.status, out: res.stdout + res.stderr, counts };
  }

  it('run ingest reads only changes, --full reads everything; no output line carries the password', async () => {
    await admin.query(`
      create table cli_orders (order_id text, customer_id text, ordered_at timestamp, amount numeric(10,2), updated_at timestamptz);
      insert into cli_orders select 'K-' || g, 'c' || (g % 7), timestamp '2025-05-01' + g * interval '1 hour', g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'
      from generate_series(1, 25) g;`);
    const dir = mkdtempSync(join(tmpdir(), 'cxp-pg-cli-'));
    try {
      writeFileSync(join(dir, 'cxpulse.config.json'), JSON.stringify({
        warehouse: 'wh/warehouse.duckdb',
        exports: { dir: 'exports' },
        sources: { purchases: { type: 'postgres', url: `env:${ENV_URL}`, table: 'cli_orders', incremental: { column: 'updated_at' } } },
      }));
      const first = cli(dir, ['--log-format', 'json']);
      expect(first.code, first.out).toBe(0);
      expect(first.counts).toEqual({ read: 25, loaded: 25, updated: 0, duplicate: 0, rejected: 0 });
      await admin.query("update cli_orders set amount = 99, updated_at = '2026-03-01 00:00:00+00' where order_id in ('K-3', 'K-4')");
      const second = cli(dir, []);
      expect(second.counts).toEqual({ read: 2, loaded: 0, updated: 2, duplicate: 0, rejected: 0 });
      const full = cli(dir, ['--full']);
      expect(full.counts).toEqual({ read: 25, loaded: 0, updated: 0, duplicate: 25, rejected: 0 });
      for (const r of [first, second, full]) {
        expect(r.out).not.toContain(server.password);
        expect(r.out).not.toContain(encodeURIComponent(server.password));
      }
      // The JSON log names the server without the password.
      expect(first.out).toContain(`postgres://${server.user}@127.0.0.1:${server.port}/shop/cli_orders`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('PostgreSQL line items: an incremental pull reads whole orders', () => {
  it('a changed line re-reads every line of its order, so the order total stays the sum of all its lines', async () => {
    const lineEnv = await ingestEnv('cxp-pg-lines-');
    try {
      await admin.query(`
        create table order_lines (invoice text, line_no integer, customer_id text, invoiced_at timestamp, qty integer, price numeric(10,2), updated_at timestamptz,
                                  primary key (invoice, line_no));
        insert into order_lines values
          ('536365', 1, '17850.0', '2010-12-01 08:26', 6, 2.55, '2026-01-01 00:00:00+00'),
          ('536365', 2, '17850.0', '2010-12-01 08:26', 6, 3.39, '2026-01-01 00:00:00+00'),
          ('536366', 1, '17850.0', '2010-12-01 08:28', 6, 1.85, '2026-01-01 00:00:00+00'),
          ('C536379', 1, '14527.0', '2010-12-01 09:41', -1, 27.50, '2026-01-01 00:00:00+00');`);
      const src = {
        purchases: {
          type: 'postgres',
          url: `env:${ENV_URL}`,
          table: 'order_lines',
          columns: { order_id: 'invoice', ordered_at: 'invoiced_at', quantity: 'qty', unit_price: 'price' },
          returns: { orderIdPrefix: 'C' },
          incremental: { column: 'updated_at' },
        },
      };
      const config = () => resolveConfig({ sources: src }, lineEnv.dir, `${lineEnv.dir}/cxpulse.config.json`);
      const run = (id: string) => runIngest({ warehouse: lineEnv.wh, config: config(), runId: id, clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger });
      const first = await run('l1');
      expect(first.sources.purchases).toMatchObject({ read: 4, loaded: 4, rejected: 0 });
      // Independent totals: 6 x 2.55 + 6 x 3.39 = 35.64; 6 x 1.85 = 11.10; the cancellation credits 27.50.
      const totals = async () => lineEnv.wh.all('select order_id, customer_id, amount::double as amount, status, count_lines from purchases order by order_id');
      expect(await totals()).toEqual([
        { order_id: '536365', customer_id: '17850', amount: 35.64, status: 'completed', count_lines: 2 },
        { order_id: '536366', customer_id: '17850', amount: 11.1, status: 'completed', count_lines: 1 },
        { order_id: 'C536379', customer_id: '14527', amount: 27.5, status: 'returned', count_lines: 1 },
      ]);
      await admin.query("update order_lines set qty = 8, updated_at = '2026-02-01 00:00:00+00' where invoice = '536365' and line_no = 2");
      const second = await run('l2');
      // Both lines of 536365 are read again (one changed): the order is updated, counted in lines.
      expect(second.sources.purchases).toMatchObject({ read: 2, loaded: 0, updated: 2, duplicate: 0, rejected: 0 });
      expect((await totals())[0]).toEqual({ order_id: '536365', customer_id: '17850', amount: 42.42, status: 'completed', count_lines: 2 });
    } finally {
      lineEnv.close();
    }
  });
});
