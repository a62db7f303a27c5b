import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { quoteIdent } from '../../../pipelines/core/sql-ident.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import { ingestJob } from '../../../pipelines/jobs/ingest-job.js';
import { transformJob } from '../../../pipelines/jobs/transform-job.js';
import { scoreJob } from '../../../pipelines/jobs/score-job.js';
import { accountedFor, ingestEnv, warehouseChecksums, type IngestEnv } from './ingest-helpers.js';

// The hostile-input matrix (issue 18): every file source kind x every fault the audit found. One
// warehouse per source kind; each fault is one file loaded by its own run (runPipeline, as `cxpulse
// run ingest` does: no error = exit 0, an error = exit 1 with its message). Expected counts are derived
// here from the rows each case writes (GOOD clean rows plus the faulty rows it adds), never from the
// code under test. After all cases, transform + score must succeed on what was stored, and nothing
// implausible may be stored.

type Kind = 'customers' | 'purchases' | 'interactions' | 'surveys';

interface KindSpec {
  header: string[];
  /** One clean row for key `id`. */
  row(id: string): string[];
  /** Column index of a free-text field (holds the huge field and the Latin-1 byte). */
  textCol: number;
  /** Column index of a timestamp. */
  dateCol: number;
  /** Column index of a number, when the source has one. */
  numCol?: number;
  table: string;
  timestamps: string[];
  numbers: string[];
}

const KINDS: Record<Kind, KindSpec> = {
  customers: {
    header: ['customer_id', 'signup_at', 'country', 'email'],
    row: (id) => [id, '2026-01-05', 'LV', `${id.toLowerCase()}@example.lv`],
    textCol: 2,
    dateCol: 1,
    table: 'customers',
    timestamps: ['signup_at'],
    numbers: [],
  },
  purchases: {
    header: ['order_id', 'customer_id', 'ordered_at', 'amount'],
    row: (id) => [`O-${id}`, id, '2026-06-01 10:00:00', '19.90'],
    textCol: 0,
    dateCol: 2,
    numCol: 3,
    table: 'purchases',
    timestamps: ['ordered_at'],
    numbers: ['amount'],
  },
  interactions: {
    header: ['interaction_id', 'customer_id', 'channel', 'kind', 'opened_at', 'first_response_at', 'resolved_at'],
    row: (id) => [`I-${id}`, id, 'phone', 'inquiry', '2026-06-01 10:00:00', '2026-06-01 10:05:00', '2026-06-01 11:00:00'],
    textCol: 2,
    dateCol: 4,
    table: 'interactions',
    timestamps: ['opened_at', 'first_response_at', 'resolved_at'],
    numbers: [],
  },
  surveys: {
    header: ['response_id', 'customer_id', 'submitted_at', 'survey_type', 'score'],
    row: (id) => [`R-${id}`, id, '2026-06-02 09:00:00', 'nps', '9'],
    textCol: 0,
    dateCol: 2,
    numCol: 4,
    table: 'surveys',
    timestamps: ['submitted_at'],
    numbers: ['score'],
  },
};

const GOOD = 4;

interface Case {
  name: string;
  /** The file (name decides the format) and its bytes. */
  file: string;
  bytes: (spec: KindSpec, tag: string) => Uint8Array | Promise<Uint8Array>;
  /** Faulty rows added to the GOOD clean ones (each must be rejected); or the run fails whole. */
  bad?: number;
  fails?: RegExp;
  only?: (spec: KindSpec) => boolean;
}

const csv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\n') + '\n';
const good = (spec: KindSpec, tag: string) => Array.from({ length: GOOD }, (_, i) => spec.row(`${tag}${i + 1}`));
const withCell = (spec: KindSpec, tag: string, col: number, value: string) => {
  const r = spec.row(`${tag}X`);
  r[col] = value;
  return r;
};

