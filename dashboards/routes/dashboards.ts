import type { FastifyPluginAsync } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import { serverConfigOf, type ServerConfig } from '../../pipelines/core/server-settings.js';
import type { DashboardConfig as Config } from '../config.js';
import { commonFilterProperties, type CommonFilters } from '../filters.js';
import { DASHBOARDS } from '../data/registry.js';
import { missingTables, noData, type ChartOut, type Dashboard, type DashboardData } from '../data/types.js';
import type { GlossaryKey } from '../i18n/en.js';
import type { Translator } from '../i18n/translate.js';
import { finishChart, periodInfo, presentTile } from '../present.js';
import { renderSvg } from '../svg.js';
import { cacheKey, dataEnvelope, filtersFor, langProperty, requestTranslator } from './request-context.js';

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...commonFilterProperties,
    migration_from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'RFM dashboard: first snapshot date' },
    migration_to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'RFM dashboard: second snapshot date' },
    flow_from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'RFM dashboard, lifecycle flow: date A (default: the period\'s first day)' },
    flow_to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'RFM dashboard, lifecycle flow: date B (default: the period\'s last day)' },
    cohort_basis: { type: 'string', enum: ['first_purchase', 'signup'], description: 'RFM dashboard, cohort retention: cohorts by first-purchase month (default) or signup month' },
    ...langProperty,
  },
} as const;

const common = {
  ...dataEnvelope,
  lang: { type: 'string' },
  period: { type: 'object', properties: { current: { type: 'string' }, previous: { type: 'string' }, vs: { type: 'string' } }, description: 'the periods compared, named for people' },
  name: { type: 'string' },
  title: { type: 'string' },
  filters: { type: 'object', additionalProperties: true },
  available: { type: 'boolean' },
  missing: { type: 'array', items: { type: 'string' } },
  filters_ignored: { type: 'array', items: { type: 'string' } },
  empty_reason: { type: 'string' },
  tiles: { type: 'array', items: { type: 'object', additionalProperties: true } },
  highlights: { type: 'array', description: 'tiles whose change is significant, in words, with a link to the page that explains it', items: { type: 'object', additionalProperties: true } },
};

type Query = CommonFilters & { migration_from?: string; migration_to?: string; flow_from?: string; flow_to?: string; cohort_basis?: string; lang?: string; period?: string };

/** Loads a dashboard's data for a query, through the per-data-version cache. */
async function load(app: Parameters<FastifyPluginAsync>[0], d: Dashboard, q: Query, server: ServerConfig, config: Config | undefined, t: Translator) {
  const { state, filters, asOf } = await filtersFor(app, q);
  return app.data.cached(cacheKey(`dashboard:${d.name}`, { ...q, lang: t.lang } as Record<string, unknown>), async () => {
    const period = periodInfo(filters, t);
    const missing = missingTables(state.tables, d.needs);
    const envelope = {
      name: d.name,
      title: t.has(`nav.${d.name}`) ? t.t(`nav.${d.name}` as GlossaryKey) : d.title,
      lang: t.lang,
      period,
      as_of: state.as_of,
      freshness: state.freshness,
      filters: { from: filters.fromText, to: filters.toText, channel: q.channel ?? null, country: q.country ?? null, segment: q.segment ?? null },
    };
    if (missing.length > 0) {
      const empty: DashboardData = { available: false, missing, filters_ignored: [], tiles: [], data: {} };
      return { ...envelope, ...empty, empty_reason: noData(missing.join(', '), t), charts: [] as ChartOut[] };
    }
    const data = await app.warehouse.withConnection((db) => d.load({ db, asOf, config, tables: state.tables, filters, server, query: q as Record<string, unknown>, t }));
    const tiles = data.tiles.map((x) => presentTile(x, t, period));
    // What changed significantly, each with the page that explains it.
    const highlights = tiles.filter((x) => x.change?.is_significant && x.change_text).map((x) => ({ id: x.id, text: `${x.label}: ${x.change_text}`, link: x.link ?? null }));
    return {
      ...envelope,
      ...data,
      tiles,
      highlights,
      ...(data.available ? {} : { empty_reason: t.t('empty.no_match') }),
      charts: d.charts(data, t).map((c) => finishChart(c, t)),
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
      const body = await app.data.cached(cacheKey(`json:metrics:${d.name}`, { ...req.query, lang: requestTranslator(req, opts.config).lang } as Record<string, unknown>), async () => {
        const { charts: _charts, ...rest } = await load(app, d, req.query, server, opts.config, requestTranslator(req, opts.config));
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
                  properties: {
                    id: { type: 'string' },
                    title: { type: 'string', description: "in the request's language; also the chart's accessible name" },
                    spec: { type: ['object', 'null'], additionalProperties: true },
                    empty: { type: 'string' },
                    note: { type: 'string' },
                    drill: { type: 'object', additionalProperties: true, description: 'a click opens /<page>?<param>=<datum[field]>' },
                    table: { type: ['object', 'null'], additionalProperties: true, description: 'the chart data as a table, formatted for people' },
                  },
                },
              },
            },
          },
          400: { $ref: 'CxpError#' },
        },
      },
    }, async (req, reply) => {
      const body = await app.data.cached(cacheKey(`json:dashboard:${d.name}`, { ...req.query, lang: requestTranslator(req, opts.config).lang } as Record<string, unknown>), async () => {
        const { data: _data, ...rest } = await load(app, d, req.query, server, opts.config, requestTranslator(req, opts.config));
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
    const out = await load(app, d, req.query, server, opts.config, requestTranslator(req, opts.config));
    const chart = out.charts.find((c) => `${d.name}-${c.id}` === id);
    if (!chart) {
      throw new CxpError('CXP_ERR_NOT_FOUND', `no chart "${id}"`, { where: 'path.file', field: 'file', hint: `charts of ${d.name}: ${out.charts.map((c) => `${d.name}-${c.id}`).join(', ') || '(none yet)'}` });
    }
    const svg = await renderSvg(chart, { asOf: out.as_of, stale: out.freshness.status !== 'fresh' });
    reply.header('x-cxpulse-as-of', out.as_of ?? 'none').header('x-cxpulse-freshness', out.freshness.status);
    reply.type('image/svg+xml').send(svg);
  });
};
