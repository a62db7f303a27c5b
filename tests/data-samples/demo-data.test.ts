// The checked-in demo set: reproducible from the defaults, loadable by DuckDB's own readers, and its
// deliberately bad rows and EXPECTED.json counts are what data-samples/README.md says.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CUSTOMERS } from '../../data-samples/generator/planted.js';
import { Db, generateTo, readTree } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEMO = join(ROOT, 'data-samples', 'demo');

interface SourceCounts { files: Record<string, number>; rows: number; loaded: number; updated: number; duplicates: number; rejected: number; table_rows: number; rejected_by_reason: Record<string, number> }
interface BadRow { source: string; file: string; line: number; outcome: string; reason_kind: string | null; column: string | null; value: string | null; key: string | null }
const expected = JSON.parse(readFileSync(join(DEMO, 'EXPECTED.json'), 'utf8')) as {
  sources: Record<string, SourceCounts>; bad_rows: BadRow[]; bare_customers: string[]; survey_answers_rows: number; last_event_at: string;
};

let db: Db;
beforeAll(async () => {
  db = await Db.open();
});
afterAll(() => db?.close());

const lines = (file: string): string[] => readFileSync(join(DEMO, file), 'utf8').split('\n').filter((l) => l !== '');
const csvRecord = (file: string, line: number): Record<string, string> => {
  const all = lines(file);
  const header = all[0].split(',');
  const values = all[line - 1].split(',');
  return Object.fromEntries(header.map((h, i) => [h, values[i]]));
};