function cases(env: () => IngestEnv): Case[] {
  return [
    {
      name: 'UTF-16 text fails whole, saying how to convert',
      file: 'utf16.csv',
      bytes: (s, t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv([s.header, ...good(s, t)]), 'utf16le')]),
      fails: /CXP_ERR_SOURCE_MALFORMED.*is UTF-16 text.*iconv/,
    },
    {
      // Excel's .xlsx and LibreOffice's .ods are ZIP archives (local file header "PK\x3\x4"); read as text
      // they would be one garbled column.
      name: 'an Excel workbook under a .csv name fails whole, saying to save the sheet as CSV',
      file: 'book.csv',
      bytes: () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('[Content_Types].xml', 'latin1'), Buffer.alloc(64)]),
      fails: /CXP_ERR_SOURCE_MALFORMED.*spreadsheet workbook.*Save As.*CSV UTF-8/,
    },
    {
      name: 'an Excel 97-2003 workbook (OLE2) under a .csv name fails whole, saying to save the sheet as CSV',
      file: 'old-book.csv',
      bytes: () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]),
      fails: /CXP_ERR_SOURCE_MALFORMED.*spreadsheet workbook.*Save As.*CSV UTF-8/,
    },
    {
      name: 'a workbook named .xlsx fails whole before it is read, saying to save the sheet as CSV',
      file: 'book.xlsx',
      bytes: (s, t) => Buffer.from(csv([s.header, ...good(s, t)])),
      fails: /CXP_ERR_SOURCE_MALFORMED.*is a spreadsheet workbook; cxpulse reads CSV.*Save As/,
    },
    {
      name: 'a Latin-1 byte: that row rejected',
      file: 'latin1.csv',
      bytes: (s, t) =>
        Buffer.concat([Buffer.from(csv([s.header, ...good(s, t)])), Buffer.from(withCell(s, t, s.textCol, 'Z\u00fcrich').join(',') + '\n', 'latin1')]),
      bad: 1,
    },
    { name: 'UTF-8 BOM: all load', file: 'bom.csv', bytes: (s, t) => Buffer.from('\ufeff' + csv([s.header, ...good(s, t)])), bad: 0 },
    {
      name: 'mixed CRLF/LF endings: all load',
      file: 'mixed.csv',
      bytes: (s, t) => Buffer.from([s.header, ...good(s, t)].map((r, i) => r.join(',') + (i % 2 ? '\r\n' : '\n')).join('')),
      bad: 0,
    },
    {
      name: 'an unterminated quote: that row rejected, later rows load',
      file: 'quote.csv',
      bytes: (s, t) => {
        const rows = good(s, t);
        const r = withCell(s, t, s.textCol, `"${s.row('q')[s.textCol]}`);
        return Buffer.from(csv([s.header, ...rows.slice(0, 2), r, ...rows.slice(2)]));
      },
      bad: 1,
    },
    {
      name: 'a NUL byte in the id: that row rejected',
      file: 'nul.csv',
      bytes: (s, t) => Buffer.from(csv([s.header, ...good(s, t), withCell(s, t, s.header.indexOf('customer_id'), `${t}N\u0000UL`)])),
      bad: 1,
    },
    {
      name: 'a field over 2 MiB: that row rejected',
      file: 'huge.csv',
      bytes: (s, t) => Buffer.from(csv([s.header, ...good(s, t), withCell(s, t, s.textCol, 'x'.repeat(2_500_000))])),
      bad: 1,
    },
    {
      name: 'NaN, inf, 1e200: those rows rejected',
      file: 'numbers.csv',
      only: (s) => s.numCol !== undefined,
      bytes: (s, t) =>
        Buffer.from(csv([s.header, ...good(s, t), ...['NaN', 'inf', '1e200'].map((v, i) => withCell(s, `${t}n${i}`, s.numCol!, v))])),
      bad: 3,
    },
    {
      name: 'far dates 0001, 2999, 9999: those rows rejected',
      file: 'dates.csv',
      bytes: (s, t) =>
        Buffer.from(
          csv([s.header, ...good(s, t), ...['0001-01-01', '2999-01-01', '9999-12-31 23:59:59'].map((v, i) => withCell(s, `${t}d${i}`, s.dateCol, v))]),
        ),
      bad: 3,
    },
    {
      name: 'a truncated gzip file fails whole',
      file: 'cut.csv.gz',
      bytes: (s, t) => {
        const rows = Array.from({ length: 3000 }, (_, i) => s.row(`${t}${i}`));
        const gz = gzipSync(Buffer.from(csv([s.header, ...rows])));
        return gz.subarray(0, Math.floor(gz.length / 2));
      },
      fails: /CXP_ERR_SOURCE_MALFORMED.*gzip file is truncated or corrupt/,
    },
    {
      name: 'Parquet with the timestamp column as integers: those rows rejected',
      file: 'typed.parquet',
      bytes: async (s, t) => {
        const e = env();
        const rows = good(s, t);
        const cols = s.header.map((h, j) => (j === s.dateCol ? `20260601::integer as ${quoteIdent(h)}` : `v[${j + 1}] as ${quoteIdent(h)}`));
        const out = e.write(`tmp-${t}.parquet`, '');
        await e.wh.run(
          `copy (select ${cols.join(', ')} from (select unnest(from_json($1::varchar, '["VARCHAR[]"]')) as v)) to '${out.replace(/'/g, "''")}' (format parquet)`,
          [JSON.stringify(rows)],
        );
        const { readFileSync } = await import('node:fs');
        return readFileSync(out);
      },
      // Every row has an integer where a timestamp belongs: all GOOD rows are the faulty ones here.
      bad: -GOOD,
    },
  ];
}

