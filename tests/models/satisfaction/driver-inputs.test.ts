import { afterAll, beforeAll, expect, test } from 'vitest';
import { aspectMoments } from '../../../models/satisfaction/driver-inputs.js';
import type { DriverMoments } from '../../../models/satisfaction/drivers.js';
import { buildSatisfactionMarts, tempWarehouse, type TempWarehouse } from '../../sql/satisfaction/fixtures.js';

// satisfaction_drivers is exported, and an export whose bytes change is rewritten. The driver fit's
// moments come from SQL aggregates over every response; built from the same rows they must be the same
// to the last bit, even when DuckDB splits the rows across threads and merges partial states in
// whatever order the threads finish (stddev_samp and corr did not: a few drivers changed every run).
let t: TempWarehouse;
const QUESTIONS = ['q_a', 'q_b', 'q_c'];
const WINDOW = { fromAt: new Date('2026-01-01T00:00:00Z'), cutoffAt: new Date('2026-03-01T00:00:00Z') };

beforeAll(async () => {
  t = await tempWarehouse();
  await t.wh.run('set threads = 4');
  await t.wh.run(`insert into customers (customer_id, country) select 'c' || i, 'DE' from range(5000) as r(i)`);
  // 200k NPS responses over January and February; three aspect answers each (none for one in ten responses), with
  // half points on q_c; the score leans on q_b so the correlations are not all near zero.
  await t.wh.run(
    `insert into surveys (response_id, customer_id, submitted_at, survey_type, score, interaction_id)
     select 'r' || i, 'c' || (i % 5000), timestamp '2026-01-01 00:00' + to_seconds(i * 25), 'nps',
            least(10, (hash(i) % 6)::integer + 1 + (hash(i * 3) % 5)::integer), null
     from range(200000) as r(i)`,
  );
  await t.wh.run(
    `insert into survey_answers (response_id, question, score)
     select 'r' || i, q, case when q = 'q_b' then least(5, 1 + ((hash(i) % 6)::integer + (hash(i * 5) % 2)::integer) // 2)
                              when q = 'q_c' then 1 + (hash(i * 7) % 9)::integer / 2.0
                              else 1 + (hash(i * 11) % 5)::integer end
     from range(200000) as r(i), (values ('q_a'), ('q_b'), ('q_c')) as v(q)
     where hash(i * 13 + length(q)) % 10 <> 0`,
  );
  await buildSatisfactionMarts(t.wh, '2026-03-01');
});
afterAll(() => t?.cleanup());

/** Independent two-pass moments (mean, then centred sums) of the pairs where both values are present. */
function pairwise(a: (number | null)[], b: (number | null)[]): { n: number; corr: number; sdA: number } {
  const idx = a.map((_, i) => i).filter((i) => a[i] !== null && b[i] !== null);
  const n = idx.length;
  const ma = idx.reduce((s, i) => s + a[i]!, 0) / n;
  const mb = idx.reduce((s, i) => s + b[i]!, 0) / n;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (const i of idx) {
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
    sab += (a[i]! - ma) * (b[i]! - mb);
  }
  return { n, corr: sab / Math.sqrt(saa * sbb), sdA: Math.sqrt(saa / (n - 1)) };
}

let first: DriverMoments;

test('the driver moments are the same to the last bit on every build (4 threads)', async () => {
  first = await aspectMoments(t.wh, 'nps', QUESTIONS, WINDOW);
  expect(first.n).toBeGreaterThan(170_000);
  for (let i = 0; i < 4; i++) expect(await aspectMoments(t.wh, 'nps', QUESTIONS, WINDOW)).toEqual(first);
});

test('they are the pairwise counts, standard deviations and correlations of the responses', async () => {
  expect(first).toBeDefined(); // built by the test above
  const rows = await t.wh.all<{ y: number; a: number | null; b: number | null; c: number | null }>(
    `select s.score::double as y,
            max(a.score) filter (where a.question = 'q_a') as a,
            max(a.score) filter (where a.question = 'q_b') as b,
            max(a.score) filter (where a.question = 'q_c') as c
     from surveys s join survey_answers a on a.response_id = s.response_id
     group by s.response_id, s.score`,
  );
  const y = rows.map((r) => r.y);
  const x = [rows.map((r) => r.a), rows.map((r) => r.b), rows.map((r) => r.c)];
  expect(first.n).toBe(rows.length);
  expect(first.sdY).toBeCloseTo(pairwise(y, y).sdA, 10);
  for (let j = 0; j < 3; j++) {
    const xy = pairwise(x[j], y);
    expect(first.answers[j]).toBe(xy.n);
    expect(first.sdX[j]).toBeCloseTo(pairwise(x[j], x[j]).sdA, 10);
    expect(first.corrY[j]).toBeCloseTo(xy.corr, 10);
    for (let k = 0; k < 3; k++) {
      if (k === j) continue;
      const xx = pairwise(x[j], x[k]);
      expect(first.pairN[j][k]).toBe(xx.n);
      expect(first.corrX[j][k]).toBeCloseTo(xx.corr, 10);
    }
  }
  // q_b drives the score in this data; the others barely.
  expect(first.corrY[1]).toBeGreaterThan(0.3);
});
