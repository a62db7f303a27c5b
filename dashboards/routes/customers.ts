import { Readable } from 'node:stream';
import { tableFromJSON, tableToIPC } from 'apache-arrow';
import type { FastifyPluginAsync } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import { AT_RISK_POPULATIONS, AT_RISK_SORTS, atRiskSql, lostRule, lostThresholds, populationLabel, type AtRiskQuery } from '../../models/churn/at-risk-list.js';
import { AT_RISK_COLUMNS, CSV_MACRO, CSV_STYLE_QUERY, PLAIN_CSV, csvLine, csvLinesSql, csvStyleOf, customerProfile, spreadsheetCsv } from '../data/customers.js';
import { checkKnownValue } from '../filters.js';
import { columnLabel, reasonTexts } from '../data/reasons.js';
import { lostRuleText } from '../data/lost-rule.js';
import { pickLang, translator } from '../i18n/translate.js';
import { cacheKey, dataEnvelope, knownValues, langProperty } from './request-context.js';
import { MAX_OFFSET } from '../limits.js';
import type { DashboardConfig } from '../config.js';

const JSON_MAX_LIMIT = 1000;

export interface CustomerRoutesOptions {
  rateLimit: { max: number; timeWindow: number };
  /** The loaded config, when there is one: churn.lost (which customers are already lost). */
  config?: DashboardConfig;
}

const atRiskQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    population: {
      type: 'string', enum: [...AT_RISK_POPULATIONS], default: 'at_risk',
      description: 'at_risk: still worth saving (default); lost: already gone (p_alive below churn.lost.maxPAlive unless the value run flags p_alive as not informative, or lapsed with CLV below churn.lost.maxClv), listed apart; all. The response\'s lost_rule states the rule this run applied',
    },
    min_risk: { type: 'number', minimum: 0, maximum: 1 },
    band: { type: 'string', enum: ['low', 'medium', 'high'] },
    segment: { type: 'string', minLength: 1, maxLength: 64, description: 'RFM segment' },
    lifecycle_stage: { type: 'string', minLength: 1, maxLength: 64 },
    country: { type: 'string', minLength: 1, maxLength: 64 },
    min_clv: { type: 'number' },
    consent_only: { type: 'boolean', default: true, description: 'only customers who opted in to marketing (default true)' },
    sort: {
      type: 'string', enum: [...AT_RISK_SORTS], default: 'stake_desc',
      description: 'stake_desc: value at stake (churn risk x CLV) first (default); risk, CLV or recency (days since the last purchase) either way',
    },
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000, description: `page size (json: at most ${JSON_MAX_LIMIT}, default 100; csv/arrow: default all)` },
    offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 },
    format: { type: 'string', enum: ['json', 'csv', 'arrow'], default: 'json' },
    header: {
      type: 'string', enum: ['columns', 'labels'], default: 'columns',
      description: 'csv: first line with the column names (default, for machines) or the labels people read, in `lang` (the dashboard\'s download)',
    },
    ...CSV_STYLE_QUERY,
    lang: {
      ...langProperty.lang,
      description: 'for people: json rows carry column_labels, and top_reason (json, csv) is rendered from the glossary in this language (en: the stored text); without it the stored English text',
    },
  },
} as const;

type AtRiskRequest = Omit<AtRiskQuery, 'limit' | 'reasonTexts'> & {
  limit?: number;
  format: 'json' | 'csv' | 'arrow';
  header: 'columns' | 'labels';
  lang?: string;
  delimiter?: 'comma' | 'semicolon' | 'tab';
  decimal?: 'point' | 'comma';
};

