import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

// CSV layout faults become per-row rejects at their PHYSICAL line. Every expectation is counted here,
// from the lines the test writes: the line number of a fault is the 1-based position of its line in
// `lines` (the file is lines joined by their own endings), never a value read from the code.
describe('CSV layout faults: per-row rejects with the physical line', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv('cxp-layout-');
  });
  afterEach(() => env.close());

  const HEADER = 'customer_id,country,email';
  function body(n: number, from = 1): string[] {
    return Array.from({ length: n }, (_, i) => `C${from + i},LV,c${from + i}@example.lv`);
  }
  /** Physical line (1-based) of the first line of `lines` containing `needle`. */
  function lineOf(lines: string[], needle: string): number {
    const i = lines.findIndex((l) => l.includes(needle));
    expect(i).toBeGreaterThanOrEqual(0);
    return i + 1;
  }
  /** Data lines (not the header, not blank) = rows read. */
  function dataLines(lines: string[]): number {
    return lines.slice(1).filter((l) => l.replace(/\r$/, '') !== '').length;
  }
  async function rejects(runId: string) {
    return env.wh.all<{ line: number; reason: string; raw_row: string | null }>(
      'select line, reason, raw_row from rejected_rows where run_id = $1 order by line',
      [runId],
    );
  }
  async function ids(): Promise<string[]> {
    return (await env.wh.all<{ id: string }>('select customer_id as id from customers order by 1')).map((r) => r.id);
  }

  it('mixed LF and CRLF endings: every row loads, no CR kept', async () => {
    const lines = [HEADER, ...body(6)];
    // Alternate endings: CRLF on even lines, LF on odd ones.
    const text = lines.map((l, i) => l + (i % 2 === 0 ? '\r\n' : '\n')).join('');
    env.write('mixed.csv', text);
    const s = await env.ingest({ customers: { path: 'mixed.csv' } }, 'run-mixed');
    expect(s.sources.customers).toMatchObject({ read: 6, loaded: 6, rejected: 0 });
    const crs = await env.wh.one<{ n: number }>("select count(*) as n from customers where contains(email, chr(13)) or contains(country, chr(13))");
    expect(crs?.n).toBe(0);
  });

  it('a lone CR inside a row: that row is rejected at its physical line, the rest load', async () => {
    const lines = [HEADER, ...body(3), 'Z900,L\rV,z900@example.lv', ...body(3, 10)];
    env.write('cr.csv', lines.join('\n') + '\n');
    const s = await env.ingest({ customers: { path: 'cr.csv' } }, 'run-cr');
    expect(s.sources.customers).toMatchObject({ read: dataLines(lines), loaded: dataLines(lines) - 1, rejected: 1 });
    expect(accountedFor(s.sources.customers!)).toBe(true);
    const r = await rejects('run-cr');
    expect(r.map((x) => x.line)).toEqual([lineOf(lines, 'Z900')]);
    expect(r[0]!.reason).toMatch(/lone carriage return/);
    expect(await ids()).not.toContain('Z900');
  });

  it('one unterminated quote: only its line is rejected, every later line still loads', async () => {
    const lines = [HEADER, ...body(4), 'Z900,"LV,z900@example.lv', ...body(5, 10), 'C20,"LV",c20@example.lv'];
    env.write('q.csv', lines.join('\n') + '\n');
    const s = await env.ingest({ customers: { path: 'q.csv' } }, 'run-q');
    expect(s.sources.customers).toMatchObject({ read: dataLines(lines), loaded: dataLines(lines) - 1, rejected: 1 });
    const r = await rejects('run-q');
    expect(r.map((x) => x.line)).toEqual([lineOf(lines, 'Z900')]);
    expect(r[0]!.reason).toMatch(/unterminated quote/);
    expect(r[0]!.raw_row).toBe('Z900,"LV,z900@example.lv');
    const got = await ids();
    expect(got).toContain('C14');
    expect(got).toContain('C20');
    expect(got).not.toContain('Z900');
  });

  it('an unterminated quote late in a large file (beyond the sniffer sample) does not swallow the lines after it', async () => {
    const lines = [HEADER, ...body(25_000), 'Z900,"LV,z900@example.lv', ...body(20, 30_000)];
    env.write('late.csv', lines.join('\n') + '\n');
    const s = await env.ingest({ customers: { path: 'late.csv' } }, 'run-late');
    expect(s.sources.customers).toMatchObject({ read: dataLines(lines), rejected: 1 });
    expect((await rejects('run-late')).map((x) => x.line)).toEqual([lineOf(lines, 'Z900')]);
  });

  it('a field over 2 MiB: that row is rejected at its line (also when it is the first row)', async () => {
    const huge = 'x'.repeat(3 * 1024 * 1024);
    for (const at of [0, 3]) {
      const rows = body(6);
      rows.splice(at, 0, `Z900,${huge},z900@example.lv`);
      const lines = [HEADER, ...rows];
      env.write(`huge${at}.csv`, lines.join('\n') + '\n');
      const runId = `run-huge-${at}`;
      const s = await env.ingest({ customers: { path: `huge${at}.csv` } }, runId);
      expect(s.sources.customers).toMatchObject({ read: 7, loaded: at === 0 ? 6 : 0, rejected: 1 });
      const r = await rejects(runId);
      expect(r.map((x) => x.line)).toEqual([lineOf(lines, 'Z900')]);
      expect(r[0]!.reason).toMatch(/field 2 alone is 3\.0 MiB/);
      expect(r[0]!.raw_row!.length).toBeLessThan(10_000);
    }
  });

  it('quoted line breaks: a later reject names its physical line, not its record number', async () => {
    const lines = [HEADER, 'C1,"L', 'V",c1@example.lv', 'C2,LV,c2@example.lv', ',LV,nokey@example.lv'];
    env.write('qn.csv', lines.join('\n') + '\n');
    const s = await env.ingest({ customers: { path: 'qn.csv' } }, 'run-qn');
    expect(s.sources.customers).toMatchObject({ read: 3, loaded: 2, rejected: 1 });
    expect((await rejects('run-qn')).map((x) => [x.line, x.reason])).toEqual([[lineOf(lines, 'nokey'), 'missing key customer_id']]);
  });

  it('faults together, gzip-compressed, CRLF: rows in = loaded + rejected, each reject at its line', async () => {
    const lines = [
      HEADER,
      ...body(3),
      'Z900,"LV,z900@example.lv',
      ...body(2, 10),
      'Z901,L\rV,z901@example.lv',
      'Z902,LV,z902@example.lv,extra',
      '',
      ...body(2, 20),
    ];
    env.write('all.csv.gz', gzipSync(Buffer.from(lines.join('\r\n') + '\r\n')));
    const s = await env.ingest({ customers: { path: 'all.csv.gz' } }, 'run-all');
    const read = dataLines(lines);
    expect(s.sources.customers).toMatchObject({ read, loaded: read - 3, rejected: 3 });
    expect(accountedFor(s.sources.customers!)).toBe(true);
    expect((await rejects('run-all')).map((x) => x.line)).toEqual([lineOf(lines, 'Z900'), lineOf(lines, 'Z901'), lineOf(lines, 'Z902')]);
  });
});
