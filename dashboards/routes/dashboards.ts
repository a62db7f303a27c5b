import type { FastifyPluginAsync } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import { serverConfigOf, type ServerConfig } from '../../pipelines/core/server-settings.js';
import type { DashboardConfig as Config } from '../config.js';
import { commonFilterProperties, type CommonFilters } from '../filters.js';
import { DASHBOARDS } from '../data/registry.js';
import { missingTables, noData, type ChartOut, type Dashboard, type DashboardData } from '../data/types.js';
import { renderSvg } from '../svg.js';
import { cacheKey, dataEnvelope, filtersFor } from './request-context.js';

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...commonFilterProperties,
    migration_from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'RFM dashboard: first snapshot date' },
    migration_to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'RFM dashboard: second snapshot date' },
  },
} as const;

const common = {
  ...dataEnvelope,
  name: { type: 'string' },
  title: { type: 'string' },
  filters: { type: 'object', additionalProperties: true },
  available: { type: 'boolean' },
  missing: { type: 'array', items: { type: 'string' } },
  filters_ignored: { type: 'array', items: { type: 'string' } },
  empty_reason: { type: 'string' },
  tiles: { type: 'array', items: { type: 'object', additionalProperties: true } },
};

type Query = CommonFilters & { migration_from?: string; migration_to?: string };

/** Loads a dashboard's data for a query, through the per-data-version cache. */
async function load(app: Parameters<FastifyPluginAsync>[0], d: Dashboard, q: Query, server: ServerConfig, config?: Config) {
  const { state, filters, asOf } = await filtersFor(app, q);
  return app.data.cached(cacheKey(`dashboard:${d.name}`, q as Record<string, unknown>), async () => {
    const missing = missingTables(state.tables, d.needs);
    const envelope = {
      name: d.name,
      title: d.title,
      as_of: state.as_of,
      freshness: state.freshness,
      filters: { from: filters.fromText, to: filters.toText, channel: q.channel ?? null, country: q.country ?? null, segment: q.segment ?? null },
    };
    if (missing.length > 0) {
      const empty: DashboardData = { available: false, missing, filters_ignored: [], tiles: [], data: {} };
      return { ...envelope, ...empty, empty_reason: noData(`waiting for ${missing.join(', ')}`), charts: [] as ChartOut[] };
    }
    const data = await app.warehouse.withConnection((db) => d.load({ db, asOf, config, tables: state.tables, filters, server, query: q as Record<string, unknown> }));
    return {
      ...envelope,
      ...data,
      ...(data.available ? {} : { empty_reason: noData('nothing matches these filters, or the pipeline has not loaded any rows') }),
      charts: d.charts(data),
    };
  });
}

export interface DashboardRoutesOptions {
  server?: ServerConfig;
  config?: Config;
}

/** Metric endpoints (data only) and dashboard endpoints (data as Vega-Lite specs), one pair per dashboard. */
export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, opts) => {
  const server = opts.server ?? serverConfigOf({});
  for (const d of DASHBOARDS) {
    app.get<{ Querystring: Query }>(`/api/metrics/${d.name}`, {
      config: { role: 'viewer' },
      schema: {
        tags: ['metrics'],
        summary: `${d.title}: the figures behind the dashboard's charts`,
        querystring,
        response: {
          200: { type: 'object', required: ['as_of', 'freshness'], properties: { ...common, data: { type: 'object', additionalProperties: true } } },
          400: { $ref: 'CxpError#' },
        },
      },
    }, async (req, reply) => {
      // The serialised body is cached too: under load a request costs a lookup, not a JSON.stringify.
      const body = await app.data.cached(cacheKey(`json:metrics:${d.name}`, req.query as Record<string, unknown>), async () => {
        const { charts: _charts, ...rest } = await load(app, d, req.query, server, opts.config);
        return JSON.stringify(rest);
      });
      return reply.type('application/json; charset=utf-8').send(body);
    });
    app.get<{ Querystring: Query }>(`/api/dashboards/${d.name}`, {
      config: { role: 'viewer' },
      schema: {
        tags: ['dashboards'],
        summary: `${d.title}: tiles and Vega-Lite chart specs (data inlined)`,
        querystring,
        response: {
          200: {
            type: 'object',
            required: ['as_of', 'freshness'],
            properties: {
              ...common,
              charts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, title: { type: 'string' }, spec: { type: ['object', 'null'], additionalProperties: true }, empty: { type: 'string' }, note: { type: 'string' } },
                },
              },
            },
          },
          400: { $ref: 'CxpError#' },
        },
      },
    }, async (req, reply) => {
      const body = await app.data.cached(cacheKey(`json:dashboard:${d.name}`, req.query as Record<string, unknown>), async () => {
        const { data: _data, ...rest } = await load(app, d, req.query, server, opts.config);
        return JSON.stringify(rest);
      });
      return reply.type('application/json; charset=utf-8').send(body);
    });
  }

  app.get<{ Params: { file: string }; Querystring: Query }>('/dashboards/:file', {
    config: { role: 'viewer' },
    schema: {
      tags: ['dashboards'],
      summary: 'one chart rendered to SVG on the server: /dashboards/<dashboard>-<chart>.svg',
      params: { type: 'object', properties: { file: { type: 'string', pattern: '^[a-z0-9-]+\\.svg$' } }, required: ['file'] },
      querystring,
    },
  }, async (req, reply) => {
    const id = req.params.file.replace(/\.svg$/, '');
    const d = DASHBOARDS.find((x) => id.startsWith(`${x.name}-`));
    if (!d) throw new CxpError('CXP_ERR_NOT_FOUND', `no chart "${id}"`, { where: 'path.file', field: 'file', hint: `names look like ${DASHBOARDS.map((x) => `${x.name}-…`).join(', ')}` });
    const out = await load(app, d, req.query, server, opts.config);
    const chart = out.charts.find((c) => `${d.name}-${c.id}` === id);
    if (!chart) {
      throw new CxpError('CXP_ERR_NOT_FOUND', `no chart "${id}"`, { where: 'path.file', field: 'file', hint: `charts of ${d.name}: ${out.charts.map((c) => `${d.name}-${c.id}`).join(', ') || '(none yet)'}` });
    }
    const svg = await renderSvg(chart, { asOf: out.as_of, stale: out.freshness.status !== 'fresh' });
    reply.header('x-cxpulse-as-of', out.as_of ?? 'none').header('x-cxpulse-freshness', out.freshness.status);
    reply.type('image/svg+xml').send(svg);
  });
};
