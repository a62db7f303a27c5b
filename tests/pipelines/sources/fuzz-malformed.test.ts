import { mulberry32 } from '../../helpers/prng.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

const prng = mulberry32;

function validCsv(): string {
  const lines = ['customer_id,signup_at,country,email,marketing_consent'];
  for (let i = 0; i < 150; i++) {
    lines.push(`K${i},2026-0${1 + (i % 9)}-1${i % 10}T10:00:00Z,${['DE', 'FR', 'US'][i % 3]},u${i}@x.org,${['yes', 'no', '1', '0'][i % 4]}`);
  }
  return lines.join('\r\n') + '\r\n';
}

function validJsonl(): string {
  const lines: string[] = [];
  for (let i = 0; i < 150; i++) {
    lines.push(JSON.stringify({ customer_id: `J${i}`, signup_at: `2026-01-${10 + (i % 18)}`, country: 'SE', marketing_consent: i % 2 === 0 }));
  }
  return lines.join('\n') + '\n';
}

const NASTY = [0x22, 0x2c, 0x0a, 0x0d, 0xff, 0xfe, 0xc3, 0x00, 0x7b, 0x7d, 0x5c, 0x3b];

/** One seeded corruption of a valid file's bytes. */
function corrupt(input: Buffer, rnd: () => number): { bytes: Buffer; kind: string } {
  const b = Buffer.from(input);
  const at = () => Math.floor(rnd() * b.length);
  const kind = ['truncate', 'random-bytes', 'drop-delimiters', 'extra-quotes', 'splice-garbage', 'duplicate-lines'][Math.floor(rnd() * 6)];
  switch (kind) {
    case 'truncate':
      return { bytes: b.subarray(0, at()), kind };
    case 'random-bytes': {
      for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) b[at()] = rnd() < 0.5 ? NASTY[Math.floor(rnd() * NASTY.length)] : Math.floor(rnd() * 256);
      return { bytes: b, kind };
    }
    case 'drop-delimiters': {
      const s = b.toString('latin1');
      let out = '';
      for (const ch of s) out += (ch === ',' || ch === ':') && rnd() < 0.05 ? '' : ch;
      return { bytes: Buffer.from(out, 'latin1'), kind };
    }
    case 'extra-quotes': {
      const s = b.toString('latin1').split('');
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) s.splice(at(), 0, '"');
      return { bytes: Buffer.from(s.join(''), 'latin1'), kind };
    }
    case 'splice-garbage': {
      const garbage = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
      const p = at();
      return { bytes: Buffer.concat([b.subarray(0, p), garbage, b.subarray(p)]), kind };
    }
    default: {
      const lines = b.toString('latin1').split('\n');
      const i = Math.floor(rnd() * lines.length);
      lines.splice(i, 0, lines[i], lines[i]);
      return { bytes: Buffer.from(lines.join('\n'), 'latin1'), kind };
    }
  }
}

/** Records the reader must see when a file has no quotes: one per non-blank line (minus the header). */
function expectedRecords(bytes: Buffer, header: boolean): number | undefined {
  if (bytes.includes(0x22)) return undefined; // quotes can join lines into one record
  const lines = bytes.toString('latin1').split('\n').map((l) => l.replace(/\r$/, ''));
  const nonBlank = lines.filter((l) => l.length > 0).length;
  return header ? nonBlank - 1 : nonBlank;
}

describe('fuzzed malformed input: no crash, and either a CxpError naming the file or every row accounted for', () => {
  let env: IngestEnv;
  beforeAll(async () => {
    env = await ingestEnv('cxp-fuzz-');
  });
  afterAll(() => env.close());

  const cases: { seed: number; format: 'csv' | 'jsonl' }[] = [];
  for (let seed = 1; seed <= 30; seed++) cases.push({ seed, format: 'csv' });
  for (let seed = 101; seed <= 120; seed++) cases.push({ seed, format: 'jsonl' });

  const seen = { errors: 0, withRejects: 0, checkedCounts: 0, kinds: new Set<string>() };

  it.each(cases)('seed $seed ($format)', async ({ seed, format }) => {
    const rnd = prng(seed);
    const base = Buffer.from(format === 'csv' ? validCsv() : validJsonl(), 'utf8');
    const { bytes, kind } = corrupt(base, rnd);
    seen.kinds.add(kind);
    const name = `fuzz-${seed}.${format}`;
    const path = env.write(name, bytes);
    const runId = `fuzz-run-${seed}`;
    const before = (await env.wh.one<{ n: number }>('select count(*) as n from customers'))!.n;
    let summary;
    try {
      summary = await env.ingest({ customers: { path: name } }, runId);
    } catch (err) {
      // The only acceptable failure: a CxpError that names the file.
      expect(err, `seed ${seed} (${kind}) threw a non-CxpError: ${String(err)}`).toBeInstanceOf(CxpError);
      expect((err as CxpError).message).toContain(path);
      expect((err as CxpError).code).toMatch(/^CXP_ERR_SOURCE_/);
      seen.errors += 1;
      return;
    }
    const c = summary.sources.customers!;
    expect(accountedFor(c), `seed ${seed} (${kind}): ${JSON.stringify(c)}`).toBe(true);
    const rejected = (await env.wh.one<{ n: number }>('select count(*) as n from rejected_rows where run_id = $1', [runId]))!.n;
    expect(rejected).toBe(c.rejected);
    const after = (await env.wh.one<{ n: number }>('select count(*) as n from customers'))!.n;
    expect(after - before).toBe(c.loaded);
    const expected = expectedRecords(bytes, format === 'csv');
    if (expected !== undefined) {
      expect(c.read, `seed ${seed} (${kind})`).toBe(expected);
      seen.checkedCounts += 1;
    }
    if (c.rejected > 0) seen.withRejects += 1;
  });

  it('the corpus exercised every corruption and both outcomes', () => {
    expect(seen.kinds.size).toBe(6);
    expect(seen.withRejects).toBeGreaterThan(5);
    expect(seen.checkedCounts).toBeGreaterThan(10);
    // Errors are allowed, not required; report them so a change in behaviour is visible.
    console.info(`fuzz: ${seen.errors} file-level errors, ${seen.withRejects} runs with rejected rows, ${seen.checkedCounts} exact record counts`);
  });
});