for (const kind of Object.keys(KINDS) as Kind[]) {
  describe(`hostile matrix: ${kind}`, () => {
    const spec = KINDS[kind];
    let env: IngestEnv;
    const clock = fixedClock('2026-07-01T00:00:00Z');
    beforeAll(async () => {
      env = await ingestEnv(`cxp-matrix-${kind}-`);
    });
    afterAll(() => env.close());

    const all = cases(() => env).filter((c) => !c.only || c.only(spec));
    all.forEach((c, n) => {
      it(c.name, async () => {
        const tag = `${kind.slice(0, 2).toUpperCase()}${n}-`;
        const path = env.write(`${n}-${c.file}`, await c.bytes(spec, tag));
        const before = await warehouseChecksums(env.wh);
        const outcome = await runPipeline(
          [ingestJob],
          { config: env.config({ [kind]: { path } }), warehouse: env.wh, clock, logger: silentLogger, runId: `run-${kind}-${n}` },
          { trigger: 'cli' },
        );
        if (c.fails) {
          // exit code 1 (the CLI returns 1 when the outcome has an error), a one-line reason naming the file.
          expect(outcome.status).toBe('failed');
          expect(outcome.error?.toLine()).toMatch(c.fails);
          expect(outcome.error?.message).toContain(path);
          expect(await warehouseChecksums(env.wh)).toEqual(before);
          return;
        }
        expect(outcome.error?.toLine()).toBeUndefined(); // exit code 0
        const counts = (outcome.results?.ingest as { sources: Record<string, { read: number; loaded: number; updated: number; duplicate: number; rejected: number }> } | undefined)
          ?.sources[kind] ?? (await lastCounts(env, `run-${kind}-${n}`, kind));
        const read = c.bad! < 0 ? GOOD : GOOD + c.bad!;
        const rejected = c.bad! < 0 ? GOOD : c.bad!;
        expect(counts).toMatchObject({ read, rejected });
        expect(accountedFor({ ...counts, conflicts: 0, files: 1, skipped_files: 0 } as never)).toBe(true);
      });
    });

    it('afterwards: nothing implausible stored, and transform + score succeed', async () => {
      const t = spec.table;
      const cols = await env.wh.all<{ name: string; type: string }>(
        "select column_name as name, data_type as type from duckdb_columns() where table_name = $1 and schema_name = 'main'",
        [t],
      );
      for (const c of cols.filter((x) => x.type === 'VARCHAR')) {
        const bad = await env.wh.one<{ n: number }>(
          `select count(*) as n from ${quoteIdent(t)} where length(${quoteIdent(c.name)}) > 100000 or contains(${quoteIdent(c.name)}, chr(0)) or contains(${quoteIdent(c.name)}, chr(65533))`,
        );
        expect(bad?.n, `${t}.${c.name}`).toBe(0);
      }
      for (const c of spec.timestamps) {
        const bad = await env.wh.one<{ n: number }>(
          `select count(*) as n from ${quoteIdent(t)} where ${quoteIdent(c)} < timestamp '1970-01-01' or ${quoteIdent(c)} > timestamp '2026-07-03'`,
        );
        expect(bad?.n, `${t}.${c}`).toBe(0);
      }
      for (const c of spec.numbers) {
        const bad = await env.wh.one<{ n: number }>(`select count(*) as n from ${quoteIdent(t)} where not isfinite(${quoteIdent(c)}::double) or abs(${quoteIdent(c)}::double) > 1e9`);
        expect(bad?.n, `${t}.${c}`).toBe(0);
      }
      const stored = await env.wh.one<{ n: number }>(`select count(*) as n from ${quoteIdent(t)}`);
      expect(stored?.n).toBeGreaterThan(0);
      const outcome = await runPipeline(
        [transformJob, scoreJob],
        // (The config needs a source; the jobs read only the warehouse.)
        { config: env.config({ [kind]: { path: env.write('clean.csv', csv([spec.header, spec.row('C1')])) } }), warehouse: env.wh, clock, logger: silentLogger, runId: `run-${kind}-score` },
        { trigger: 'cli' },
      );
      expect(outcome.error?.toLine()).toBeUndefined();
      expect(outcome.status).toBe('succeeded');
    });
  });
}

async function lastCounts(env: IngestEnv, runId: string, kind: string) {
  const row = await env.wh.one<{ counts: string }>('select counts::varchar as counts from pipeline_runs where run_id = $1', [runId]);
  return (JSON.parse(row!.counts) as Record<string, { read: number; loaded: number; updated: number; duplicate: number; rejected: number }>)[kind];
}
