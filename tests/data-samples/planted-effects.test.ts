// The structure planted by the generator must be visible in its output, measured here with plain SQL and
// statistics written for the test (not the generator's code), on 20,000 generated customers.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASPECT_WEIGHTS, ASPECTS, CHAT_OUTAGE, DEFAULT_AS_OF, HAZARD_MULTIPLIERS } from '../../data-samples/generator/planted.js';
import { Db, generateTo, loadCsvOutput } from './helpers.js';

/** Ordinary least squares by the normal equations (Gauss-Jordan with partial pivoting); returns [b0, b1, ...]. */
function ols(x: number[][], y: number[]): number[] {
  const k = x[0].length + 1;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let r = 0; r < y.length; r++) {
    const row = [1, ...x[r]];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i][j] += row[i] * row[j];
      a[i][k] += row[i] * y[r];
    }
  }
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row, i) => row[k] / row[i]);
}

function corr(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const T = `timestamp '${DEFAULT_AS_OF}' + interval 1 day - interval 90 day`;
let db: Db;
let dir: string;

beforeAll(async () => {
  dir = await generateTo({ customers: 20_000, seed: 4242, format: 'csv' });
  db = await Db.open();
  await loadCsvOutput(db, dir);
  // Churn as the churn issue defines it: active = completed purchase in the 365 days before T,
  // churned = no completed purchase in the 90 days after T. Service history strictly before T.
  await db.run(`create table churn as
    with buys as (
      select customer_id,
        max(ordered_at) filter (where ordered_at < ${T}) last_before,
        count(*) filter (where ordered_at >= ${T}) n_after
      from p where status = 'completed' group by 1),
    service as (
      select customer_id,
        count(*) filter (where kind = 'complaint' and resolved_at is null) unresolved,
        count(*) filter (where first_response_at is null or epoch(first_response_at - opened_at) / 60 >
          case when channel in ('chat', 'phone') then 15 else 1440 end) slow
      from i where opened_at < ${T} group by 1)
    select b.customer_id, b.n_after = 0 churned, coalesce(unresolved, 0) unresolved, coalesce(slow, 0) slow
    from buys b left join service using (customer_id)
    where b.last_before >= ${T} - interval 365 day`);
});
afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bad service drives churn', () => {
  it('active customers with an unresolved complaint churn clearly more often', async () => {
    const r = await db.rows<{ has: boolean; n: number; rate: number }>(
      `select unresolved > 0 has, count(*)::double n, avg(churned::int)::double rate from churn group by 1 order by 1`);
    const [without, withUnresolved] = r;
    if (process.env.SHOW_EFFECTS) console.log('churn', r);
    expect(withUnresolved.n).toBeGreaterThan(500);
    expect(withUnresolved.rate - without.rate).toBeGreaterThan(0.15);
    // over-represented among the churners
    const share = await db.one<{ churners: number; stayers: number }>(
      `select avg((unresolved > 0)::int) filter (where churned)::double churners,
              avg((unresolved > 0)::int) filter (where not churned)::double stayers from churn`);
    expect(share.churners / share.stayers).toBeGreaterThan(1.5);
    expect(HAZARD_MULTIPLIERS.unresolvedComplaint).toBeGreaterThan(1);
  });

  it('slow first responses raise churn too', async () => {
    const r = await db.one<{ slow: number; fast: number }>(
      `select avg(churned::int) filter (where slow > 0 and unresolved = 0)::double slow,
              avg(churned::int) filter (where slow = 0 and unresolved = 0)::double fast from churn`);
    if (process.env.SHOW_EFFECTS) console.log('slow', r);
    expect(r.slow - r.fast).toBeGreaterThan(0.03);
  });

  it('customers the truth marks as dropped make no purchase or contact afterwards', async () => {
    await db.run(`create table truth as select * from read_csv($f, all_varchar = true)`, { f: join(dir, 'truth.csv') });
    const r = await db.one<{ dropped: number; n_after: number; reactivated: number }>(
      `with d as (select customer_id, dropped_at::timestamp dropped_at from truth where dropped_at is not null)
       select (select count(*) from d)::double dropped,
              ((select count(*) from p join d using (customer_id) where ordered_at > dropped_at) +
               (select count(*) from i join d using (customer_id) where opened_at > dropped_at))::double n_after,
              (select count(*) from truth where is_reactivated = 'true')::double reactivated`);
    expect(r.dropped).toBeGreaterThan(5000);
    expect(r.n_after).toBe(0);
    expect(r.reactivated).toBeGreaterThan(100);
  });
});

