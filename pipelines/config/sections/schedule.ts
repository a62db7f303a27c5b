import type { SettingsSchema as SectionSchema } from '../../core/settings.js';

/**
 * Config key `schedule`: when `cxpulse serve`/`start` runs jobs on its own (pipelines/scheduler).
 * Each entry of `runs` is a cron expression (5 fields, or 6 with seconds) and the jobs it runs in
 * pipeline order; an empty `jobs` list means the full pipeline.
 */
export const scheduleSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: true },
    timezone: {
      type: 'string',
      minLength: 1,
      description: 'IANA time zone the cron expressions are read in; defaults to the top-level `timezone`',
    },
    runs: {
      type: 'object',
      default: {
        'ingest-hourly': { cron: '0 * * * *', jobs: ['ingest'] },
        nightly: { cron: '30 2 * * *', jobs: [] },
      },
      additionalProperties: {
        type: 'object',
        required: ['cron'],
        additionalProperties: false,
        properties: {
          cron: { type: 'string', minLength: 1 },
          jobs: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] },
          enabled: { type: 'boolean', default: true },
        },
      },
    },
    retry: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, maximum: 20, default: 3 },
        initialDelaySeconds: { type: 'number', exclusiveMinimum: 0, default: 60 },
        factor: { type: 'number', minimum: 1, default: 2 },
        maxDelaySeconds: { type: 'number', exclusiveMinimum: 0, default: 1800 },
      },
    },
    /** How often due webhook retries are swept while the process is idle. */
    deliverySweepCron: { type: 'string', minLength: 1, default: '* * * * *' },
    shutdownTimeoutSeconds: { type: 'number', minimum: 0, default: 600 },
  },
};
