import type { Config } from '../config/types.js';

export type AlertKind = 'nps_drop' | 'sla_below' | 'complaint_rate_up';

/** An alert rule with defaults applied (config `alerts.rules`, docs/alerts.md). */
export interface AlertRule {
  name: string;
  kind: AlertKind;
  weeks: number;
  metric: 'first_response' | 'resolution';
  threshold: number;
  factor: number;
  category?: string;
  minSample?: number;
}

export interface AlertsSettings {
  enabled: boolean;
  rules: AlertRule[];
  dashboardUrl: string;
  webhook?: { endpoint: string; format: 'standard' | 'slack' };
  email?: { to: string[] };
  smtp?: SmtpSettings;
  digest: { enabled: boolean; cron: string; to: string[] };
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  user?: string;
  passwordEnv?: string;
  from: string;
  timeoutSeconds: number;
}

/** The rules shipped with cxpulse; a configured rule with the same name replaces one. */
export const DEFAULT_ALERT_RULES: Partial<AlertRule>[] = [
  { name: 'nps-weekly-drop', kind: 'nps_drop', weeks: 4 },
  { name: 'first-response-sla', kind: 'sla_below', metric: 'first_response', threshold: 0.9 },
  { name: 'complaint-rate-doubled', kind: 'complaint_rate_up', factor: 2, weeks: 4 },
];

type RawRule = Partial<AlertRule> & { enabled?: boolean };

function withDefaults(r: RawRule): AlertRule {
  return {
    name: r.name ?? 'unnamed',
    kind: r.kind ?? 'nps_drop',
    weeks: r.weeks ?? 4,
    metric: r.metric ?? 'first_response',
    threshold: r.threshold ?? 0.9,
    factor: r.factor ?? 2,
    category: r.category,
    minSample: r.minSample,
  };
}

/** The `alerts` section, typed; a config built by hand (tests) takes the defaults. */
export function alertsSettings(config: Pick<Config, 'alerts'>): AlertsSettings {
  const a = (config.alerts ?? {}) as Partial<Omit<AlertsSettings, 'rules' | 'smtp' | 'digest'>> & {
    rules?: RawRule[];
    useDefaultRules?: boolean;
    smtp?: Partial<SmtpSettings>;
    digest?: Partial<AlertsSettings['digest']>;
  };
  const configured = new Map((a.rules ?? []).map((r) => [r.name, r]));
  const list: RawRule[] = [];
  if (a.useDefaultRules ?? true) for (const d of DEFAULT_ALERT_RULES) list.push(configured.get(d.name) ?? d);
  for (const r of a.rules ?? []) if (!list.includes(r)) list.push(r);
  const smtp = a.smtp?.host && a.smtp.from
    ? {
        host: a.smtp.host,
        port: a.smtp.port ?? 587,
        secure: a.smtp.secure ?? false,
        requireTLS: a.smtp.requireTLS ?? false,
        user: a.smtp.user,
        passwordEnv: a.smtp.passwordEnv,
        from: a.smtp.from,
        timeoutSeconds: a.smtp.timeoutSeconds ?? 20,
      }
    : undefined;
  return {
    enabled: a.enabled ?? true,
    rules: list.filter((r) => r.enabled !== false).map(withDefaults),
    dashboardUrl: (a.dashboardUrl ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    webhook: a.webhook ? { endpoint: a.webhook.endpoint, format: a.webhook.format ?? 'standard' } : undefined,
    email: a.email,
    smtp,
    digest: { enabled: a.digest?.enabled ?? false, cron: a.digest?.cron ?? '0 7 * * 1', to: a.digest?.to ?? [] },
  };
}

/** Config problems no schema can see (the `cxpulse config` check and the alerts job both run it). */
export function alertsProblems(config: Config, env?: Record<string, string | undefined>): string[] {
  const s = alertsSettings(config);
  const problems: string[] = [];
  const endpoints = ((config.delivery as { endpoints?: Record<string, unknown> }).endpoints ?? {}) as Record<string, unknown>;
  if (s.webhook && !(s.webhook.endpoint in endpoints)) {
    problems.push(`alerts.webhook.endpoint: no endpoint "${s.webhook.endpoint}" in delivery.endpoints (add {"url": ..., "secretEnv": ...} there)`);
  }
  if ((s.email || (s.digest.enabled && s.digest.to.length > 0)) && !s.smtp) {
    problems.push('alerts.smtp: e-mail alerts or the digest need an SMTP server (alerts.smtp.host and alerts.smtp.from)');
  }
  if (s.digest.enabled && s.digest.to.length === 0) problems.push('alerts.digest.to: the digest is enabled but has no recipients');
  // The environment is checked only when given (cxpulse config), like webhook secrets.
  if (env && s.smtp?.passwordEnv && !env[s.smtp.passwordEnv]) {
    problems.push(`alerts.smtp.passwordEnv: ${s.smtp.passwordEnv} is not set in this environment (e-mails would stay pending)`);
  }
  const names = new Set<string>();
  for (const [i, r] of ((config.alerts as { rules?: RawRule[] }).rules ?? []).entries()) {
    if (names.has(r.name ?? '')) problems.push(`alerts.rules[${i}].name: "${r.name}" is defined twice`);
    names.add(r.name ?? '');
  }
  return problems;
}
