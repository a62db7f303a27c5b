import { defineSettings, type SettingsSchema } from '../../pipelines/core/settings.js';
import { CxpError } from '../../pipelines/core/errors.js';
import { DEFAULT_SEGMENT_RULES, segmentRuleProblems, type SegmentRule } from './segments.js';
import { DEFAULT_LIFECYCLE_RULES, type LifecycleRules } from './lifecycle.js';

const range = { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 };
const cuts = { type: 'array', items: { type: 'number' }, minItems: 1 };

/** Config key `rfm`: scoring bins, lookback, segment rules and lifecycle thresholds (docs/rfm-and-value.md). */
export const rfmSchema: SettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    bins: { type: 'integer', minimum: 2, maximum: 10, default: 5, description: 'score levels (quantile binning)' },
    binning: { type: 'string', enum: ['quantiles', 'fixed'], default: 'quantiles' },
    cutPoints: {
      type: 'object',
      additionalProperties: false,
      description: 'binning "fixed": bins − 1 increasing cut points per measure; a value equal to a cut point falls in the lower bin',
      properties: { recency: cuts, frequency: cuts, monetary: cuts },
    },
    lookbackDays: {
      type: ['integer', 'null'],
      minimum: 1,
      default: null,
      description: 'frequency and monetary count only purchases within this many days before as_of; null = all history',
    },
    segments: {
      type: 'array',
      default: DEFAULT_SEGMENT_RULES,
      items: {
        type: 'object',
        required: ['segment'],
        additionalProperties: false,
        properties: { segment: { type: 'string', minLength: 1 }, r: range, f: range, m: range },
      },
      description: 'first match wins; no match gives "Others"',
    },
    lifecycle: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        newDays: { type: 'integer', minimum: 0, default: DEFAULT_LIFECYCLE_RULES.newDays },
        churnHorizonDays: { type: 'integer', minimum: 1, default: DEFAULT_LIFECYCLE_RULES.churnHorizonDays },
        reactivatedDays: { type: 'integer', minimum: 0, default: DEFAULT_LIFECYCLE_RULES.reactivatedDays },
        atRiskFactor: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_LIFECYCLE_RULES.atRiskFactor },
        atRiskMinDays: { type: 'integer', minimum: 0, default: DEFAULT_LIFECYCLE_RULES.atRiskMinDays },
      },
    },
  },
};

export interface RfmSettings {
  bins: number;
  binning: 'quantiles' | 'fixed';
  cutPoints?: { recency?: number[]; frequency?: number[]; monetary?: number[] };
  lookbackDays: number | null;
  segments: SegmentRule[];
  lifecycle: LifecycleRules;
}

export const RFM_SETTINGS = defineSettings<RfmSettings>(rfmSchema);

/** The section with defaults, and the checks a schema cannot express (each problem names its key). */
function checked(raw: unknown): { settings: RfmSettings; problems: string[] } {
  const s = RFM_SETTINGS.read(raw);
  const problems: string[] = [];
  if (s.binning === 'fixed') {
    for (const k of ['recency', 'frequency', 'monetary'] as const) {
      const c = s.cutPoints?.[k];
      if (!c || c.length === 0) problems.push(`rfm.cutPoints.${k}: is required when rfm.binning is "fixed"`);
      else if (c.some((v, i) => i > 0 && !(v > c[i - 1]))) problems.push(`rfm.cutPoints.${k}: must be strictly increasing`);
    }
    const lens = new Set(['recency', 'frequency', 'monetary'].map((k) => s.cutPoints?.[k as 'recency']?.length ?? 0));
    if (problems.length === 0 && lens.size > 1) problems.push('rfm.cutPoints: recency, frequency and monetary need the same number of cut points');
    if (problems.length === 0) s.bins = (s.cutPoints!.recency!.length ?? 0) + 1;
  }
  problems.push(...segmentRuleProblems(s.segments, s.bins));
  return { settings: s, problems };
}

/** What is wrong with the `rfm` section beyond its schema (the config loader reports these). */
export function rfmProblems(raw: unknown): string[] {
  return checked(raw).problems;
}

/**
 * The `rfm` section with defaults filled in and checked. Throws CXP_ERR_CONFIG_INVALID naming the key
 * (the loader reports the same problems earlier; this also guards configs built in code).
 */
export function rfmSettings(raw: unknown): RfmSettings {
  const { settings, problems } = checked(raw);
  if (problems.length > 0) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
      where: 'rfm',
      problems,
      hint: 'fix the keys named above; docs/rfm-and-value.md lists the rfm keys',
    });
  }
  return settings;
}
