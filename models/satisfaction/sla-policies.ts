/**
 * SLA policies per channel and per customer tier (satisfaction.sla), flattened for int_interaction_times,
 * and their checks. models/satisfaction/README.md, section "SLA tiers and policies", says what a tier is and how a policy is chosen.
 *
 * Every way of setting a target becomes one row with its specificity, and SQL picks, per target and per
 * (tier, channel), the most specific row that sets it:
 *   3 policy with tier and channel > 2 policy with tier only > 1 policy with channel only, or
 *   sla.firstResponseMinutes[channel] > 0 sla.firstResponseDefaultMinutes / sla.resolutionHours.
 * Two rows of the same specificity for the same (tier, channel) and target are a config error, so the
 * choice never depends on the order the policies are written in.
 */
import type { SatisfactionSettings } from './settings.js';

export interface SlaPolicyRow {
  /** null = any tier */
  tier: string | null;
  /** null = any channel */
  channel: string | null;
  first_response_minutes: number | null;
  resolution_hours: number | null;
  specificity: number;
}

export function slaPolicyRows(s: SatisfactionSettings): SlaPolicyRow[] {
  const rows: SlaPolicyRow[] = [
    { tier: null, channel: null, first_response_minutes: s.sla.firstResponseDefaultMinutes, resolution_hours: s.sla.resolutionHours, specificity: 0 },
  ];
  for (const [channel, minutes] of Object.entries(s.sla.firstResponseMinutes)) {
    rows.push({ tier: null, channel, first_response_minutes: minutes, resolution_hours: null, specificity: 1 });
  }
  for (const p of s.sla.policies) {
    rows.push({
      tier: p.tier ?? null,
      channel: p.channel ?? null,
      first_response_minutes: p.firstResponseMinutes ?? null,
      resolution_hours: p.resolutionHours ?? null,
      specificity: (p.tier !== undefined ? 2 : 0) + (p.channel !== undefined ? 1 : 0),
    });
  }
  return rows;
}

/** Transform variables for the tier and the policies (bound as text; SQL unnests the JSON). */
export function slaPolicyVariables(s: SatisfactionSettings): Record<string, string> {
  const t = s.sla.tiers;
  const map = t.from === 'rfm_segment' ? t.rfmSegments : t.from === 'attribute' ? t.attributeValues : {};
  return {
    sla_tier_from: t.from,
    sla_tier_attribute: t.attribute,
    sla_tier_default: t.default,
    // value -> tier; empty for `attribute` means the value is the tier name.
    sla_tier_map_json: JSON.stringify(Object.entries(map).map(([value, tier]) => ({ value, tier }))),
    sla_policy_json: JSON.stringify(slaPolicyRows(s)),
  };
}

/** The tier names a config can produce, or null when any attribute value can be a tier. */
export function knownTiers(s: SatisfactionSettings): Set<string> | null {
  const t = s.sla.tiers;
  if (t.from === 'attribute' && Object.keys(t.attributeValues).length === 0) return null;
  const mapped = t.from === 'rfm_segment' ? Object.values(t.rfmSegments) : t.from === 'attribute' ? Object.values(t.attributeValues) : [];
  return new Set([t.default, ...mapped]);
}

/** Checks a schema cannot express: a policy that sets nothing, an unknown tier, two policies for the same target. */
export function slaPolicyProblems(s: SatisfactionSettings): string[] {
  const out: string[] = [];
  const tiers = knownTiers(s);
  const seen = new Map<string, number>();
  s.sla.policies.forEach((p, i) => {
    const where = `satisfaction.sla.policies[${i}]`;
    if (p.firstResponseMinutes === undefined && p.resolutionHours === undefined) {
      out.push(`${where}: sets no target (give firstResponseMinutes and/or resolutionHours)`);
    }
    if (p.tier !== undefined && tiers !== null && !tiers.has(p.tier)) {
      out.push(`${where}.tier: "${p.tier}" is not a tier satisfaction.sla.tiers can give (${[...tiers].join(', ')})`);
    }
    for (const target of ['firstResponseMinutes', 'resolutionHours'] as const) {
      if (p[target] === undefined) continue;
      const key = JSON.stringify([p.tier ?? null, p.channel ?? null, target]);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        out.push(`${where}.${target}: policies[${earlier}] already sets it for the same tier and channel (keep one)`);
      } else seen.set(key, i);
      if (target === 'firstResponseMinutes' && p.tier === undefined && p.channel !== undefined && Object.hasOwn(s.sla.firstResponseMinutes, p.channel)) {
        out.push(`${where}.firstResponseMinutes: satisfaction.sla.firstResponseMinutes.${p.channel} already sets it for that channel (keep one)`);
      }
    }
  });
  return out;
}
