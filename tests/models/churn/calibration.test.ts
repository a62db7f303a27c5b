import { describe, expect, it } from 'vitest';
import { applyCalibrator, fitIsotonic, fitPlatt } from '../../../models/churn/calibration.js';
import { seededRng } from '../../../models/churn/rng.js';

describe('calibration', () => {
  it('isotonic: pool-adjacent-violators merges out-of-order blocks, interpolates between them', () => {
    // y 0,1,0,1 at scores .1,.2,.3,.4: the (1, 0) pair violates order and pools to 0.5 at x = 0.25.
    const c = fitIsotonic([0.3, 0.1, 0.4, 0.2], [0, 0, 1, 1]);
    expect(c).toEqual({ kind: 'isotonic', x: [0.1, 0.25, 0.4], y: [0, 0.5, 1] });
    expect(applyCalibrator(c, 0.25)).toBeCloseTo(0.5, 12);
    expect(applyCalibrator(c, 0.175)).toBeCloseTo(0.25, 12);
    expect(applyCalibrator(c, 0)).toBe(0);
    expect(applyCalibrator(c, 0.99)).toBe(1);
  });

  it('isotonic output is monotone in the score', () => {
    const rng = seededRng(3);
    const s = Array.from({ length: 2000 }, () => rng.next());
    const y = s.map((p) => (rng.next() < p * p ? 1 : 0));
    const c = fitIsotonic(s, y);
    let prev = -1;
    for (let p = 0; p <= 1; p += 0.01) {
      const q = applyCalibrator(c, p);
      expect(q).toBeGreaterThanOrEqual(prev - 1e-12);
      prev = q;
    }
    // Outcomes were drawn with P = s^2: the calibrated value at 0.7 should be near 0.49.
    expect(applyCalibrator(c, 0.7)).toBeGreaterThan(0.35);
    expect(applyCalibrator(c, 0.7)).toBeLessThan(0.63);
  });

  it('Platt scaling recovers the identity when the scores are already calibrated', () => {
    const rng = seededRng(5);
    const s = Array.from({ length: 20000 }, () => 0.02 + 0.96 * rng.next());
    const y = s.map((p) => (rng.next() < p ? 1 : 0));
    const c = fitPlatt(s, y);
    if (c.kind !== 'platt') throw new Error('expected platt');
    expect(c.a).toBeGreaterThan(0.9);
    expect(c.a).toBeLessThan(1.1);
    expect(Math.abs(c.b)).toBeLessThan(0.1);
  });
});
