import type { FastifyPluginAsync } from 'fastify';
import { OPEN_MODE_WARNING } from '../plugins/auth.js';
import { DASHBOARDS } from '../data/registry.js';
import { missingTables } from '../data/types.js';
import { parseIsoDate } from '../../pipelines/core/clock.js';
import { CHANNELS, recentPeriods, type PeriodKind } from '../filters.js';
import { dataEnvelope, knownValues, langProperty, requestTranslator } from './request-context.js';

const day = (d: Date) => d.toISOString().slice(0, 10);
const periodList = { type: 'array', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, label: { type: 'string' } } } } as const;

/** Health (for probes) and status (what the pages need to draw the banner and the menu). Public. */
export const metaRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/health', {
    schema: { tags: ['meta'], summary: 'liveness', response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } },
  }, async () => ({ ok: true }));

  app.get('/api/status', {
    schema: {
      tags: ['meta'],
      summary: 'auth mode, data date and freshness, which dashboards have data',
      response: {
        200: {
          type: 'object',
          properties: {
            ...dataEnvelope,
            auth: { type: 'object', properties: { mode: { type: 'string' }, warning: { type: ['string', 'null'] }, role: { type: ['string', 'null'] } } },
            dashboards: {
              type: 'array',
              items: { type: 'object', properties: { name: { type: 'string' }, title: { type: 'string' }, available: { type: 'boolean' }, missing: { type: 'array', items: { type: 'string' } } } },
            },
          },
        },
      },
    },
  }, async (req) => {
    const s = await app.data.state();
    return {
      as_of: s.as_of,
      freshness: s.freshness,
      auth: { mode: app.authMode, warning: app.authMode === 'open' ? OPEN_MODE_WARNING : null, role: req.principal?.role ?? null },
      dashboards: DASHBOARDS.map((d) => {
        const missing = missingTables(s.tables, d.needs);
        return { name: d.name, title: d.title, available: missing.length === 0, missing };
      }),
    };
  });

  app.get('/api/filters', {
    config: { role: 'viewer' },
    schema: {
      tags: ['meta'],
      summary: 'values the filter bar offers: channels, countries, RFM segments, lifecycle stages, and recent weeks, months and quarters',
      querystring: { type: 'object', additionalProperties: false, properties: { ...langProperty } },
      response: {
        200: {
          type: 'object',
          properties: {
            ...dataEnvelope,
            channels: { type: 'array', items: { type: 'string' } },
            countries: { type: 'array', items: { type: 'string' } },
            segments: { type: 'array', items: { type: 'string' } },
            lifecycle_stages: { type: 'array', items: { type: 'string' } },
            periods: {
              type: 'object',
              description: 'complete periods ending on or before as_of, newest first, named in the request language (from/to inclusive)',
              properties: { week: periodList, month: periodList, quarter: periodList },
            },
          },
        },
      },
    },
  }, async (req) => {
    const s = await app.data.state();
    const k = await knownValues(app);
    const t = requestTranslator(req);
    const asOf = (s.as_of && parseIsoDate(s.as_of)) || undefined;
    const list = (kind: PeriodKind, n: number) =>
      asOf ? recentPeriods(kind, asOf, n).map((p) => ({ from: day(p.from), to: day(new Date(p.toExclusive.getTime() - 86_400_000)), label: t.period(p.from, p.toExclusive) })) : [];
    return {
      as_of: s.as_of,
      freshness: s.freshness,
      channels: [...CHANNELS],
      countries: k.countries,
      segments: k.segments ?? [],
      lifecycle_stages: k.lifecycle_stages ?? [],
      periods: { week: list('week', 12), month: list('month', 12), quarter: list('quarter', 8) },
    };
  });
};
