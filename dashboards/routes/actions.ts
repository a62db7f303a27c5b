import { tableFromJSON, tableToIPC } from 'apache-arrow';
import type { FastifyPluginAsync } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import { ACTION_COLUMNS, ACTION_STATUSES, listActions, type ActionsQuery } from '../data/actions.js';
import { csvLine } from '../data/customers.js';
import { dataEnvelope } from './request-context.js';
import { MAX_OFFSET } from '../limits.js';

const JSON_MAX_LIMIT = 1000;

export interface ActionRoutesOptions {
  rateLimit: { max: number; timeWindow: number };
}

type ActionsRequest = Omit<ActionsQuery, 'limit'> & { limit?: number; format: 'json' | 'csv' | 'arrow' };

const errorRef = { $ref: 'CxpError#' };

/** Rule audiences for marketing tools: every action, its delivery status and whether the customer is still a member. */
export const actionRoutes: FastifyPluginAsync<ActionRoutesOptions> = async (app, opts) => {
  // Personal data (ids, e-mail, scores per customer): never stored by browsers or shared caches.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  app.get<{ Querystring: ActionsRequest }>('/api/actions', {
    config: { role: 'marketing', rateLimit: opts.rateLimit },
    schema: {
      tags: ['actions'],
      summary: "retention actions per rule (a rule's audience): filter by rule, status, current membership and since; json, csv or arrow",
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          rule: { type: 'string', minLength: 1, maxLength: 64 },
          status: { type: 'string', enum: [...ACTION_STATUSES] },
          current: { type: 'boolean', description: 'true: only current members of the audience (not left, not cancelled)' },
          since: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z?)?$', description: 'fired at or after (YYYY-MM-DD or an ISO time, UTC)' },
          limit: { type: 'integer', minimum: 1, maximum: 1_000_000, description: `page size (json: at most ${JSON_MAX_LIMIT}, default 100; csv/arrow: default all)` },
          offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
          format: { type: 'string', enum: ['json', 'csv', 'arrow'], default: 'json' },
        },
      },
      response: {
        200: {
          type: 'object',
          description: 'json format; csv and arrow carry the same columns',
          properties: {
            ...dataEnvelope,
            total: { type: 'integer' },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
            next_offset: { type: ['integer', 'null'] },
            columns: { type: 'array', items: { type: 'string' } },
            rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
        400: errorRef,
        401: errorRef,
        403: errorRef,
        429: errorRef,
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    if (q.format === 'json' && q.limit !== undefined && q.limit > JSON_MAX_LIMIT) {
      throw new CxpError('CXP_ERR_BAD_REQUEST', `limit: at most ${JSON_MAX_LIMIT} rows per JSON page`, { where: 'query.limit', field: 'limit', hint: 'page with offset, or use format=csv / arrow' });
    }
    if (q.since !== undefined && Number.isNaN(Date.parse(q.since))) {
      throw new CxpError('CXP_ERR_BAD_REQUEST', `since: "${q.since}" is not a real date`, { where: 'query.since', field: 'since', hint: 'write it YYYY-MM-DD' });
    }
    const state = await app.data.state();
    const limit = q.limit ?? (q.format === 'json' ? 100 : 1_000_000);
    const columns = [...ACTION_COLUMNS];
    const { total, rows } = state.tables.has('retention_actions')
      ? await app.warehouse.withConnection((db) => listActions(db, { ...q, limit }))
      : { total: 0, rows: [] };
    reply.header('x-cxpulse-as-of', state.as_of ?? 'none').header('x-cxpulse-total', String(total));
    if (q.format === 'csv') {
      const body = '\uFEFF' + csvLine(columns) + rows.map((r) => csvLine(columns.map((c) => r[c]))).join('');
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="actions-${state.as_of ?? 'latest'}.csv"`).send(body);
    }
    if (q.format === 'arrow') {
      const table = tableFromJSON(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] instanceof Date ? (r[c] as Date).toISOString() : r[c]]))));
      return reply.type('application/vnd.apache.arrow.stream').header('content-disposition', `attachment; filename="actions-${state.as_of ?? 'latest'}.arrows"`).send(Buffer.from(tableToIPC(table, 'stream')));
    }
    return { as_of: state.as_of, freshness: state.freshness, total, limit, offset: q.offset, next_offset: q.offset + rows.length < total ? q.offset + rows.length : null, columns, rows };
  });
};
