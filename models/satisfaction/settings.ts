/**
 * Config key `satisfaction`: schema (with the defaults), type and typed reader, written once here.
 * Every property has a default, so `{}` is valid.
 */
import type { ModuleConfig } from '../../pipelines/core/module.js';
import { defineSettings, type SettingsSchema } from '../../pipelines/core/settings.js';

export interface SatisfactionSettings {
  minSample: number;
  confidence: number;
  surveyWindowDays: number;
  csiWeights: { nps: number; csat: number; ces: number; service: number };
  sla: {
    firstResponseMinutes: Record<string, number>;
    firstResponseDefaultMinutes: number;
    resolutionHours: number;
    calendars: Record<string, BusinessCalendar>;
    businessHours: Record<string, string>;
    tiers: SlaTiers;
    policies: SlaPolicy[];
  };
  drivers: { windowDays: number; targets: ('nps' | 'csat' | 'ces')[] };
}

/**
 * What a customer's SLA tier is (models/satisfaction/README.md, section "SLA tiers and policies"): the RFM segment of the latest rfm_history snapshot
 * before the interaction's day (no later score leaks in), or a declared customer attribute, mapped to
 * tier names; anything unmapped (or no snapshot yet) is `default`.
 */
export interface SlaTiers {
  from: 'rfm_segment' | 'attribute' | 'none';
  /** RFM segment -> tier (from = rfm_segment); segments not listed get `default`. */
  rfmSegments: Record<string, string>;
  /** Key of customers.attributes (from = attribute). */
  attribute: string;
  /** Attribute value -> tier (from = attribute); empty = the value itself is the tier. */
  attributeValues: Record<string, string>;
  default: string;
}

/** A target override for a tier, a channel or both; the most specific policy that sets a target wins. */
export interface SlaPolicy {
  tier?: string;
  channel?: string;
  firstResponseMinutes?: number;
  resolutionHours?: number;
}

/** A team's working week: local opening hours per weekday and holidays (closed all day). */
export interface BusinessCalendar {
  /** IANA zone of the hours; default the config's `timezone`. */
  timezone?: string;
  /** mon..sun -> ["HH:MM-HH:MM", ...]; a day not listed is closed. */
  hours: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', string[]>>;
  holidays: string[];
}

const HOURS_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';

