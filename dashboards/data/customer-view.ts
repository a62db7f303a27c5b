/**
 * The customer 360 page for people: one timeline across channels (orders, contacts with their SLA
 * outcome, survey answers, retention actions with their delivery status), the scores with the churn
 * reasons in words, attributes and consent. Built on customerProfile (the API's raw 360); no internal
 * keys or run ids reach the page.
 */
import { configTimeZone } from '../../pipelines/core/time-zone.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import { satisfactionSettings } from '../../models/satisfaction/settings.js';
import type { GlossaryKey } from '../i18n/en.js';
import type { Translator } from '../i18n/translate.js';
import { bars } from '../specs/charts.js';
import { reasonText } from './reasons.js';
import { customerProfile } from './customers.js';
import { num, segmentLabel, type ChartOut } from './types.js';

type Row = Record<string, unknown>;

export interface TimelineEvent {
  kind: 'order' | 'contact' | 'survey' | 'action';
  at: string;
  at_text: string;
  title: string;
  detail?: string;
  badges?: { text: string; tone?: 'good' | 'bad' }[];
}

export interface CustomerView {
  customer_id: string;
  sections: ({ kind: 'pairs'; id: string; title: string; pairs: [string, string][]; empty?: string } | { kind: 'reasons'; id: string; title: string; items: string[]; empty?: string })[];
  timeline: TimelineEvent[];
  revenue_chart: ChartOut | null;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v));
const minutes = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? (b.getTime() - a.getTime()) / 60_000 : null);

function reasonsOf(risk: Row | null, t: Translator): string[] {
  const list = risk && Array.isArray(risk.churn_reasons) ? (risk.churn_reasons as Row[]) : [];
  return list.slice(0, 5).map((r) => reasonText(t, r));
}

