import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { fileContainsAny } from '../../../pipelines/core/file-scan.js';
import { migrate } from '../../../pipelines/core/migrate.js';
import { Warehouse } from '../../../pipelines/core/warehouse.js';
import { EXPORT_DATASETS } from '../../../pipelines/export/datasets.js';
import { writeExports } from '../../../pipelines/export/write-exports.js';
import { ERASED_READER_REASON } from '../../../pipelines/sources/stage.js';
import { runIngest } from '../../../pipelines/sources/run-ingest.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { eraseCustomer } from '../../../pipelines/jobs/erase-customer.js';
import { customerKeyHash } from '../../../pipelines/triggers/forget.js';
import { accountedFor, ingestEnv, type IngestEnv } from '../sources/ingest-helpers.js';

const ID = 'C0000042';
const EMAIL = 'erin.example@mail.example';
const OTHER = 'C0000043';

let env: IngestEnv | undefined;
afterEach(() => {
  env?.close();
  env = undefined;
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

/**
 * Every place the id or e-mail could hide: all text columns of every table, and under `dir` (warehouse
 * file, WAL, exports, temp files; the company's own source files under in/ excepted) raw bytes of every
 * file and decoded Parquet.
 */
async function hits(wh: Warehouse, dir: string, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  const cols = await wh.all<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
     where table_schema = 'main' and (data_type like 'VARCHAR%' or data_type = 'JSON' or data_type like '%[]' or data_type like 'STRUCT%')`,
  );
  for (const c of cols) {
    for (const n of needles) {
      const row = await wh.one<{ n: number }>(`select count(*) as n from "${c.table_name}" where contains(lower("${c.column_name}"::varchar), lower($1))`, [n]);
      if (row?.n) found.push(`table ${c.table_name}.${c.column_name} has ${n}`);
    }
  }
  for (const f of filesUnder(dir).filter((p) => !p.startsWith(join(dir, 'in')))) {
    const bytes = readFileSync(f);
    for (const n of needles) if (bytes.includes(Buffer.from(n))) found.push(`bytes of ${f} have ${n}`);
    if (f.endsWith('.parquet') || /\.parquet\.tmp-\d+$/.test(f)) {
      for (const n of needles) {
        const row = await wh.one<{ n: number }>(
          `select count(*) as n from read_parquet($1) t where contains(lower(to_json(t)::varchar), lower($2))`,
          [f, n],
        );
        if (row?.n) found.push(`decoded ${f} has ${n}`);
      }
    }
  }
  return found;
}

const CUSTOMERS = ['customer_id,email,country,marketing_consent', `${ID},${EMAIL},LV,yes`, `${OTHER},other@mail.example,LV,yes`];
const PURCHASES = ['order_id,customer_id,ordered_at,amount', `O1,${ID},2026-05-01,10.00`, `O2,${OTHER},2026-05-02,20.00`, `O3,${ID},2026-05-03,30.00`];
const SURVEYS = [
  'response_id,customer_id,submitted_at,survey_type,score,q_speed,q_price',
  `R1,${ID},2026-05-04,nps,3,2,1`,
  `R2,${OTHER},2026-05-05,nps,9,5,5`,
  `R3,${ID},2026-05-06,csat,2,1,2`,
];

describe('cxpulse forget: journaled, resumable, every place clean', () => {
  it('interrupted between the database and the exports, run again: zero hits in tables, exports, temp files and warehouse bytes', async () => {
    env = await ingestEnv('cxp-erase-');
    const e = env;
    // A malformed line of the customer (one field too many): a READER-level reject carrying id and e-mail.
    const sources = {
      customers: { path: e.write('in/customers.csv', [...CUSTOMERS, `${ID},${EMAIL},LV,yes,extra`].join('\n') + '\n') },
      purchases: { path: e.write('in/purchases.csv', PURCHASES.join('\n') + '\n') },
      surveys: { path: e.write('in/surveys.csv', SURVEYS.join('\n') + '\n'), answerColumns: ['q_speed', 'q_price'] },
    };
    await e.ingest(sources);
    expect((await e.wh.one<{ n: number }>("select count(*) as n from rejected_rows where raw_row like '%' || $1 || '%'", [ID]))?.n).toBe(1);
    const exportsDir = join(e.dir, 'exports');
    const datasets = EXPORT_DATASETS.filter((d) => ['customers', 'purchases', 'surveys', 'survey_answers'].includes(d.name));
    for (const asOf of ['2026-05-31', '2026-06-30']) {
      await writeExports(e.wh, datasets, { dir: exportsDir, asOf, includePii: true, runId: 'r', now: new Date() });
    }
    // A crashed export left a temp file behind, with the customer in it.
    // Event datasets are written once per row, partitioned by month of the event (README "Exports for BI tools").
    const part = join(exportsDir, 'events', 'survey_answers', '*', 'data.parquet');
    copyFileSync(join(exportsDir, 'latest', 'customers', 'data.parquet'), join(exportsDir, 'latest', 'customers', 'data.parquet.tmp-424242'));
    // survey_answers has no customer_id: only the response ids tie it to the customer.
    expect((await e.wh.one<{ n: number }>("select count(*) as n from read_parquet($1) where response_id in ('R1', 'R3')", [part]))?.n).toBe(4);

    const clock = fixedClock('2026-07-02T00:00:00Z');
    const interrupted = await eraseCustomer(ID, {
      warehouse: e.wh,
      exportsDir,
      clock,
      afterPlace: (p) => {
        if (p === 'database') throw new Error('killed between the database and the exports');
      },
    }).catch((err: unknown) => err);
    expect(String(interrupted)).toMatch(/killed between/);
    // The interruption is real: the journal says what is left, and the exports still hold the customer.
    const journal = await e.wh.one<{ pending: string[]; finished_at: Date | null }>(
      'select pending, finished_at from erasure_journal where customer_key_sha256 = $1',
      [customerKeyHash(ID)],
    );
    expect(journal).toEqual({ pending: ['exports', 'temp_files', 'warehouse_file'], finished_at: null });
    expect((await e.wh.one<{ n: number }>("select count(*) as n from read_parquet($1) where response_id in ('R1', 'R3')", [part]))?.n).toBe(4);

    // Deleted rows are still readable in the file's bytes: this is why forget compacts the file.
    await e.wh.checkpoint();
    expect(fileContainsAny(e.wh.path, [ID])).toBe(true);

    // Run again: not "customer not found"; resumes and finishes.
    const r = await eraseCustomer(ID, { warehouse: e.wh, exportsDir, clock });
    expect(r.pending).toEqual([]);
    expect(r.compaction?.skipped).toBeUndefined();
    expect(r.places.map((p) => p.place)).toEqual(['database', 'exports', 'temp_files', 'warehouse_file']);
    // customers: latest/ + two history as-ofs, 1 row each; events written once: purchases 2, surveys 2, answers 4.
    expect(r.exports?.rows).toBe(3 * 1 + 2 + 2 + 4);
    expect(r.tempFiles).toEqual([join('latest', 'customers', 'data.parquet.tmp-424242')]);

    // The warehouse may have been compacted (closed): open it again to look.
    const wh = await Warehouse.open(e.wh.path);
    try {
      await migrate(wh);
      expect(await hits(wh, e.dir, [ID, EMAIL])).toEqual([]);
      // The other customer is all there.
      expect((await wh.one<{ n: number }>('select count(*) as n from purchases where customer_id = $1', [OTHER]))?.n).toBe(1);
      expect((await wh.one<{ n: number }>("select count(*) as n from read_parquet($1) where response_id = 'R2'", [part]))?.n).toBe(2);
      const done = await wh.one<{ pending: string[]; related_keys: string | null; finished: boolean }>(
        'select pending, related_keys::varchar as related_keys, finished_at is not null as finished from erasure_journal',
      );
      expect(done).toEqual({ pending: [], related_keys: null, finished: true });

      // The source files change and are read again: the customer's parsed rows AND the malformed line stay out.
      e.write('in/customers.csv', [...CUSTOMERS, `${ID},${EMAIL},LV,yes,extra`, 'C0000044,new@mail.example,LV,no'].join('\n') + '\n');
      e.write('in/surveys.csv', [...SURVEYS, 'R4,C0000044,2026-05-07,nps,10,5,5', `R5,${ID},bad-date,nps,1,1,1`].join('\n') + '\n');
      const s = await runIngest({ warehouse: wh, config: e.config(sources), runId: 'again', clock, logger: silentLogger });
      for (const c of Object.values(s.sources)) expect(c && accountedFor(c)).toBe(true);
      const reader = await wh.all<{ reason: string; raw_row: string | null }>(
        "select reason, raw_row from rejected_rows where run_id = 'again' and source = 'customers'",
      );
      expect(reader, JSON.stringify(reader)).toContainEqual({ reason: ERASED_READER_REASON, raw_row: null });
      expect(await hits(wh, e.dir, [ID, EMAIL])).toEqual([]);
    } finally {
      wh.close();
    }

    // A third forget: already erased, re-checks every place, nothing to do, not an error.
    const wh3 = await Warehouse.open(e.wh.path);
    try {
      const again = await eraseCustomer(ID, { warehouse: wh3, exportsDir, clock });
      expect(again.database.alreadyErased).toBe(true);
      expect(again.pending).toEqual([]);
      expect(again.exports?.rows).toBe(0);
    } finally {
      wh3.close();
    }
    expect(statSync(e.wh.path).size).toBeGreaterThan(0);
  }, 120_000);
});
