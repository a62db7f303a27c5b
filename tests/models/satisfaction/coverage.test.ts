/**
 * Do the intervals hold at small n? Coverage of the NPS interval is computed EXACTLY: every outcome
 * (promoters, detractors, passives) of n responses is enumerated with its trinomial probability and we
 * add up the probability of the outcomes whose interval contains the true NPS. A Monte Carlo run at a
 * few points checks the enumeration itself. Nothing here is copied from the code under test: the
 * probabilities, the truth and the bookkeeping are computed in the test.
 */
import { describe, expect, test } from 'vitest';
import { csatEstimate, cesEstimate, npsEstimate, npsScoreInterval } from '../../../models/satisfaction/intervals.js';
import { npsDifferenceZ } from '../../../models/satisfaction/significance.js';
import { mulberry32 } from '../../helpers/prng.js';

const logFact: number[] = [0];
for (let i = 1; i <= 400; i++) logFact[i] = logFact[i - 1] + Math.log(i);

function trinomialLogP(n: number, b: number, c: number, pp: number, pd: number): number {
  const a = n - b - c;
  const p0 = 1 - pp - pd;
  if ((b > 0 && pp <= 0) || (c > 0 && pd <= 0) || (a > 0 && p0 <= 1e-12)) return -Infinity;
  return logFact[n] - logFact[b] - logFact[c] - logFact[a] + (b ? b * Math.log(pp) : 0) + (c ? c * Math.log(pd) : 0) + (a ? a * Math.log(p0) : 0);
}

/** Exact coverage of the 95% NPS interval at true shares (pp, pd) for n responses. */
function exactCoverage(n: number, pp: number, pd: number, intervals: Map<string, [number, number]>): number {
  const truth = 100 * (pp - pd);
  let covered = 0;
  for (let b = 0; b <= n; b++) {
    for (let c = 0; c <= n - b; c++) {
      const lp = trinomialLogP(n, b, c, pp, pd);
      if (lp === -Infinity) continue;
      const [lo, hi] = intervals.get(`${b},${c}`)!;
      if (truth >= lo - 1e-9 && truth <= hi + 1e-9) covered += Math.exp(lp);
    }
  }
  return covered;
}

function intervalsFor(n: number): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>();
  for (let b = 0; b <= n; b++) {
    for (let c = 0; c <= n - b; c++) {
      const e = npsEstimate({ promoters: b, passives: n - b - c, detractors: c }, 0.95);
      m.set(`${b},${c}`, [e.ciLow!, e.ciHigh!]);
    }
  }
  return m;
}

/** p+ from 0.05 to 0.95 and p- from 0 to 1 - p+, in steps of 0.05. */
const grid: [number, number][] = [];
for (let i = 1; i <= 19; i++) for (let j = 0; j <= 20 - i; j++) grid.push([i / 20, Math.min(j / 20, 1 - i / 20)]);

describe('NPS interval coverage (nominal 95%)', () => {
  test.each([5, 10, 30, 100])('n = %i: exact coverage >= 0.90 at every (p+, p-) of the grid', (n) => {
    const iv = intervalsFor(n);
    let worst = { cov: 1, at: [0, 0] as [number, number] };
    let sum = 0;
    for (const [pp, pd] of grid) {
      const cov = exactCoverage(n, pp, pd, iv);
      sum += cov;
      if (cov < worst.cov) worst = { cov, at: [pp, pd] };
    }
    expect(worst.cov, `worst at p+ = ${worst.at[0]}, p- = ${worst.at[1]}`).toBeGreaterThanOrEqual(0.9);
    // Not bought with absurd width: on average close to the nominal level.
    expect(sum / grid.length).toBeLessThan(0.985);
  });

  test('the plain Wald interval, for contrast, fails the same check (the test can fail)', () => {
    const n = 10;
    const wald = new Map<string, [number, number]>();
    for (let b = 0; b <= n; b++) {
      for (let c = 0; c <= n - b; c++) {
        const pp = b / n;
        const pd = c / n;
        const half = 1.959964 * Math.sqrt((pp + pd - (pp - pd) ** 2) / n);
        wald.set(`${b},${c}`, [100 * (pp - pd - half), 100 * (pp - pd + half)]);
      }
    }
    expect(Math.min(...grid.map(([pp, pd]) => exactCoverage(n, pp, pd, wald)))).toBeLessThan(0.6);
  });

  test('Monte Carlo agrees with the enumeration (n = 10, three points, 20k samples each)', () => {
    const rand = mulberry32(15);
    const iv = intervalsFor(10);
    for (const [pp, pd] of [
      [0.6, 0.1],
      [0.05, 0.9],
      [0.3, 0.3],
    ] as [number, number][]) {
      let hit = 0;
      const reps = 20000;
      for (let r = 0; r < reps; r++) {
        let b = 0;
        let c = 0;
        for (let i = 0; i < 10; i++) {
          const u = rand();
          if (u < pp) b++;
          else if (u < pp + pd) c++;
        }
        const [lo, hi] = iv.get(`${b},${c}`)!;
        const truth = 100 * (pp - pd);
        if (truth >= lo - 1e-9 && truth <= hi + 1e-9) hit++;
      }
      // 4 standard errors of a 20k-sample proportion near 0.95 is ~0.006.
      expect(Math.abs(hit / reps - exactCoverage(10, pp, pd, iv))).toBeLessThan(0.007);
    }
  });
});

