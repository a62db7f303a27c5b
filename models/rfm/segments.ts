/**
 * RFM segments from rules on the 1..5 scores: the first rule whose ranges all contain the customer's
 * scores wins; no match gives "Others". A rule without a range for a score accepts any value.
 */
export interface SegmentRule {
  segment: string;
  r?: [number, number];
  f?: [number, number];
  m?: [number, number];
}

export const OTHERS = 'Others';

/** The default table (docs/rfm-and-value.md explains each row). Order matters: first match wins. */
export const DEFAULT_SEGMENT_RULES: SegmentRule[] = [
  { segment: 'Champions', r: [4, 5], f: [4, 5], m: [4, 5] },
  { segment: "Can't Lose Them", r: [1, 1], f: [4, 5], m: [4, 5] },
  { segment: 'At Risk', r: [1, 2], f: [3, 5], m: [3, 5] },
  { segment: 'Loyal Customers', r: [3, 5], f: [3, 5] },
  { segment: 'Potential Loyalist', r: [4, 5], f: [2, 2] },
  { segment: 'New Customers', r: [5, 5], f: [1, 1] },
  { segment: 'Promising', r: [4, 4], f: [1, 1] },
  { segment: 'Need Attention', r: [3, 3], f: [2, 2] },
  { segment: 'About To Sleep', r: [3, 3], f: [1, 1] },
  { segment: 'Hibernating', r: [2, 2] },
  { segment: 'Lost', r: [1, 1] },
];

const inRange = (v: number, range?: [number, number]) => range === undefined || (v >= range[0] && v <= range[1]);

export function assignSegment(r: number, f: number, m: number, rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES): string {
  for (const rule of rules) {
    if (inRange(r, rule.r) && inRange(f, rule.f) && inRange(m, rule.m)) return rule.segment;
  }
  return OTHERS;
}

/** Problems with a rule list (empty names, inverted ranges, scores outside 1..bins); empty when valid. */
export function segmentRuleProblems(rules: readonly SegmentRule[], bins: number): string[] {
  const out: string[] = [];
  rules.forEach((rule, i) => {
    if (!rule.segment || !rule.segment.trim()) out.push(`rfm.segments[${i}].segment: must be a non-empty name`);
    for (const key of ['r', 'f', 'm'] as const) {
      const range = rule[key];
      if (!range) continue;
      if (range.length !== 2 || !(range[0] <= range[1]) || range[0] < 1 || range[1] > bins) {
        out.push(`rfm.segments[${i}].${key}: must be [low, high] with 1 <= low <= high <= ${bins}, got ${JSON.stringify(range)}`);
      }
    }
  });
  return out;
}
