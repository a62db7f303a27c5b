/**
 * Line-grained purchases: a generated line-item export in the shape of the public online-retail data
 * (invoice per line, cancellations as C-prefixed invoices with negative quantities, returned lines
 * inside normal invoices, guest lines without a customer, customer ids written as floats). Order totals,
 * counts, returns and net revenue are checked against an independent computation written here in
 * integer cents, and the accounting in lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../../pipelines/sources/run-ingest.js';
import { mulberry32 } from '../../helpers/prng.js';
import { ingestEnv, type IngestEnv } from './ingest-helpers.js';

interface Line {
  invoice: string;
  stock: string;
  quantity: string;
  date: Date;
  priceCents: number;
  customer: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** The export's timestamp format: 12/1/2010 8:26 (month/day/year, no zero padding). */
const exportDate = (d: Date) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${d.getUTCHours()}:${pad(d.getUTCMinutes())}`;
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00`;

function generate(): Line[] {
  const rnd = mulberry32(536365);
  // The first invoice of the real data set, line by line: 139.12 in total (the example).
  const t0 = new Date(Date.UTC(2010, 11, 1, 8, 26));
  const lines: Line[] = [
    ['85123A', 6, 255], ['71053', 6, 339], ['84406B', 8, 275], ['84029G', 6, 339], ['84029E', 6, 339], ['22752', 2, 765], ['21730', 6, 425],
  ].map(([stock, q, p]) => ({ invoice: '536365', stock: String(stock), quantity: String(q), date: t0, priceCents: Number(p), customer: '17850.0' }));
  let invoiceNo = 536366;
  let at = t0.getTime();
  for (let i = 0; i < 400; i++) {
    at += Math.floor(rnd() * 6 * 3_600_000);
    const n = 1 + Math.floor(rnd() * 6);
    const cancel = rnd() < 0.08;
    const guest = rnd() < 0.1;
    const cust = 12000 + Math.floor(rnd() * 60);
    // Ids written as floats in some rows and as integers in others: one customer either way.
    const customer = guest ? '' : rnd() < 0.5 ? `${cust}.0` : String(cust);
    const invoice = `${cancel ? 'C' : ''}${invoiceNo++}`;
    const withReturn = !cancel && rnd() < 0.1;
    for (let k = 0; k < n; k++) {
      const q = 1 + Math.floor(rnd() * 12);
      const negative = cancel || (withReturn && k === n - 1);
      // Lines after the first are stamped a minute later: an order's time is its first line's.
      lines.push({
        invoice,
        stock: `S${Math.floor(rnd() * 500)}`,
        quantity: String(negative ? -q : q),
        date: new Date(at + (k > 0 ? 60_000 : 0)),
        priceCents: 29 + Math.floor(rnd() * 2000),
        customer,
      });
    }
  }
  // One order with an unreadable quantity on one line: none of its lines may load.
  lines.push({ invoice: '999001', stock: 'X1', quantity: '3', date: new Date(at + 3_600_000), priceCents: 100, customer: '12001' });
  lines.push({ invoice: '999001', stock: 'X2', quantity: 'three', date: new Date(at + 3_600_000), priceCents: 100, customer: '12001' });
  return lines;
}

const csv = (lines: Line[]) =>
  ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country']
    .concat(lines.map((l) => `${l.invoice},${l.stock},"ITEM, ${l.stock}",${l.quantity},${exportDate(l.date)},${(l.priceCents / 100).toFixed(2)},${l.customer},United Kingdom`))
    .join('\n') + '\n';

interface ExpectedRow {
  order_id: string;
  customer_id: string;
  ordered_at: string;
  cents: number;
  status: string;
  count_lines: number;
}

/** The independent computation: whole orders only, parts split by sign/prefix, totals in integer cents. */
function expected(lines: Line[]): { rows: Map<string, ExpectedRow>; rejectedLines: number } {
  const byInvoice = new Map<string, Line[]>();
  for (const l of lines) byInvoice.set(l.invoice, [...(byInvoice.get(l.invoice) ?? []), l]);
  const rows = new Map<string, ExpectedRow>();
  let rejectedLines = 0;
  for (const [invoice, ls] of byInvoice) {
    if (ls.some((l) => l.customer === '' || !/^-?\d+$/.test(l.quantity))) {
      rejectedLines += ls.length;
      continue;
    }
    const isReturn = (l: Line) => invoice.startsWith('C') || Number(l.quantity) < 0;
    const allReturn = ls.every(isReturn);
    for (const part of [ls.filter((l) => !isReturn(l)), ls.filter(isReturn)]) {
      if (part.length === 0) continue;
      const ret = isReturn(part[0]!);
      const key = ret && !allReturn ? `${invoice}-return` : invoice;
      const cents = Math.abs(part.reduce((s, l) => s + Number(l.quantity) * l.priceCents, 0));
      rows.set(key, {
        order_id: key,
        customer_id: part[0]!.customer.replace(/\.0$/, ''),
        ordered_at: iso(part[0]!.date),
        cents,
        status: ret ? 'returned' : 'completed',
        count_lines: part.length,
      });
    }
  }
  return { rows, rejectedLines };
}

