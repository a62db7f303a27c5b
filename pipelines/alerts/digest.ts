import { addDays, isoDate } from '../core/clock.js';
import { asOfParam, sqlDate } from '../core/sql-date.js';
import type { Db } from '../core/warehouse.js';
import { atRiskSource, HIGH_RISK_CUSTOMERS_SQL, REVENUE_AT_RISK_SQL, type LostThresholds } from '../../models/churn/at-risk-list.js';

export interface DigestRow {
  label: string;
  this_week: number | null;
  previous_week: number | null;
  unit: 'score' | 'share' | 'count' | 'currency';
}

export interface Digest {
  as_of: string;
  week: { from: string; to: string };
  previous: { from: string; to: string };
  rows: DigestRow[];
  link: string;
  subject: string;
  text: string;
  html: string;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The weekly digest for managers: the overview's key figures for the 7 days up to the as-of date
 * against the 7 before, read from the marts (and the scores when present), as a text and an HTML table.
 */
export async function buildDigest(db: Db, asOf: Date, tables: Set<string>, dashboardUrl: string, lost?: LostThresholds): Promise<Digest> {
  const from = addDays(asOf, -6), prevFrom = addDays(asOf, -13);
  const p = { from: sqlDate(from), prev_from: sqlDate(prevFrom), ...asOfParam(asOf) };
  const rows: DigestRow[] = [];
  if (tables.has('satisfaction_daily')) {
    const r = await db.all<{ period: string; nps: number | null; csat: number | null; responses: number }>(
      `select case when response_on >= $from then 'cur' else 'prev' end as period,
         100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(promoters) + sum(passives) + sum(detractors), 0) as nps,
         sum(satisfied) / nullif(sum(responses) filter (where survey_type = 'csat'), 0) as csat,
         sum(responses) as responses
       from satisfaction_daily where response_on between $prev_from and $as_of group by 1`,
      p,
    );
    const g = (k: 'nps' | 'csat' | 'responses', per: string) => num(r.find((x) => x.period === per)?.[k]);
    rows.push({ label: 'NPS', this_week: g('nps', 'cur'), previous_week: g('nps', 'prev'), unit: 'score' });
    rows.push({ label: 'CSAT (share 4-5)', this_week: g('csat', 'cur'), previous_week: g('csat', 'prev'), unit: 'share' });
    rows.push({ label: 'Survey responses', this_week: g('responses', 'cur'), previous_week: g('responses', 'prev'), unit: 'count' });
  }
  if (tables.has('service_kpis_daily')) {
    const r = await db.all<Record<string, unknown>>(
      `select case when opened_on >= $from then 'cur' else 'prev' end as period, sum(interactions) as interactions,
         sum(complaints) / nullif(sum(interactions), 0) as complaint_rate,
         sum(count_first_response_sla_met) / nullif(sum(count_first_response_sla_due), 0) as first_response_sla,
         sum(count_resolution_sla_met) / nullif(sum(count_resolution_sla_due), 0) as resolution_sla
       from service_kpis_daily where opened_on between $prev_from and $as_of group by 1`,
      p,
    );
    const g = (k: string, per: string) => num(r.find((x) => x.period === per)?.[k]);
    rows.push({ label: 'Interactions', this_week: g('interactions', 'cur'), previous_week: g('interactions', 'prev'), unit: 'count' });
    rows.push({ label: 'First response within SLA', this_week: g('first_response_sla', 'cur'), previous_week: g('first_response_sla', 'prev'), unit: 'share' });
    rows.push({ label: 'Resolution within SLA', this_week: g('resolution_sla', 'cur'), previous_week: g('resolution_sla', 'prev'), unit: 'share' });
    rows.push({ label: 'Complaint rate', this_week: g('complaint_rate', 'cur'), previous_week: g('complaint_rate', 'prev'), unit: 'share' });
  }
  if (tables.has('churn_scores') && tables.has('customer_value')) {
    // The at-risk list's definitions, as the dashboards' tiles: the customers still worth saving.
    const r = await db.one<{ high: number; stake: number }>(
      `select ${HIGH_RISK_CUSTOMERS_SQL} as high, ${REVENUE_AT_RISK_SQL} as stake from ${await atRiskSource(db, tables.has('at_risk_list'), lost)} l`,
    );
    rows.push({ label: 'Customers at high churn risk, not lost (now)', this_week: num(r?.high), previous_week: null, unit: 'count' });
    rows.push({ label: 'Revenue at risk (Σ risk × CLV, the lost apart, now)', this_week: num(r?.stake), previous_week: null, unit: 'currency' });
  }
  const fmt = (v: number | null, u: DigestRow['unit']) =>
    v === null ? '–' : u === 'share' ? `${(100 * v).toFixed(1)}%` : u === 'score' ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  const week = { from: isoDate(from), to: isoDate(asOf) };
  const previous = { from: isoDate(prevFrom), to: isoDate(addDays(from, -1)) };
  const link = `${dashboardUrl}/overview?from=${previous.from}&to=${week.to}`;
  const subject = `[cxpulse] Weekly digest ${week.from} to ${week.to}`;
  const text = [
    `Key figures, ${week.from} to ${week.to} (previous week ${previous.from} to ${previous.to})`,
    '',
    ...rows.map((r) => `${r.label}: ${fmt(r.this_week, r.unit)} (previous week ${fmt(r.previous_week, r.unit)})`),
    '',
    `Dashboard: ${link}`,
  ].join('\n');
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const html = `<h2>${esc(subject.replace('[cxpulse] ', ''))}</h2><table cellpadding="6" style="border-collapse:collapse">` +
    '<tr><th align="left">Figure</th><th align="right">This week</th><th align="right">Previous week</th></tr>' +
    rows.map((r) => `<tr><td>${esc(r.label)}</td><td align="right">${fmt(r.this_week, r.unit)}</td><td align="right">${fmt(r.previous_week, r.unit)}</td></tr>`).join('') +
    `</table><p><a href="${esc(link)}">Open the overview</a></p>`;
  return { as_of: isoDate(asOf), week, previous, rows, link, subject, text, html };
}
