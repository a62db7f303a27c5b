import { describe, expect, it } from 'vitest';
import { alertsProblems, alertsSettings } from '../../../pipelines/alerts/alert-rules.js';
import { resolveConfig } from '../../../pipelines/config/load-config.js';

const base = { sources: { surveys: { path: 's.csv' } }, warehouse: 'wh.duckdb' };

describe('alert rules and their config checks', () => {
  it('ships three default rules; a configured rule of the same name replaces one, enabled: false drops it', () => {
    expect(alertsSettings(resolveConfig(base, '/tmp')).rules.map((r) => r.name)).toEqual(['nps-weekly-drop', 'first-response-sla', 'complaint-rate-doubled']);
    const s = alertsSettings(resolveConfig({ ...base, alerts: { rules: [{ name: 'first-response-sla', kind: 'sla_below', threshold: 0.8 }, { name: 'complaint-rate-doubled', kind: 'complaint_rate_up', enabled: false }] } }, '/tmp'));
    expect(s.rules.map((r) => [r.name, r.threshold])).toEqual([['nps-weekly-drop', 0.9], ['first-response-sla', 0.8]]);
  });

  it('names each channel problem by its key (what cxpulse config prints)', () => {
    const config = resolveConfig({ ...base, alerts: { webhook: { endpoint: 'slack' }, email: { to: ['m@example.com'] }, digest: { enabled: true } } }, '/tmp');
    expect(alertsProblems(config)).toEqual([
      'alerts.webhook.endpoint: no endpoint "slack" in delivery.endpoints (add {"url": ..., "secretEnv": ...} there)',
      'alerts.smtp: e-mail alerts or the digest need an SMTP server (alerts.smtp.host and alerts.smtp.from)',
      'alerts.digest.to: the digest is enabled but has no recipients',
    ]);
    const smtp = resolveConfig({ ...base, alerts: { email: { to: ['m@example.com'] }, smtp: { host: 'mail', from: 'x@example.com', passwordEnv: 'CXP_NOPE_SMTP' } } }, '/tmp');
    expect(alertsProblems(smtp, {})).toEqual(['alerts.smtp.passwordEnv: CXP_NOPE_SMTP is not set in this environment (e-mails would stay pending)']);
    expect(alertsProblems(smtp, { CXP_NOPE_SMTP: 'x' })).toEqual([]);
  });
});
