import { lostThresholds } from '../../models/churn/at-risk-list.js';
import { satisfactionSettings } from '../../models/satisfaction/settings.js';
import { deliverAlerts } from '../alerts/alert-outbox.js';
import { alertsProblems, alertsSettings } from '../alerts/alert-rules.js';
import { recordFindings } from '../alerts/alert-outbox.js';
import { checkKpis } from '../alerts/kpi-checks.js';
import { buildDigest } from '../alerts/digest.js';
import { enqueue } from '../alerts/alert-outbox.js';
import { isoDate } from '../core/clock.js';
import { CxpError } from '../core/errors.js';
import { runAsOf } from '../core/as-of.js';
import type { Job, JobContext } from './types.js';

async function tablesOf(ctx: JobContext): Promise<Set<string>> {
  return new Set((await ctx.warehouse.all<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'main'")).map((r) => r.table_name));
}

function checkConfig(ctx: JobContext): void {
  const problems = alertsProblems(ctx.config);
  if (problems.length) throw new CxpError('CXP_ERR_CONFIG_INVALID', `invalid alerts: ${problems.join('; ')}`, { where: ctx.config.configPath ?? 'alerts', problems, hint: 'see docs/alerts.md' });
}

/** KPI alerts: check the marts at the as-of date, queue alerts that start firing, deliver the outbox. */
export const alertsJob: Job = {
  name: 'alerts',
  description: 'check KPI alert rules on the satisfaction and service marts, send new alerts by webhook and e-mail',
  async run(ctx) {
    const s = alertsSettings(ctx.config);
    if (!s.enabled) return { skipped: 'alerts.enabled is false' };
    checkConfig(ctx);
    const asOf = await runAsOf(ctx);
    const sat = satisfactionSettings(ctx.config);
    const { findings, skipped } = await checkKpis(s.rules, { db: ctx.warehouse, asOf, confidence: sat.confidence, minSample: sat.minSample, dashboardUrl: s.dashboardUrl }, await tablesOf(ctx));
    const change = await recordFindings(ctx.warehouse, findings, s, { now: ctx.clock.now(), asOf, runId: ctx.runId });
    const delivery = ctx.signal?.aborted ? { skipped: 'shutting down' } : await deliverAlerts(ctx.warehouse, ctx.config, { clock: ctx.clock, logger: ctx.logger });
    return {
      as_of: isoDate(asOf),
      checked: findings.length,
      fired: change.fired.map((f) => f.alert_key),
      still_firing: change.stillFiring,
      cleared: change.cleared,
      skipped,
      delivery,
    };
  },
};

/** The weekly digest e-mail (alerts.digest; scheduled by alerts.digest.cron, not part of the nightly pipeline). */
export const digestJob: Job = {
  name: 'digest',
  description: "e-mail the managers' weekly digest (the overview's key figures)",
  pipeline: false,
  async run(ctx) {
    const s = alertsSettings(ctx.config);
    if (!s.digest.enabled) return { skipped: 'alerts.digest.enabled is false' };
    checkConfig(ctx);
    const asOf = await runAsOf(ctx);
    const d = await buildDigest(ctx.warehouse, asOf, await tablesOf(ctx), s.dashboardUrl, lostThresholds(ctx.config));
    const id = await enqueue(ctx.warehouse, {
      kind: 'digest', channel: 'email', target: s.digest.to.join(', '), payload: { subject: d.subject, text: d.text, html: d.html, rows: d.rows },
      now: ctx.clock.now(), asOf, runId: ctx.runId,
    });
    const delivery = await deliverAlerts(ctx.warehouse, ctx.config, { clock: ctx.clock, logger: ctx.logger });
    return { as_of: d.as_of, notification_id: id, figures: d.rows.length, delivery };
  },
};
