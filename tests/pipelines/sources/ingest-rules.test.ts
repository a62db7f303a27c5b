import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { ingestJob } from '../../../pipelines/jobs/ingest-job.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import { printRunSummary } from '../../../pipelines/cli/print-summary.js';
import { runIngest } from '../../../pipelines/sources/run-ingest.js';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

// Hand-written inputs; every expected number below is counted by hand from these lines.
const CUSTOMERS = [
  'ClientRef,JoinedOn,Market,Email,OptIn',
  'C1,2026-01-05,DE,a@x.de,yes',
  'C2,2026-01-06T10:30:00Z,FR,b@x.fr,N',
  'C3,,US,,TRUE',
  'C4,2026-02-30,US,d@x.com,1', // line 5: impossible date
  ',2026-01-01,US,e@x.com,0', // line 6: no key
  'C5,2026-01-07,UK,f@x.uk,maybe', // line 7: not a boolean
  'C1,2026-01-05,DE,a@x.de,yes', // line 8: same as line 2
  'C6,2026-01-08 09:15:00+02:00,NL,g@x.nl,', // consent absent = false; 07:15 UTC
].join('\n');

const PURCHASES = [
  'OrderNo,ClientRef,PlacedAt,Total,State',
  'O1,C1,01/10/2026 10:00,10.50,completed',
  'O2,C1,01/11/2026 11:00,-5.00,completed', // line 3
  'O3,C2,31/31/2026,12.00,completed', // line 4
  'O4,C9,02/01/2026 09:00,20.00,refunded', // unknown customer C9 -> bare
  'O5,C2,02/02/2026 09:00,-7.50,refunded', // negative is fine on a refund
  'O6,C3,02/03/2026 09:00,8.00,shipped', // line 7
  'O1,C1,01/10/2026 10:00,10.50,completed', // duplicate of line 2
  'O7,C2,02/04/2026 09:00,abc,completed', // line 9
  'O8,C2,02/05/2026 09:00,15.00,', // status defaults to completed
].join('\r\n');

const INTERACTIONS = [
  '{"interaction_id":"I1","customer_id":"C1","channel":"Phone","kind":"complaint","category":"billing","opened_at":"2026-03-01T10:00:00Z","first_response_at":"2026-03-01T10:05:00Z","resolved_at":"2026-03-01T11:00:00Z","is_first_contact_resolution":"yes"}',
  '{"interaction_id":"I2","customer_id":"C2","channel":"fax","kind":"inquiry","opened_at":"2026-03-02T10:00:00Z"}',
  'not json at all',
  '{"interaction_id":"I3","customer_id":"C10","channel":"email","kind":"praise","opened_at":"2026-03-03 08:00:00","is_first_contact_resolution":true}',
  '{"interaction_id":"I4","customer_id":"C1","channel":"chat","kind":"request","opened_at":"2026-03-04T10:00:00Z","resolved_at":"2026-03-03T10:00:00Z"}',
].join('\n');

async function writeSurveysParquet(env: IngestEnv): Promise<string> {
  const path = `${env.dir}/surveys.parquet`;
  // COPY ... TO accepts no bound file name; the path is our own temp dir.
  await env.wh.run(`copy (
      select * from (values
        ('R1', 'C1', '2026-03-05 10:00:00', 'nps', 9, 'I1', 'great', 4.0, 5.0),
        ('R2', 'C2', '2026-03-06', 'nps', 14, null, null, 1.0, 1.0),
        ('R3', 'C3', '2026-03-07', 'csat', 4, null, null, 3.0, null),
        ('R4', 'C11', '2026-03-08', 'ces', 7, null, 'slow', 2.0, 1.0),
        ('R5', 'C1', '2026-03-09', 'CSAT', 6, null, null, null, null)
      ) t(response_id, customer_id, submitted_at, survey_type, score, interaction_id, comment, q_speed, q_price)
    ) to '${path.replaceAll("'", "''")}' (format parquet)`);
  return path;
}

function allSources(): Record<string, unknown> {
  return {
    customers: {
      path: 'customers*.csv',
      columns: { customer_id: 'ClientRef', signup_at: 'JoinedOn', country: 'Market', email: 'Email', marketing_consent: 'OptIn' },
    },
    purchases: {
      path: 'orders.csv',
      timestampFormat: '%m/%d/%Y %H:%M',
      columns: { order_id: 'OrderNo', customer_id: 'ClientRef', ordered_at: 'PlacedAt', amount: 'Total', status: 'State' },
    },
    interactions: { path: 'interactions.jsonl' },
    surveys: { path: 'surveys.parquet', answerColumns: ['q_speed', 'q_price'] },
  };
}

