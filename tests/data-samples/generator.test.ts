import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../data-samples/generator/args.js';
import { splitRange } from '../../data-samples/generator/parallel.js';
import { generateSamples } from '../../data-samples/generator/run.js';
import { DEFAULT_AS_OF, POPULATION, WINDOW_START } from '../../data-samples/generator/planted.js';
import { Db, generateTo, loadCsvOutput, readTree } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dirs: string[] = [];
const gen = async (...a: Parameters<typeof generateTo>) => {
  const d = await generateTo(...a);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('determinism', () => {
  it('the same seed gives byte-identical files, in both formats', async () => {
    for (const format of ['csv', 'demo'] as const) {
      const a = readTree(await gen({ customers: 200, seed: 7, format, badRows: format === 'demo' }));
      const b = readTree(await gen({ customers: 200, seed: 7, format, badRows: format === 'demo' }));
      expect([...a.keys()]).toEqual([...b.keys()]);
      expect(a.size).toBeGreaterThanOrEqual(format === 'demo' ? 9 : 9);
      for (const [k, v] of a) expect(v.equals(b.get(k)!), `${format} ${k}`).toBe(true);
    }
  });

  it('a different seed gives different data', async () => {
    const a = readTree(await gen({ customers: 200, seed: 7 }));
    const b = readTree(await gen({ customers: 200, seed: 8 }));
    for (const f of ['customers.csv', 'purchases/purchases-2025.csv', 'interactions.csv', 'surveys.csv']) {
      expect(a.get(f)!.equals(b.get(f)!), f).toBe(false);
    }
  });

  it("a customer's history does not depend on how many customers are generated", async () => {
    const small = readTree(await gen({ customers: 50, seed: 11 })).get('customers.csv')!.toString().split('\n');
    const big = readTree(await gen({ customers: 120, seed: 11 })).get('customers.csv')!.toString().split('\n');
    expect(big.slice(0, 51)).toEqual(small.slice(0, 51));
  });
});

describe('counts and ratios (3000 customers)', () => {
  let db: Db;
  let dir: string;
  beforeAll(async () => {
    dir = await gen({ customers: 3000, seed: 101 });
    db = await Db.open();
    await loadCsvOutput(db, dir);
  });
  afterAll(() => db?.close());

  it('has about 10 purchases, 3 interactions and 1 survey per customer', async () => {
    const r = await db.one<{ c: number; p: number; i: number; s: number }>(
      `select (select count(*) from c)::double c, (select count(*) from p)::double p,
              (select count(*) from i)::double i, (select count(*) from s)::double s`);
    expect(r.c).toBe(3000);
    expect(r.p / r.c).toBeGreaterThan(8.5);
    expect(r.p / r.c).toBeLessThan(11.5);
    expect(r.i / r.c).toBeGreaterThan(2.4);
    expect(r.i / r.c).toBeLessThan(3.6);
    expect(r.s / r.c).toBeGreaterThan(0.8);
    expect(r.s / r.c).toBeLessThan(1.25);
  });

  it('purchases are heterogeneous (over-dispersed), with prospects who never buy', async () => {
    const r = await db.one<{ mean: number; variance: number; share_none: number }>(
      `with n as (select c.customer_id, count(p.order_id)::double k from c left join p using (customer_id) group by 1)
       select avg(k) mean, var_pop(k) variance, avg((k = 0)::int)::double share_none from n`);
    expect(r.variance / r.mean).toBeGreaterThan(4); // a Poisson with one common rate would give ~1
    expect(r.share_none).toBeGreaterThan(POPULATION.prospectShare);
    expect(r.share_none).toBeLessThan(0.35);
  });

  it('keys are unique and every row refers to a known customer', async () => {
    const r = await db.one<Record<string, number>>(
      `select (select count(*) - count(distinct order_id) from p)::double dp,
              (select count(*) - count(distinct interaction_id) from i)::double di,
              (select count(*) - count(distinct response_id) from s)::double ds,
              (select count(*) from p anti join c using (customer_id))::double op,
              (select count(*) from s where interaction_id is not null and interaction_id not in (select interaction_id from i))::double os`);
    expect(r).toEqual({ dp: 0, di: 0, ds: 0, op: 0, os: 0 });
  });

  it('events span the window and the latest event falls on the as-of date', async () => {
    const r = await db.one<{ first: string; last: string; lastSignup: string; early: number }>(
      `select strftime(least((select min(ordered_at) from p), (select min(opened_at) from i)), '%Y-%m-%d') "first",
              strftime(greatest((select max(ordered_at) from p), (select max(opened_at) from i),
                (select max(submitted_at) from s), (select max(resolved_at) from i)), '%Y-%m-%d') "last",
              strftime((select max(signup_at::timestamp) from c), '%Y-%m-%d') "lastSignup",
              (select count(*) from p join c using (customer_id) where ordered_at < signup_at::timestamp)::double early`);
    expect(r.first).toBe(WINDOW_START);
    expect(r.last).toBe(DEFAULT_AS_OF);
    expect(r.lastSignup <= DEFAULT_AS_OF).toBe(true);
    expect(r.early).toBe(0);
  });

  it('values stay inside their enums and scales', async () => {
    const r = await db.one<Record<string, number>>(
      `select (select count(*) from p where status not in ('completed','refunded','cancelled')
                 or channel not in ('web','app','store','phone') or amount <= 0)::double bad_p,
              (select count(*) from i where channel not in ('phone','email','chat','social','store','app')
                 or kind not in ('inquiry','complaint','request','praise','other')
                 or category not in ('billing','delivery','product_defect','account','returns','technical')
                 or first_response_at < opened_at or resolved_at < first_response_at
                 or (resolved_at is null and fcr))::double bad_i,
              (select count(*) from s where (survey_type = 'nps' and score not between 0 and 10)
                 or (survey_type = 'csat' and score not between 1 and 5) or (survey_type = 'ces' and score not between 1 and 7)
                 or least(q_speed, q_knowledge, q_friendliness, q_product_quality, q_price) < 1
                 or greatest(q_speed, q_knowledge, q_friendliness, q_product_quality, q_price) > 5)::double bad_s,
              (select count(*) from c where coalesce(marketing_consent, '') not in ('true','false','yes','no','Y','N','1','0',''))::double bad_c,
              (select avg((marketing_consent in ('true','yes','Y','1'))::int) from c)::double consent,
              (select count(distinct marketing_consent) from c)::double forms`);
    expect({ bad_p: r.bad_p, bad_i: r.bad_i, bad_s: r.bad_s, bad_c: r.bad_c }).toEqual({ bad_p: 0, bad_i: 0, bad_s: 0, bad_c: 0 });
    expect(r.consent).toBeGreaterThan(0.6);
    expect(r.consent).toBeLessThan(0.7);
    expect(r.forms).toBe(8); // all eight written forms occur (empty is null here)
  });

  it('has new signups in the last 90 days and purchases in every month of the window', async () => {
    const r = await db.one<{ recent: number; n_months: number }>(
      `select (select avg((signup_at::timestamp > timestamp '${DEFAULT_AS_OF}' - interval 90 day)::int) from c)::double recent,
              (select count(distinct date_trunc('month', ordered_at)) from p)::double n_months`);
    expect(r.recent).toBeGreaterThan(POPULATION.recentShare);
    expect(r.n_months).toBe(28);
  });
});

describe('parallel generation', () => {
  it('the CLI with two processes writes the same bytes as one process', async () => {
    const one = await gen({ customers: 700, seed: 5, format: 'csv', workers: 1 });
    const two = mkdtempSync(join(tmpdir(), 'cxp-samples-'));
    dirs.push(two);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'data-samples/generate.ts', '--customers', '700', '--seed', '5',
      '--format', 'csv', '--workers', '2', '--out', two], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/700 customers/);
    const a = readTree(one);
    const b = readTree(two);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(v.equals(b.get(k)!), k).toBe(true);
  });

  it('splits customers into contiguous ranges covering all of them', () => {
    expect(splitRange(7, 2)).toEqual([[0, 3], [3, 7]]);
    expect(splitRange(1, 2)).toEqual([[0, 0], [0, 1]]);
  });
});

