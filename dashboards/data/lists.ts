/**
 * The lists the dashboards drill into: customers (by segment, risk band, country, lifecycle stage, or
 * by the contacts they had) and contacts (interactions by channel, category, kind, month). Every filter
 * is bound as a parameter; tables of other modules are joined only when they exist.
 */
import { flowMembersSql } from '../../models/rfm/lifecycle-flow.js';
import { listSnapshots } from '../../models/rfm/migration.js';
import { CxpError } from '../../pipelines/core/errors.js';
import type { Db, SqlValue } from '../../pipelines/core/warehouse.js';
import type { GlossaryKey } from '../i18n/en.js';
import type { Translator } from '../i18n/translate.js';
import { NO_SEGMENT, num } from './types.js';

export interface ListQuery {
  segment?: string;
  band?: string;
  country?: string;
  lifecycle_stage?: string;
  channel?: string;
  category?: string;
  kind?: string;
  /** YYYY-MM: contacts opened in that month. */
  month?: string;
  from?: string;
  to?: string;
  /** Lifecycle flow cell: customers in stage_from on snapshot flow_from and in stage_to on flow_to (all four together). */
  flow_from?: string;
  flow_to?: string;
  stage_from?: string;
  stage_to?: string;
  limit: number;
  offset: number;
}

export interface AppliedFilter {
  field: string;
  value: string;
  label: string;
  value_label: string;
}

export interface DisplayColumn {
  key: string;
  label: string;
  num?: boolean;
  /** How the page formats the raw value: money, pct, date, int, num, or label:<kind> (glossary). */
  format?: string;
}

const LABEL_KIND: Record<string, string> = { segment: 'segment', band: 'band', lifecycle_stage: 'stage', channel: 'channel', kind: 'kind', category: 'category' };

/** The filters a list was asked for, named for people. */
export function appliedFilters(q: ListQuery, t: Translator): AppliedFilter[] {
  const out: AppliedFilter[] = [];
  for (const field of ['segment', 'band', 'lifecycle_stage', 'country', 'channel', 'kind', 'category', 'month'] as const) {
    const v = q[field];
    if (v === undefined) continue;
    const valueLabel = field === 'month' ? t.month(`${v}-01`) : LABEL_KIND[field] ? t.label(LABEL_KIND[field], v) : v;
    out.push({ field, value: v, label: t.t(`filter.${field}` as GlossaryKey), value_label: valueLabel });
  }
  if (q.flow_from !== undefined && q.flow_to !== undefined && q.stage_from !== undefined && q.stage_to !== undefined) {
    out.push({
      field: 'flow',
      value: `${q.stage_from}@${q.flow_from}/${q.stage_to}@${q.flow_to}`,
      label: t.t('filter.flow'),
      value_label: t.t('filter.flow_value', { from_stage: t.label('stage', q.stage_from), from: t.date(q.flow_from), to_stage: t.label('stage', q.stage_to), to: t.date(q.flow_to) }),
    });
  }
  if ((q.from || q.to) && (q.channel || q.category || q.kind) && !q.month) {
    out.push({ field: 'period', value: `${q.from ?? ''}/${q.to ?? ''}`, label: t.t('filter.period'), value_label: `${q.from ? t.date(q.from) : '…'} – ${q.to ? t.date(q.to) : '…'}` });
  }
  return out;
}

function monthRange(month: string): { from: Date; to: Date } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `month: "${month}" is not a month`, { where: 'query.month', field: 'month', hint: 'write it YYYY-MM' });
  }
  return { from: new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)), to: new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)) };
}

/** Conditions on interactions (alias i) for the contact filters; shared by both lists. */
function contactConds(q: ListQuery, params: Record<string, SqlValue>): string[] {
  const conds: string[] = [];
  if (q.channel !== undefined) { conds.push('i.channel = $channel'); params.channel = q.channel; }
  if (q.kind !== undefined) { conds.push('i.kind = $kind'); params.kind = q.kind; }
  if (q.category !== undefined) {
    if (q.category === '(none)') conds.push('i.category is null');
    else { conds.push('i.category = $category'); params.category = q.category; }
  }
  if (q.month !== undefined) {
    const r = monthRange(q.month);
    conds.push('i.opened_at >= $month_from and i.opened_at < $month_to');
    params.month_from = r.from;
    params.month_to = r.to;
  } else {
    if (q.from !== undefined) { conds.push('i.opened_at >= $from_at'); params.from_at = new Date(`${q.from}T00:00:00Z`); }
    if (q.to !== undefined) { conds.push('i.opened_at < $to_at'); params.to_at = new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000); }
  }
  return conds;
}