describe('ingest: every row ends in exactly one place', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv();
    env.write('customers.csv', CUSTOMERS);
    env.write('orders.csv', PURCHASES);
    env.write('interactions.jsonl', INTERACTIONS);
    await writeSurveysParquet(env);
  });
  afterEach(() => env.close());

  it('counts loaded / duplicate / rejected per source and the counts add up to rows read', async () => {
    const s = await env.ingest(allSources(), 'run-a');
    expect(s.sources.customers).toEqual({ read: 8, loaded: 4, updated: 0, duplicate: 1, rejected: 3, conflicts: 0, files: 1, skipped_files: 0 });
    expect(s.sources.purchases).toEqual({ read: 9, loaded: 4, updated: 0, duplicate: 1, rejected: 4, conflicts: 0, files: 1, skipped_files: 0 });
    expect(s.sources.interactions).toEqual({ read: 5, loaded: 2, updated: 0, duplicate: 0, rejected: 3, conflicts: 0, files: 1, skipped_files: 0 });
    // answers: 5 rows x 2 columns; R2 and R5 rejected (4 cells); R1 2, R3 1 (+1 blank), R4 2 valid.
    expect(s.sources.surveys).toEqual({
      read: 5, loaded: 3, updated: 0, duplicate: 0, rejected: 2, conflicts: 0, files: 1, skipped_files: 0,
      answers: { read: 10, valid: 5, no_answer: 1, rejected: 4 },
    });
    for (const c of Object.values(s.sources)) expect(accountedFor(c!)).toBe(true);
    // The tables agree with the summary.
    const n = await env.wh.one<Record<string, number>>(`select
      (select count(*) from customers where not is_bare) as customers, (select count(*) from purchases) as purchases,
      (select count(*) from interactions) as interactions, (select count(*) from surveys) as surveys,
      (select count(*) from rejected_rows where run_id = 'run-a') as rejected`);
    expect(n).toEqual({ customers: 4, purchases: 4, interactions: 2, surveys: 3, rejected: 12 });
  });

  it('writes specific reject reasons with file, line and the raw row', async () => {
    await env.ingest(allSources(), 'run-r');
    const rows = await env.wh.all<{ source: string; file: string; line: number; reason: string; raw_row: string }>(
      `select source, file, line, reason, raw_row from rejected_rows where run_id = 'run-r' order by source, line`,
    );
    const by = (src: string) => rows.filter((r) => r.source === src).map((r) => [r.line, r.reason]);
    expect(by('customers')).toEqual([
      [5, 'unparseable timestamp "2026-02-30" in signup_at'],
      [6, 'missing key customer_id'],
      [7, 'unparseable boolean "maybe" in marketing_consent (use true/false/yes/no/y/n/1/0, or map other words with sources.customers.values.marketing_consent)'],
    ]);
    expect(by('purchases')).toEqual([
      [3, 'negative amount -5.00 on a completed order'],
      [4, 'unparseable timestamp "31/31/2026" in ordered_at'],
      [7, 'unknown status "shipped" (expected completed, refunded, cancelled or returned)'],
      [9, 'unparseable amount "abc"'],
    ]);
    expect(by('interactions')).toEqual([
      [2, 'unknown channel "fax" (expected phone, email, chat, social, store, app or other)'],
      [3, 'invalid JSON'],
      [5, 'resolved_at 2026-03-03T10:00:00Z is before opened_at 2026-03-04T10:00:00Z'],
    ]);
    expect(by('surveys')).toEqual([
      [2, 'score 14 outside 0-10 for nps'],
      [5, 'score 6 outside 1-5 for csat'],
    ]);
    const c4 = rows.find((r) => r.source === 'customers' && r.line === 5)!;
    expect(c4.file).toBe(`${env.dir}/customers.csv`);
    expect(JSON.parse(c4.raw_row)).toEqual({ ClientRef: 'C4', JoinedOn: '2026-02-30', Market: 'US', Email: 'd@x.com', OptIn: '1' });
    expect(rows.find((r) => r.source === 'interactions' && r.line === 3)!.raw_row).toBe('not json at all');
  });

  it('casts values: consent words, ISO timestamps with offsets to UTC, strptime formats, default status, answers', async () => {
    await env.ingest(allSources());
    const customers = await env.wh.all<{ customer_id: string; marketing_consent: boolean; signup_at: Date | null; is_bare: boolean }>(
      'select customer_id, marketing_consent, signup_at, is_bare from customers order by customer_id',
    );
    const byId = Object.fromEntries(customers.map((c) => [c.customer_id, c]));
    expect(byId.C1.marketing_consent).toBe(true);
    expect(byId.C2.marketing_consent).toBe(false);
    expect(byId.C3.marketing_consent).toBe(true);
    expect(byId.C6.marketing_consent).toBe(false);
    expect(byId.C2.signup_at?.toISOString()).toBe('2026-01-06T10:30:00.000Z');
    expect(byId.C6.signup_at?.toISOString()).toBe('2026-01-08T07:15:00.000Z');
    expect(byId.C3.signup_at).toBeNull();
    // Bare customers for ids only purchases, interactions and surveys mention.
    expect(customers.filter((c) => c.is_bare).map((c) => c.customer_id)).toEqual(['C10', 'C11', 'C9']);
    expect(byId.C9.marketing_consent).toBe(false);

    const p = await env.wh.all<{ order_id: string; ordered_at: Date; amount: number; status: string }>(
      'select order_id, ordered_at, amount, status from purchases order by order_id',
    );
    expect(p.map((r) => [r.order_id, r.ordered_at.toISOString(), r.amount, r.status])).toEqual([
      ['O1', '2026-01-10T10:00:00.000Z', 10.5, 'completed'],
      ['O4', '2026-02-01T09:00:00.000Z', 20, 'refunded'],
      ['O5', '2026-02-02T09:00:00.000Z', -7.5, 'refunded'],
      ['O8', '2026-02-05T09:00:00.000Z', 15, 'completed'],
    ]);
    const i = await env.wh.all<{ interaction_id: string; channel: string; is_first_contact_resolution: boolean | null; first_response_at: Date | null }>(
      'select interaction_id, channel, is_first_contact_resolution, first_response_at from interactions order by 1',
    );
    expect(i.map((r) => [r.interaction_id, r.channel, r.is_first_contact_resolution, r.first_response_at?.toISOString() ?? null])).toEqual([
      ['I1', 'phone', true, '2026-03-01T10:05:00.000Z'],
      ['I3', 'email', true, null],
    ]);
    const answers = await env.wh.all('select response_id, question, score from survey_answers order by all');
    expect(answers).toEqual([
      { response_id: 'R1', question: 'q_price', score: 5 },
      { response_id: 'R1', question: 'q_speed', score: 4 },
      { response_id: 'R3', question: 'q_speed', score: 3 },
      { response_id: 'R4', question: 'q_price', score: 1 },
      { response_id: 'R4', question: 'q_speed', score: 2 },
    ]);
  });

  it('a later customers row fills in a bare customer (update); a changed row is an update, an equal one a duplicate', async () => {
    await env.ingest(allSources());
    env.write(
      'customers-2.csv',
      ['ClientRef,JoinedOn,Market,Email,OptIn', 'C9,2026-02-01,SE,nine@x.se,y', 'C1,2026-01-05,DE,new@x.de,yes', 'C2,2026-01-06T10:30:00Z,FR,b@x.fr,no'].join('\n'),
    );
    const s = await env.ingest(allSources(), 'run-b');
    expect(s.sources.customers).toEqual({ read: 3, loaded: 0, updated: 2, duplicate: 1, rejected: 0, conflicts: 0, files: 2, skipped_files: 1 });
    expect(s.sources.purchases).toMatchObject({ read: 0, files: 1, skipped_files: 1 });
    const c9 = await env.wh.one('select is_bare, country, email, marketing_consent, updated_run_id from customers where customer_id = $1', ['C9']);
    expect(c9).toEqual({ is_bare: false, country: 'SE', email: 'nine@x.se', marketing_consent: true, updated_run_id: 'run-b' });
    const c1 = await env.wh.one('select email from customers where customer_id = $1', ['C1']);
    expect(c1).toEqual({ email: 'new@x.de' });
    expect((await env.wh.one<{ n: number }>('select count(*) as n from customers'))!.n).toBe(7);
  });

  it('within one file a key with different content is a conflict: all its rows rejected, none counted as an update', async () => {
    env.write('c.csv', ['customer_id,country', 'A,DE', 'A,FR', 'A,FR', 'B,US', 'B,US'].join('\n'));
    const s = await env.ingest({ customers: { path: 'c.csv' } });
    expect(s.sources.customers).toMatchObject({ read: 5, loaded: 1, updated: 0, duplicate: 1, rejected: 3, conflicts: 3 });
    expect(await env.wh.all('select customer_id, country from customers order by 1')).toEqual([{ customer_id: 'B', country: 'US' }]);
    const r = await env.wh.all<{ line: number; reason: string }>('select line, reason from rejected_rows order by line');
    expect(r.map((x) => x.line)).toEqual([2, 3, 4]);
    expect(r[0].reason).toBe(
      'conflict: customer_id "A" appears on lines 2, 3, 4 of this file with different content; none of them loaded (make the key unique, or split the file into snapshots)',
    );
  });

  it('a key changed between two files of one run is an update in file order, and the last file wins', async () => {
    env.write('snap/c1.csv', ['customer_id,country', 'A,DE', 'B,US'].join('\n'));
    env.write('snap/c2.csv', ['customer_id,country', 'A,FR', 'B,US'].join('\n'));
    const s = await env.ingest({ customers: { path: 'snap/c*.csv' } });
    expect(s.sources.customers).toMatchObject({ read: 4, loaded: 2, updated: 1, duplicate: 1, rejected: 0, conflicts: 0 });
    expect(await env.wh.all('select customer_id, country from customers order by 1')).toEqual([
      { customer_id: 'A', country: 'FR' },
      { customer_id: 'B', country: 'US' },
    ]);
  });

  it('the run summary says key conflicts out loud', async () => {
    const lines = ['order_id,customer_id,ordered_at,amount'];
    for (let i = 0; i < 8; i++) lines.push(`O1,C1,2026-06-0${i + 1},${i + 1}.00`);
    env.write('p.csv', lines.join('\n'));
    const s = await env.ingest({ purchases: { path: 'p.csv' } });
    expect(s.sources.purchases).toMatchObject({ read: 8, loaded: 0, updated: 0, rejected: 8, conflicts: 8 });
    const reason = await env.wh.one<{ reason: string }>('select reason from rejected_rows limit 1');
    expect(reason?.reason).toContain('appears on lines 2, 3, 4, 5, 6 and 3 more of this file');
    let out = '';
    printRunSummary(
      { runId: 'r', status: 'succeeded', startedAt: new Date(0), finishedAt: new Date(0), results: { ingest: s as unknown as Record<string, unknown> } },
      { write: (t: string) => ((out += t), true) } as unknown as NodeJS.WritableStream,
    );
    expect(out).toContain('! purchases: 8 row(s) rejected as key conflicts');
  });
});