describe('command line', () => {
  it('parses options and applies the defaults', () => {
    expect(parseArgs(['--customers', '10', '--format', 'csv', '--seed', '3', '--out', '/tmp/x', '--as-of', '2026-01-31']))
      .toEqual({ customers: 10, format: 'csv', seed: 3, outDir: '/tmp/x', asOf: '2026-01-31', badRows: false });
    const d = parseArgs([]);
    if (d === 'help' || 'from' in d) throw new Error('expected plain options');
    expect({ c: d.customers, f: d.format, b: d.badRows, a: d.asOf, w: d.workers }).toEqual({ c: 2000, f: 'demo', b: true, a: '2026-10-31', w: undefined });
    expect(parseArgs(['--format', 'csv', '--part', '5:9', '--part-dir', '/tmp/p'])).toMatchObject({ from: 5, to: 9, dir: '/tmp/p' });
  });

  it('rejects bad options with a message naming the option', async () => {
    expect(() => parseArgs(['--customers', 'many'])).toThrow(/--customers must be a whole number/);
    expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option "--frobnicate"/);
    expect(() => parseArgs(['--out'])).toThrow(/--out needs a value/);
    const base = { customers: 5, seed: 1, format: 'csv' as const, badRows: false, outDir: '/nonexistent/never-written' };
    await expect(generateSamples({ ...base, asOf: '2026-02-30' })).rejects.toThrow(/not a calendar date/);
    await expect(generateSamples({ ...base, asOf: '2024-08-01' })).rejects.toThrow(/--as-of must be at least 180 days/);
    await expect(generateSamples({ ...base, asOf: DEFAULT_AS_OF, customers: 0 })).rejects.toThrow(/--customers must be a positive/);
    await expect(generateSamples({ ...base, asOf: DEFAULT_AS_OF, workers: 2, badRows: true })).rejects.toThrow(/cannot plant bad rows/);
    expect(() => parseArgs(['--part', '5'])).toThrow(/--part must be FROM:TO/);
  });
});