let env: IngestEnv;
const lines = generate();
const want = expected(lines);
const SOURCES = {
  purchases: {
    path: 'online-retail.csv',
    columns: { order_id: 'InvoiceNo', customer_id: 'CustomerID', ordered_at: 'InvoiceDate', quantity: 'Quantity', unit_price: 'UnitPrice' },
    timestampFormat: '%m/%d/%Y %H:%M',
    returns: { orderIdPrefix: 'C' },
  },
};
let first: IngestSummary;

beforeAll(async () => {
  env = await ingestEnv('cxp-lines-');
  env.write('online-retail.csv', csv(lines));
  first = await env.ingest(SOURCES);
});
afterAll(() => env.close());

describe('line-grained purchases', () => {
  it('counts every line once: loaded lines + rejected lines = lines read', () => {
    expect(want.rejectedLines).toBeGreaterThan(0);
    expect(first.sources.purchases).toMatchObject({
      read: lines.length,
      loaded: lines.length - want.rejectedLines,
      updated: 0,
      duplicate: 0,
      rejected: want.rejectedLines,
    });
  });

  it('sums lines into orders: totals, first line time, line counts, returns as their own rows', async () => {
    const got = await env.wh.all<{ order_id: string; customer_id: string; ordered_at: string; cents: number; status: string; count_lines: number }>(
      `select order_id, customer_id, strftime(ordered_at, '%Y-%m-%d %H:%M:%S') as ordered_at, (amount * 100)::bigint as cents, status, count_lines
       from purchases order by order_id`,
    );
    expect(got.length).toBe(want.rows.size);
    for (const g of got) expect({ ...g, cents: Number(g.cents) }).toEqual(want.rows.get(g.order_id));
    // The example: invoice 536365 is 139.12 over 7 lines, customer 17850 (written 17850.0).
    expect(await env.wh.one("select amount::double as amount, count_lines, customer_id from purchases where order_id = '536365'")).toEqual({
      amount: 139.12,
      count_lines: 7,
      customer_id: '17850',
    });
    const returns = [...want.rows.values()].filter((r) => r.status === 'returned');
    expect(returns.some((r) => r.order_id.startsWith('C'))).toBe(true);
    expect(returns.some((r) => r.order_id.endsWith('-return'))).toBe(true);
  });

  it('net revenue = orders minus returns, as computed independently', async () => {
    const rows = [...want.rows.values()];
    const gross = rows.filter((r) => r.status === 'completed').reduce((s, r) => s + r.cents, 0);
    const returned = rows.filter((r) => r.status === 'returned').reduce((s, r) => s + r.cents, 0);
    const got = await env.wh.one<{ gross: number; returned: number; orders: number }>(
      `select (sum(amount) filter (where status = 'completed') * 100)::bigint as gross,
              (sum(amount) filter (where status = 'returned') * 100)::bigint as returned,
              count(*) filter (where status = 'completed') as orders
       from purchases`,
    );
    expect(Number(got?.gross)).toBe(gross);
    expect(Number(got?.returned)).toBe(returned);
    expect(Number(got?.gross) - Number(got?.returned)).toBe(gross - returned);
    expect(Number(got?.orders)).toBe(rows.filter((r) => r.status === 'completed').length);
  });

  it('rejects every line of an order with one unreadable line, saying why', async () => {
    const rej = await env.wh.all<{ line: number; reason: string }>("select line, reason from rejected_rows where reason like '%999001%' or reason like '%three%' order by line");
    expect(rej).toHaveLength(2);
    expect(rej[0]!.reason).toMatch(/another line of order 999001 was rejected/);
    expect(rej[1]!.reason).toMatch(/unparseable quantity "three"/);
    expect(await env.wh.one("select count(*)::integer as n from purchases where order_id like '999001%'")).toEqual({ n: 0 });
  });

  it('without a customers source, customers take their first purchase as signup, and the run says so', async () => {
    expect(first.notes?.join(' ')).toMatch(/first purchase as signup_at/);
    const firstOrder = new Map<string, string>();
    for (const r of [...want.rows.values()].filter((x) => x.status === 'completed').sort((a, b) => a.ordered_at.localeCompare(b.ordered_at))) {
      if (!firstOrder.has(r.customer_id)) firstOrder.set(r.customer_id, r.ordered_at);
    }
    const got = await env.wh.all<{ customer_id: string; signup: string; derived: boolean }>(
      "select customer_id, strftime(signup_at, '%Y-%m-%d %H:%M:%S') as signup, is_signup_derived as derived from customers",
    );
    const withOrders = got.filter((g) => firstOrder.has(g.customer_id));
    expect(withOrders.length).toBe(firstOrder.size);
    for (const g of withOrders) expect(g).toEqual({ customer_id: g.customer_id, signup: firstOrder.get(g.customer_id), derived: true });
    // No customer id survives in its float spelling.
    expect(await env.wh.one("select count(*)::integer as n from customers where customer_id like '%.0'")).toEqual({ n: 0 });
  });

  it('reading the same file again: every line is a duplicate, nothing changes', async () => {
    const again = await env.ingest({ purchases: { ...SOURCES.purchases, fullReload: true } });
    expect(again.sources.purchases).toMatchObject({
      read: lines.length,
      loaded: 0,
      updated: 0,
      duplicate: lines.length - want.rejectedLines,
      rejected: want.rejectedLines,
    });
  });
});
