import type { FastifyPluginAsync } from 'fastify';
import { CHANNELS } from '../filters.js';
import { finishChart } from '../present.js';
import { customerView } from '../data/customer-view.js';
import type { Db } from '../../pipelines/core/warehouse.js';
import type { Translator } from '../i18n/translate.js';
import { appliedFilters, customerList, interactionList, type DisplayColumn, type ListQuery } from '../data/lists.js';
import { dataEnvelope, knownValues, langProperty, requestTranslator } from './request-context.js';
import { checkKnownValue } from '../filters.js';
import type { LoadContext } from '../data/types.js';

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    segment: { type: 'string', minLength: 1, maxLength: 64, description: 'RFM segment; "Prospects (no purchase)" for customers without one' },
    band: { type: 'string', enum: ['low', 'medium', 'high'] },
    country: { type: 'string', minLength: 1, maxLength: 64 },
    lifecycle_stage: { type: 'string', minLength: 1, maxLength: 64 },
    channel: { type: 'string', enum: [...CHANNELS], description: 'customers (contacts) with a contact on this channel' },
    category: { type: 'string', minLength: 1, maxLength: 200, description: 'contact category; "(none)" for contacts without one' },
    kind: { type: 'string', minLength: 1, maxLength: 32, description: 'contact kind (complaint, inquiry, ...)' },
    month: { type: 'string', pattern: '^\\d{4}-\\d{2}$', description: 'contacts opened in this month (YYYY-MM)' },
    from: { type: 'string', pattern: DATE, description: 'with a contact filter: contacts opened from this day' },
    to: { type: 'string', pattern: DATE, description: 'with a contact filter: contacts opened up to this day' },
    flow_from: { type: 'string', pattern: DATE, description: 'lifecycle flow (customers only; with flow_to, stage_from, stage_to): the first RFM snapshot date' },
    flow_to: { type: 'string', pattern: DATE, description: 'lifecycle flow: the second RFM snapshot date' },
    stage_from: { type: 'string', minLength: 1, maxLength: 64, description: 'lifecycle flow: stage on flow_from ("(absent)": not in that snapshot)' },
    stage_to: { type: 'string', minLength: 1, maxLength: 64, description: 'lifecycle flow: stage on flow_to ("(absent)": not in that snapshot)' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    ...langProperty,
  },
} as const;

const listResponse = {
  type: 'object',
  properties: {
    ...dataEnvelope,
    currency: { type: 'string' },
    filters_applied: { type: 'array', items: { type: 'object', additionalProperties: true } },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
    next_offset: { type: ['integer', 'null'] },
    display_columns: { type: 'array', items: { type: 'object', additionalProperties: true } },
    rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export interface ListRoutesOptions {
  rateLimit: { max: number; timeWindow: number };
  config?: LoadContext['config'];
}

/**
 * The drill-down lists (viewer role: ids, segments, countries and risk, never an email) and the
 * customer 360 page's view (marketing role, like the raw profile).
 */
export const listRoutes: FastifyPluginAsync<ListRoutesOptions> = async (app, opts) => {
  async function check(q: ListQuery) {
    const known = await knownValues(app);
    checkKnownValue('country', q.country, known.countries);
  }

  // The two lists answer the same way: validated filters, the page of rows, the filters named for people.
  type ReadList = (db: Db, tables: Set<string>, q: ListQuery, t: Translator) => Promise<{ total: number; rows: object[]; display_columns: DisplayColumn[] }>;
  const lists: [string, string, ReadList][] = [
    ['/api/customers', 'customers behind a dashboard figure: by segment, risk band, lifecycle stage, country, or the contacts they had', customerList],
    ['/api/interactions', 'contacts behind a dashboard figure: by channel, category, kind, month, country or segment, newest first', interactionList],
  ];
  for (const [path, summary, read] of lists) {
    app.get<{ Querystring: ListQuery & { lang?: string } }>(path, {
      config: { role: 'viewer', rateLimit: opts.rateLimit },
      schema: { tags: ['customers'], summary, querystring: listQuery, response: { 200: listResponse, 400: { $ref: 'CxpError#' } } },
    }, async (req) => {
      const q = req.query;
      await check(q);
      const t = requestTranslator(req, opts.config);
      const state = await app.data.state();
      const out = await app.warehouse.withConnection((db) => read(db, state.tables, q, t));
      return {
        as_of: state.as_of,
        freshness: state.freshness,
        currency: t.currency,
        filters_applied: appliedFilters(q, t),
        total: out.total,
        limit: q.limit,
        offset: q.offset,
        next_offset: q.offset + out.rows.length < out.total ? q.offset + out.rows.length : null,
        display_columns: out.display_columns,
        rows: out.rows,
      };
    });
  }

  app.get<{ Params: { id: string }; Querystring: { lang?: string } }>('/api/customers/:id/view', {
    config: { role: 'marketing', rateLimit: opts.rateLimit },
    schema: {
      tags: ['customers'],
      summary: "one customer for people, in the request's language: timeline across channels, scores with reasons, attributes, consent",
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
      querystring: { type: 'object', additionalProperties: false, properties: { ...langProperty } },
      response: {
        200: { type: 'object', required: ['as_of', 'freshness'], properties: { ...dataEnvelope, view: { type: 'object', additionalProperties: true } } },
        404: { $ref: 'CxpError#' },
      },
    },
  }, async (req) => {
    const t = requestTranslator(req, opts.config);
    const state = await app.data.state();
    const view = await app.warehouse.withConnection((db) => customerView(db, state.tables, req.params.id, t, opts.config));
    return { as_of: state.as_of, freshness: state.freshness, view: { ...view, revenue_chart: view.revenue_chart ? finishChart(view.revenue_chart, t) : null } };
  });
};