export async function customerView(db: Db, tables: Set<string>, id: string, t: Translator, config?: Parameters<typeof satisfactionSettings>[0] & { timezone?: string }): Promise<CustomerView> {
  const p = await customerProfile(db, tables, id, configTimeZone(config));
  const c = p.customer as Row;
  const purchases = p.purchases as Row & { monthly: { period: string | null; revenue: number | null; orders: number | null }[] };
  const value = p.value as Row | null;
  const risk = p.risk as Row | null;
  const sat = (p.satisfaction as { summary: Row | null; surveys: Row[] });
  const pairs = (xs: [GlossaryKey, string | null | undefined][]): [string, string][] => xs.filter((x) => x[1] !== null && x[1] !== undefined && x[1] !== '–').map(([k, v]) => [t.t(k), v as string]);

  const summary = pairs([
    ['customer.since', c.signup_at ? t.date(iso(c.signup_at)) : null],
    ['customer.country', c.country === null ? null : String(c.country)],
    ['customer.churned', c.churned_at ? t.date(iso(c.churned_at)) : null],
    ['customer.orders', t.num(num(purchases.orders) ?? 0, 0)],
    ['customer.revenue', t.money(num(purchases.revenue) ?? 0)],
    ['customer.refunds', t.num(num(purchases.refunds) ?? 0, 0)],
    ['customer.first_order', purchases.first_order_at ? t.date(iso(purchases.first_order_at)) : null],
    ['customer.last_order', purchases.last_order_at ? t.date(iso(purchases.last_order_at)) : null],
  ]);
  // A p_alive its value run flags as not informative says so beside the figure (docs/rfm-and-value.md "Identification").
  const pAliveFlagged =
    value?.value_run_id !== null && value?.value_run_id !== undefined && tables.has('value_model_runs') &&
    (await db.one<{ ok: boolean | null }>('select is_p_alive_informative as ok from value_model_runs where run_id = $id', { id: String(value.value_run_id) }))?.ok === false;
  const scores = pairs([
    ['customer.segment', value ? segmentLabel(t, value.rfm_segment === null ? null : String(value.rfm_segment)) : null],
    ['customer.stage', value?.lifecycle_stage ? t.label('stage', String(value.lifecycle_stage)) : null],
    ['customer.clv', value && num(value.clv) !== null ? t.money(num(value.clv)) : null],
    ['customer.p_alive', value && num(value.p_alive) !== null ? t.pct(num(value.p_alive), 0) + (pAliveFlagged ? ` (${t.t('customer.p_alive_not_informative')})` : '') : null],
    ['customer.expected_purchases', value && num(value.expected_purchases_90d) !== null ? t.num(num(value.expected_purchases_90d), 1) : null],
    ['customer.churn_risk', risk && num(risk.churn_risk) !== null ? t.pct(num(risk.churn_risk), 0) : null],
    ['customer.band', risk?.churn_band ? t.label('band', String(risk.churn_band)) : null],
    ['customer.nps', sat.summary && num(sat.summary.last_nps) !== null ? t.num(num(sat.summary.last_nps), 0) : null],
    ['customer.csat', sat.summary && num(sat.summary.csat_avg) !== null ? t.num(num(sat.summary.csat_avg), 1) : null],
    ['customer.csi', sat.summary && num(sat.summary.csi) !== null ? t.num(num(sat.summary.csi), 0) : null],
  ]);
  const consent = pairs([['customer.consent', t.t(c.marketing_consent ? 'customer.consent_yes' : 'customer.consent_no')]]);
  // Declared attributes (sources.customers.attributes): their names are the source's own.
  const attributes: [string, string][] = [];
  if (c.attributes && typeof c.attributes === 'object') {
    for (const [k, v] of Object.entries(c.attributes as Row)) {
      if (v === null || v === undefined) continue;
      attributes.push([k, typeof v === 'number' ? t.num(v, 2) : typeof v === 'boolean' ? t.t(v ? 'yes' : 'no') : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    }
  }

  const sla = satisfactionSettings(config).sla;
  const timeline: TimelineEvent[] = [];
  const orders = await db.all('select ordered_at, amount, status, channel from purchases where customer_id = $id order by ordered_at desc limit 100', { id });
  for (const o of orders) {
    const amount = t.money(num(o.amount));
    const status = String(o.status);
    timeline.push({
      kind: 'order',
      at: iso(o.ordered_at),
      at_text: t.dateTime(iso(o.ordered_at)),
      title: status === 'completed' ? t.t('event.order', { amount }) : status === 'refunded' ? t.t('event.order_refunded', { amount }) : t.t('event.order_status', { amount, status: t.label('order', status) }),
    });
  }
  for (const i of p.interactions as Row[]) {
    const channel = String(i.channel);
    const response = minutes(i.opened_at, i.first_response_at);
    const target = sla.firstResponseMinutes[channel] ?? sla.firstResponseDefaultMinutes;
    const resolved = minutes(i.opened_at, i.resolved_at);
    const badges: TimelineEvent['badges'] = [];
    if (response === null) badges.push({ text: t.t('event.no_response'), tone: 'bad' });
    else badges.push(response <= target ? { text: t.t('event.sla_met', { time: t.duration(response) }), tone: 'good' } : { text: t.t('event.sla_missed', { time: t.duration(response) }), tone: 'bad' });
    timeline.push({
      kind: 'contact',
      at: iso(i.opened_at),
      at_text: t.dateTime(iso(i.opened_at)),
      title: t.t('event.contact', { kind: t.label('kind', String(i.kind)), channel: t.label('channel', channel) }),
      detail: [i.category ? t.label('category', String(i.category)) : null, resolved === null ? t.t('event.unresolved') : t.t('event.resolved', { time: t.duration(resolved) })].filter(Boolean).join(' · '),
      badges,
    });
  }
  for (const s of sat.surveys) {
    timeline.push({
      kind: 'survey',
      at: iso(s.submitted_at),
      at_text: t.dateTime(iso(s.submitted_at)),
      title: t.t('event.survey', { survey: t.label('survey', String(s.survey_type)), score: t.num(num(s.score), 0) }),
      detail: s.comment ? `“${String(s.comment)}”` : undefined,
    });
  }
  for (const a of (p.actions as Row[] | null) ?? []) {
    const status = a.status === null || a.status === undefined ? null : String(a.status);
    timeline.push({
      kind: 'action',
      at: iso(a.fired_at),
      at_text: t.dateTime(iso(a.fired_at)),
      title: t.t('event.action', { rule: String(a.rule) }),
      detail: a.is_holdout ? t.t('event.holdout') : undefined,
      badges: !a.is_holdout && status ? [{ text: t.t('event.webhook', { status: t.label('webhook', status) }), tone: status === 'delivered' ? 'good' : status === 'failed' ? 'bad' : undefined }] : [],
    });
  }
  timeline.sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));

  const monthly = purchases.monthly.filter((m) => m.period);
  const revenueChart: ChartOut | null = monthly.length
    ? {
        id: 'customer-revenue',
        title: t.t('chart.customer_revenue'),
        spec: bars(monthly.map((m) => ({ category: t.month(m.period!), value: m.revenue })), { xTitle: t.t('axis.month'), yTitle: `${t.t('metric.revenue')} (${t.currency})`, format: ',.0f', keepOrder: true, t }),
      }
    : null;
  return {
    customer_id: String(c.customer_id),
    sections: [
      { kind: 'pairs', id: 'summary', title: t.t('customer.summary'), pairs: summary },
      { kind: 'pairs', id: 'scores', title: t.t('customer.scores'), pairs: scores, empty: t.t('customer.no_scores') },
      { kind: 'reasons', id: 'reasons', title: t.t('customer.reasons'), items: reasonsOf(risk, t), empty: t.t('customer.no_scores') },
      { kind: 'pairs', id: 'consent', title: t.t('customer.consent'), pairs: consent },
      { kind: 'pairs', id: 'attributes', title: t.t('customer.attributes'), pairs: attributes, empty: t.t('customer.attributes_none') },
    ],
    timeline: timeline.slice(0, 300),
    revenue_chart: revenueChart,
  };
}
