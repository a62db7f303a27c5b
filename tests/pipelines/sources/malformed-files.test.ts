import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { accountedFor, ingestEnv, warehouseChecksums, type IngestEnv } from './ingest-helpers.js';

// Fixtures: tests/fixtures/ingest (README there lists each defect). Expected values read off the files.
const fixture = (name: string) => fromRoot('tests', 'fixtures', 'ingest', name);

describe('malformed source files: a clear error naming the file, or rejected rows', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv();
  });
  afterEach(() => env.close());

  async function load(name: string, extra: Record<string, unknown> = {}) {
    const path = join(env.dir, name);
    copyFileSync(fixture(name), path);
    return env.ingest({ customers: { path: name, ...extra } }, 'run-m');
  }

  async function failure(name: string, extra: Record<string, unknown> = {}): Promise<CxpError> {
    const before = await warehouseChecksums(env.wh);
    const err = await load(name, extra).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CxpError);
    const e = err as CxpError;
    expect(e.message).toContain(join(env.dir, name));
    expect(e.details.where).toBe(join(env.dir, name));
    // Nothing landed, not even rejected rows or the file record.
    expect(await warehouseChecksums(env.wh)).toEqual(before);
    return e;
  }

  async function rejects() {
    return env.wh.all<{ line: number; reason: string; raw_row: string }>(
      "select line, reason, raw_row from rejected_rows where run_id = 'run-m' order by line",
    );
  }

  it('wrong delimiter: CXP_ERR_SOURCE_COLUMN_MISSING that shows the one column seen and points at delimiter', async () => {
    const e = await failure('wrong-delimiter.csv');
    expect(e.code).toBe('CXP_ERR_SOURCE_COLUMN_MISSING');
    expect(e.message).toContain('"customer_id;country"');
    expect(e.details.hint).toBe('the header looks like one column split by ";": set sources.customers.delimiter to ";"');
  });

  it('wrong delimiter: a tab-separated file under a .csv name is told to set the tab, and the wrong one set is named', async () => {
    writeFileSync(join(env.dir, 'tabbed.csv'), 'customer_id\tcountry\tsignup_at\nc1\tLV\t2026-01-02\n');
    const err = (await env.ingest({ customers: { path: 'tabbed.csv' } }, 'run-m').catch((e: unknown) => e)) as CxpError;
    expect(err.code).toBe('CXP_ERR_SOURCE_COLUMN_MISSING');
    expect(err.details.hint).toBe('the header looks like one column split by "\\t": set sources.customers.delimiter to "\\t"');
    const wrong = (await env.ingest({ customers: { path: 'tabbed.csv', delimiter: '|' } }, 'run-m').catch((e: unknown) => e)) as CxpError;
    expect(wrong.details.hint).toBe('the header looks like one column split by "\\t": set sources.customers.delimiter to "\\t" (it is "|")');
  });

  it('wrong delimiter fixed by config: loads', async () => {
    const s = await load('wrong-delimiter.csv', { delimiter: ';' });
    expect(s.sources.customers).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
  });

  it('missing mapped column: CXP_ERR_SOURCE_COLUMN_MISSING naming the column and the columns present', async () => {
    const e = await failure('missing-column.csv');
    expect(e.code).toBe('CXP_ERR_SOURCE_COLUMN_MISSING');
    expect(e.message).toMatch(/column customer_id not found; the file has "id", "country"/);
    const e2 = await failure('missing-column.csv', { columns: { country: 'Land', customer_id: 'id' } });
    expect(e2.message).toContain('Land (for country)');
  });

  it('header: false with fewer names than fields: an error, not silently dropped values', async () => {
    const before = await warehouseChecksums(env.wh);
    writeFileSync(join(env.dir, 'no-header.csv'), 'C1,DE,extra\nC2,FR,extra\n');
    const err = await env.ingest({ customers: { path: 'no-header.csv', header: false, names: ['customer_id', 'country'] } }, 'run-m').catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'CXP_ERR_SOURCE_MALFORMED', details: { where: join(env.dir, 'no-header.csv') } });
    expect((err as CxpError).message).toMatch(/has 3 fields per row but sources\.customers\.names lists 2/);
    expect(await warehouseChecksums(env.wh)).toEqual(before);
  });

  it('an invalid timestampFormat names the config key', async () => {
    const before = await warehouseChecksums(env.wh);
    writeFileSync(join(env.dir, 'ts.csv'), 'customer_id,signup_at\nC1,2026-01-01\n');
    const err = await env.ingest({ customers: { path: 'ts.csv', timestampFormat: '%Q' } }, 'run-m').catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'CXP_ERR_CONFIG_INVALID', details: { where: 'sources.customers.timestampFormat' } });
    expect(await warehouseChecksums(env.wh)).toEqual(before);
  });

  it('empty file: CXP_ERR_SOURCE_MALFORMED', async () => {
    const e = await failure('empty.csv');
    expect(e.code).toBe('CXP_ERR_SOURCE_MALFORMED');
    expect(e.message).toMatch(/empty \(0 bytes\)/);
  });

  it('BOM and CRLF: loads cleanly, no BOM or CR in the values', async () => {
    const s = await load('bom-crlf.csv');
    expect(s.sources.customers).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
    expect(await env.wh.all('select customer_id, country from customers order by 1')).toEqual([
      { customer_id: 'A', country: 'DE' },
      { customer_id: 'B', country: 'FR' },
    ]);
  });

  it('quoted newlines: a later reject reports its physical line', async () => {
    // (A trailing newline inside the quotes would be trimmed like any blank: "x" keeps the value unparseable.)
    env.write('qn.csv', 'customer_id,signup_at\nA,"2026-01-01\nx"\nB,2026-01-02\n,2026-01-03\n');
    const s = await env.ingest({ customers: { path: 'qn.csv' } }, 'run-m');
    // Records: header (line 1), A (lines 2-3), B (line 4), missing key (line 5).
    expect(s.sources.customers).toMatchObject({ read: 3, rejected: 2 });
    expect((await rejects()).map((x) => [x.line, x.reason])).toEqual([
      [2, 'unparseable timestamp "2026-01-01\nx" in signup_at'],
      [5, 'missing key customer_id'],
    ]);
  });

  it('quoted newlines and doubled quotes: values kept', async () => {
    const s = await load('quoted-newlines.csv');
    expect(s.sources.customers).toMatchObject({ read: 3, loaded: 3, rejected: 0 });
    expect(await env.wh.all('select customer_id, country from customers order by 1')).toEqual([
      { customer_id: 'A', country: 'DE\nsecond line' },
      { customer_id: 'B', country: 'FR' },
      { customer_id: 'C', country: 'say "hi"' },
    ]);
  });

  it('invalid UTF-8: the row is rejected with its line, the others load', async () => {
    const s = await load('invalid-utf8.csv');
    expect(s.sources.customers).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
    expect(accountedFor(s.sources.customers!)).toBe(true);
    const r = await rejects();
    expect(r).toHaveLength(1);
    expect(r[0].line).toBe(3);
    expect(r[0].reason).toMatch(/^malformed row: invalid encoding/);
    expect(r[0].raw_row).toMatch(/^B,F/);
  });

  it('too many and too few fields: rejected rows with their lines', async () => {
    const s = await load('ragged.csv');
    expect(s.sources.customers).toMatchObject({ read: 4, loaded: 2, rejected: 2 });
    const r = await rejects();
    expect(r.map((x) => [x.line, x.reason.split(' (')[0], x.raw_row])).toEqual([
      [3, 'malformed row: too many columns', 'B,FR,extra'],
      [4, 'malformed row: missing columns', 'C'],
    ]);
    expect(await env.wh.all('select customer_id from customers order by 1')).toEqual([{ customer_id: 'A' }, { customer_id: 'D' }]);
  });

  it('a rejected reader row does not shift the line numbers of later validation rejects', async () => {
    env.write('mixed.csv', ['customer_id,signup_at', 'A,2026-01-01', 'B,x,y', 'C,2026-01-01', ',2026-01-02', 'E,nope'].join('\n'));
    const s = await env.ingest({ customers: { path: 'mixed.csv' } }, 'run-m');
    expect(s.sources.customers).toMatchObject({ read: 5, loaded: 2, rejected: 3 });
    expect((await rejects()).map((x) => [x.line, x.reason.split(' (')[0]])).toEqual([
      [3, 'malformed row: too many columns'],
      [5, 'missing key customer_id'],
      [6, 'unparseable timestamp "nope" in signup_at'],
    ]);
  });

  it('header only: loads nothing, fails nothing', async () => {
    const s = await load('header-only.csv');
    expect(s.sources.customers).toMatchObject({ read: 0, loaded: 0, rejected: 0, files: 1 });
  });

  it('not Parquet: CXP_ERR_SOURCE_MALFORMED', async () => {
    const e = await failure('not-parquet.parquet');
    expect(e.code).toBe('CXP_ERR_SOURCE_MALFORMED');
    expect(e.message).toMatch(/not a readable Parquet file/);
  });

  it('broken JSON lines: each bad line rejected with a reason, blank lines ignored', async () => {
    const s = await load('broken.jsonl');
    expect(s.sources.customers).toMatchObject({ read: 4, loaded: 2, rejected: 2 });
    expect((await rejects()).map((x) => [x.line, x.reason])).toEqual([
      [2, 'not a JSON object (array)'],
      [3, 'invalid JSON'],
    ]);
  });

  it('unterminated quote: only its line is rejected, the lines after it load', async () => {
    const s = await load('unterminated-quote.csv');
    // The fixture: header, A,"DE (quote never closed), B,FR, C,US.
    expect(s.sources.customers).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
    expect((await rejects()).map((x) => [x.line, x.raw_row])).toEqual([[2, 'A,"DE']]);
    expect((await env.wh.all<{ id: string }>('select customer_id as id from customers order by 1')).map((r) => r.id)).toEqual(['B', 'C']);
  });

  it('an unterminated quote in the header: CXP_ERR_SOURCE_MALFORMED naming the header line', async () => {
    env.write('hq.csv', 'customer_id,"country\nA,DE\n');
    const err = await env.ingest({ customers: { path: 'hq.csv' } }, 'run-m').catch((e: unknown) => e);
    expect((err as CxpError).code).toBe('CXP_ERR_SOURCE_MALFORMED');
    expect((err as CxpError).message).toMatch(/the header \(line 1\) cannot be read: unterminated quote/);
  });

  it('no file matches: CXP_ERR_SOURCE_NOT_FOUND naming the path and the config key', async () => {
    const err = await env.ingest({ customers: { path: 'nothing-here/*.csv' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CxpError);
    expect((err as CxpError).code).toBe('CXP_ERR_SOURCE_NOT_FOUND');
    expect((err as CxpError).message).toContain('nothing-here/*.csv');
    expect((err as CxpError).details.where).toBe('sources.customers.path');
  });

  it('whitespace-separated file with a wrong field count: rejected with the count', async () => {
    env.write('ws.txt', 'customer_id  country\r\n  A   DE\r\n B DE extra\r\n\r\n C  FR \r\n');
    const s = await env.ingest({ customers: { path: 'ws.txt', delimiter: 'whitespace' } }, 'run-m');
    expect(s.sources.customers).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
    expect((await rejects()).map((x) => [x.line, x.reason, x.raw_row])).toEqual([
      [3, 'expected 2 fields separated by whitespace, found 3', 'B DE extra'],
    ]);
  });
});
