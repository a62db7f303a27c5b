import type { SettingsSchema as SectionSchema } from '../../core/settings.js';
import type { SourceName } from '../source-names.js';

/** A rule as written in config (triggers.rules[]); schema below. */
export interface RuleConfig {
  name: string;
  description?: string;
  action?: string;
  kind?: 'marketing' | 'service';
  requiresConsent?: boolean;
  when: unknown;
  channel?: 'webhook' | 'list';
  endpoint?: string;
  cooldownDays?: number;
  holdoutShare?: number;
  dependsOn?: SourceName[];
  enabled?: boolean;
  /** Only customers whose CLV is at least this (e.g. no win-back offer below a value). */
  minClv?: number;
  /** Only customers with a churn risk (scored); unknown risk never matches. */
  requireChurnRisk?: boolean;
  /** Names this rule had before: their current members stay members of this rule (nothing re-sent). */
  previousNames?: string[];
  /** When the channel or endpoint changes: current members `stay` (not re-sent) or `reenter` (sent on the new channel). */
  onChange?: 'stay' | 'reenter';
}

export interface TriggersConfig {
  enabled: boolean;
  useDefaultRules: boolean;
  rules: RuleConfig[];
  defaultChannel: 'webhook' | 'list';
  defaultHoldoutShare: number;
  holdOnStaleData: boolean;
  /** Put the customer's e-mail in payloads (only of customers with marketing consent). */
  includeEmail: boolean;
}

/**
 * Config key `triggers`: retention-action rules (docs/triggers.md). The condition tree (`when`) is
 * checked field by field by pipelines/triggers/compile-rule.ts, which names the offending key.
 */
const ruleSchema = {
  type: 'object',
  required: ['name', 'when'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 64 },
    description: { type: 'string' },
    action: { type: 'string', minLength: 1, description: 'what the receiver should do; defaults to the rule name' },
    kind: { type: 'string', enum: ['marketing', 'service'], default: 'marketing' },
    requiresConsent: { type: 'boolean', description: 'default: true for marketing, false for service' },
    when: { type: 'object', description: '{all:[...]} | {any:[...]} | {not:{...}} | {field, op, value}' },
    channel: { type: 'string', enum: ['webhook', 'list'] },
    endpoint: { type: 'string', minLength: 1, description: 'name in delivery.endpoints (default "default")' },
    cooldownDays: { type: 'number', minimum: 0, default: 30 },
    holdoutShare: { type: 'number', minimum: 0, maximum: 0.9 },
    dependsOn: {
      type: 'array',
      items: { type: 'string', enum: ['customers', 'purchases', 'interactions', 'surveys'] },
      description: 'sources whose staleness holds the rule back; default: derived from the fields used',
    },
    enabled: { type: 'boolean', default: true },
    minClv: { type: 'number', description: 'only customers whose CLV is at least this' },
    requireChurnRisk: { type: 'boolean', default: false, description: 'only customers with a known (scored) churn risk' },
    previousNames: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
      default: [],
      description: 'names the rule had before: their current members stay members (nothing re-sent)',
    },
    onChange: {
      type: 'string',
      enum: ['stay', 'reenter'],
      default: 'stay',
      description: 'when channel or endpoint change: current members stay (not re-sent) or re-enter (sent on the new channel)',
    },
  },
} as const;

export const triggersSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: true },
    /** Ship the default rules (docs/triggers.md); a rule in `rules` with the same name replaces one. */
    useDefaultRules: { type: 'boolean', default: true },
    rules: { type: 'array', default: [], items: ruleSchema },
    /** Channel for rules that name none, default rules included. */
    defaultChannel: { type: 'string', enum: ['webhook', 'list'], default: 'list' },
    /** Holdout share for marketing rules that set none (service rules default to 0: close the loop with everyone). */
    defaultHoldoutShare: { type: 'number', minimum: 0, maximum: 0.9, default: 0.1 },
    /** Hold rules back when a source they depend on is stale (sources.<name>.maxAgeHours). */
    holdOnStaleData: { type: 'boolean', default: true },
    /** Put the customer's e-mail in action payloads, only for customers with marketing consent. */
    includeEmail: { type: 'boolean', default: false },
  },
};