describe('checked-in demo', () => {
  it('is exactly what `npm run samples` produces with the defaults', async () => {
    const fresh = await generateTo({ customers: DEFAULT_CUSTOMERS, format: 'demo', badRows: true });
    try {
      const a = readTree(fresh);
      const b = readTree(DEMO);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('stays small', () => {
    const total = [...readTree(DEMO).values()].reduce((s, v) => s + v.length, 0);
    expect(total).toBeLessThan(3.2e6);
  });

  it('loads with read_csv, read_json and read_parquet as they are', async () => {
    const r = await db.one<Record<string, number>>(
      `select (select count(*) from read_csv($c))::double c, (select count(*) from read_csv($p))::double p,
              (select count(*) from read_json($i))::double i, (select count(*) from read_parquet($s))::double s,
              (select count(*) from read_parquet($t))::double t`,
      { c: join(DEMO, 'customers.csv'), p: join(DEMO, 'purchases', '*.csv'), i: join(DEMO, 'interactions.jsonl'),
        s: join(DEMO, 'surveys.parquet'), t: join(DEMO, 'truth.parquet') });
    expect(r).toEqual({
      c: expected.sources.customers.rows, p: expected.sources.purchases.rows, i: expected.sources.interactions.rows,
      s: expected.sources.surveys.rows, t: DEFAULT_CUSTOMERS,
    });
  });

  it('both configs point at existing files', () => {
    for (const [base, cfgPath] of [[join(ROOT, 'data-samples'), 'demo.config.json'], [DEMO, 'cxpulse.config.json']]) {
      const cfg = JSON.parse(readFileSync(join(base, cfgPath), 'utf8')) as { sources: Record<string, { path: string; answerColumns?: string[] }> };
      for (const [name, s] of Object.entries(cfg.sources)) {
        const path = s.path.replace('*.csv', 'purchases-2025.csv');
        expect(existsSync(join(base, path)), `${cfgPath} ${name}`).toBe(true);
      }
      expect(cfg.sources.surveys.answerColumns).toEqual(['q_speed', 'q_knowledge', 'q_friendliness', 'q_product_quality', 'q_price']);
    }
  });
});

describe('EXPECTED.json', () => {
  it('counts the rows in each file', () => {
    for (const [source, s] of Object.entries(expected.sources)) {
      let sum = 0;
      for (const [file, rows] of Object.entries(s.files)) {
        if (file.endsWith('.parquet')) continue; // counted by read_parquet above
        const header = file.endsWith('.jsonl') ? 0 : 1;
        expect(lines(file).length - header, file).toBe(rows);
        sum += rows;
      }
      if (source !== 'surveys') expect(sum).toBe(s.rows);
      expect(s.loaded + s.updated + s.duplicates + s.rejected).toBe(s.rows);
    }
  });

  it('agrees with an independent validation of every source', async () => {
    const customers = await db.one<Record<string, number>>(
      `with r as (select * from read_csv($f, all_varchar = true)),
            ok as (select * from r where customer_id is not null and try_strptime(signup_at, '%Y-%m-%d %H:%M:%S') is not null)
       select (select count(*) from r)::double rows_in, (select count(distinct customer_id) from ok)::double loaded,
              (select count(*) from ok)::double ok_rows`, { f: join(DEMO, 'customers.csv') });
    const c = expected.sources.customers;
    expect(customers).toEqual({ rows_in: c.rows, loaded: c.loaded, ok_rows: c.loaded + c.duplicates });

    const purchases = await db.one<Record<string, number>>(
      `with r as (select * from read_csv($f, all_varchar = true, filename = true)),
            ok as (select * from r where order_id is not null and customer_id is not null
                     and try_strptime(ordered_at, '%Y-%m-%d %H:%M:%S') is not null
                     and status in ('completed', 'refunded', 'cancelled')
                     and not (status = 'completed' and amount::double < 0)),
            versions as (select order_id, count(distinct (customer_id, ordered_at, amount, status, channel)) v from ok group by 1)
       select (select count(*) from r)::double rows_in, (select count(distinct order_id) from ok)::double loaded,
              (select sum(v - 1) from versions)::double updated, (select count(*) from ok)::double ok_rows`,
      { f: join(DEMO, 'purchases', '*.csv') });
    const p = expected.sources.purchases;
    expect(purchases).toEqual({ rows_in: p.rows, loaded: p.loaded, updated: p.updated, ok_rows: p.loaded + p.updated + p.duplicates });

    const interactions = await db.one<Record<string, number>>(
      `with r as (select * from read_json($f, columns = {interaction_id: 'varchar', customer_id: 'varchar', channel: 'varchar',
                     kind: 'varchar', category: 'varchar', opened_at: 'varchar', first_response_at: 'varchar', resolved_at: 'varchar',
                     is_first_contact_resolution: 'boolean'})),
            ok as (select * from r where coalesce(interaction_id, '') <> '' and coalesce(customer_id, '') <> ''
                     and channel in ('phone', 'email', 'chat', 'social', 'store', 'app', 'other')
                     and kind in ('inquiry', 'complaint', 'request', 'praise', 'other')
                     and try_strptime(opened_at, '%Y-%m-%d %H:%M:%S') is not null)
       select (select count(*) from r)::double rows_in, (select count(distinct interaction_id) from ok)::double loaded,
              (select count(*) from ok)::double ok_rows`, { f: join(DEMO, 'interactions.jsonl') });
    const i = expected.sources.interactions;
    expect(interactions).toEqual({ rows_in: i.rows, loaded: i.loaded, ok_rows: i.loaded + i.duplicates });

    const surveys = await db.one<Record<string, number>>(
      `with r as (select * from read_parquet($f)),
            ok as (select * from r where coalesce(response_id, '') <> '' and customer_id is not null
                     and ((survey_type = 'nps' and score between 0 and 10) or (survey_type = 'csat' and score between 1 and 5)
                          or (survey_type = 'ces' and score between 1 and 7))),
            answers as (select distinct * from ok)
       select (select count(*) from r)::double rows_in, (select count(distinct response_id) from ok)::double loaded,
              (select count(*) from ok)::double ok_rows,
              (select count(q_speed) + count(q_knowledge) + count(q_friendliness) + count(q_product_quality) + count(q_price) from answers)::double answers`,
      { f: join(DEMO, 'surveys.parquet') });
    const s = expected.sources.surveys;
    expect(surveys).toEqual({ rows_in: s.rows, loaded: s.loaded, ok_rows: s.loaded + s.duplicates, answers: expected.survey_answers_rows });
  });

  it('names customers that exist only as bare customers, and the latest event is on 2026-10-31', async () => {
    const r = await db.rows<{ customer_id: string }>(
      `select distinct customer_id from (
         select customer_id from read_csv($p, all_varchar = true) union all select customer_id from read_parquet($s))
       where customer_id not in (select customer_id from read_csv($c, all_varchar = true) where customer_id is not null)
       order by 1`,
      { p: join(DEMO, 'purchases', '*.csv'), s: join(DEMO, 'surveys.parquet'), c: join(DEMO, 'customers.csv') });
    expect(r.map((x) => x.customer_id)).toEqual(expected.bare_customers);
    expect(expected.bare_customers).toHaveLength(2);
    expect(expected.sources.customers.table_rows).toBe(expected.sources.customers.loaded + 2);
    expect(expected.last_event_at.slice(0, 10)).toBe('2026-10-31');
  });
});

describe('deliberately bad rows', () => {
  it('include every kind the ingestion issue names', () => {
    const kinds = new Set(expected.bad_rows.map((b) => b.reason_kind));
    for (const k of ['unparseable_timestamp', 'score_out_of_range', 'negative_amount', 'unknown_enum', 'missing_key']) expect(kinds.has(k), k).toBe(true);
    const outcomes = expected.bad_rows.map((b) => b.outcome);
    expect(outcomes.filter((o) => o === 'duplicate').length).toBeGreaterThanOrEqual(4);
    expect(outcomes).toContain('updated');
    expect(expected.bad_rows.filter((b) => b.source === 'purchases' && b.outcome === 'updated')[0].file).toBe('purchases/purchases-2026.csv');
  });

  it('sit on the documented lines with the documented values', async () => {
    for (const b of expected.bad_rows) {
      const where = `${b.file}:${b.line} ${b.outcome} ${b.reason_kind ?? ''}`;
      let rec: Record<string, unknown>;
      let text: string | null = null;
      if (b.file.endsWith('.parquet')) {
        rec = await db.one(`select * exclude (file_row_number) from read_parquet($f, file_row_number = true) where file_row_number = $n`,
          { f: join(DEMO, b.file), n: b.line - 1 });
      } else if (b.file.endsWith('.jsonl')) {
        text = lines(b.file)[b.line - 1];
        rec = JSON.parse(text) as Record<string, unknown>;
      } else {
        text = lines(b.file)[b.line - 1];
        rec = csvRecord(b.file, b.line);
      }
      const keyColumn = { customers: 'customer_id', purchases: 'order_id', interactions: 'interaction_id', surveys: 'response_id' }[b.source]!;
      if (b.outcome === 'rejected') {
        const v = rec[b.column!];
        if (b.reason_kind === 'missing_key') expect(v === '' || v === null, where).toBe(true);
        else expect(String(v), where).toBe(b.value);
        if (b.reason_kind === 'negative_amount') expect(rec.status, where).toBe('completed');
        if (b.reason_kind === 'score_out_of_range') expect(rec.survey_type, where).toBe('nps');
      } else if (b.outcome === 'duplicate') {
        if (text !== null) expect(lines(b.file).slice(0, b.line - 1), where).toContain(text);
        else {
          const copies = await db.one<{ n: number; d: number }>(
            `select count(*)::double n, count(distinct (customer_id, submitted_at, survey_type, score, interaction_id, comment, q_speed, q_knowledge, q_friendliness, q_product_quality, q_price))::double d from read_parquet($f) where response_id = $k`,
            { f: join(DEMO, b.file), k: String(rec[keyColumn]) });
          expect(copies, where).toEqual({ n: 2, d: 1 });
        }
      } else if (b.outcome === 'updated') {
        const key = String(rec[keyColumn]);
        const earlier = lines('purchases/purchases-2025.csv').filter((l) => l.startsWith(key + ','));
        expect(earlier, where).toHaveLength(1);
        expect(earlier[0], where).not.toBe(text);
        expect(earlier[0].split(',')[4]).toBe('completed');
        expect(rec.status).toBe('refunded');
      } else {
        expect(expected.bare_customers, where).toContain(rec.customer_id);
      }
      expect(b.key === null || String(rec[keyColumn] ?? '') === b.key, where).toBe(true);
    }
  });
});
