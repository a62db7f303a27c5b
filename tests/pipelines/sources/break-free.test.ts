import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { breakFree, hashFile, trimSpaceOnly } from '../../../pipelines/sources/source-files.js';
import { ingestEnv } from './ingest-helpers.js';

// The scan for line breaks inside values is skipped when the file's bytes (seen while hashing) show none
// can exist: no CR, no quote character. These are the cases where it must NOT be skipped.
const dir = mkdtempSync(join(tmpdir(), 'cxp-break-free-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('breakFree', () => {
  it('is true only for a plain file with no CR and no quote character', async () => {
    const plain = await hashFile(file('plain.csv', 'a,b\n1,2\n'));
    expect(plain.lacks).toEqual({ cr: true, dquote: true });
    expect(breakFree(plain, undefined)).toBe(true);
    expect(breakFree(plain, '"')).toBe(true);
    expect(breakFree(plain, '')).toBe(true);
    // Another quote character: its byte was not looked for.
    expect(breakFree(plain, "'")).toBe(false);

    const quoted = await hashFile(file('quoted.csv', 'a,b\n1,"x\ny"\n'));
    expect(quoted.lacks).toEqual({ cr: true, dquote: false });
    expect(breakFree(quoted, undefined)).toBe(false);
    // Quoting off: a quote byte is text, every LF ends a record.
    expect(breakFree(quoted, '')).toBe(true);

    const cr = await hashFile(file('cr.csv', 'a,b\r\n1,2\r\n'));
    expect(cr.lacks).toEqual({ cr: false, dquote: true });
    expect(breakFree(cr, undefined)).toBe(false);
    expect(breakFree(cr, '')).toBe(false);
  });

  it('finds a quote or CR past the first read chunk (1 MiB)', async () => {
    const body = Buffer.alloc(3 * 2 ** 20, 'a');
    body[body.length - 3] = 0x22;
    expect((await hashFile(file('late-quote.csv', body))).lacks).toEqual({ cr: true, dquote: false });
    body[body.length - 3] = 0x0d;
    expect((await hashFile(file('late-cr.csv', body))).lacks).toEqual({ cr: false, dquote: true });
  });

  it('is false for a compressed file (its bytes are not the text) and for a reused hash (no bytes seen)', async () => {
    const gz = await hashFile(file('p.csv.gz', 'not really gzip'));
    expect(breakFree(gz, undefined)).toBe(false);
    const { lacks: _, ...reused } = await hashFile(file('again.csv', 'a,b\n'));
    expect(breakFree(reused, undefined)).toBe(false);
  });

  it('spaceOnly: ASCII bytes without TAB, VT or FF, wherever the others sit; trimSpaceOnly needs breakFree too', async () => {
    const plain = await hashFile(file('ascii.csv', 'a,b\n 1 ,2 \n'));
    expect(plain.spaceOnly).toBe(true);
    expect(trimSpaceOnly(plain, undefined)).toBe(true);
    // A quote or a CR: a value may hold a line break.
    expect(trimSpaceOnly(await hashFile(file('ascii-q.csv', 'a,b\n1,"2"\n')), undefined)).toBe(false);
    expect(trimSpaceOnly(await hashFile(file('ascii-cr.csv', 'a,b\r\n1,2\r\n')), undefined)).toBe(false);
    const body = Buffer.alloc(3 * 2 ** 20, 'a');
    for (const b of [0x09, 0x0b, 0x0c, 0x80, 0xa0, 0xc2, 0xff]) {
      body[body.length - 3] = b;
      const f = await hashFile(file(`late-${b}.csv`, body));
      expect([b, f.spaceOnly]).toEqual([b, false]);
      expect(trimSpaceOnly(f, undefined)).toBe(false);
    }
    const nbsp = await hashFile(file('nbsp.csv', 'a,b\n1,2\u00a0\n'));
    expect(nbsp.spaceOnly).toBe(false);
    const { spaceOnly: _, ...reused } = plain;
    expect(trimSpaceOnly(reused, undefined)).toBe(false);
  });

  it('values are trimmed the same whether the file allows the space-only test or not', async () => {
    const env = await ingestEnv('cxp-space-only-ingest-');
    try {
      const head = 'order_id,customer_id,ordered_at,amount,channel\n';
      // 1.csv: spaces only (the byte test); 2.csv: a trailing TAB, 3.csv: a trailing NBSP (the full test).
      env.write('p/1.csv', `${head} O1 ,C1  ,2026-06-01 , 10.00,  web\nO2, C2,2026-06-02,20.00,   \n`);
      env.write('p/2.csv', `${head}O3\t,C3,2026-06-03,30.00,web\t\n`);
      env.write('p/3.csv', `${head}O4\u00a0,C4,2026-06-04,40.00,\u00a0web\n`);
      const s = await env.ingest({ purchases: { path: 'p/*.csv' } });
      expect(s.sources.purchases).toMatchObject({ read: 4, loaded: 4, rejected: 0 });
      const rows = await env.wh.all<{ order_id: string; customer_id: string; channel: string | null }>(
        'select order_id, customer_id, channel from purchases order by order_id',
      );
      expect(rows).toEqual([
        { order_id: 'O1', customer_id: 'C1', channel: 'web' },
        { order_id: 'O2', customer_id: 'C2', channel: null },
        { order_id: 'O3', customer_id: 'C3', channel: 'web' },
        { order_id: 'O4', customer_id: 'C4', channel: 'web' },
      ]);
    } finally {
      env.close();
    }
  });

  it('a quoted line break in a later file of a glob still gives physical line numbers to the rows after it', async () => {
    const env = await ingestEnv('cxp-break-free-ingest-');
    try {
      env.write('p/1.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,2026-06-01,10.00\nO2,C1,2026-06-02,x\n');
      env.write('p/2.csv', 'order_id,customer_id,ordered_at,amount,channel\nO3,C1,2026-06-03,30.00,"we\nb"\nO4,C1,2026-06-04,y,web\n');
      const s = await env.ingest({ purchases: { path: 'p/*.csv' } });
      expect(s.sources.purchases).toMatchObject({ read: 4, loaded: 2, rejected: 2 });
      const rejects = await env.wh.all<{ file: string; line: number }>('select file, line from rejected_rows order by file');
      expect(rejects.map((r) => [r.file.replace(/.*\/p\//, ''), r.line])).toEqual([
        ['1.csv', 3],
        ['2.csv', 4],
      ]);
    } finally {
      env.close();
    }
  });
});