describe('ingest: purchases without order_id', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv();
  });
  afterEach(() => env.close());

  const rows = ['customer_id,ordered_at,amount', 'C1,2026-01-01,10.00', 'C1,2026-01-01,10.00', 'C2,2026-01-02,5.00'];

  it('two identical purchases in one file both count, and reloading the same content is idempotent', async () => {
    env.write('p1.csv', rows.join('\n'));
    const first = await env.ingest({ purchases: { path: 'p*.csv' } });
    expect(first.sources.purchases).toMatchObject({ read: 3, loaded: 3, duplicate: 0 });
    const ids1 = await env.wh.all<{ order_id: string }>('select order_id from purchases order by 1');
    expect(new Set(ids1.map((r) => r.order_id)).size).toBe(3);
    // The same content under another file name: same derived ids, so all duplicates.
    env.write('p2.csv', rows.join('\n'));
    const second = await env.ingest({ purchases: { path: 'p*.csv' } });
    expect(second.sources.purchases).toMatchObject({ read: 3, loaded: 0, duplicate: 3, skipped_files: 1 });
    expect(await env.wh.all('select order_id from purchases order by 1')).toEqual(ids1);
  });

  it('a row appended to a file loads only the new row', async () => {
    env.write('p1.csv', rows.join('\n'));
    await env.ingest({ purchases: { path: 'p1.csv' } });
    env.write('p1.csv', [...rows, 'C1,2026-01-01,10.00'].join('\n'));
    const s = await env.ingest({ purchases: { path: 'p1.csv' } });
    // The third identical C1 purchase is a new occurrence, so a new order.
    expect(s.sources.purchases).toMatchObject({ read: 4, loaded: 1, duplicate: 3, updated: 0 });
    expect((await env.wh.one<{ n: number }>('select count(*) as n from purchases'))!.n).toBe(4);
  });
});

