import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CxpError } from '../../../pipelines/core/errors.js';
import { latestEventDate } from '../../../pipelines/core/as-of.js';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

// The ingest env's run date is 2026-07-01 (ingest-helpers.ts). Every expectation below is read off the
// lines written in each test.
describe('plausibility at staging: parseable but impossible rows are rejected with their reason', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv('cxp-plaus-');
  });
  afterEach(() => env.close());

  const rejects = () =>
    env.wh.all<{ source: string; line: number; reason: string }>('select source, line, reason from rejected_rows order by source, line');

  it('a purchase dated 2999-01-01 is rejected and does not move the as-of date', async () => {
    env.write('p.csv', [
      'order_id,customer_id,ordered_at,amount',
      'O1,C1,2026-06-01,10.00',
      'O2,C1,2999-01-01,10.00', // line 3
      'O3,C2,0001-01-01,10.00', // line 4
      'O4,C2,9999-12-31 23:59:59,10.00', // line 5
      'O5,C2,2026-07-02,10.00', // within run date + 2 days
    ].join('\n'));
    const s = await env.ingest({ purchases: { path: 'p.csv' } });
    expect(s.sources.purchases).toMatchObject({ read: 5, loaded: 2, rejected: 3 });
    expect(accountedFor(s.sources.purchases!)).toBe(true);
    const r = await rejects();
    expect(r.map((x) => x.line)).toEqual([3, 4, 5]);
    expect(r[0].reason).toBe(
      'implausible ordered_at 2999-01-01 00:00:00: after the run date 2026-07-01 + 2 days (sources.purchases.plausibility.ordered_at.maxDaysAhead)',
    );
    expect(r[1].reason).toMatch(/^implausible ordered_at 0001-01-01 00:00:00: before 1976-07-01 \(50 years before the run date/);
    expect(r[2].reason).toMatch(/^implausible ordered_at 9999-12-31 23:59:59: after the run date/);
    expect((await latestEventDate(env.wh))?.toISOString().slice(0, 10)).toBe('2026-07-02');
    const stored = await env.wh.all<{ y: number }>('select distinct year(ordered_at) as y from purchases');
    expect(stored).toEqual([{ y: 2026 }]);
  });

  it('far dates are rejected for every source and every timestamp column', async () => {
    env.write('c.csv', 'customer_id,signup_at\nC1,2020-01-01\nC2,0001-01-01\nC3,9999-12-31\n');
    env.write('i.csv', [
      'interaction_id,customer_id,channel,kind,opened_at,first_response_at,resolved_at',
      'I1,C1,phone,inquiry,2026-06-01 10:00,2026-06-01 10:05,2026-06-01 11:00',
      'I2,C1,phone,inquiry,0001-01-01,,',
      'I3,C1,phone,inquiry,2026-06-01 10:00,,9999-12-31',
      'I4,C1,phone,inquiry,2026-06-01 10:00,2999-01-01,',
    ].join('\n'));
    env.write('s.csv', 'response_id,customer_id,submitted_at,survey_type,score\nR1,C1,2026-06-02,nps,9\nR2,C1,9999-12-31,nps,9\nR3,C1,0001-01-01,nps,9\n');
    const s = await env.ingest({ customers: { path: 'c.csv' }, interactions: { path: 'i.csv' }, surveys: { path: 's.csv' } });
    expect(s.sources.customers).toMatchObject({ read: 3, loaded: 1, rejected: 2 });
    expect(s.sources.interactions).toMatchObject({ read: 4, loaded: 1, rejected: 3 });
    expect(s.sources.surveys).toMatchObject({ read: 3, loaded: 1, rejected: 2 });
    const r = await rejects();
    expect(r.map((x) => `${x.source}:${x.line}:${x.reason.split(' ').slice(0, 2).join(' ')}`)).toEqual([
      'customers:3:implausible signup_at',
      'customers:4:implausible signup_at',
      'interactions:3:implausible opened_at',
      'interactions:4:implausible resolved_at',
      'interactions:5:implausible first_response_at',
      'surveys:3:implausible submitted_at',
      'surveys:4:implausible submitted_at',
    ]);
    expect((await latestEventDate(env.wh))?.toISOString().slice(0, 10)).toBe('2026-06-02');
  });

  it('NaN, inf and 1e200 survey answers are rejected; nothing stored can break an aggregate', async () => {
    env.write('s.csv', [
      'response_id,customer_id,submitted_at,survey_type,score,q_speed',
      'R1,C1,2026-06-02,nps,9,4',
      'R2,C1,2026-06-02,nps,9,NaN',
      'R3,C1,2026-06-02,nps,9,inf',
      'R4,C1,2026-06-02,nps,9,-Infinity',
      'R5,C1,2026-06-02,nps,9,1e200',
      'R6,C1,2026-06-02,nps,NaN,3',
      'R7,C1,2026-06-02,nps,inf,3',
    ].join('\n'));
    const s = await env.ingest({ surveys: { path: 's.csv', answerColumns: ['q_speed'] } });
    expect(s.sources.surveys).toMatchObject({ read: 7, loaded: 1, rejected: 6 });
    const r = await rejects();
    // Each non-finite or huge answer is rejected with its value and column; nothing reaches survey_answers.
    expect(r.slice(0, 4).map((x) => x.reason)).toEqual([
      'implausible answer nan in q_speed: not a finite number within -1000000..1000000 (sources.surveys.plausibility.answers.min / max)',
      'implausible answer inf in q_speed: not a finite number within -1000000..1000000 (sources.surveys.plausibility.answers.min / max)',
      'implausible answer -inf in q_speed: not a finite number within -1000000..1000000 (sources.surveys.plausibility.answers.min / max)',
      // A finite value outside the answer scale (default 0-10, sources.surveys.scales) is rejected by the
      // scale check first, naming the column.
      'answer 1e200 outside 0-10 in column "q_speed"',
    ]);
    expect(r.slice(4).every((x) => /score/.test(x.reason))).toBe(true);
    // The statement the audit saw fail on every later score job.
    const agg = await env.wh.one<{ sd: number; n: number }>('select stddev_pop(score) as sd, count(*) as n from survey_answers');
    expect(agg).toEqual({ sd: 0, n: 1 });
    const finite = await env.wh.one<{ bad: number }>('select count(*) filter (where not isfinite(score)) as bad from survey_answers');
    expect(finite?.bad).toBe(0);
  });

  it('control characters and invisible marks in ids are rejected; tabs and other blanks around ids are trimmed as everywhere', async () => {
    env.write('c.csv', 'customer_id,email\nC0000006,a@x.lv\nC0000007,b@x.lv\n');
    env.write('p.csv', [
      'order_id,customer_id,ordered_at,amount',
      'O1,C0000006\t,2026-06-01,1.00', // trailing TAB: the same customer, not a phantom
      'O2,\u00a0C0000006,2026-06-01,1.00', // NBSP
      'O3,C00\u00000007,2026-06-01,1.00', // NUL inside: line 4
      'O4\u0001,C0000007,2026-06-01,1.00', // control char in the order id: line 5
      'O5,C0000007\u200b,2026-06-01,1.00', // zero-width space (not blank, so not trimmed): line 6
      'O6,C00\u00ad00007,2026-06-01,1.00', // soft hyphen inside: line 7
      'O\u20607,C0000007,2026-06-01,1.00', // word joiner in the order id: line 8
      'O8,\u5ba2\u6237\u00e9-7,2026-06-01,1.00', // non-ASCII but visible: a customer id like any other
      'O9,C0000007\u{E0001},2026-06-01,1.00', // a tag character, above U+FFFF: line 10
    ].join('\n'));
    const s = await env.ingest({ customers: { path: 'c.csv' }, purchases: { path: 'p.csv' } });
    expect(s.sources.purchases).toMatchObject({ read: 9, loaded: 3, rejected: 6 });
    expect(accountedFor(s.sources.purchases!)).toBe(true);
    const invisible = (column: string, code: string) =>
      `implausible ${column}: contains the invisible character U+${code} (a zero-width or formatting mark, often pasted from a web page or spreadsheet: the key would differ from the one it looks like; remove it at the source)`;
    const r = await rejects();
    expect(r).toEqual([
      { source: 'purchases', line: 4, reason: 'implausible customer_id: contains a control character (U+0000-U+001F, U+007F-U+009F)' },
      { source: 'purchases', line: 5, reason: 'implausible order_id: contains a control character (U+0000-U+001F, U+007F-U+009F)' },
      { source: 'purchases', line: 6, reason: invisible('customer_id', '200B') },
      { source: 'purchases', line: 7, reason: invisible('customer_id', '00AD') },
      { source: 'purchases', line: 8, reason: invisible('order_id', '2060') },
      { source: 'purchases', line: 10, reason: invisible('customer_id', 'E0001') },
    ]);
    const owners = await env.wh.all<{ order_id: string; customer_id: string }>('select order_id, customer_id from purchases order by 1');
    expect(owners).toEqual([
      { order_id: 'O1', customer_id: 'C0000006' },
      { order_id: 'O2', customer_id: 'C0000006' },
      { order_id: 'O8', customer_id: '\u5ba2\u6237\u00e9-7' },
    ]);
    const nul = await env.wh.one<{ n: number }>("select count(*) as n from customers where customer_id like '%' || chr(0) || '%'");
    expect(nul?.n).toBe(0);
    // Only the visible non-ASCII id is new (bare): no phantom from the tab, the NBSP or the invisible marks.
    expect(s.bare_customers).toBe(1);
  });

  it('amounts: 1e15 is out of range, 12.345 would be rounded: both rejected; 12.30 and -5 on a refund load', async () => {
    env.write('p.csv', [
      'order_id,customer_id,ordered_at,amount,status',
      'O1,C1,2026-06-01,1e15,completed',
      'O2,C1,2026-06-01,12.345,completed',
      'O3,C1,2026-06-01,12.30,completed',
      'O4,C1,2026-06-01,-5,refunded',
      'O5,C1,2026-06-01,1.5e2,completed',
    ].join('\n'));
    const s = await env.ingest({ purchases: { path: 'p.csv' } });
    expect(s.sources.purchases).toMatchObject({ read: 5, loaded: 3, rejected: 2 });
    const r = await rejects();
    expect(r.map((x) => x.reason)).toEqual([
      'implausible amount 1000000000000000.00 above 1000000000 (sources.purchases.plausibility.amount.max)',
      'implausible amount 12.345: more than 2 decimal places would be rounded on storage (sources.purchases.plausibility.amount.decimals)',
    ]);
    const amounts = await env.wh.all<{ order_id: string; a: number }>('select order_id, amount::double as a from purchases order by 1');
    expect(amounts).toEqual([
      { order_id: 'O3', a: 12.3 },
      { order_id: 'O4', a: -5 },
      { order_id: 'O5', a: 150 },
    ]);
  });

  it('decimal places are judged on the value, whatever the spelling: trailing zeros, exponents, a bare point', async () => {
    // [amount text, more than 2 decimal places?] worked out by hand from the text.
    const cases: [string, boolean][] = [
      ['12.300', false], // 12.3
      ['12.3450', true], // 12.345
      ['12.', false],
      ['.125', true],
      ['1.2345e1', true], // 12.345
      ['1.2345E2', false], // 123.45
      ['-0.001', true],
      ['7', false],
      ['0.10000000', false],
    ];
    env.write('p.csv', ['order_id,customer_id,ordered_at,amount,status', ...cases.map(([a], i) => `O${i},C1,2026-06-01,${a},refunded`)].join('\n'));
    const s = await env.ingest({ purchases: { path: 'p.csv' } });
    const bad = cases.filter(([, more]) => more);
    expect(s.sources.purchases).toMatchObject({ read: cases.length, loaded: cases.length - bad.length, rejected: bad.length });
    expect(accountedFor(s.sources.purchases!)).toBe(true);
    const r = await rejects();
    expect(r.map((x) => x.reason)).toEqual(
      bad.map(([a]) => `implausible amount ${a}: more than 2 decimal places would be rounded on storage (sources.purchases.plausibility.amount.decimals)`),
    );
  });

  it('rules are configurable per column, and bad overrides are config errors naming the key', async () => {
    env.write('p.csv', 'order_id,customer_id,ordered_at,amount\nO1,C1,1950-06-01,20000.00\nO2,C1,2026-06-01,5.00\n');
    const s = await env.ingest({
      purchases: { path: 'p.csv', plausibility: { ordered_at: { notBefore: '1940-01-01', maxYearsBack: 100 }, amount: { max: 10000 } } },
    });
    expect(s.sources.purchases).toMatchObject({ read: 2, loaded: 1, rejected: 1 });
    expect((await rejects())[0].reason).toBe('implausible amount 20000.00 above 10000 (sources.purchases.plausibility.amount.max)');
    let err: unknown;
    try {
      env.config({ purchases: { path: 'p.csv', plausibility: { ammount: { max: 1 }, amount: { min: 5, max: 1 } } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CxpError);
    expect((err as CxpError).message).toContain('sources.purchases.plausibility.ammount: no plausibility rule for this column');
    expect((err as CxpError).message).toContain('sources.purchases.plausibility.amount: min 5 is above max 1');
  });
});