function needsValue(field: string, tables: Set<string>): void {
  if (!tables.has('customer_value')) {
    throw new CxpError('CXP_ERR_BAD_REQUEST', `${field}: customer values (customer_value) do not exist yet`, { where: `query.${field}`, field, hint: 'run the score job, or drop this filter' });
  }
}

const FLOW_FIELDS = ['flow_from', 'flow_to', 'stage_from', 'stage_to'] as const;

/** The lifecycle-flow filter: all four fields or none, on snapshots that exist. */
async function flowCondition(db: Db, tables: Set<string>, q: ListQuery): Promise<{ sql: string; params: Record<string, SqlValue> } | null> {
  const given = FLOW_FIELDS.filter((f) => q[f] !== undefined);
  if (given.length === 0) return null;
  const missing = FLOW_FIELDS.find((f) => q[f] === undefined);
  if (missing) throw new CxpError('CXP_ERR_BAD_REQUEST', `${missing}: a lifecycle-flow filter needs ${FLOW_FIELDS.join(', ')} together`, { where: `query.${missing}`, field: missing, hint: 'open the list from a cell of the lifecycle flow chart' });
  if (!tables.has('rfm_history')) throw new CxpError('CXP_ERR_BAD_REQUEST', 'flow_from: RFM snapshots (rfm_history) do not exist yet', { where: 'query.flow_from', field: 'flow_from', hint: 'run the score job, or drop this filter' });
  const snaps = await listSnapshots(db);
  for (const f of ['flow_from', 'flow_to'] as const) {
    if (!snaps.includes(q[f]!)) throw new CxpError('CXP_ERR_BAD_REQUEST', `${f}: no RFM snapshot on ${q[f]}`, { where: `query.${f}`, field: f, hint: `snapshots exist for: ${snaps.slice(0, 20).join(', ') || 'none'}` });
  }
  const m = flowMembersSql({ from: q.flow_from!, to: q.flow_to!, fromStage: q.stage_from!, toStage: q.stage_to! });
  return m;
}

/** Customers matching the drill-down filters, riskiest (else most valuable) first. */
export async function customerList(db: Db, tables: Set<string>, q: ListQuery, t: Translator) {
  const hasValue = tables.has('customer_value');
  const hasRisk = tables.has('churn_scores');
  const params: Record<string, SqlValue> = {};
  const conds: string[] = [];
  if (q.segment !== undefined) {
    needsValue('segment', tables);
    if (q.segment === NO_SEGMENT) conds.push('v.rfm_segment is null');
    else { conds.push('v.rfm_segment = $segment'); params.segment = q.segment; }
  }
  if (q.lifecycle_stage !== undefined) { needsValue('lifecycle_stage', tables); conds.push('v.lifecycle_stage = $stage'); params.stage = q.lifecycle_stage; }
  if (q.band !== undefined) {
    if (!hasRisk) throw new CxpError('CXP_ERR_BAD_REQUEST', 'band: churn scores (churn_scores) do not exist yet', { where: 'query.band', field: 'band', hint: 'run the score job, or drop this filter' });
    conds.push('s.churn_band = $band');
    params.band = q.band;
  }
  if (q.country !== undefined) { conds.push('c.country = $country'); params.country = q.country; }
  const flow = await flowCondition(db, tables, q);
  if (flow) { conds.push(`c.customer_id in (${flow.sql})`); Object.assign(params, flow.params); }
  const contact = contactConds(q, params);
  if (q.channel !== undefined || q.kind !== undefined || q.category !== undefined || q.month !== undefined) {
    conds.push(`c.customer_id in (select i.customer_id from interactions i where ${contact.join(' and ') || 'true'})`);
  }
  const from = `from customers c
    ${hasValue ? 'left join customer_value v on v.customer_id = c.customer_id' : ''}
    ${hasRisk ? 'left join churn_scores s on s.customer_id = c.customer_id' : ''}
    where ${conds.length ? conds.join(' and ') : 'true'}`;
  const order = hasRisk ? 's.churn_risk desc nulls last, c.customer_id' : hasValue ? 'v.clv desc nulls last, c.customer_id' : 'c.customer_id';
  const rows = await db.all(
    `select c.customer_id, c.country,
       ${hasValue ? 'v.rfm_segment, v.lifecycle_stage, v.clv, v.monetary, v.last_purchase_on' : 'null as rfm_segment, null as lifecycle_stage, null as clv, null as monetary, null as last_purchase_on'},
       ${hasRisk ? 's.churn_risk, s.churn_band' : 'null as churn_risk, null as churn_band'}
     ${from} order by ${order} limit $limit offset $offset`,
    { ...params, limit: q.limit, offset: q.offset },
  );
  const total = num((await db.one(`select count(*) as n ${from}`, params))?.n) ?? 0;
  const columns: DisplayColumn[] = [
    { key: 'customer_id', label: t.t('col.customer') },
    { key: 'country', label: t.t('col.country') },
    ...(hasValue ? [{ key: 'rfm_segment', label: t.t('col.segment'), format: 'label:segment' }, { key: 'lifecycle_stage', label: t.t('col.stage'), format: 'label:stage' }] : []),
    ...(hasRisk ? [{ key: 'churn_risk', label: t.t('col.churn_risk'), num: true, format: 'pct' }, { key: 'churn_band', label: t.t('col.band'), format: 'label:band' }] : []),
    ...(hasValue ? [{ key: 'clv', label: t.t('col.clv'), num: true, format: 'money' }, { key: 'monetary', label: t.t('col.monetary'), num: true, format: 'money' }, { key: 'last_purchase_on', label: t.t('col.last_order'), format: 'date' }] : []),
  ];
  return {
    total,
    rows: rows.map((r) => ({
      customer_id: String(r.customer_id),
      country: r.country === null ? null : String(r.country),
      rfm_segment: hasValue ? (r.rfm_segment === null ? NO_SEGMENT : String(r.rfm_segment)) : null,
      lifecycle_stage: r.lifecycle_stage === null ? null : String(r.lifecycle_stage),
      churn_risk: num(r.churn_risk),
      churn_band: r.churn_band === null ? null : String(r.churn_band),
      clv: num(r.clv),
      monetary: num(r.monetary),
      last_purchase_on: r.last_purchase_on instanceof Date ? r.last_purchase_on.toISOString().slice(0, 10) : r.last_purchase_on === null ? null : String(r.last_purchase_on),
    })),
    display_columns: columns,
  };
}