describe('surveys', () => {
  it('scores are lower, and detractors more common, after an unresolved complaint', async () => {
    const r = await db.rows<{ has: boolean; n: number; mean: number; detractors: number }>(
      `select exists (select 1 from i where i.customer_id = s.customer_id and kind = 'complaint'
                        and resolved_at is null and opened_at < s.submitted_at) has,
              count(*)::double n, avg(score)::double mean, avg((score <= 6)::int)::double detractors
       from s where survey_type = 'nps' group by 1 order by 1`);
    const [without, withUnresolved] = r;
    expect(withUnresolved.n).toBeGreaterThan(300);
    expect(without.mean - withUnresolved.mean).toBeGreaterThan(1.5);
    expect(withUnresolved.detractors).toBeGreaterThan(2 * without.detractors);
  });

  it('a regression of NPS on the aspect answers recovers the planted weights, q_price none', async () => {
    const rows = await db.rows<Record<string, number>>(
      `select score::double score, ${ASPECTS.map((a) => `${a}::double ${a}`).join(', ')}
       from s left join i using (interaction_id)
       where survey_type = 'nps' and q_price is not null and q_speed is not null
         and not (i.channel is not distinct from '${CHAT_OUTAGE.channel}' and strftime(i.opened_at, '%Y-%m') = '${CHAT_OUTAGE.month}')
         and not exists (select 1 from i u where u.customer_id = s.customer_id and u.kind = 'complaint'
                           and u.resolved_at is null and u.opened_at < s.submitted_at)`);
    expect(rows.length).toBeGreaterThan(3000);
    const b = ols(rows.map((r) => ASPECTS.map((a) => r[a])), rows.map((r) => r.score));
    const est = Object.fromEntries(ASPECTS.map((a, i) => [a, b[i + 1]]));
    if (process.env.SHOW_EFFECTS) console.log('OLS', rows.length, est);
    // Rounding and clamping the score to 0-10 attenuates the weights a little: within 20% or 0.1.
    for (const a of ASPECTS) expect(Math.abs(est[a] - ASPECT_WEIGHTS[a]), `${a}: ${est[a]}`).toBeLessThan(Math.max(0.1, 0.2 * ASPECT_WEIGHTS[a]));
    expect(est.q_speed).toBeGreaterThan(est.q_knowledge);
    expect(est.q_knowledge).toBeGreaterThan(est.q_friendliness);
    // q_price has no effect, yet it correlates with the score through q_product_quality
    expect(corr(rows.map((r) => r.q_price), rows.map((r) => r.score))).toBeGreaterThan(0.05);
  });

  it('q_speed follows the first response the respondent experienced', async () => {
    const rows = await db.rows<{ speed: number; lr: number }>(
      `select q_speed::double speed,
              ln(greatest(epoch(first_response_at - opened_at), 1) / 60 / case when channel in ('chat', 'phone') then 15 else 1440 end) lr
       from s join i using (interaction_id) where q_speed is not null and first_response_at is not null`);
    expect(rows.length).toBeGreaterThan(1000);
    expect(corr(rows.map((r) => r.speed), rows.map((r) => r.lr))).toBeLessThan(-0.4);
  });

  it('chat NPS dips in the outage month, and only chat', async () => {
    const nps = async (channelIsChat: boolean, months: string[]) => db.one<{ n: number; pp: number; pd: number }>(
      `select count(*)::double n, avg((score >= 9)::int)::double pp, avg((score <= 6)::int)::double pd
       from s join i using (interaction_id)
       where survey_type = 'nps' and (i.channel = $ch) = $isChat and strftime(submitted_at, '%Y-%m') in (select unnest(string_split($months, ',')))`,
      { ch: CHAT_OUTAGE.channel, isChat: channelIsChat ? 1 : 0, months: months.join(',') });
    const before = ['2026-06', '2026-07', '2026-08'];
    const a = await nps(true, before);
    const b = await nps(true, [CHAT_OUTAGE.month]);
    const score = (x: { pp: number; pd: number }) => 100 * (x.pp - x.pd);
    const variance = (x: { n: number; pp: number; pd: number }) => (x.pp + x.pd - (x.pp - x.pd) ** 2) / x.n;
    const z = (score(a) - score(b)) / 100 / Math.sqrt(variance(a) + variance(b));
    if (process.env.SHOW_EFFECTS) console.log('dip', a, b, z);
    expect(score(a) - score(b)).toBeGreaterThan(40);
    expect(z).toBeGreaterThan(4);
    const others = Math.abs(score(await nps(false, before)) - score(await nps(false, [CHAT_OUTAGE.month])));
    expect(others).toBeLessThan(20);
  });
});

describe('channels, categories and seasonality', () => {
  it('delivery dominates complaints and complaint rates differ by channel', async () => {
    const cats = await db.rows<{ category: string; cat_share: number }>(
      `select category, (count(*) / sum(count(*)) over ())::double cat_share from i where kind = 'complaint' group by 1 order by 2 desc`);
    expect(cats[0].category).toBe('delivery');
    expect(cats[0].cat_share).toBeGreaterThan(0.3);
    const rate = Object.fromEntries((await db.rows<{ channel: string; rate: number }>(
      `select channel, avg((kind = 'complaint')::int)::double rate from i group by 1`)).map((r) => [r.channel, r.rate]));
    expect(rate.social).toBeGreaterThan(rate.phone);
    expect(rate.phone).toBeGreaterThan(rate.app + 0.1);
  });

  it('December sells far more per day than the February after it; email answers slower than chat', async () => {
    const r = await db.one<{ dec: number; feb: number; chat: number; email: number }>(
      `select (select count(*) from p where strftime(ordered_at, '%Y-%m') = '2025-12')::double / 31 "dec",
              (select count(*) from p where strftime(ordered_at, '%Y-%m') = '2026-02')::double / 28 feb,
              (select median(epoch(first_response_at - opened_at) / 60) from i where channel = 'chat' and strftime(opened_at, '%Y-%m') <> '${CHAT_OUTAGE.month}')::double chat,
              (select median(epoch(first_response_at - opened_at) / 60) from i where channel = 'email')::double email`);
    expect(r.dec / r.feb).toBeGreaterThan(1.4);
    expect(r.email).toBeGreaterThan(60 * r.chat);
  });
});
