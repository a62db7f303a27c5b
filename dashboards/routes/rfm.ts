import type { FastifyPluginAsync } from 'fastify';
import { COHORT_BASES, readCohortRetention, type CohortBasis } from '../../models/rfm/cohorts.js';
import { lifecycleFlow } from '../../models/rfm/lifecycle-flow.js';
import { filterSql } from '../filters.js';
import { cacheKey, dataEnvelope, filtersFor, langProperty, requestTranslator } from './request-context.js';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const MONTH = '^\\d{4}-\\d{2}$';
const errors = { 400: { $ref: 'CxpError#' }, 401: { $ref: 'CxpError#' }, 403: { $ref: 'CxpError#' } };

/** Both answers: the data envelope, whether there is data (and why not), their own fields, and the cells. */
function answer(fields: Record<string, object>, cell: Record<string, object>) {
  return {
    200: {
      type: 'object',
      properties: {
        ...dataEnvelope,
        available: { type: 'boolean' },
        empty_reason: { type: 'string' },
        ...fields,
        cells: { type: 'array', items: { type: 'object', properties: cell } },
      },
    },
    ...errors,
  };
}

interface CohortQuery { basis: CohortBasis; from_month?: string; to_month?: string; country?: string; max_months_since?: number; lang?: string }
interface FlowQuery { from?: string; to?: string; country?: string; segment?: string; lang?: string }

/**
 * The RFM module's time views as data (viewer role): cohort retention from the cohort_retention mart,
 * and the lifecycle flow between two rfm_history snapshots. The RFM page charts the same numbers.
 */
export const rfmRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: CohortQuery }>('/api/rfm/cohorts', {
    config: { role: 'viewer' },
    schema: {
      tags: ['dashboards'],
      summary: 'cohort retention: per signup or first-purchase month and months since, the share of the cohort that bought in that month',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          basis: { type: 'string', enum: [...COHORT_BASES], default: 'first_purchase', description: 'cohort by first completed order (default) or signup month' },
          from_month: { type: 'string', pattern: MONTH, description: 'first cohort month (YYYY-MM); default every cohort' },
          to_month: { type: 'string', pattern: MONTH, description: 'last cohort month (YYYY-MM)' },
          country: { type: 'string', minLength: 1, maxLength: 64 },
          max_months_since: { type: 'integer', minimum: 0, maximum: 240 },
          ...langProperty,
        },
      },
      response: answer(
        { basis: { type: 'string' } },
        {
          cohort_month_on: { type: 'string' },
          months_since: { type: 'integer' },
          count_customers: { type: 'integer' },
          count_buying: { type: 'integer' },
          share_buying: { type: 'number' },
          is_partial_month: { type: 'boolean' },
        },
      ),
    },
  }, async (req) => {
    const q = req.query;
    const { state } = await filtersFor(app, { country: q.country });
    const t = requestTranslator(req);
    if (!state.tables.has('cohort_retention')) {
      return { as_of: state.as_of, freshness: state.freshness, available: false, empty_reason: t.t('empty.waiting', { what: 'cohort_retention' }), basis: q.basis, cells: [] };
    }
    return app.data.cached(cacheKey('/api/rfm/cohorts', { ...q, lang: undefined }), async () => ({
      as_of: state.as_of,
      freshness: state.freshness,
      available: true,
      basis: q.basis,
      cells: await app.warehouse.withConnection((db) =>
        readCohortRetention(db, {
          basis: q.basis,
          fromMonth: q.from_month && `${q.from_month}-01`,
          toMonth: q.to_month && `${q.to_month}-01`,
          country: q.country,
          maxMonthsSince: q.max_months_since,
        }),
      ),
    }));
  });

  app.get<{ Querystring: FlowQuery }>('/api/rfm/lifecycle-flow', {
    config: { role: 'viewer' },
    schema: {
      tags: ['dashboards'],
      summary: 'lifecycle flow: customers moving from each stage on date A to each stage on date B (the latest rfm_history snapshot on or before each date)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          from: { type: 'string', pattern: DATE, description: 'date A (default: as_of − 364 days; before the first snapshot: the first)' },
          to: { type: 'string', pattern: DATE, description: 'date B (default: as_of)' },
          country: { type: 'string', minLength: 1, maxLength: 64 },
          segment: { type: 'string', minLength: 1, maxLength: 64, description: 'RFM segment now (customer_value)' },
          ...langProperty,
        },
      },
      response: answer(
        {
          from: { type: ['string', 'null'], description: 'snapshot compared for date A' },
          to: { type: ['string', 'null'], description: 'snapshot compared for date B' },
          snapshots: { type: 'array', items: { type: 'string' } },
        },
        {
          from_stage: { type: 'string' },
          to_stage: { type: 'string' },
          count_customers: { type: 'integer' },
          customers_href: { type: 'string', description: 'the customers behind this cell (GET)' },
        },
      ),
    },
  }, async (req) => {
    const q = req.query;
    const { state, filters } = await filtersFor(app, { from: q.from, to: q.to, country: q.country, segment: q.segment });
    const t = requestTranslator(req);
    if (!state.tables.has('rfm_history')) {
      return { as_of: state.as_of, freshness: state.freshness, available: false, empty_reason: t.t('empty.waiting', { what: 'rfm_history' }), from: null, to: null, snapshots: [], cells: [] };
    }
    const flow = await app.warehouse.withConnection((db) =>
      lifecycleFlow(db, filters.fromText, filters.toText, (customer) => filterSql(filters, { customer }, { period: 'none', hasSegments: state.tables.has('customer_value') })),
    );
    const href = (from: string, to: string) =>
      `/api/customers?${new URLSearchParams({ flow_from: flow.from!, flow_to: flow.to!, stage_from: from, stage_to: to, ...(q.country ? { country: q.country } : {}), ...(q.segment ? { segment: q.segment } : {}) }).toString()}`;
    return {
      as_of: state.as_of,
      freshness: state.freshness,
      available: flow.cells.length > 0,
      ...(flow.cells.length ? {} : { empty_reason: t.t('note.flow_needs_two') }),
      from: flow.from,
      to: flow.to,
      snapshots: flow.snapshots,
      cells: flow.cells.map((c) => ({ ...c, customers_href: href(c.from_stage, c.to_stage) })),
    };
  });
};
