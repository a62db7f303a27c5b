/**
 * The cohort_retention mart (sql/marts/cohort_retention.sql) and its read API (models/rfm/cohorts.ts)
 * against an independent computation in this file: random customers and orders (some before, some
 * after the as-of date, some not completed, some customers without a signup date or country), grouped
 * by month in plain JavaScript.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCohortRetention } from '../../../models/rfm/cohorts.js';
import { fromRoot } from '../../../pipelines/core/paths.js';
import { sqlDate } from '../../../pipelines/core/sql-date.js';
import { buildTableTests, runDataTests, type TableTests } from '../../../pipelines/transform/data-tests.js';
import type { Warehouse } from '../../../pipelines/core/warehouse.js';
import { mulberry32 } from '../../helpers/prng.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';
import { useLocalDays } from '../../../pipelines/core/time-zone.js';

const AS_OF: string = '2026-05-20';
const SQL_FILE = fromRoot('sql', 'marts', 'cohort_retention.sql');
const TESTS_FILE = fromRoot('sql', 'marts', 'cohort_retention.tests.json');

/** ghost: a buyer the customers table does not hold (orders only): no country, no sign-up cohort. */
interface Customer { id: string; signup: Date | null; country: string | null; ghost?: boolean }
interface Order { id: string; customer: string; at: Date; status: string }

const r = mulberry32(20260520);
const customers: Customer[] = [];
const orders: Order[] = [];
const start = Date.UTC(2025, 0, 1);
const end = Date.UTC(2026, 6, 31); // past the as-of date: those orders must not count
for (let i = 0; i < 400; i++) {
  const signup = r() < 0.1 ? null : new Date(start + r() * (end - start));
  customers.push({ id: `k${i}`, signup, country: r() < 0.1 ? null : ['DE', 'LV', 'CN'][i % 3]! });
  const n = Math.floor(r() * 6);
  for (let j = 0; j < n; j++) {
    const status = r() < 0.8 ? 'completed' : r() < 0.5 ? 'refunded' : 'cancelled';
    orders.push({ id: `o${i}-${j}`, customer: `k${i}`, at: new Date(start + r() * (end - start)), status });
  }
}

for (let i = 0; i < 12; i++) {
  customers.push({ id: `ghost${i}`, signup: null, country: null, ghost: true });
  for (let j = 0; j < 1 + (i % 4); j++) {
    orders.push({ id: `g${i}-${j}`, customer: `ghost${i}`, at: new Date(start + r() * (end - start)), status: 'completed' });
  }
}

const monthOf = (d: Date) => `${d.toISOString().slice(0, 7)}-01`;
const monthsBetween = (a: string, b: string) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));
const addMonths = (m: string, k: number) => {
  const d = new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1 + k, 1));
  return d.toISOString().slice(0, 10);
};

interface Expected { count_customers: number; count_buying: number; activity_month_on: string; is_partial_month: boolean }

/** The oracle: every (basis, cohort month, country, months since) cell. */
function expected(): Map<string, Expected> {
  const cutoff = Date.parse(`${AS_OF}T00:00:00Z`) + 86_400_000;
  const asOfMonth = monthOf(new Date(`${AS_OF}T00:00:00Z`));
  const buying = new Map<string, Set<string>>();
  for (const o of orders) {
    if (o.status !== 'completed' || o.at.getTime() >= cutoff) continue;
    const s = buying.get(o.customer) ?? new Set<string>();
    s.add(monthOf(o.at));
    buying.set(o.customer, s);
  }
  const out = new Map<string, Expected>();
  for (const basis of ['first_purchase', 'signup']) {
    const members = new Map<string, Customer[]>();
    for (const c of customers) {
      let cohort: string | null = null;
      if (basis === 'signup') cohort = c.signup && c.signup.getTime() < cutoff ? monthOf(c.signup) : null;
      else if (buying.has(c.id)) cohort = [...buying.get(c.id)!].sort()[0]!;
      if (!cohort) continue;
      const key = `${cohort}|${c.country}`;
      members.set(key, [...(members.get(key) ?? []), c]);
    }
    for (const [key, list] of members) {
      const [cohort, country] = key.split('|') as [string, string];
      for (let k = 0; k <= monthsBetween(cohort, asOfMonth); k++) {
        const month = addMonths(cohort, k);
        out.set(`${basis}|${cohort}|${country}|${k}`, {
          count_customers: list.length,
          count_buying: list.filter((c) => buying.get(c.id)?.has(month)).length,
          activity_month_on: month,
          // The as-of month is still running unless the as-of date is its last day.
          is_partial_month: month === asOfMonth && new Date(Date.parse(`${AS_OF}T00:00:00Z`) + 86_400_000).getUTCDate() !== 1,
        });
      }
    }
  }
  return out;
}

let wh: Warehouse;
let cleanup: () => void;

