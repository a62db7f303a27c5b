import type { Customer360Columns, ExportDataset, ExportLayout } from '../core/module.js';
import { MODULES } from '../../models/modules.js';

export type { ExportDataset, ExportLayout };

function fromModules<T>(pick: (bi: NonNullable<Customer360Columns['bi']>) => T[]): T[] {
  return MODULES.flatMap((m) => m.customer360 ?? []).flatMap((p) => pick(p.bi ?? {}));
}

const LOAD_BOOKKEEPING = ['loaded_run_id', 'updated_run_id'];

/**
 * Datasets the export job writes as Parquet: the canonical tables, each module's, and customer_360.
 * Layouts and types: docs/exports.md.
 */
export const EXPORT_DATASETS: ExportDataset[] = [
  // Canonical tables: the customer dimension as of the run, and the events.
  {
    name: 'customers',
    table: 'customers',
    layout: { kind: 'snapshot', notAfter: ['signup_at'] },
    description: 'one row per customer known by the as-of (signed up by then, or with no sign-up date)',
    piiColumns: ['email'],
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['country'],
  },
  {
    name: 'purchases',
    table: 'purchases',
    layout: { kind: 'events', time: { column: 'ordered_at' } },
    description: 'one row per order, each written once, partitioned by the month it was placed',
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['status', 'channel'],
  },
  {
    name: 'interactions',
    table: 'interactions',
    layout: { kind: 'events', time: { column: 'opened_at' } },
    description: 'one row per support interaction, each written once, partitioned by the month it was opened',
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['channel', 'kind', 'category'],
  },
  {
    name: 'surveys',
    table: 'surveys',
    layout: { kind: 'events', time: { column: 'submitted_at' } },
    description: 'one row per survey response, each written once, partitioned by the month it was submitted',
    internalColumns: LOAD_BOOKKEEPING,
    categories: ['survey_type'],
  },
  {
    name: 'survey_answers',
    table: 'survey_answers',
    layout: {
      kind: 'events',
      time: { column: 'submitted_at', from: { table: 'surveys', key: 'response_id', carry: [{ name: 'customer_id', type: 'VARCHAR' }] } },
    },
    description: 'one row per answered question of a survey response, partitioned by the month the response was submitted',
    categories: ['question'],
    comments: {
      question: 'the answer column of the survey source',
      score: 'the answer on its question scale',
      customer_id: 'the customer who answered (from surveys)',
    },
  },
  // The refund-rate KPI (sql/marts/refunds_monthly.sql; the RFM & value page's refund-rate tile).
  {
    name: 'refunds_monthly',
    table: 'refunds_monthly',
    layout: { kind: 'snapshot', notAfter: ['month_on'] },
    description: 'refunds per local calendar month and channel (orders by their time), as known at the as-of',
    money: ['gross_revenue', 'refunded_amount', 'net_revenue'],
    categories: ['channel'],
    comments: {
      month_on: 'first day of the local calendar month (config timezone) the orders were placed in',
      channel: 'purchase channel (unknown when the source has none)',
      gross_revenue: 'completed orders + orders refunded later: what was sold',
      refunded_amount: 'refunded orders + returns and credits (cancellation invoices, returned lines, refund rows)',
      refund_rate: 'refunded_amount / gross_revenue; NULL in a month without sales',
      net_revenue: 'gross_revenue - refunded_amount',
    },
  },
  // Each module's tables (AnalyticsModule.exportDatasets), in module-list order.
  ...MODULES.flatMap((m) => m.exportDatasets ?? []),
  // One row per customer with everything known about them at the as-of (built at the end of the score job).
  {
    name: 'customer_360',
    table: 'customer_360',
    layout: { kind: 'snapshot', notAfter: ['signup_at'], asOfColumn: 'as_of_on' },
    description: 'one row per customer with orders, satisfaction, RFM, value and churn risk as of the as-of',
    piiColumns: ['email'],
    // Its own columns; each module's columns bring their BI types (AnalyticsModule.customer360[].bi).
    money: ['net_revenue', ...fromModules((b) => b.money ?? [])],
    nested: Object.fromEntries(fromModules((b) => Object.entries(b.nested ?? {}))),
    categories: ['country', ...fromModules((b) => b.categories ?? [])],
    comments: {
      as_of_on: 'the as-of date this row describes',
      net_revenue: 'completed minus refunded order amounts up to the as-of',
      churned_at: 'the subscription cancellation (sources.customers churned_at), when on or before the as-of',
      attributes: 'the declared customer attributes (sources.customers.attributes) as a JSON object, current values',
      ...Object.fromEntries(fromModules((b) => Object.entries(b.comments ?? {}))),
    },
  },
  // Every rule's actions and whether each customer is still a member (the view GET /api/actions reads).
  {
    name: 'retention_actions',
    table: 'action_members',
    layout: { kind: 'current' },
    description: 'every retention action and whether its customer is still in the rule (GET /api/actions)',
    piiColumns: ['email'],
    money: ['clv', 'value_at_stake'],
  },
];
