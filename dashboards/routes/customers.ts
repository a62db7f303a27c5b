import { Readable } from 'node:stream';
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import type { FastifyPluginAsync } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import { AT_RISK_COLUMNS, atRiskSql, CSV_MACRO, csvLine, csvLinesSql, customerProfile, type AtRiskQuery } from '../data/customers.js';
import { checkKnownValue } from '../filters.js';
import { dataEnvelope, knownValues } from './request-context.js';

const JSON_MAX_LIMIT = 1000;

export interface CustomerRoutesOptions {
  rateLimit: { max: number; timeWindow: number };
}

const atRiskQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    min_risk: { type: 'number', minimum: 0, maximum: 1 },
    band: { type: 'string', enum: ['low', 'medium', 'high'] },
    segment: { type: 'string', minLength: 1, maxLength: 64 },
    lifecycle_stage: { type: 'string', minLength: 1, maxLength: 64 },
    country: { type: 'string', minLength: 1, maxLength: 64 },
    min_clv: { type: 'number' },
    consent_only: { type: 'boolean', default: true, description: 'only customers who opted in to marketing (default true)' },
    sort: { type: 'string', enum: ['risk_desc', 'risk_asc', 'clv_desc', 'clv_asc', 'customer_id'], default: 'risk_desc' },
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000, description: `page size (json: at most ${JSON_MAX_LIMIT}, default 100; csv/arrow: default all)` },
    offset: { type: 'integer', minimum: 0, default: 0 },
    format: { type: 'string', enum: ['json', 'csv', 'arrow'], default: 'json' },
  },
} as const;

type AtRiskRequest = Omit<AtRiskQuery, 'limit'> & { limit?: number; format: 'json' | 'csv' | 'arrow' };

/** Customer lists and profiles: marketing role, rate limited. */
export const customerRoutes: FastifyPluginAsync<CustomerRoutesOptions> = async (app, opts) => {
  app.get<{ Querystring: AtRiskRequest }>('/api/customers/at-risk', {
    config: { role: 'marketing', rateLimit: opts.rateLimit },
    schema: {
      tags: ['customers'],
      summary: 'customers at risk of churning, filtered, sorted and paginated; json, csv (streamed) or arrow (IPC stream)',
      querystring: atRiskQuery,
      response: {
        200: {
          type: 'object',
          description: 'json format; csv and arrow carry as_of and freshness in x-cxpulse-as-of / x-cxpulse-freshness headers',
          properties: {
            ...dataEnvelope,
            available: { type: 'boolean' },
            empty_reason: { type: 'string' },
            total: { type: 'integer' },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
            next_offset: { type: ['integer', 'null'] },
            columns: { type: 'array', items: { type: 'string' } },
            rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
        400: { $ref: 'CxpError#' },
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    const state = await app.data.state();
    const known = await knownValues(app);
    checkKnownValue('country', q.country, known.countries);
    if (q.segment !== undefined && known.segments) checkKnownValue('segment', q.segment, known.segments);
    if (q.lifecycle_stage !== undefined && known.lifecycle_stages) {
      if (!known.lifecycle_stages.includes(q.lifecycle_stage)) {
        throw new CxpError('CXP_ERR_BAD_REQUEST', `lifecycle_stage: unknown value ${JSON.stringify(q.lifecycle_stage)}`, {
          where: 'query.lifecycle_stage', field: 'lifecycle_stage', hint: `known values: ${known.lifecycle_stages.join(', ')}`,
        });
      }
    }
    if (q.format === 'json' && q.limit !== undefined && q.limit > JSON_MAX_LIMIT) {
      throw new CxpError('CXP_ERR_BAD_REQUEST', `limit: at most ${JSON_MAX_LIMIT} rows per JSON page`, { where: 'query.limit', field: 'limit', hint: 'page with offset, or use format=csv / arrow' });
    }
    const limit = q.limit ?? (q.format === 'json' ? 100 : 1_000_000);
    reply.header('x-cxpulse-as-of', state.as_of ?? 'none').header('x-cxpulse-freshness', state.freshness.status);
    const columns = [...AT_RISK_COLUMNS];
    if (!state.tables.has('churn_scores')) {
      const reason = 'no data yet: churn scores (churn_scores) are not there; run the score job';
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(csvLine(columns));
      if (q.format === 'arrow') throw new CxpError('CXP_ERR_NOT_FOUND', reason, { where: 'churn_scores' });
      return { as_of: state.as_of, freshness: state.freshness, available: false, empty_reason: reason, total: 0, limit, offset: q.offset, next_offset: null, columns, rows: [] };
    }
    const sql = await atRiskSql(app.warehouse, state.tables, { ...q, limit });
    const params = { ...sql.params, limit, offset: q.offset };
    if (q.format === 'csv') {
      const conn = await app.warehouse.connect();
      // Streamed chunk by chunk: memory stays flat however many rows, the connection closes at the end.
      // Lines are built and escaped in DuckDB (csvLinesSql); JS only joins each chunk's lines.
      async function* lines() {
        try {
          await conn.run(CSV_MACRO);
          const result = await conn.stream(csvLinesSql(sql.select), params);
          yield '\uFEFF' + csvLine(columns);
          for await (const rows of result.yieldRowsJs()) {
            if (rows.length) yield rows.map((r) => r[0] as string).join('\r\n') + '\r\n';
          }
        } finally {
          conn.closeSync();
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="at-risk-${state.as_of ?? 'latest'}.csv"`)
        .send(Readable.from(lines()));
    }
    const rows = await app.warehouse.all(sql.select, params);
    if (q.format === 'arrow') {
      const table = tableFromJSON(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] instanceof Date ? (r[c] as Date).toISOString() : r[c]]))));
      return reply
        .type('application/vnd.apache.arrow.stream')
        .header('content-disposition', `attachment; filename="at-risk-${state.as_of ?? 'latest'}.arrows"`)
        .send(Buffer.from(tableToIPC(table, 'stream')));
    }
    const total = (await app.warehouse.one<{ n: number }>(sql.count, sql.params))?.n ?? 0;
    return {
      as_of: state.as_of,
      freshness: state.freshness,
      available: true,
      total,
      limit,
      offset: q.offset,
      next_offset: q.offset + rows.length < total ? q.offset + rows.length : null,
      columns,
      rows,
    };
  });

  app.get<{ Params: { id: string } }>('/api/customers/:id', {
    config: { role: 'marketing', rateLimit: opts.rateLimit },
    schema: {
      tags: ['customers'],
      summary: 'one customer: purchases, RFM and value, churn risk with reasons, satisfaction, interactions, actions',
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] },
      response: {
        200: { type: 'object', required: ['as_of', 'freshness'], properties: { ...dataEnvelope, profile: { type: 'object', additionalProperties: true } } },
        404: { $ref: 'CxpError#' },
      },
    },
  }, async (req) => {
    const state = await app.data.state();
    const profile = await app.warehouse.withConnection((db) => customerProfile(db, state.tables, req.params.id));
    return { as_of: state.as_of, freshness: state.freshness, profile };
  });
};
