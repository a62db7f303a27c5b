/**
 * The dashboards' fallback statistics (before the transform) use the satisfaction module's formulas:
 * CES gets the same t interval as the mart and the API, clipped to 1..7, never of zero width. Expected
 * values are worked out here from the t distribution's table values.
 */
import { describe, expect, test } from 'vitest';
import { estimateOf } from '../../dashboards/data/surveys.js';

const ces = (scores: number[]) => {
  const n = scores.length;
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : null;
  return estimateOf({ survey_type: 'ces', n, promoters: 0, detractors: 0, satisfied: 0, mean, sd }, 'ces');
};

describe('CES on the dashboards fallback', () => {
  test('[2,3,4,5,6]: mean 4 +- t(.975, 4) * sqrt(2.5 / 5), t = 2.776445', () => {
    const e = ces([2, 3, 4, 5, 6]);
    expect(e.value).toBe(4);
    expect(e.ci_low).toBeCloseTo(4 - 2.776445 * Math.sqrt(0.5), 5);
    expect(e.ci_high).toBeCloseTo(4 + 2.776445 * Math.sqrt(0.5), 5);
  });

  test('unanimous answers: variance floored at 1/n (t(.975, 2) = 4.302653), clipped to 7; one answer: the whole scale', () => {
    const e = ces([6, 6, 6]);
    expect(e.ci_low).toBeCloseTo(6 - 4.302653 / 3, 5);
    expect(e.ci_high).toBe(7);
    expect(ces([5])).toMatchObject({ value: 5, ci_low: 1, ci_high: 7, n: 1, is_low_sample: true });
    expect(ces([1, 7])).toMatchObject({ ci_low: 1, ci_high: 7 });
  });
});