describe('ingest job in the pipeline', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv();
  });
  afterEach(() => env.close());

  it('records per-source counts in pipeline_runs and the CLI summary prints them', async () => {
    env.write('c.csv', ['customer_id,country', 'A,DE', ',FR', 'B,US'].join('\n'));
    const outcome = await runPipeline(
      [ingestJob],
      { config: env.config({ customers: { path: 'c.csv' } }), warehouse: env.wh, clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger, runId: 'run-p' },
      { trigger: 'cli' },
    );
    expect(outcome.status).toBe('succeeded');
    const row = await env.wh.one<{ status: string; counts: string }>("select status, counts::varchar as counts from pipeline_runs where run_id = 'run-p'");
    expect(row!.status).toBe('succeeded');
    expect(JSON.parse(row!.counts).customers).toEqual({ read: 3, loaded: 2, updated: 0, duplicate: 0, rejected: 1, conflicts: 0, files: 1, skipped_files: 0 });
    let text = '';
    printRunSummary(outcome, { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream);
    expect(text).toMatch(/customers\s+3\s+2\s+0\s+0\s+1/);
  });

  it('a failing source fails the run with a one-line reason naming the file', async () => {
    const outcome = await runPipeline(
      [ingestJob],
      { config: env.config({ customers: { path: 'missing*.csv' } }), warehouse: env.wh, clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger, runId: 'run-f' },
      { trigger: 'cli' },
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('CXP_ERR_SOURCE_NOT_FOUND');
    const row = await env.wh.one<{ status: string; error: string }>("select status, error from pipeline_runs where run_id = 'run-f'");
    expect(row!.status).toBe('failed');
    expect(row!.error).toContain('missing*.csv');
  });
});