beforeAll(async () => {
  ({ wh, cleanup } = await tempWarehouse('cxp-cohorts-'));
  for (const c of customers) {
    if (c.ghost) continue;
    await wh.run('insert into customers (customer_id, signup_at, country) values ($id, $s, $c)', { id: c.id, s: c.signup, c: c.country });
  }
  for (const o of orders) {
    await wh.run('insert into purchases (order_id, customer_id, ordered_at, amount, status) values ($id, $c, $at, 10, $st)', { id: o.id, c: o.customer, at: o.at, st: o.status });
  }
  await wh.withConnection(async (db) => {
    await db.run('set variable as_of = $d', { d: sqlDate(AS_OF) });
    await useLocalDays(db, 'UTC');
    await db.run(`create table cohort_retention as ${readFileSync(SQL_FILE, 'utf8')}`);
  });
});
afterAll(() => cleanup?.());

const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

describe('cohort_retention mart', () => {
  it('has exactly the oracle cells, with the same counts and shares', async () => {
    const want = expected();
    const rows = await wh.all('select * from cohort_retention');
    expect(rows.length).toBe(want.size);
    let buyingLater = 0;
    for (const row of rows) {
      const key = `${row.cohort_basis}|${day(row.cohort_month_on)}|${row.country}|${row.months_since}`;
      const w = want.get(key);
      expect(w, key).toBeDefined();
      expect(Number(row.count_customers), key).toBe(w!.count_customers);
      expect(Number(row.count_buying), key).toBe(w!.count_buying);
      expect(row.share_buying as number, key).toBeCloseTo(w!.count_buying / w!.count_customers, 12);
      expect(day(row.activity_month_on), key).toBe(w!.activity_month_on);
      expect(row.is_partial_month, key).toBe(w!.is_partial_month);
      if (Number(row.months_since) > 0 && Number(row.count_buying) > 0) buyingLater++;
    }
    // The fixture is not degenerate: repeat buyers exist in later months, and buyers unknown to customers count
    // in first-purchase cohorts without a country.
    expect(buyingLater).toBeGreaterThan(20);
    expect(rows.some((row) => row.cohort_basis === 'first_purchase' && row.country === null && Number(row.count_customers) > 0)).toBe(true);
  });

  it('passes its data tests, and the tests catch a broken row', async () => {
    const spec = JSON.parse(readFileSync(TESTS_FILE, 'utf8')) as TableTests;
    const tests = buildTableTests('cohort_retention', spec, TESTS_FILE);
    expect((await runDataTests(wh, tests)).failures).toEqual([]);
    await wh.run('create table cohort_broken as select * from cohort_retention');
    await wh.run("update cohort_broken set count_buying = count_customers + 1 where months_since = 1 and cohort_basis = 'signup'");
    const broken = buildTableTests('cohort_broken', spec, TESTS_FILE);
    expect((await runDataTests(wh, broken)).failures.length).toBeGreaterThan(0);
  });
});

describe('readCohortRetention', () => {
  it('sums the countries: share = buyers / cohort size of the same customers', async () => {
    const want = expected();
    const got = await readCohortRetention(wh, { basis: 'first_purchase' });
    const agg = new Map<string, { n: number; b: number }>();
    for (const [key, w] of want) {
      const [basis, cohort, , k] = key.split('|');
      if (basis !== 'first_purchase') continue;
      const e = agg.get(`${cohort}|${k}`) ?? { n: 0, b: 0 };
      e.n += w.count_customers;
      e.b += w.count_buying;
      agg.set(`${cohort}|${k}`, e);
    }
    expect(got.length).toBe(agg.size);
    for (const c of got) {
      const e = agg.get(`${c.cohort_month_on}|${c.months_since}`)!;
      expect(c.count_customers).toBe(e.n);
      expect(c.count_buying).toBe(e.b);
      expect(c.share_buying).toBeCloseTo(e.b / e.n, 12);
      if (c.months_since === 0) expect(c.share_buying).toBe(1);
    }
  });

  it('filters by cohort months, country and months since', async () => {
    const got = await readCohortRetention(wh, { basis: 'signup', fromMonth: '2025-06-15', toMonth: '2025-09-01', country: 'LV', maxMonthsSince: 3 });
    const want = [...expected()].filter(([key]) => {
      const [basis, cohort, country, k] = key.split('|');
      return basis === 'signup' && cohort! >= '2025-06-01' && cohort! <= '2025-09-01' && country === 'LV' && Number(k) <= 3;
    });
    expect(got.length).toBe(want.length);
    expect(got.length).toBe(4 * 4);
    for (const c of got) {
      const w = want.find(([key]) => key === `signup|${c.cohort_month_on}|LV|${c.months_since}`)![1];
      expect([c.count_customers, c.count_buying]).toEqual([w.count_customers, w.count_buying]);
    }
  });

  it('refuses an unknown basis', async () => {
    await expect(readCohortRetention(wh, { basis: 'birthday' as 'signup' })).rejects.toThrow(/unknown cohort basis/);
  });
});
