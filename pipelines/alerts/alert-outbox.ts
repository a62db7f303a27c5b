import { randomUUID } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { Clock } from '../core/clock.js';
import { sqlDate } from '../core/sql-date.js';
import { CxpError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Warehouse } from '../core/warehouse.js';
import { deliveryConfig, postSigned, resolveSecret, settleAttempt, type Outcome } from '../triggers/deliver.js';
import { alertsSettings, type AlertsSettings } from './alert-rules.js';
import type { Finding } from './kpi-checks.js';
import { sendMail, type MailOutcome } from './mailer.js';

export interface AlertStateChange {
  fired: Finding[];
  stillFiring: string[];
  cleared: string[];
}

/**
 * Compares findings with kpi_alert_state: a key that starts firing is queued once per channel; one
 * that keeps firing is not repeated; one that stops firing is marked cleared (and may fire again later).
 * Keys without a finding this run (too little data) keep their state.
 */
export async function recordFindings(wh: Warehouse, findings: Finding[], s: AlertsSettings, opts: { now: Date; asOf: Date; runId?: string }): Promise<AlertStateChange> {
  return wh.transaction(async (tx) => {
    const state = new Map((await tx.all<{ alert_key: string; is_firing: boolean }>('select alert_key, is_firing from kpi_alert_state')).map((r) => [r.alert_key, r.is_firing]));
    const out: AlertStateChange = { fired: [], stillFiring: [], cleared: [] };
    for (const f of findings) {
      const was = state.get(f.alert_key) ?? false;
      if (f.is_firing && was) out.stillFiring.push(f.alert_key);
      if (!f.is_firing && was) out.cleared.push(f.alert_key);
      const starts = f.is_firing && !was;
      if (starts) out.fired.push(f);
      await tx.run('delete from kpi_alert_state where alert_key = $1', [f.alert_key]);
      await tx.run(
        `insert into kpi_alert_state (alert_key, rule, scope, is_firing, fired_at, fired_as_of, cleared_at, last_evaluated_at, last_finding)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)`,
        [
          f.alert_key, f.rule, f.scope, f.is_firing, f.is_firing ? opts.now : null, f.is_firing ? sqlDate(f.as_of) : null,
          !f.is_firing && was ? opts.now : null, opts.now, JSON.stringify(f),
        ],
      );
      if (starts) {
        for (const n of channelsFor(s)) await enqueue(tx, { kind: 'alert', alertKey: f.alert_key, rule: f.rule, ...n, payload: f, now: opts.now, asOf: opts.asOf, runId: opts.runId });
      }
    }
    return out;
  });
}

function channelsFor(s: AlertsSettings, to?: string[]): { channel: 'webhook' | 'email'; target: string }[] {
  const out: { channel: 'webhook' | 'email'; target: string }[] = [];
  if (s.webhook) out.push({ channel: 'webhook', target: s.webhook.endpoint });
  if (to ?? s.email?.to) out.push({ channel: 'email', target: (to ?? s.email!.to).join(', ') });
  return out;
}

export async function enqueue(
  db: Pick<Warehouse, 'run'>,
  n: { kind: 'alert' | 'digest'; alertKey?: string; rule?: string; channel: 'webhook' | 'email'; target: string; payload: unknown; now: Date; asOf: Date; runId?: string },
): Promise<string> {
  const id = `ntf_${randomUUID()}`;
  await db.run(
    `insert into alert_notifications (notification_id, kind, alert_key, rule, channel, target, created_at, as_of, run_id, payload, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::json, 'pending')`,
    [id, n.kind, n.alertKey ?? null, n.rule ?? null, n.channel, n.target, n.now, sqlDate(n.asOf), n.runId ?? null, JSON.stringify(n.payload)],
  );
  return id;
}

