import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipelines/config/load-config.js';
import { fixedClock } from '../../../pipelines/core/clock.js';
import { silentLogger } from '../../../pipelines/core/logger.js';
import { slackBody } from '../../../pipelines/alerts/alert-outbox.js';
import type { Finding } from '../../../pipelines/alerts/kpi-checks.js';
import { alertsJob, digestJob } from '../../../pipelines/jobs/alerts-job.js';
import { runPipeline } from '../../../pipelines/jobs/run-pipeline.js';
import { tempWarehouse } from '../../helpers/temp-warehouse.js';
import { mulberry32 } from '../../helpers/prng.js';
import type { Db } from '../../../pipelines/core/warehouse.js';
import { buildSatisfactionMarts, insertCustomers, type SurveyRow } from '../../sql/satisfaction/fixtures.js';
import { startReceiver } from '../triggers/receiver.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A real SMTP server on loopback that keeps every message it accepts, parsed. */
async function startSmtp(): Promise<{ port: number; mails: ParsedMail[]; close: () => Promise<void> }> {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then((m) => {
        mails.push(m);
        done();
      }, done);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * Five weeks of NPS answers up to 2026-02-04, ~40 a day: the first four weeks mostly promoters, the
 * last seven days (the planted drop) mostly detractors. Seeded, so the run is the same every time.
 */
function generatedSurveys(): SurveyRow[] {
  const r = mulberry32(1313);
  const out: SurveyRow[] = [];
  const asOf = Date.UTC(2026, 1, 4);
  for (let day = 34; day >= 0; day--) {
    const dropped = day <= 6;
    for (let i = 0; i < 40; i++) {
      const u = r();
      // Before: 55% promoters, 30% passives, 15% detractors. The last week: 30% / 30% / 40%.
      const score = dropped ? (u < 0.3 ? 9 + Math.floor(r() * 2) : u < 0.6 ? 7 + Math.floor(r() * 2) : Math.floor(r() * 7))
        : u < 0.55 ? 9 + Math.floor(r() * 2) : u < 0.85 ? 7 + Math.floor(r() * 2) : Math.floor(r() * 7);
      const at = new Date(asOf - day * 86_400_000 + Math.floor(r() * 86_000) * 1000).toISOString().replace('T', ' ').slice(0, 19);
      out.push({ id: `s${day}_${i}`, customer: `c${i % 20}`, at, type: 'nps', score });
    }
  }
  return out;
}

/** The answers in a few multi-row inserts (one insert per row is slow on a busy machine). */
async function insertSurveys(db: Db, rows: SurveyRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 250) {
    const batch = rows.slice(i, i + 250);
    await db.run(
      `insert into surveys (response_id, customer_id, submitted_at, survey_type, score) values ${batch.map((_, j) => `($${j * 5 + 1}, $${j * 5 + 2}, $${j * 5 + 3}::timestamp, $${j * 5 + 4}, $${j * 5 + 5})`).join(', ')}`,
      batch.flatMap((r) => [r.id, r.customer, r.at, r.type, r.score]),
    );
  }
}

/** Independent oracle: NPS of the answers in [from, to], and the trinomial z of the difference. */
function npsOf(rows: SurveyRow[], from: string, to: string): { nps: number; n: number; p: number; d: number } {
  const sel = rows.filter((s) => s.at.slice(0, 10) >= from && s.at.slice(0, 10) <= to);
  const p = sel.filter((s) => s.score >= 9).length / sel.length;
  const d = sel.filter((s) => s.score <= 6).length / sel.length;
  return { nps: 100 * (p - d), n: sel.length, p, d };
}