/** Customer lists and profiles: marketing role, rate limited. */
export const customerRoutes: FastifyPluginAsync<CustomerRoutesOptions> = async (app, opts) => {
  const lost = lostThresholds(opts.config);
  // Personal data (ids, e-mail, scores per customer): never stored by browsers or shared caches.
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });
  app.get<{ Querystring: AtRiskRequest }>('/api/customers/at-risk', {
    config: { role: 'marketing', rateLimit: opts.rateLimit },
    schema: {
      tags: ['customers'],
      summary: 'customers at risk of churning, by value at stake, the lost apart; filtered, sorted and paginated; json, csv (streamed) or arrow (IPC stream)',
      querystring: atRiskQuery,
      response: {
        200: {
          type: 'object',
          description: 'json format; csv and arrow carry as_of and freshness in x-cxpulse-as-of / x-cxpulse-freshness headers',
          properties: {
            ...dataEnvelope,
            available: { type: 'boolean' },
            empty_reason: { type: 'string' },
            population: { type: 'string', description: 'which customers the list and its counts are about, in words' },
            lost_rule: { type: 'string', description: 'the "already lost" rule this run applied (thresholds from churn.lost; without p_alive when its value run flags it as not informative), in `lang` (default English)' },
            total: { type: 'integer', description: 'rows in this population with these filters (what the list pages through)' },
            counts: {
              type: 'object',
              description: 'the same filters, per population: at_risk + lost = every scored customer matching them',
              properties: { at_risk: { type: 'integer' }, lost: { type: 'integer' } },
            },
            limit: { type: 'integer' },
            offset: { type: 'integer' },
            next_offset: { type: ['integer', 'null'] },
            columns: { type: 'array', items: { type: 'string' } },
            column_labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'with lang: each column\'s label for people' },
            rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
        400: { $ref: 'CxpError#' },
        401: { $ref: 'CxpError#' },
        403: { $ref: 'CxpError#' },
        429: { $ref: 'CxpError#' },
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
    // The rule as this run applies it: read where the list's SQL reads it (models/churn/at-risk-list.ts lostRule),
    // once per data version: it changes only with a run, and reading it per request cost the first page ~10x.
    const rule = await app.data.cached('lost-rule', () => app.warehouse.withConnection((db) => lostRule(db, lost)));
    const population = populationLabel(q, rule);
    // For people (the dashboard asks with lang): labels and reasons in their language. Machines get the stored names.
    const t = translator(pickLang(q.lang, req.headers['accept-language']));
    // In `lang` only (the cached JSON page is keyed on the query, not on Accept-Language).
    const lost_rule = lostRuleText(q.lang !== undefined ? t : translator('en'), rule);
    const header = q.header === 'labels' ? columns.map((c) => columnLabel(t, c)) : columns;
    // A person's file opens by double-click in their spreadsheet: its cells and decimals as their language
    // writes them. A machine's stays RFC 4180 unless it asks.
    const style = csvStyleOf(q, q.header === 'labels' ? spreadsheetCsv(t.lang) : PLAIN_CSV);
    const people = q.lang !== undefined ? { reasonTexts: t.lang === 'en' ? undefined : reasonTexts(t), column_labels: Object.fromEntries(columns.map((c) => [c, columnLabel(t, c)])) } : null;
    if (!state.tables.has('churn_scores')) {
      const reason = 'no data yet: churn scores (churn_scores) are not there; run the score job';
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(csvLine(header, style));
      if (q.format === 'arrow') throw new CxpError('CXP_ERR_NOT_FOUND', reason, { where: 'churn_scores' });
      return { as_of: state.as_of, freshness: state.freshness, available: false, empty_reason: reason, population, lost_rule, total: 0, counts: { at_risk: 0, lost: 0 }, limit, offset: q.offset, next_offset: null, columns, rows: [] };
    }
    // The list ranked by the score job (at_risk_list); the same SELECT as a CTE until a run has built it.
    const build = () => app.warehouse.withConnection((db) => atRiskSql(db, { ...q, limit, reasonTexts: people?.reasonTexts } as AtRiskQuery, state.tables.has('at_risk_list'), lost));
    if (q.format === 'csv') {
      const sql = await build();
      const csvSql = csvLinesSql(sql.select, style);
      const params = { ...sql.params, ...sql.selectParams, ...csvSql.params, limit, offset: q.offset };
      const conn = await app.warehouse.connect();
      // Streamed chunk by chunk: memory stays flat however many rows, the connection closes at the end.
      // Lines are built and escaped in DuckDB (csvLinesSql); JS only joins each chunk's lines.
      async function* lines() {
        try {
          await conn.run(CSV_MACRO);
          const result = await conn.stream(csvSql.sql, params);
          yield '\uFEFF' + csvLine(header, style);
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
    if (q.format === 'arrow') {
      const sql = await build();
      const rows = await app.warehouse.all(sql.select, { ...sql.params, ...sql.selectParams, limit, offset: q.offset });
      const table = tableFromJSON(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] instanceof Date ? (r[c] as Date).toISOString() : r[c]]))));
      return reply
        .type('application/vnd.apache.arrow.stream')
        .header('content-disposition', `attachment; filename="at-risk-${state.as_of ?? 'latest'}.arrows"`)
        .send(Buffer.from(tableToIPC(table, 'stream')));
    }
    // A page is the same for everyone until the data changes: computed once per data version.
    return app.data.cached(cacheKey('/api/customers/at-risk', { ...q, limit }), async () => {
      const sql = await build();
      const [rows, counts] = await Promise.all([
        app.warehouse.all(sql.select, { ...sql.params, ...sql.selectParams, limit, offset: q.offset }),
        app.warehouse.one<{ total: number; at_risk: number; lost: number }>(sql.counts, sql.params),
      ]);
      const total = Number(counts?.total ?? 0);
      return {
        as_of: state.as_of,
        freshness: state.freshness,
        available: true,
        population,
        lost_rule,
        total,
        counts: { at_risk: Number(counts?.at_risk ?? 0), lost: Number(counts?.lost ?? 0) },
        limit,
        offset: q.offset,
        next_offset: q.offset + rows.length < total ? q.offset + rows.length : null,
        columns,
        ...(people ? { column_labels: people.column_labels } : {}),
        rows,
      };
    });
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
    const profile = await app.warehouse.withConnection((db) => customerProfile(db, state.tables, req.params.id, app.data.timezone));
    return { as_of: state.as_of, freshness: state.freshness, profile };
  });
};
