import type { SourceName } from '../config/schema.js';
import type { Config } from '../config/types.js';
import { CxpError } from '../core/errors.js';
import { compileCondition, type CompiledCondition } from './compile-rule.js';
import { DEFAULT_RULES } from './default-rules.js';
import { FIELDS } from './fields.js';
import type { RuleConfig, TriggersConfig } from '../config/sections/triggers.js';

export type { RuleConfig, TriggersConfig };

/** A rule with every default applied and its condition compiled. */
export interface Rule {
  name: string;
  description: string;
  action: string;
  kind: 'marketing' | 'service';
  requiresConsent: boolean;
  channel: 'webhook' | 'list';
  endpoint?: string;
  cooldownDays: number;
  holdoutShare: number;
  dependsOn: SourceName[];
  condition: CompiledCondition;
  /** customer_360 columns the rule needs. */
  columns: string[];
  minClv?: number;
  requireChurnRisk: boolean;
  previousNames: string[];
  onChange: 'stay' | 'reenter';
}

export function triggersConfig(config: Config): TriggersConfig {
  const t = config.triggers as Partial<TriggersConfig>;
  return {
    enabled: t.enabled ?? true,
    useDefaultRules: t.useDefaultRules ?? true,
    rules: t.rules ?? [],
    defaultChannel: t.defaultChannel ?? 'list',
    defaultHoldoutShare: t.defaultHoldoutShare ?? 0.1,
    holdOnStaleData: t.holdOnStaleData ?? true,
    includeEmail: t.includeEmail ?? false,
  };
}

/**
 * The rules in force: the defaults (unless turned off), each replaced by a configured rule of the same
 * name, then the other configured rules. Disabled rules are left out. Throws naming every bad key.
 */
export function resolveRules(config: Config): Rule[] {
  const tc = triggersConfig(config);
  const endpoints = ((config.delivery as { endpoints?: Record<string, unknown> }).endpoints ?? {}) as Record<string, unknown>;
  tc.rules.forEach((r, i) => {
    if (tc.rules.findIndex((x) => x.name === r.name) !== i) throw dup(r.name, i);
  });
  const configured = new Map(tc.rules.map((r, i) => [r.name, { rule: r, where: `triggers.rules[${i}]` }]));
  const list: { rule: RuleConfig; where: string }[] = [];
  if (tc.useDefaultRules) {
    for (const d of DEFAULT_RULES) list.push(configured.get(d.name) ?? { rule: d, where: `default rule ${d.name}` });
  }
  const taken = new Set(list.map((x) => x.rule.name));
  for (const [name, entry] of configured) if (!taken.has(name)) list.push(entry);
  const out: Rule[] = [];
  const problems: string[] = [];
  const names = new Set(list.map((x) => x.rule.name));
  for (const { rule: r, where } of list) {
    for (const old of r.previousNames ?? []) {
      if (names.has(old)) problems.push(`${where}.previousNames: "${old}" is still a rule; a previous name must be gone (rename it, or drop it from previousNames)`);
    }
  }
  for (const { rule: r, where } of list) {
    if (r.enabled === false) continue;
    let condition: CompiledCondition;
    try {
      condition = compileCondition(r.when, `${where}.when`);
      // Value and known-risk requirements are more leaves of the same condition (and reasons in the payload).
      const extra: unknown[] = [];
      if (r.minClv !== undefined) extra.push({ field: 'clv', op: '>=', value: r.minClv });
      if (r.requireChurnRisk) extra.push({ field: 'churn_risk', op: 'is_not_null' });
      if (extra.length > 0) condition = compileCondition({ all: [r.when, ...extra] }, `${where}.when`);
    } catch (err) {
      problems.push(...(((err as CxpError).details?.problems as string[] | undefined) ?? [(err as Error).message]));
      continue;
    }
    const kind = r.kind ?? 'marketing';
    const requiresConsent = r.requiresConsent ?? kind === 'marketing';
    const channel = r.channel ?? tc.defaultChannel;
    const endpoint = channel === 'webhook' ? (r.endpoint ?? 'default') : undefined;
    if (endpoint && !(endpoint in endpoints)) {
      problems.push(`${where}.endpoint: no endpoint "${endpoint}" in delivery.endpoints (add {"url": ..., "secretEnv": ...} there, or set channel "list")`);
    }
    const columns = [...new Set(condition.fields.flatMap((f) => FIELDS[f].columns))];
    if (requiresConsent && !columns.includes('marketing_consent')) columns.push('marketing_consent');
    const derived = new Set<SourceName>(condition.fields.flatMap((f) => FIELDS[f].sources));
    if (requiresConsent) derived.add('customers');
    out.push({
      name: r.name,
      description: r.description ?? '',
      action: r.action ?? r.name,
      kind,
      requiresConsent,
      channel,
      endpoint,
      cooldownDays: r.cooldownDays ?? 30,
      holdoutShare: r.holdoutShare ?? (kind === 'service' ? 0 : tc.defaultHoldoutShare),
      dependsOn: r.dependsOn ?? [...derived].sort(),
      condition,
      columns,
      minClv: r.minClv,
      requireChurnRisk: r.requireChurnRisk ?? false,
      previousNames: r.previousNames ?? [],
      onChange: r.onChange ?? 'stay',
    });
  }
  if (problems.length > 0) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `invalid trigger rules: ${problems.join('; ')}`, {
      where: config.configPath ?? 'triggers',
      problems,
      hint: 'see docs/triggers.md "Rule format"',
    });
  }
  return out;
}

/** Everything resolveRules would reject (unknown fields, bad operators, missing endpoints, duplicates), as problems. */
export function triggersProblems(config: Config): string[] {
  if (!triggersConfig(config).enabled) return [];
  try {
    resolveRules(config);
    return [];
  } catch (err) {
    const e = err as CxpError;
    return (e.details?.problems as string[] | undefined) ?? [e.message];
  }
}

function dup(name: string, i: number): CxpError {
  return new CxpError('CXP_ERR_CONFIG_INVALID', `triggers.rules[${i}].name: rule "${name}" is defined twice`, {
    where: `triggers.rules[${i}].name`,
    hint: 'rule names must be unique; a rule named like a default rule replaces it',
  });
}