const minutesBetween = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? (b.getTime() - a.getTime()) / 60_000 : null);
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

/** Contacts matching the drill-down filters, newest first, with their times for people. */
export async function interactionList(db: Db, tables: Set<string>, q: ListQuery, t: Translator) {
  const flowField = FLOW_FIELDS.find((f) => q[f] !== undefined);
  if (flowField) throw new CxpError('CXP_ERR_BAD_REQUEST', `${flowField}: the lifecycle flow filters customers, not contacts`, { where: `query.${flowField}`, field: flowField, hint: 'use /api/customers' });
  const params: Record<string, string | number | Date> = {};
  const conds = contactConds(q, params);
  if (q.country !== undefined) { conds.push('i.customer_id in (select customer_id from customers where country = $country)'); params.country = q.country; }
  if (q.segment !== undefined) {
    needsValue('segment', tables);
    if (q.segment === NO_SEGMENT) conds.push('i.customer_id in (select customer_id from customer_value where rfm_segment is null)');
    else { conds.push('i.customer_id in (select customer_id from customer_value where rfm_segment = $segment)'); params.segment = q.segment; }
  }
  const where = conds.length ? conds.join(' and ') : 'true';
  const rows = await db.all(
    `select i.interaction_id, i.customer_id, i.channel, i.kind, i.category, i.opened_at, i.first_response_at, i.resolved_at
     from interactions i where ${where} order by i.opened_at desc, i.interaction_id limit $limit offset $offset`,
    { ...params, limit: q.limit, offset: q.offset },
  );
  const total = num((await db.one(`select count(*) as n from interactions i where ${where}`, params))?.n) ?? 0;
  return {
    total,
    rows: rows.map((r) => {
      const response = minutesBetween(r.opened_at, r.first_response_at);
      const resolution = minutesBetween(r.opened_at, r.resolved_at);
      return {
        interaction_id: String(r.interaction_id),
        customer_id: String(r.customer_id),
        channel: String(r.channel),
        kind: String(r.kind),
        category: r.category === null ? null : String(r.category),
        opened_at: iso(r.opened_at),
        first_response_minutes: response,
        resolution_minutes: resolution,
        display: {
          opened_at: t.dateTime(iso(r.opened_at)),
          channel: t.label('channel', String(r.channel)),
          kind: t.label('kind', String(r.kind)),
          category: t.label('category', r.category === null ? '(none)' : String(r.category)),
          first_response_minutes: response === null ? t.t('event.no_response') : t.duration(response),
          resolution_minutes: resolution === null ? t.t('event.unresolved') : t.duration(resolution),
        },
      };
    }),
    display_columns: [
      { key: 'opened_at', label: t.t('col.opened') },
      { key: 'customer_id', label: t.t('col.customer') },
      { key: 'channel', label: t.t('col.channel') },
      { key: 'kind', label: t.t('col.kind') },
      { key: 'category', label: t.t('col.category') },
      { key: 'first_response_minutes', label: t.t('col.first_response'), num: true },
      { key: 'resolution_minutes', label: t.t('col.resolved'), num: true },
    ] as DisplayColumn[],
  };
}
