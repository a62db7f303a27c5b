/**
 * RFM scores, segments and lifecycle stages for a whole customer base held in typed arrays (one entry
 * per customer; NaN where a value does not exist, e.g. recency of a prospect).
 */
import { scoreValues, type BinSpec } from './scores.js';
import { assignSegment, type SegmentRule } from './segments.js';
import { lifecycleStage, populationGapDays, type LifecycleRules } from './lifecycle.js';

export interface RfmInputs {
  /** Distinct purchase days up to as_of (0 = prospect). */
  count_purchase_days: Float64Array;
  days_since_first: Float64Array;
  days_since_last: Float64Array;
  /** Days between the two latest purchase days (NaN below two). */
  last_gap_days: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
}

export interface RfmRules {
  bins: number;
  binning: 'quantiles' | 'fixed';
  cutPoints?: { recency?: number[]; frequency?: number[]; monetary?: number[] };
  segments: SegmentRule[];
  lifecycle: LifecycleRules;
}

function binSpec(rfm: RfmRules, measure: 'recency' | 'frequency' | 'monetary'): BinSpec {
  return rfm.binning === 'fixed' ? { kind: 'fixed', cutPoints: rfm.cutPoints![measure]! } : { kind: 'quantiles', bins: rfm.bins };
}

export interface RfmOutput {
  r: Float64Array;
  f: Float64Array;
  m: Float64Array;
  segment: (string | null)[];
  stage: string[];
  cutPoints: Record<string, number[]>;
  buyers: number;
}

/** RFM scores over customers with at least one purchase; prospects keep NaN scores and no segment. */
export function computeRfm(inp: RfmInputs, rfm: RfmRules): RfmOutput {
  const n = inp.count_purchase_days.length;
  const buyerIdx: number[] = [];
  for (let i = 0; i < n; i++) if (inp.count_purchase_days[i] > 0) buyerIdx.push(i);
  const pick = (a: Float64Array) => Float64Array.from(buyerIdx, (i) => a[i]);
  const rs = scoreValues(pick(inp.days_since_last), binSpec(rfm, 'recency'), true);
  const fs = scoreValues(pick(inp.frequency), binSpec(rfm, 'frequency'));
  const ms = scoreValues(pick(inp.monetary), binSpec(rfm, 'monetary'));
  const r = new Float64Array(n).fill(NaN);
  const f = new Float64Array(n).fill(NaN);
  const m = new Float64Array(n).fill(NaN);
  const segment: (string | null)[] = new Array(n).fill(null);
  buyerIdx.forEach((i, k) => {
    r[i] = rs.scores[k];
    f[i] = fs.scores[k];
    m[i] = ms.scores[k];
    segment[i] = assignSegment(r[i], f[i], m[i], rfm.segments);
  });
  const popGap = populationGapDays({
    purchaseDays: inp.count_purchase_days,
    daysSinceFirst: inp.days_since_first,
    daysSinceLast: inp.days_since_last,
  });
  const stage = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    stage[i] = lifecycleStage(
      {
        purchaseDays: inp.count_purchase_days[i],
        daysSinceFirst: inp.days_since_first[i],
        daysSinceLast: inp.days_since_last[i],
        lastGapDays: inp.last_gap_days[i],
      },
      rfm.lifecycle,
      popGap,
    );
  }
  return { r, f, m, segment, stage, cutPoints: { recency: rs.cutPoints, frequency: fs.cutPoints, monetary: ms.cutPoints }, buyers: buyerIdx.length };
}

