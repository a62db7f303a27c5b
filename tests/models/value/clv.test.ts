import { describe, expect, it } from 'vitest';
import { bgnbdExpectedPurchases } from '../../../models/value/bgnbd.js';
import { clv, DAYS_PER_MONTH, scoreValue } from '../../../models/value/clv.js';

const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const gg = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('CLV', () => {
  it('without discounting is expected purchases over the horizon times the order value', () => {
    const horizonWeeks = (12 * DAYS_PER_MONTH) / 7;
    const v = clv(bg, 4, 30, 38, 50, { horizonMonths: 12, annualDiscountRate: 0, unitDays: 7 });
    expect(v).toBeCloseTo(50 * bgnbdExpectedPurchases(bg, horizonWeeks, 4, 30, 38), 9);
  });

  it('discounting lowers it, by less than a full year of discount', () => {
    const o = { horizonMonths: 12, unitDays: 7 };
    const plain = clv(bg, 4, 30, 38, 50, { ...o, annualDiscountRate: 0 });
    const disc = clv(bg, 4, 30, 38, 50, { ...o, annualDiscountRate: 0.2 });
    expect(disc).toBeLessThan(plain);
    expect(disc).toBeGreaterThan(plain / 1.2);
  });

  it('is the same in days as in weeks (the time unit only rescales α)', () => {
    const weeks = clv(bg, 2, 10, 30, 20, { horizonMonths: 6, annualDiscountRate: 0.1, unitDays: 7 });
    const bgDays = { ...bg, alpha: bg.alpha * 7 };
    // Same customer, times given in days: tx 70, T 210.
    const days = clv(bgDays, 2, 70, 210, 20, { horizonMonths: 6, annualDiscountRate: 0.1, unitDays: 1 });
    expect(days).toBeCloseTo(weeks, 9);
  });

  it('scores only eligible customers and leaves the rest NaN', () => {
    const s = scoreValue(
      bg,
      gg,
      { x: [0, 3, 3], txDays: [0, 140, 140], ageDays: [266, 266, 266], repeatMean: [NaN, 30, 30], eligible: [1, 1, 0] },
      { horizonMonths: 12, annualDiscountRate: 0, unitDays: 7, expectedDays: 90 },
    );
    expect(Number.isNaN(s.clv[2])).toBe(true);
    expect(s.pAlive[0]).toBe(1);
    expect(s.expectedOrderValue[1]).toBeCloseTo((6.25 * (15.44 + 90)) / (6.25 * 3 + 2.74), 10);
    expect(s.expectedPurchases[1]).toBeCloseTo(bgnbdExpectedPurchases(bg, 90 / 7, 3, 20, 38), 10);
  });
});