describe('KPI alerts', () => {
  it('a planted NPS drop fires one signed webhook alert and one e-mail, and not again on the next run', async () => {
    const { wh, dir, cleanup: drop } = await tempWarehouse('cxp-alerts-');
    cleanup.push(drop);
    const surveys = generatedSurveys();
    await insertCustomers(wh, Array.from({ length: 20 }, (_, i) => ({ id: `c${i}` })));
    await insertSurveys(wh, surveys);
    await buildSatisfactionMarts(wh, '2026-02-04');
    const rx = await startReceiver(SECRET);
    cleanup.push(() => rx.close());
    const smtp = await startSmtp();
    cleanup.push(() => smtp.close());
    process.env.CXP_TEST_ALERT_SECRET = SECRET;
    cleanup.push(() => delete process.env.CXP_TEST_ALERT_SECRET);
    const config = resolveConfig({
      sources: { surveys: { path: 's.csv' } },
      warehouse: 'wh.duckdb',
      delivery: { endpoints: { alerts: { url: rx.url, secretEnv: 'CXP_TEST_ALERT_SECRET' } } },
      alerts: {
        dashboardUrl: 'https://cx.example.com',
        webhook: { endpoint: 'alerts' },
        email: { to: ['cx-managers@example.com'] },
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'cxpulse@example.com' },
        digest: { enabled: true, to: ['cx-managers@example.com'] },
      },
    }, dir);
    // Near the real time: receivers (the official library) reject signatures older than 5 minutes.
    const clock = fixedClock(new Date());
    const ctx = { config, warehouse: wh, clock, logger: silentLogger, asOfOverride: new Date('2026-02-04') };

    const first = await runPipeline([alertsJob], ctx, { trigger: 'cli' });
    expect(first.status).toBe('succeeded');
    expect((first.results.alerts as { fired: string[] }).fired).toEqual(['nps-weekly-drop:all']);

    // The webhook: one request, verified with the official Standard Webhooks library as a receiver would.
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0];
    const body = new Webhook(SECRET).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature }) as {
      type: string;
      data: { figure: { value: number; n: number }; comparison: { value: number; n: number }; significance: { p_value: number; is_significant: boolean }; link: string };
    };
    expect(body.type).toBe('kpi_alert.fired');
    const cur = npsOf(surveys, '2026-01-29', '2026-02-04');
    const base = npsOf(surveys, '2026-01-01', '2026-01-28');
    expect(body.data.figure.n).toBe(cur.n);
    expect(body.data.comparison.n).toBe(base.n);
    expect(body.data.figure.value).toBeCloseTo(cur.nps, 1);
    expect(body.data.comparison.value).toBeCloseTo(base.nps, 1);
    expect(cur.nps).toBeLessThan(base.nps - 15);
    // Independent z of the NPS difference with the trinomial variance: |z| > 3.3 means p < 0.001 two-sided.
    const v = (x: { p: number; d: number }) => x.p + x.d - (x.p - x.d) ** 2;
    const z = (cur.p - cur.d - (base.p - base.d)) / Math.sqrt(v(cur) / cur.n + v(base) / base.n);
    expect(z).toBeLessThan(-3.3); // p < 0.001
    expect(body.data.significance.is_significant).toBe(true);
    expect(body.data.significance.p_value).toBeLessThan(0.001);
    expect(body.data.link).toBe('https://cx.example.com/satisfaction?from=2026-01-01&to=2026-02-04');

    // The e-mail, received by the local SMTP server.
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail.subject).toMatch(/^\[cxpulse\] NPS down significantly/);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('cx-managers@example.com');
    expect(mail.text).toContain(`n = ${cur.n}`);
    expect(mail.text).toContain('https://cx.example.com/satisfaction?from=2026-01-01&to=2026-02-04');
    expect(mail.html || '').toContain('<table');

    // The next run: still firing, so nothing is sent again.
    clock.advance(60_000);
    const second = await runPipeline([alertsJob], ctx, { trigger: 'cli' });
    expect((second.results.alerts as { fired: string[]; still_firing: string[] })).toMatchObject({ fired: [], still_firing: ['nps-weekly-drop:all'] });
    expect(rx.received).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
    const outbox = await wh.all<{ channel: string; status: string }>('select channel, status from alert_notifications order by channel');
    expect(outbox).toEqual([{ channel: 'email', status: 'delivered' }, { channel: 'webhook', status: 'delivered' }]);

    // The weekly digest: an HTML table of the key figures to the same SMTP server.
    const digest = await runPipeline([digestJob], ctx, { trigger: 'cli' });
    expect(digest.status).toBe('succeeded');
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1].subject).toBe('[cxpulse] Weekly digest 2026-01-29 to 2026-02-04');
    expect(smtp.mails[1].html || '').toMatch(/<td>NPS<\/td><td align="right">-?\d+\.\d<\/td>/);
  });

  it('retries an unreachable SMTP server and dead-letters the e-mail after delivery.maxAttempts', async () => {
    const { wh, dir, cleanup: drop } = await tempWarehouse('cxp-alerts-');
    cleanup.push(drop);
    await insertCustomers(wh, Array.from({ length: 20 }, (_, i) => ({ id: `c${i}` })));
    await insertSurveys(wh, generatedSurveys());
    await buildSatisfactionMarts(wh, '2026-02-04');
    const smtp = await startSmtp();
    const port = smtp.port;
    await smtp.close();
    const config = resolveConfig({
      sources: { surveys: { path: 's.csv' } },
      warehouse: 'wh.duckdb',
      delivery: { maxAttempts: 2 },
      alerts: { email: { to: ['m@example.com'] }, smtp: { host: '127.0.0.1', port, from: 'cxpulse@example.com', timeoutSeconds: 2 } },
    }, dir);
    const clock = fixedClock('2026-02-05T06:00:00Z');
    const ctx = { config, warehouse: wh, clock, logger: silentLogger, asOfOverride: new Date('2026-02-04') };
    await runPipeline([alertsJob], ctx, { trigger: 'cli' });
    expect(await wh.all('select status, attempts from alert_notifications')).toEqual([{ status: 'failed', attempts: 1 }]);
    clock.advance(3_600_000);
    await runPipeline([alertsJob], ctx, { trigger: 'cli' });
    const row = await wh.one<{ status: string; attempts: number; last_error: string }>('select status, attempts, last_error from alert_notifications');
    expect(row).toMatchObject({ status: 'dead', attempts: 2 });
    expect(row?.last_error).toMatch(/gave up after 2 attempts/);
  });

  it('Slack format: one text with the figure, the comparison, the significance and the link', () => {
    const f: Finding = {
      alert_key: 'first-response-sla:chat', rule: 'first-response-sla', kind: 'sla_below', scope: 'chat', is_firing: true,
      title: 'First response within SLA below 90% on chat: 71.2% on 2026-02-04',
      figure: { label: 'First response within SLA, chat', value: 0.712, n: 52, window: { from: '2026-02-04', to: '2026-02-04' } },
      comparison: { label: 'threshold', value: 0.9 },
      significance: { test: 'wilson_interval', statistic: null, p_value: null, is_significant: true, confidence: 0.95, interval: { low: 0.58, high: 0.82 } },
      link: 'https://cx.example.com/service?from=2026-02-04&to=2026-02-04&channel=chat', as_of: '2026-02-04',
    };
    const b = slackBody(f) as { text: string; blocks: { text: { text: string } }[] };
    expect(b.text).toContain('71.2%');
    expect(b.text).toContain('(n = 52) vs threshold: 0.9');
    expect(b.text).toContain('95% interval 58.0-82.0%');
    expect(b.text).toContain('<https://cx.example.com/service?from=2026-02-04&to=2026-02-04&channel=chat|Open the dashboard>');
    expect(b.blocks[0].text.text).toBe(b.text);
  });
});
