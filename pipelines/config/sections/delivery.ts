import type { SettingsSchema as SectionSchema } from '../../core/settings.js';

const endpointSchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^https?://' },
    /** Standard Webhooks secret "whsec_<base64>"; prefer secretEnv so it stays out of the file. */
    secret: { type: 'string', pattern: '^whsec_[A-Za-z0-9+/=]+$' },
    secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    headers: { type: 'object', default: {}, additionalProperties: { type: 'string' } },
    /** Up to this many events per request under one signature (automation tools then spend one task per batch). */
    batchMaxActions: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
  },
} as const;

/** Config key `delivery`: webhook endpoints and the retry policy of the outbox worker (pipelines/triggers/deliver.ts). */
export const deliverySchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    endpoints: { type: 'object', default: {}, additionalProperties: endpointSchema },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: 10 },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 50, default: 8 },
    initialDelaySeconds: { type: 'number', exclusiveMinimum: 0, default: 30 },
    factor: { type: 'number', minimum: 1, default: 2 },
    maxDelaySeconds: { type: 'number', exclusiveMinimum: 0, default: 3600 },
    /** Actions delivered per worker pass, so one pass stays bounded. */
    batchSize: { type: 'integer', minimum: 1, default: 500 },
    /** Requests in flight at once per endpoint: one slow receiver cannot hold the others' queue. */
    concurrency: { type: 'integer', minimum: 1, maximum: 64, default: 4 },
    /** No new request starts after this many seconds of a pass; the rest waits for the next sweep. */
    passDeadlineSeconds: { type: 'number', exclusiveMinimum: 0, default: 60 },
  },
};
