import type { SectionSchema } from '../sections.js';

/**
 * Config key `satisfaction` (owned by models/satisfaction). Every property has a default, so `{}` is valid.
 * Read through `satisfactionSettings(config)` (models/satisfaction/settings.ts), which types it.
 */
export const satisfactionSchema: SectionSchema = {
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