export const satisfactionSchema: SettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    minSample: {
      type: 'integer',
      minimum: 1,
      default: 30,
      description: 'figures from fewer responses than this are flagged is_low_sample (shown, never hidden)',
    },
    confidence: {
      type: 'number',
      exclusiveMinimum: 0.5,
      exclusiveMaximum: 1,
      default: 0.95,
      description: 'confidence level of every interval and significance test',
    },
    surveyWindowDays: {
      type: 'integer',
      minimum: 1,
      default: 365,
      description: 'customer CSAT/CES/NPS averages and CSI use responses from this many days up to asOf',
    },
    csiWeights: {
      type: 'object',
      default: {},
      additionalProperties: false,
      description: 'CSI = weighted mean of the available normalised components (0-100); weights are renormalised',
      properties: {
        nps: { type: 'number', minimum: 0, default: 0.4 },
        csat: { type: 'number', minimum: 0, default: 0.3 },
        ces: { type: 'number', minimum: 0, default: 0.2 },
        service: { type: 'number', minimum: 0, default: 0.1 },
      },
    },
    sla: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        firstResponseMinutes: {
          type: 'object',
          default: { chat: 15, phone: 15 },
          additionalProperties: { type: 'number', exclusiveMinimum: 0 },
          description: 'first-response target per channel, in minutes; channels not listed use firstResponseDefaultMinutes',
        },
        firstResponseDefaultMinutes: { type: 'number', exclusiveMinimum: 0, default: 1440 },
        resolutionHours: { type: 'number', exclusiveMinimum: 0, default: 24 },
        calendars: {
          type: 'object',
          default: {},
          description: 'business-hours calendars by name (a weekly calendar per team and a holiday list)',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['hours'],
            properties: {
              timezone: { type: 'string', minLength: 1, description: "IANA zone of the hours; default the config's timezone" },
              hours: {
                type: 'object',
                additionalProperties: false,
                description: 'mon..sun -> list of "HH:MM-HH:MM" opening periods; a day not listed is closed',
                properties: Object.fromEntries(
                  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, { type: 'array', items: { type: 'string', pattern: HOURS_PATTERN } }]),
                ),
              },
              holidays: { type: 'array', default: [], items: { type: 'string', format: 'date' }, description: 'closed all day (YYYY-MM-DD)' },
            },
          },
        },
        businessHours: {
          type: 'object',
          default: {},
          additionalProperties: { type: 'string', minLength: 1 },
          description:
            'channel -> calendar name: that channel\'s SLAs are also measured in business hours (reported beside calendar time); "*" = every other channel',
        },
        tiers: {
          type: 'object',
          default: {},
          additionalProperties: false,
          description: "the customer's SLA tier at the time of the interaction (models/satisfaction/README.md, section \"SLA tiers and policies\")",
          properties: {
            from: {
              type: 'string',
              enum: ['rfm_segment', 'attribute', 'none'],
              default: 'rfm_segment',
              description: 'rfm_segment: the RFM segment of the latest rfm_history snapshot before the interaction day; attribute: customers.attributes[attribute]; none: everyone gets the default tier',
            },
            rfmSegments: {
              type: 'object',
              default: { Champions: 'vip', "Can't Lose Them": 'vip' },
              additionalProperties: { type: 'string', minLength: 1 },
              description: 'RFM segment -> tier name (from = rfm_segment); other segments, and customers without a snapshot yet, get the default tier',
            },
            attribute: { type: 'string', minLength: 1, default: 'tier', description: 'customers.attributes key holding the tier (from = attribute)' },
            attributeValues: {
              type: 'object',
              default: {},
              additionalProperties: { type: 'string', minLength: 1 },
              description: 'attribute value -> tier name (from = attribute); empty: the value itself is the tier name',
            },
            default: { type: 'string', minLength: 1, default: 'standard', description: 'tier of every customer not matched above' },
          },
        },
        policies: {
          type: 'array',
          default: [],
          description:
            'target overrides per tier and/or channel, Zendesk/Freshdesk style; for each target the most specific policy that sets it wins: tier+channel, then tier, then channel, then firstResponseMinutes[channel] / firstResponseDefaultMinutes / resolutionHours',
          items: {
            type: 'object',
            additionalProperties: false,
            anyOf: [{ required: ['tier'] }, { required: ['channel'] }],
            properties: {
              tier: { type: 'string', minLength: 1, description: 'tier name (sla.tiers); omitted = any tier' },
              channel: { type: 'string', minLength: 1, description: 'interaction channel; omitted = any channel' },
              firstResponseMinutes: { type: 'number', exclusiveMinimum: 0 },
              resolutionHours: { type: 'number', exclusiveMinimum: 0 },
            },
          },
        },
      },
    },
    drivers: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        windowDays: {
          type: 'integer',
          minimum: 1,
          default: 365,
          description: 'key-driver models use survey responses from this many days up to asOf',
        },
        targets: {
          type: 'array',
          items: { type: 'string', enum: ['nps', 'csat', 'ces'] },
          default: ['nps', 'csat', 'ces'],
          description: 'survey types whose score is explained by the drivers',
        },
      },
    },
  },
};

export const SATISFACTION_SETTINGS = defineSettings<SatisfactionSettings>(satisfactionSchema);

/** The defaults, as the schema gives them. */
export const DEFAULT_SATISFACTION_SETTINGS: SatisfactionSettings = SATISFACTION_SETTINGS.read({});

/** Settings from a loaded config; missing keys (a config built by hand in a test) take the defaults. */
export function satisfactionSettings(config: ModuleConfig | undefined): SatisfactionSettings {
  return SATISFACTION_SETTINGS.read(config?.satisfaction);
}
