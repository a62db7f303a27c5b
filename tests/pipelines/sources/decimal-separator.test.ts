import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

// European exports write numbers with a decimal comma ("1.234,50", "1 234,5"), usually in a file split by
// ";". `decimalSeparator: ","` reads them; expected values below are worked out by hand from the text.

const NBSP = '\u00a0';
const NNBSP = '\u202f';

describe('sources.<name>.decimalSeparator: ","', () => {
  let env: IngestEnv;
  beforeEach(async () => {
    env = await ingestEnv();
  });
  afterEach(() => env.close());

  const rejects = () => env.wh.all<{ line: number; reason: string }>('select line, reason from rejected_rows order by line');

  it('purchases: grouped thousands and decimal commas load as numbers; a "." that cannot group thousands is rejected, quoted as written', async () => {
    const rows = [
      ['P1', '1.234,50'], // line 2: 1234.50
      ['P2', '1 234,5'], // 3: 1234.50
      ['P3', `1${NBSP}234,00`], // 4: 1234.00
      ['P4', `1${NNBSP}234,75`], // 5: 1234.75
      ['P5', '1.234.567,89'], // 6: 1234567.89
      ['P6', '7'], // 7: 7.00
      ['P7', '0,05'], // 8: 0.05
      ['P8', '12.50'], // 9: rejected ("." is not a decimal mark here, and 12.50 is not grouped in threes)
      ['P9', '1.23'], // 10: rejected
      ['P10', '12,345'], // 11: rejected (three decimals would be rounded to cents)
      ['P11', '1.2345,6'], // 12: rejected (a group of four)
    ];
    const csv = ['order_id;customer_id;ordered_at;amount', ...rows.map(([id, a]) => `${id};C1;2026-03-01 10:00:00;${a}`)].join('\r\n') + '\r\n';
    env.write('orders.csv', csv);
    const s = await env.ingest({ purchases: { path: 'orders.csv', delimiter: ';', decimalSeparator: ',' } });
    expect(s.sources.purchases).toMatchObject({ read: 11, loaded: 7, rejected: 4 });
    expect(accountedFor(s.sources.purchases!)).toBe(true);
    const stored = await env.wh.all<{ order_id: string; amount: string }>('select order_id, amount::varchar as amount from purchases order by order_id');
    expect(Object.fromEntries(stored.map((r) => [r.order_id, r.amount]))).toEqual({
      P1: '1234.50',
      P2: '1234.50',
      P3: '1234.00',
      P4: '1234.75',
      P5: '1234567.89',
      P6: '7.00',
      P7: '0.05',
    });
    const r = await rejects();
    expect(r.map((x) => Number(x.line))).toEqual([9, 10, 11, 12]);
    expect(r[0].reason).toBe('unparseable amount "12.50"');
    expect(r[1].reason).toBe('unparseable amount "1.23"');
    expect(r[2].reason).toMatch(/^implausible amount 12,345: more than 2 decimal places/);
    expect(r[3].reason).toBe('unparseable amount "1.2345,6"');
  });

  it('line items: quantity and unit price with decimal commas sum into the order', async () => {
    // O1: 2 x 1.000,50 + 0,5 x 10 = 2001.00 + 5.00 = 2006.00
    env.write('lines.csv', 'InvoiceNo;CustomerID;InvoiceDate;Quantity;UnitPrice\nO1;C1;2026-03-01 10:00:00;2;1.000,50\nO1;C1;2026-03-01 10:00:00;0,5;10\n');
    const s = await env.ingest({
      purchases: {
        path: 'lines.csv',
        delimiter: ';',
        decimalSeparator: ',',
        columns: { order_id: 'InvoiceNo', customer_id: 'CustomerID', ordered_at: 'InvoiceDate', quantity: 'Quantity', unit_price: 'UnitPrice' },
      },
    });
    expect(s.sources.purchases).toMatchObject({ read: 2, loaded: 2, rejected: 0 });
    expect((await env.wh.one<{ a: string }>("select amount::varchar as a from purchases where order_id = 'O1'"))?.a).toBe('2006.00');
  });

  it('the default "." reads the same text as before: a decimal comma is unparseable, and the reason names the setting', async () => {
    env.write(
      'orders.csv',
      'order_id;customer_id;ordered_at;amount\nP1;C1;2026-03-01 10:00:00;12,50\nP2;C1;2026-03-01 11:00:00;12.50\nP3;C1;2026-03-01 12:00:00;1.234,5\nP4;C1;2026-03-01 13:00:00;1,234\n',
    );
    const s = await env.ingest({ purchases: { path: 'orders.csv', delimiter: ';' } });
    expect(s.sources.purchases).toMatchObject({ read: 4, loaded: 1, rejected: 3 });
    // The reason says which setting reads a decimal comma; "1,234" may be a thousands separator: no hint.
    expect((await rejects()).map((r) => r.reason)).toEqual([
      'unparseable amount "12,50" (a decimal comma? set sources.purchases.decimalSeparator to ",")',
      'unparseable amount "1.234,5" (a decimal comma? set sources.purchases.decimalSeparator to ",")',
      'unparseable amount "1,234"',
    ]);
    expect((await env.wh.one<{ a: string }>('select amount::varchar as a from purchases'))?.a).toBe('12.50');
  });

  it('interactions, surveys and numeric customer attributes read decimal commas too; no-answer codes still work', async () => {
    env.write('customers.csv', 'customer_id;country;spend_limit\nC1;LV;1.500,25\nC2;LV;abc\n');
    env.write('contacts.csv', 'interaction_id;customer_id;channel;kind;opened_at;first_response_minutes\nI1;C1;chat;inquiry;2026-03-01 10:00:00;2,5\n');
    env.write('surveys.csv', 'response_id;customer_id;submitted_at;survey_type;score;q_speed;q_price\nR1;C1;2026-03-02 09:00:00;nps;9;7,5;N/A\n');
    const s = await env.ingest({
      customers: { path: 'customers.csv', delimiter: ';', decimalSeparator: ',', attributes: { spend_limit: { type: 'numeric' } } },
      interactions: { path: 'contacts.csv', delimiter: ';', decimalSeparator: ',' },
      surveys: { path: 'surveys.csv', delimiter: ';', decimalSeparator: ',', answerColumns: ['q_speed', 'q_price'] },
    });
    expect(s.sources.customers).toMatchObject({ read: 2, loaded: 1, rejected: 1 });
    const attrs = await env.wh.one<{ a: string }>("select attributes::varchar as a from customers where customer_id = 'C1'");
    expect(JSON.parse(attrs!.a)).toEqual({ spend_limit: 1500.25 });
    expect((await rejects()).map((r) => r.reason)).toEqual(['unparseable number "abc" in numeric attribute spend_limit']);
    // 2,5 minutes after 10:00:00 is 10:02:30.
    const i = await env.wh.one<{ at: string }>("select strftime(first_response_at, '%H:%M:%S') as at from interactions where interaction_id = 'I1'");
    expect(i?.at).toBe('10:02:30');
    const answers = await env.wh.all<{ question: string; score: number }>('select question, score from survey_answers order by question');
    expect(answers).toEqual([{ question: 'q_speed', score: 7.5 }]);
    expect(s.sources.surveys).toMatchObject({ read: 1, loaded: 1, rejected: 0 });
  });

  it('a Parquet file of a decimal-comma source keeps its typed numbers (their text has a "." whatever the config says)', async () => {
    const path = env.write('orders.csv', 'order_id,customer_id,ordered_at,amount\nP1,C1,2026-03-01 10:00:00,12.5\n');
    const parquet = path.replace(/\.csv$/, '.parquet');
    await env.wh.run(`copy (select order_id, customer_id, ordered_at::timestamp as ordered_at, amount::decimal(18, 2) as amount from read_csv($1)) to '${parquet}' (format parquet)`, [path]);
    const s = await env.ingest({ purchases: { path: 'orders.parquet', decimalSeparator: ',' } });
    expect(s.sources.purchases).toMatchObject({ read: 1, loaded: 1, rejected: 0 });
    expect((await env.wh.one<{ a: string }>('select amount::varchar as a from purchases'))?.a).toBe('12.50');
  });

  it('JSON lines numbers are typed: a decimal-comma source reads them as written, and suggests no setting', async () => {
    env.write('orders.jsonl', '{"order_id":"J1","customer_id":"C1","ordered_at":"2026-03-01 10:00:00","amount":12.5}\n{"order_id":"J2","customer_id":"C1","ordered_at":"2026-03-01 11:00:00","amount":"12,50"}\n');
    const s = await env.ingest({ purchases: { path: 'orders.jsonl', decimalSeparator: ',' } });
    expect(s.sources.purchases).toMatchObject({ read: 2, loaded: 1, rejected: 1 });
    expect((await env.wh.one<{ a: string }>('select amount::varchar as a from purchases'))?.a).toBe('12.50');
    expect((await rejects()).map((r) => r.reason)).toEqual(['unparseable amount "12,50"']);
  });

  it('the config accepts "." and "," only, and only for file sources', () => {
    expect(() => resolveConfig({ sources: { purchases: { path: 'x.csv', decimalSeparator: ';' } } }, env.dir)).toThrow(/sources\/purchases\/decimalSeparator|decimalSeparator/);
    expect(() =>
      resolveConfig({ sources: { purchases: { type: 'postgres', url: 'env:PG_URL', table: 'orders', decimalSeparator: ',' } } }, env.dir),
    ).toThrow(/sources\.purchases\.decimalSeparator: only file sources have it/);
    expect(resolveConfig({ sources: { purchases: { path: 'x.csv', decimalSeparator: ',' } } }, env.dir).sources.purchases?.decimalSeparator).toBe(',');
  });
});
