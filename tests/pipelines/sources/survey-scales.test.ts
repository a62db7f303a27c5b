/**
 * Acceptance (issue 15): a wide survey export (one row per response, one column per question, names with
 * spaces, slashes, Chinese and Latvian letters) with "not applicable" codes and out-of-scale values.
 * Checked against what the test itself knows about the file it wrote: NULLs for no-answer codes,
 * rejected rows with reasons and line numbers, rows and answers accounted for, and driver weights equal
 * to an independent computation (pairwise correlations, Gaussian elimination, Shapley over all orders)
 * on the cleaned data.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fitDrivers } from '../../../models/satisfaction/score-step.js';
import { satisfactionSettings } from '../../../models/satisfaction/settings.js';
import { buildSatisfactionMarts, testConfig } from '../../sql/satisfaction/fixtures.js';
import { mulberry32 } from '../../helpers/prng.js';
import { accountedFor, ingestEnv, type IngestEnv } from './ingest-helpers.js';

const Q = ['Seat comfort', 'Speed / timeliness', '服务态度', 'Darbinieku laipnība', 'Wi-Fi service'] as const;
const SCORE_COL = 'How likely are you to recommend us? (0-10)';
// Scales: default 1-5 with N/A codes "N/A" and 99; Seat comfort and Wi-Fi use 0 for "not applicable";
// the Latvian question is on 1-7.
const scales = {
  answers: { min: 1, max: 5, noAnswer: ['N/A', 99] },
  questions: { 'Seat comfort': { noAnswer: [0] }, 'Wi-Fi service': { noAnswer: [0] }, 'Darbinieku laipnība': { max: 7 } },
};
const range: Record<string, [number, number]> = { 'Seat comfort': [1, 5], 'Speed / timeliness': [1, 5], 服务态度: [1, 5], 'Darbinieku laipnība': [1, 7], 'Wi-Fi service': [1, 5] };
const naCodes: Record<string, string[]> = { 'Seat comfort': ['0'], 'Wi-Fi service': ['0'], 'Speed / timeliness': ['N/A', '99'], 服务态度: ['N/A', '99'], 'Darbinieku laipnība': ['N/A', '99'] };

interface Written {
  line: number;
  id: string;
  score: string;
  cells: string[];
  /** Why the test expects the row rejected (substring of the reason), or null. */
  expectReject: string | null;
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function makeFile(): { text: string; rows: Written[] } {
  const rand = mulberry32(1515);
  const rows: Written[] = [];
  const n = 420;
  for (let i = 0; i < n; i++) {
    const latent = Q.map((q) => {
      const [lo, hi] = range[q];
      return Math.max(lo, Math.min(hi, Math.round(lo + (hi - lo) * (0.25 + 0.5 * rand() + 0.25 * (rand() - 0.5)))));
    });
    const y = Math.max(0, Math.min(10, Math.round(1.2 * latent[0] + 0.9 * latent[1] + 0.2 * latent[2] + 0.4 * latent[3] + 0 * latent[4] - 3 + 3 * (rand() - 0.5))));
    const cells = latent.map(String);
    // No-answer codes and blanks.
    if (rand() < 0.15) cells[0] = '0';
    if (rand() < 0.25) cells[4] = '0';
    if (rand() < 0.1) cells[2] = 'N/A';
    if (rand() < 0.05) cells[1] = '99';
    if (rand() < 0.05) cells[3] = '';
    let score = String(y);
    let expectReject: string | null = null;
    if (i % 50 === 7) {
      cells[0] = '6';
      expectReject = 'answer 6 outside 1-5 in column "Seat comfort"';
    } else if (i % 50 === 19) {
      cells[3] = '8';
      expectReject = 'answer 8 outside 1-7 in column "Darbinieku laipnība"';
    } else if (i % 97 === 5) {
      score = 'N/A';
      expectReject = 'no answer to the score ("N/A")';
    } else if (i === 300) {
      score = '11';
      expectReject = 'score 11 outside 0-10';
    }
    rows.push({ line: i + 2, id: `r${i}`, score, cells, expectReject });
  }
  const header = ['Response ID', 'Customer', 'Submitted', SCORE_COL, ...Q].map(csvCell).join(',');
  const lines = rows.map((r, i) => [r.id, `c${i % 60}`, `2026-05-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`, r.score, ...r.cells].map(csvCell).join(','));
  return { text: `${header}\n${lines.join('\n')}\n`, rows };
}

const isNa = (q: string, v: string) => v === '' || naCodes[q].some((c) => c.toLowerCase() === v.toLowerCase());

let env: IngestEnv;
let file: ReturnType<typeof makeFile>;
let summary: Awaited<ReturnType<IngestEnv['ingest']>>;

beforeAll(async () => {
  env = await ingestEnv('cxp-survey-scales-');
  file = makeFile();
  env.write('wide.csv', file.text);
  summary = await env.ingest({
    surveys: {
      path: 'wide.csv',
      columns: { response_id: 'Response ID', customer_id: 'Customer', submitted_at: 'Submitted', score: SCORE_COL },
      defaults: { survey_type: 'nps' },
      answerColumns: [...Q],
      scales,
    },
  });
}, 60_000);
afterAll(() => env?.close());

