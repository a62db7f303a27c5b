import { describe, expect, it } from 'vitest';
import { assignSegment, DEFAULT_SEGMENT_RULES, OTHERS, segmentRuleProblems } from '../../../models/rfm/segments.js';

describe('RFM segments', () => {
  it.each([
    [5, 5, 5, 'Champions'],
    [1, 5, 5, "Can't Lose Them"],
    [1, 3, 3, 'At Risk'],
    [2, 4, 5, 'At Risk'],
    [5, 3, 1, 'Loyal Customers'],
    [3, 4, 2, 'Loyal Customers'],
    [5, 2, 1, 'Potential Loyalist'],
    [5, 1, 5, 'New Customers'],
    [4, 1, 1, 'Promising'],
    [3, 2, 4, 'Need Attention'],
    [3, 1, 1, 'About To Sleep'],
    [2, 5, 1, 'Hibernating'],
    [2, 1, 1, 'Hibernating'],
    [1, 1, 1, 'Lost'],
    [1, 5, 2, 'Lost'],
  ])('R%i F%i M%i -> %s', (r, f, m, seg) => {
    expect(assignSegment(r, f, m)).toBe(seg);
  });

  it('the default table covers every score combination on the 1-5 scale', () => {
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) expect(assignSegment(r, f, m)).not.toBe(OTHERS);
  });

  it('first match wins, and no match gives Others', () => {
    const rules = [
      { segment: 'A', r: [3, 5] as [number, number] },
      { segment: 'B', r: [4, 5] as [number, number], f: [4, 5] as [number, number] },
    ];
    expect(assignSegment(5, 5, 5, rules)).toBe('A');
    expect(assignSegment(1, 5, 5, rules)).toBe(OTHERS);
  });

  it('reports bad rules by index and key', () => {
    expect(segmentRuleProblems(DEFAULT_SEGMENT_RULES, 5)).toEqual([]);
    expect(segmentRuleProblems([{ segment: 'X', r: [4, 2] }], 5)[0]).toMatch(/rfm\.segments\[0\]\.r/);
    expect(segmentRuleProblems([{ segment: 'X', m: [1, 6] }], 5)[0]).toMatch(/<= 5/);
  });
});
