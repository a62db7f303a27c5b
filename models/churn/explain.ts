import { ATTRIBUTE_PREFIX } from './attribute-prefix.js';
import type { CategoryEncoding } from './encoding.js';

/**
 * Turns per-feature contributions (Saabas, from forest.ts) into reasons a person can act on. Related
 * features form one factor (e.g. recency, usual gap and their ratio are "buying rhythm"), so a
 * customer does not get the same fact three times. Which factors are shown, and their order and
 * direction, come from the model's contributions for that customer; the text states the
 * customer's actual values.
 */

export interface ChurnReason {
  feature: string;
  text: string;
  contribution: number;
}

type Values = Record<string, number>;

const FACTORS: { features: string[]; text: (v: Values) => string }[] = [
  {
    features: ['days_since_last_purchase', 'recency_over_gap', 'median_gap_days'],
    text: (v) =>
      Number.isNaN(v.median_gap_days)
        ? `no purchase in ${n0(v.days_since_last_purchase)} days, only one purchase so far`
        : `no purchase in ${n0(v.days_since_last_purchase)} days, usual gap ${n0(v.median_gap_days)}`,
  },
  { features: ['tenure_days'], text: (v) => `customer for ${n0(v.tenure_days)} days` },
  { features: ['count_orders_30d'], text: (v) => plural(v.count_orders_30d, 'order') + ' in the last 30 days' },
  {
    // Recent activity and its trend are one fact for a reader: what they bought lately vs before.
    features: ['count_orders_90d', 'order_trend_90d', 'amount_90d', 'amount_trend_90d'],
    text: (v) =>
      `${plural(v.count_orders_90d, 'order')} (${n0(v.amount_90d)} spent) in the last 90 days vs ` +
      `${n0(v.count_orders_90d - v.order_trend_90d)} (${n0(v.amount_90d - v.amount_trend_90d)}) in the 90 before`,
  },
  { features: ['count_orders_365d', 'count_orders_total'], text: (v) => `${plural(v.count_orders_365d, 'order')} in the last year (${n0(v.count_orders_total)} in all)` },
  { features: ['amount_365d'], text: (v) => `spent ${n0(v.amount_365d)} in the last year` },
  { features: ['avg_order_value_365d'], text: (v) => `average order ${n0(v.avg_order_value_365d)}` },
  {
    features: ['gap_cv'],
    text: (v) => (Number.isNaN(v.gap_cv) ? 'too few purchases to judge regularity' : v.gap_cv > 1 ? 'irregular buying rhythm' : 'regular buying rhythm'),
  },
  {
    features: ['count_refunds_365d', 'refund_rate_365d'],
    text: (v) => `${plural(v.count_refunds_365d, 'refund')} in the last year`,
  },
  { features: ['count_interactions_90d'], text: (v) => `${plural(v.count_interactions_90d, 'support contact')} in the last 90 days` },
  { features: ['count_interactions_365d'], text: (v) => `${plural(v.count_interactions_365d, 'support contact')} in the last year` },
  { features: ['count_complaints_90d'], text: (v) => `${plural(v.count_complaints_90d, 'complaint')} in the last 90 days` },
  { features: ['count_complaints_365d'], text: (v) => `${plural(v.count_complaints_365d, 'complaint')} in the last year` },
  {
    features: ['count_unresolved_complaints', 'count_unresolved'],
    text: (v) =>
      v.count_unresolved_complaints === v.count_unresolved || Number.isNaN(v.count_unresolved)
        ? plural(v.count_unresolved_complaints, 'unresolved complaint')
        : v.count_unresolved_complaints === 0 || Number.isNaN(v.count_unresolved_complaints)
          ? plural(v.count_unresolved, 'unresolved support item')
          : `${plural(v.count_unresolved_complaints, 'unresolved complaint')} (${n0(v.count_unresolved)} open items in all)`,
  },
  {
    features: ['count_slow_first_responses_365d', 'count_slow_first_responses_total'],
    text: (v) =>
      `${plural(v.count_slow_first_responses_365d, 'first response')} beyond the SLA in the last year (${n0(v.count_slow_first_responses_total)} in all)`,
  },
  { features: ['count_unanswered'], text: (v) => `${plural(v.count_unanswered, 'contact')} still waiting for a first response` },
  {
    features: ['median_first_response_minutes_365d'],
    text: (v) =>
      Number.isNaN(v.median_first_response_minutes_365d)
        ? 'no answered support contact in the last year'
        : `first response took ${duration(v.median_first_response_minutes_365d)} (median)`,
  },
  {
    features: ['max_first_response_minutes_90d'],
    text: (v) =>
      Number.isNaN(v.max_first_response_minutes_90d)
        ? 'no answered support contact in the last 90 days'
        : `slowest first response in the last 90 days ${duration(v.max_first_response_minutes_90d)}`,
  },
  {
    features: ['max_first_response_minutes_365d'],
    text: (v) =>
      Number.isNaN(v.max_first_response_minutes_365d)
        ? 'no answered support contact in the last year'
        : `slowest first response ${duration(v.max_first_response_minutes_365d)}`,
  },
  {
    features: ['median_resolution_hours_365d'],
    text: (v) =>
      Number.isNaN(v.median_resolution_hours_365d)
        ? 'no resolved support contact in the last year'
        : `resolution took ${duration(v.median_resolution_hours_365d * 60)} (median)`,
  },
  {
    features: ['fcr_rate_365d'],
    text: (v) => (Number.isNaN(v.fcr_rate_365d) ? 'no resolved support contact in the last year' : `${pct(v.fcr_rate_365d)} of contacts resolved at first contact`),
  },
  {
    features: ['share_assisted_channel_365d'],
    text: (v) =>
      Number.isNaN(v.share_assisted_channel_365d) ? 'no support contact in the last year' : `${pct(v.share_assisted_channel_365d)} of contacts by phone or in store`,
  },
  { features: ['last_nps', 'days_since_last_nps'], text: (v) => (Number.isNaN(v.last_nps) ? 'no NPS answer yet' : `last NPS ${n0(v.last_nps)}, ${n0(v.days_since_last_nps)} days ago`) },
  { features: ['csat_avg_365d'], text: (v) => (Number.isNaN(v.csat_avg_365d) ? 'no CSAT answer in the last year' : `CSAT average ${v.csat_avg_365d.toFixed(1)}`) },
];