describe('ingest: formats and options', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv();
  });
  afterEach(() => env.close());

  it('reads .tsv, gzip-compressed CSV, header: false with names, and trims padded values', async () => {
    env.write('a.tsv', 'customer_id\tcountry\nT1\tDE\n');
    env.write('b.csv.gz', gzipSync(Buffer.from('customer_id,country\nG1,FR\n')));
    env.write('c.csv', ' P1 , US \nP2,\n');
    const s1 = await env.ingest({ customers: { path: 'a.tsv' } });
    const s2 = await env.ingest({ customers: { path: 'b.csv.gz' } });
    const s3 = await env.ingest({ customers: { path: 'c.csv', header: false, names: ['customer_id', 'country'] } });
    for (const s of [s1, s2]) expect(s.sources.customers).toMatchObject({ read: 1, loaded: 1, rejected: 0 });
    expect(s3.sources.customers).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
    expect(await env.wh.all('select customer_id, country from customers order by 1')).toEqual([
      { customer_id: 'G1', country: 'FR' },
      { customer_id: 'P1', country: 'US' },
      { customer_id: 'P2', country: null },
      { customer_id: 'T1', country: 'DE' },
    ]);
  });

  it('defaults fill columns a source lacks; a stop signal aborts before anything lands', async () => {
    env.write('i.csv', 'interaction_id,customer_id,kind,opened_at\nI1,C1,complaint,2026-01-01 10:00:00\n');
    const s = await env.ingest({ interactions: { path: 'i.csv', defaults: { channel: 'email' } } });
    expect(s.sources.interactions).toMatchObject({ read: 1, loaded: 1 });
    expect(await env.wh.one('select channel from interactions')).toEqual({ channel: 'email' });

    env.write('i2.csv', 'interaction_id,customer_id,kind,opened_at\nI2,C1,complaint,2026-01-02 10:00:00\n');
    const ctl = new AbortController();
    ctl.abort();
    const err = await runIngest({
      warehouse: env.wh,
      config: env.config({ interactions: { path: 'i2.csv', defaults: { channel: 'email' } } }),
      runId: 'stopped',
      clock: fixedClock('2026-07-01T00:00:00Z'),
      logger: silentLogger,
      signal: ctl.signal,
    }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('CXP_ERR_JOB_FAILED');
    expect((await env.wh.one<{ n: number }>('select count(*) as n from interactions'))!.n).toBe(1);
  });
});