describe('no interval of zero width for n >= 1', () => {
  test('NPS: every outcome for n = 1..30', () => {
    for (let n = 1; n <= 30; n++) {
      for (const [lo, hi] of intervalsFor(n).values()) expect(hi - lo).toBeGreaterThan(1);
    }
  });

  test('CSAT (Wilson): every outcome for n = 1..30', () => {
    for (let n = 1; n <= 30; n++) {
      for (let x = 0; x <= n; x++) {
        const e = csatEstimate(x, n);
        expect(e.ciHigh! - e.ciLow!).toBeGreaterThan(1);
      }
    }
  });

  test('CES: unanimous answers and a single answer still get a real interval', () => {
    for (let n = 1; n <= 30; n++) {
      for (const v of [1, 4, 7]) {
        const e = cesEstimate(Array(n).fill(v));
        expect(e.ciLow).not.toBeNull();
        expect(e.ciHigh! - e.ciLow!).toBeGreaterThan(0.05);
        expect(e.ciLow!).toBeGreaterThanOrEqual(1);
        expect(e.ciHigh!).toBeLessThanOrEqual(7);
      }
    }
    expect(cesEstimate([5])).toMatchObject({ ciLow: 1, ciHigh: 7 });
  });
});

describe('NPS score interval against an independent inversion of the score test', () => {
  /** Restricted MLE of p- under p+ - p- = delta by golden-section search on the log-likelihood (no closed form used). */
  function scoreZ(b: number, c: number, n: number, delta: number): number {
    const a = n - b - c;
    const ll = (q: number) => (b ? b * Math.log(q + delta) : 0) + (c ? c * Math.log(q) : 0) + (a ? a * Math.log(1 - 2 * q - delta) : 0);
    let lo = Math.max(0, -delta) + 1e-12;
    let hi = (1 - delta) / 2 - 1e-12;
    const g = (Math.sqrt(5) - 1) / 2;
    for (let i = 0; i < 200; i++) {
      const m1 = hi - g * (hi - lo);
      const m2 = lo + g * (hi - lo);
      if (ll(m1) < ll(m2)) lo = m1;
      else hi = m2;
    }
    const q = (lo + hi) / 2;
    const pPlus = q + delta;
    const v = (pPlus + q - delta * delta) / n;
    return ((b - c) / n - delta) / Math.sqrt(v);
  }

  test.each([
    [3, 1, 10],
    [12, 5, 30],
    [0, 4, 7],
    [40, 35, 100],
  ])('promoters %i, detractors %i of %i: bounds solve |Z| = z', (b, c, n) => {
    const ci = npsScoreInterval({ promoters: b, passives: n - b - c, detractors: c })!;
    const z = 1.959963984540054;
    if (ci.low > -1) expect(scoreZ(b, c, n, ci.low)).toBeCloseTo(z, 4);
    if (ci.high < 1) expect(scoreZ(b, c, n, ci.high)).toBeCloseTo(-z, 4);
    // and just inside the bounds the test does not reject
    expect(Math.abs(scoreZ(b, c, n, ci.low + 1e-3))).toBeLessThan(z);
    expect(Math.abs(scoreZ(b, c, n, ci.high - 1e-3))).toBeLessThan(z);
  });

  test('hand-solved boundaries: all promoters -> low = (n - z^2)/(n + z^2); all passives -> +-z^2/(n + z^2)', () => {
    const z2 = 1.959963984540054 ** 2;
    for (const n of [1, 5, 10, 30]) {
      expect(npsEstimate({ promoters: n, passives: 0, detractors: 0 }).ciLow).toBeCloseTo((100 * (n - z2)) / (n + z2), 4);
      expect(npsEstimate({ promoters: n, passives: 0, detractors: 0 }).ciHigh).toBe(100);
      expect(npsEstimate({ promoters: 0, passives: 0, detractors: n }).ciHigh).toBeCloseTo((-100 * (n - z2)) / (n + z2), 4);
      expect(npsEstimate({ promoters: 0, passives: n, detractors: 0 }).ciHigh).toBeCloseTo((100 * z2) / (n + z2), 4);
    }
  });
});

describe('NPS change test: size at small n (two periods with the same true shares)', () => {
  test.each([
    [10, 10, 0.5, 0.2],
    [10, 30, 0.7, 0.1],
    [30, 30, 0.3, 0.3],
    [30, 100, 0.9, 0.05],
    [5, 5, 0.5, 0.3],
    [5, 20, 0.6, 0.2],
  ])('n1 = %i, n2 = %i, p+ = %f, p- = %f: rejects at most 7 in 100 at alpha 0.05', (n1, n2, pp, pd) => {
    const rand = mulberry32(n1 * 1000 + n2);
    const draw = (n: number) => {
      const c = { promoters: 0, passives: 0, detractors: 0 };
      for (let i = 0; i < n; i++) {
        const u = rand();
        if (u < pp) c.promoters++;
        else if (u < pp + pd) c.detractors++;
        else c.passives++;
      }
      return c;
    };
    let rejected = 0;
    const reps = 8000;
    for (let r = 0; r < reps; r++) if (npsDifferenceZ(draw(n1), draw(n2)).isSignificant) rejected++;
    expect(rejected / reps).toBeLessThan(0.07);
  });
});