describe('wide survey export with no-answer codes and out-of-scale values', () => {
  test('rows: rejected exactly where the test put bad values, with the reason and the line', async () => {
    const expected = file.rows.filter((r) => r.expectReject);
    const s = summary.sources.surveys!;
    expect(accountedFor(s)).toBe(true);
    expect(s.read).toBe(file.rows.length);
    expect(s.rejected).toBe(expected.length);
    expect(s.loaded).toBe(file.rows.length - expected.length);
    const rejected = await env.wh.all<{ line: number; reason: string }>('select line, reason from rejected_rows order by line');
    expect(rejected.map((r) => Number(r.line))).toEqual(expected.map((r) => r.line));
    rejected.forEach((r, k) => expect(r.reason).toContain(expected[k].expectReject));
  });

  test('answers: no-answer codes are NULL (no survey_answers row, never a 0 or 99 rating); every cell accounted for', async () => {
    const kept = file.rows.filter((r) => !r.expectReject);
    const counts = await env.wh.all<{ question: string; n: number; lo: number; hi: number }>(
      'select question, count(*) as n, min(score) as lo, max(score) as hi from survey_answers group by question',
    );
    for (const [j, q] of Q.entries()) {
      const c = counts.find((x) => x.question === q)!;
      expect(Number(c.n), q).toBe(kept.filter((r) => !isNa(q, r.cells[j])).length);
      expect(c.lo, q).toBeGreaterThanOrEqual(range[q][0]);
      expect(c.hi, q).toBeLessThanOrEqual(range[q][1]);
    }
    const a = summary.sources.surveys!.answers!;
    const noAnswer = kept.reduce((acc, r) => acc + Q.filter((q, j) => isNa(q, r.cells[j])).length, 0);
    expect(a).toEqual({
      read: file.rows.length * Q.length,
      valid: kept.length * Q.length - noAnswer,
      no_answer: noAnswer,
      rejected: (file.rows.length - kept.length) * Q.length,
    });
    expect(a.read).toBe(a.valid + a.no_answer + a.rejected);
  });

  test('driver weights equal an independent computation on the cleaned data (pairwise correlations, all orders)', async () => {
    await buildSatisfactionMarts(env.wh, '2026-06-30');
    const s = satisfactionSettings(testConfig({ drivers: { targets: ['nps'] } }));
    const { fitted } = await fitDrivers(env.wh, new Date('2026-06-30T00:00:00Z'), s);
    const model = fitted.find((f) => f.kind === 'survey_aspect')!.model;

    // Independent: cleaned data from what the test wrote.
    const kept = file.rows.filter((r) => !r.expectReject);
    const y = kept.map((r) => Number(r.score));
    const X = kept.map((r) => Q.map((q, j) => (isNa(q, r.cells[j]) ? NaN : Number(r.cells[j]))));
    const order = [...Q].sort(); // the step orders questions by name
    const cols = order.map((q) => X.map((row) => row[Q.indexOf(q as (typeof Q)[number])]));
    const corr = (u: number[], v: number[]) => {
      const idx = u.map((_, i) => i).filter((i) => !Number.isNaN(u[i]) && !Number.isNaN(v[i]));
      const mu = idx.reduce((a, i) => a + u[i], 0) / idx.length;
      const mv = idx.reduce((a, i) => a + v[i], 0) / idx.length;
      let suv = 0;
      let suu = 0;
      let svv = 0;
      for (const i of idx) {
        suv += (u[i] - mu) * (v[i] - mv);
        suu += (u[i] - mu) ** 2;
        svv += (v[i] - mv) ** 2;
      }
      return suv / Math.sqrt(suu * svv);
    };
    const p = order.length;
    const R = cols.map((a, i) => cols.map((b, j) => (i === j ? 1 : corr(a, b))));
    const r = cols.map((c) => corr(c, y));
    const solve = (idx: number[]) => {
      // Gaussian elimination with partial pivoting on R[idx][idx] beta = r[idx].
      const A = idx.map((i) => [...idx.map((j) => R[i][j]), r[i]]);
      const k = idx.length;
      for (let c = 0; c < k; c++) {
        let piv = c;
        for (let q = c + 1; q < k; q++) if (Math.abs(A[q][c]) > Math.abs(A[piv][c])) piv = q;
        [A[c], A[piv]] = [A[piv], A[c]];
        for (let q = 0; q < k; q++) {
          if (q === c) continue;
          const f = A[q][c] / A[c][c];
          for (let j = c; j <= k; j++) A[q][j] -= f * A[c][j];
        }
      }
      return A.map((row, i) => row[k] / row[i]);
    };
    const all = order.map((_, j) => j);
    const beta = solve(all);
    const r2 = (idx: number[]) => (idx.length ? solve(idx).reduce((a, b, k) => a + b * r[idx[k]], 0) : 0);
    const shapley = new Array<number>(p).fill(0);
    let orders = 0;
    const perm = [...all];
    const visit = (k: number) => {
      if (k === p) {
        orders++;
        const inn: number[] = [];
        for (const j of perm) {
          const before = r2(inn);
          inn.push(j);
          shapley[j] += r2(inn) - before;
        }
        return;
      }
      for (let i = k; i < p; i++) {
        [perm[k], perm[i]] = [perm[i], perm[k]];
        visit(k + 1);
        [perm[k], perm[i]] = [perm[i], perm[k]];
      }
    };
    visit(0);

    expect(model.drivers.map((d) => d.driver)).toEqual(order);
    expect(model.n).toBe(kept.length);
    model.drivers.forEach((d, j) => {
      expect(d.stdWeight, d.driver).toBeCloseTo(beta[j], 9);
      expect(d.lmg, d.driver).toBeCloseTo(shapley[j] / orders, 9);
      expect(d.answers, d.driver).toBe(cols[j].filter((v) => !Number.isNaN(v)).length);
    });
    expect(model.rSquared).toBeCloseTo(r2(all), 9);
    // The planted zero-weight question (Wi-Fi) ranks last.
    const ranked = [...model.drivers].sort((a, b) => b.lmg - a.lmg);
    expect(ranked[0].driver).toBe('Seat comfort');
  });
});