function n0(x: number): string {
  return Number.isNaN(x) ? 'unknown' : String(Math.round(x));
}
function plural(x: number, word: string): string {
  const k = Math.round(Number.isNaN(x) ? 0 : x);
  return `${k} ${word}${k === 1 ? '' : 's'}`;
}
function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
function duration(minutes: number): string {
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

/** Factors over the model's features: index lists, built once per model. */
export interface FactorPlan {
  factors: { idx: number[]; names: string[]; allNames: string[]; text: (v: Values) => string }[];
  /** Scratch space for explainRow (one per plan; scoring is single-threaded per plan). */
  sums: Float64Array;
}

/**
 * A declared attribute's reason when the customer's value is missing ("contract not known"): the one
 * wording, which the dashboards recognise to say it in the reader's language (dashboards/data/reasons.ts).
 */
export const NOT_KNOWN_SUFFIX = ' not known';

export function planFactors(features: readonly string[], encodings: CategoryEncoding[] = []): FactorPlan {
  const pos = new Map(features.map((f, j) => [f, j]));
  const used = new Set<string>();
  const factors: FactorPlan['factors'] = [];
  // Customer attributes name themselves: "month-to-month contract", "monthly charges 70".
  for (const [f, j] of pos) {
    if (!f.startsWith(ATTRIBUTE_PREFIX)) continue;
    used.add(f);
    const name = f.slice(ATTRIBUTE_PREFIX.length).replaceAll('_', ' ');
    const enc = encodings.find((e) => e.feature === f);
    const text = enc
      ? (v: Values) => (Number.isNaN(v[f]) ? name + NOT_KNOWN_SUFFIX : `${enc.categories[v[f]] ?? 'unknown'} ${name}`)
      : (v: Values) => (Number.isNaN(v[f]) ? name + NOT_KNOWN_SUFFIX : `${name} ${Number(v[f].toPrecision(4))}`);
    factors.push({ idx: [j], names: [f], allNames: [f], text });
  }
  for (const f of FACTORS) {
    const names = f.features.filter((x) => pos.has(x));
    if (names.length === 0) continue;
    names.forEach((x) => used.add(x));
    factors.push({ idx: names.map((x) => pos.get(x)!), names, allNames: f.features, text: f.text });
  }
  // A feature without a describer still gets a truthful, generic sentence with its value.
  for (const [f, j] of pos) {
    if (used.has(f)) continue;
    factors.push({ idx: [j], names: [f], allNames: [f], text: (v) => `${f.replaceAll('_', ' ')} ${n0(v[f])}` });
  }
  return { factors, sums: new Float64Array(factors.length) };
}

/**
 * Top `k` factors: those raising the risk by summed contribution, strongest first, then (if fewer
 * than k raise it) the strongest lowering it. `scale` maps raw-forest contributions to the
 * calibrated probability scale, so contributions add up (with the baseline) to churn_risk.
 */
export function explainRow(
  plan: FactorPlan,
  features: readonly string[],
  row: ArrayLike<number>,
  contrib: ArrayLike<number>,
  k: number,
  scale = 1,
): ChurnReason[] {
  const { factors, sums } = plan;
  const nf = factors.length;
  for (let q = 0; q < nf; q++) {
    const idx = factors[q].idx;
    let c = 0;
    for (let a = 0; a < idx.length; a++) c += contrib[idx[a]];
    sums[q] = c;
  }
  // What raises this customer's risk comes first (strongest first): that is what a retention action
  // can address. Only when fewer than k factors raise it do the strongest risk-lowering ones follow.
  // Selection by repeated scans: k is tiny, and this runs for every customer.
  const chosen: number[] = [];
  for (const sign of [1, -1]) {
    while (chosen.length < k) {
      let best = -1;
      for (let q = 0; q < nf; q++) {
        const v = sums[q] * sign;
        if (v > 0 && !chosen.includes(q) && (best < 0 || v > sums[best] * sign)) best = q;
      }
      if (best < 0) break;
      chosen.push(best);
    }
  }
  const out: ChurnReason[] = [];
  for (const q of chosen) {
    const f = factors[q];
    const v: Values = {};
    // Siblings the model does not have read as NaN ("unknown"), never as 0.
    for (const name of f.allNames) v[name] = Number.NaN;
    let lead = f.idx[0];
    for (let a = 0; a < f.idx.length; a++) {
      const j = f.idx[a];
      v[f.names[a]] = row[j];
      if (Math.abs(contrib[j]) > Math.abs(contrib[lead])) lead = j;
    }
    const c = sums[q];
    out.push({ feature: features[lead], text: `${f.text(v)} (${c > 0 ? 'raises' : 'lowers'} risk)`, contribution: Math.round(c * scale * 1e4) / 1e4 });
  }
  return out;
}
