import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { accountedFor, ingestEnv, warehouseChecksums, type IngestEnv } from './ingest-helpers.js';

// Hostile files: each case is one the audit reproduced; expectations are counted by hand from the bytes.
describe('hostile files: fail whole, or reject per row with the right line', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv('cxp-hostile-');
  });
  afterEach(() => env.close());

  function customersCsv(n: number): string {
    const lines = ['customer_id,country,email'];
    for (let i = 1; i <= n; i++) lines.push(`C${String(i).padStart(6, '0')},LV,c${i}@example.lv`);
    return lines.join('\n') + '\n';
  }

  it('a gzip file cut in half fails the run whole: nothing loaded, not recorded as ingested', async () => {
    const gz = gzipSync(Buffer.from(customersCsv(20_000)));
    env.write('full.csv.gz', gz);
    const s = await env.ingest({ customers: { path: 'full.csv.gz' } });
    expect(s.sources.customers).toMatchObject({ read: 20_000, loaded: 20_000 });

    const fresh = await ingestEnv('cxp-hostile-cut-');
    try {
      fresh.write('cut.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)));
      const before = await warehouseChecksums(fresh.wh);
      const err = await fresh.ingest({ customers: { path: 'cut.csv.gz' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CxpError);
      expect((err as CxpError).code).toBe('CXP_ERR_SOURCE_MALFORMED');
      expect((err as CxpError).message).toMatch(/cut\.csv\.gz: the gzip file is truncated or corrupt/);
      expect(await warehouseChecksums(fresh.wh)).toEqual(before);
      const files = await fresh.wh.one<{ n: number }>('select count(*) as n from ingested_files');
      expect(files?.n).toBe(0);
    } finally {
      fresh.close();
    }
  });

  it('a gzip file with a flipped byte (CRC mismatch) fails whole', async () => {
    const gz = Buffer.from(gzipSync(Buffer.from(customersCsv(50))));
    gz[gz.length - 6] ^= 0xff; // inside the CRC-32 trailer
    env.write('bad.csv.gz', gz);
    const err = await env.ingest({ customers: { path: 'bad.csv.gz' } }).catch((e: unknown) => e);
    expect((err as CxpError).code).toBe('CXP_ERR_SOURCE_MALFORMED');
  });

  it('counts reconcile on a clean gzip file read back', async () => {
    env.write('c.csv.gz', gzipSync(Buffer.from(customersCsv(10))));
    const s = await env.ingest({ customers: { path: 'c.csv.gz' } });
    expect(accountedFor(s.sources.customers!)).toBe(true);
  });
});
