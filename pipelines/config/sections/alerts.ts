import type { SettingsSchema as SectionSchema } from '../../core/settings.js';

/**
 * Config key `alerts`: KPI alerts for managers on the satisfaction and service marts, their delivery
 * (signed webhook, e-mail over SMTP) and the weekly digest e-mail (docs/alerts.md).
 */
const ruleSchema = {
  type: 'object',
  required: ['name', 'kind'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 64 },
    kind: { type: 'string', enum: ['nps_drop', 'sla_below', 'complaint_rate_up'] },
    /** nps_drop / complaint_rate_up: the last 7 days against this many weeks before them. */
    weeks: { type: 'integer', minimum: 1, maximum: 52, default: 4 },
    /** sla_below: which SLA, and the share that must be met. */
    metric: { type: 'string', enum: ['first_response', 'resolution'], default: 'first_response' },
    threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.9 },
    /** complaint_rate_up: fires when this week's rate is at least factor x the baseline (and significant). */
    factor: { type: 'number', exclusiveMinimum: 1, default: 2 },
    /** complaint_rate_up: one category only (default: every category). */
    category: { type: 'string', minLength: 1 },
    /** Fewest responses / interactions in the window for the rule to judge (default satisfaction.minSample). */
    minSample: { type: 'integer', minimum: 1 },
    enabled: { type: 'boolean', default: true },
  },
} as const;

export const alertsSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: true },
    useDefaultRules: { type: 'boolean', default: true },
    rules: { type: 'array', default: [], items: ruleSchema },
    /** Where the dashboards are served; alert links point to the filtered page there. */
    dashboardUrl: { type: 'string', pattern: '^https?://', default: 'http://127.0.0.1:8080' },
    /** Signed webhook: an endpoint of delivery.endpoints; format "slack" sends Slack-compatible JSON ({text, blocks}). */
    webhook: {
      type: 'object',
      additionalProperties: false,
      required: ['endpoint'],
      properties: {
        endpoint: { type: 'string', minLength: 1 },
        format: { type: 'string', enum: ['standard', 'slack'], default: 'standard' },
      },
    },
    /** E-mail recipients of each alert (needs alerts.smtp). */
    email: {
      type: 'object',
      additionalProperties: false,
      required: ['to'],
      properties: { to: { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 } } },
    },
    smtp: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'from'],
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: 587 },
        /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
        secure: { type: 'boolean', default: false },
        /** Refuse to send without STARTTLS. */
        requireTLS: { type: 'boolean', default: false },
        user: { type: 'string' },
        /** Environment variable holding the SMTP password (never in the file). */
        passwordEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        from: { type: 'string', minLength: 3 },
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0, default: 20 },
      },
    },
    /** The weekly digest e-mail: the overview's key figures, this week against the week before. */
    digest: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean', default: false },
        cron: { type: 'string', default: '0 7 * * 1' },
        to: { type: 'array', default: [], items: { type: 'string', minLength: 3 } },
      },
    },
  },
};