/** Slack incoming webhooks (and Teams/Mattermost compatibles) take `{text, blocks}`. */
export function slackBody(f: Finding): Record<string, unknown> {
  const s = f.significance;
  const sigText = s.p_value !== null ? `p = ${s.p_value} (${s.is_significant ? 'significant' : 'not significant'} at ${Math.round(s.confidence * 100)}%)` : s.interval ? `${Math.round(s.confidence * 100)}% interval ${(100 * s.interval.low).toFixed(1)}-${(100 * s.interval.high).toFixed(1)}%` : '';
  const text = `:rotating_light: ${f.title}\n${f.figure.label}: ${f.figure.value} (n = ${f.figure.n}) vs ${f.comparison.label}: ${f.comparison.value}${sigText ? `; ${sigText}` : ''}\n<${f.link}|Open the dashboard>`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function alertMail(f: Finding): { subject: string; text: string; html: string } {
  const s = f.significance;
  const sigLine = s.p_value !== null
    ? `Significance: ${s.test}, statistic ${s.statistic}, p = ${s.p_value} (${s.is_significant ? 'significant' : 'not significant'} at ${Math.round(s.confidence * 100)}% confidence)`
    : s.interval ? `${Math.round(s.confidence * 100)}% interval: ${(100 * s.interval.low).toFixed(1)}% to ${(100 * s.interval.high).toFixed(1)}% (${s.is_significant ? 'significantly below' : 'not significantly below'})` : '';
  const lines = [
    f.title,
    '',
    `${f.figure.label}: ${f.figure.value} (n = ${f.figure.n}, ${f.figure.window.from} to ${f.figure.window.to})`,
    `${f.comparison.label}: ${f.comparison.value}${f.comparison.n !== undefined ? ` (n = ${f.comparison.n})` : ''}`,
    sigLine,
    '',
    `Dashboard: ${f.link}`,
    '',
    'You get this alert once; it is sent again only after it has cleared and fires anew.',
  ];
  const html = `<h2>${esc(f.title)}</h2><table cellpadding="4">` +
    `<tr><th align="left">${esc(f.figure.label)}</th><td>${f.figure.value}</td><td>n = ${f.figure.n}</td></tr>` +
    `<tr><th align="left">${esc(f.comparison.label)}</th><td>${f.comparison.value}</td><td>${f.comparison.n !== undefined ? `n = ${f.comparison.n}` : ''}</td></tr></table>` +
    `<p>${esc(sigLine)}</p><p><a href="${esc(f.link)}">Open the filtered dashboard</a></p>`;
  return { subject: `[cxpulse] ${f.title}`, text: lines.join('\n'), html };
}

export interface DeliverAlertsOptions {
  clock: Clock;
  logger?: Logger;
  random?: () => number;
  env?: Record<string, string | undefined>;
}

export interface AlertDeliverySummary {
  attempted: number;
  delivered: number;
  retrying: number;
  dead: number;
}

/** Alert notifications whose (re)send is due: the scheduler's sweep delivers them while idle. */
export async function countDueAlerts(wh: Warehouse, now: Date): Promise<number> {
  const row = await wh.one<{ n: number }>(
    "select count(*) as n from alert_notifications where status in ('pending', 'failed') and (next_attempt_at is null or next_attempt_at <= $1)",
    [now],
  );
  return Number(row?.n ?? 0);
}

type Due = { notification_id: string; kind: string; channel: 'webhook' | 'email'; target: string; created_at: Date; payload: string; attempts: number };

/**
 * One pass of the alert outbox: webhook (signed like the action webhooks; Slack-compatible body when
 * alerts.webhook.format is "slack") and e-mail over SMTP. Retries and dead-letter follow the
 * `delivery` policy (maxAttempts, backoff), every attempt is in delivery_attempts.
 */
export async function deliverAlerts(wh: Warehouse, config: Config, opts: DeliverAlertsOptions): Promise<AlertDeliverySummary> {
  const s = alertsSettings(config);
  const d = deliveryConfig(config);
  const env = opts.env ?? process.env;
  const now = opts.clock.now();
  const due = await wh.all<Due>(
    `select notification_id, kind, channel, target, created_at, payload::varchar as payload, attempts from alert_notifications
     where status in ('pending', 'failed') and (next_attempt_at is null or next_attempt_at <= $1) order by created_at, notification_id limit $2`,
    [now, d.batchSize],
  );
  const summary: AlertDeliverySummary = { attempted: 0, delivered: 0, retrying: 0, dead: 0 };
  for (const n of due) {
    const started = opts.clock.now();
    const t0 = performance.now();
    let sent: Outcome;
    if (n.channel === 'email') {
      if (!s.smtp) throw new CxpError('CXP_ERR_CONFIG_INVALID', 'e-mail alerts wait for an SMTP server', { where: 'alerts.smtp', hint: 'set alerts.smtp.host and alerts.smtp.from; the e-mails stay pending until then' });
      const payload = JSON.parse(n.payload) as Finding | { subject: string; text: string; html: string };
      const mail = 'subject' in payload ? payload : alertMail(payload);
      sent = await sendMail(s.smtp, { ...mail, to: n.target.split(', '), messageId: `<${n.notification_id}@cxpulse>` }, env);
    } else {
      sent = await postWebhook(config, s, n, started, d.timeoutSeconds * 1000, env);
    }
    const attempt = n.attempts + 1;
    const at = opts.clock.now();
    const { out, nextAt } = settleAttempt(d, sent, attempt, at, opts.random);
    summary.attempted++;
    if (out.kind === 'retry') summary.retrying++;
    else if (out.kind === 'dead') summary.dead++;
    else summary.delivered++;
    await wh.run(
      `update alert_notifications set status = $2, attempts = $3, next_attempt_at = $4, delivered_at = $5, last_status_code = $6, last_error = $7
       where notification_id = $1`,
      [n.notification_id, out.kind === 'delivered' ? 'delivered' : out.kind === 'dead' ? 'dead' : 'failed', attempt, nextAt, out.kind === 'delivered' ? at : null, out.statusCode, out.error],
    );
    await wh.run(
      `insert into delivery_attempts (action_id, attempt, attempted_at, status_code, outcome, error, duration_ms) values ($1, $2, $3, $4, $5, $6, $7)`,
      [n.notification_id, attempt, started, out.statusCode, out.kind, out.error, Math.round(performance.now() - t0)],
    );
    opts.logger?.[out.kind === 'delivered' ? 'info' : 'warn'](`${n.kind} ${n.notification_id} by ${n.channel} ${out.kind}`, { attempt, error: out.error });
  }
  return summary;
}

async function postWebhook(config: Config, s: AlertsSettings, n: Due, now: Date, timeoutMs: number, env: Record<string, string | undefined>): Promise<MailOutcome> {
  const ep = deliveryConfig(config).endpoints[n.target];
  if (!ep) throw new CxpError('CXP_ERR_CONFIG_INVALID', `alerts wait for webhook endpoint "${n.target}", which is not configured`, { where: `delivery.endpoints.${n.target}`, hint: 'add it (url, secretEnv); the alerts stay pending until then' });
  const secret = resolveSecret(n.target, ep, env);
  const data = JSON.parse(n.payload) as Finding;
  const body = JSON.stringify(
    s.webhook?.format === 'slack' && n.kind === 'alert' ? slackBody(data) : { type: n.kind === 'alert' ? 'kpi_alert.fired' : 'kpi_digest.weekly', timestamp: n.created_at.toISOString(), data },
  );
  return postSigned(ep, secret, n.notification_id, body, now, timeoutMs);
}
