import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LANGS, pickLang, translator, type Translator } from '../i18n/translate.js';
import { parseIsoDate } from '../../pipelines/core/clock.js';
import { localDay } from '../../pipelines/core/time-zone.js';
import { DISPLAY_SETTINGS } from '../../pipelines/core/display-settings.js';
import { checkKnownValue, resolveFilters, type CommonFilters, type ResolvedFilters } from '../filters.js';
import type { DataState } from '../plugins/warehouse.js';

export interface KnownValues {
  countries: string[];
  segments?: string[];
  lifecycle_stages?: string[];
}

/** Distinct countries, segments and stages, for validating filters (cached per data version). */
export function knownValues(app: FastifyInstance): Promise<KnownValues> {
  return app.data.cached('known-values', async (s) => {
    const list = async (sql: string) => (await app.warehouse.all<{ v: string }>(sql)).map((r) => r.v);
    const countries = await list('select distinct country as v from customers where country is not null order by v');
    if (!s.tables.has('customer_value')) return { countries };
    return {
      countries,
      segments: await list('select distinct rfm_segment as v from customer_value where rfm_segment is not null order by v'),
      lifecycle_stages: await list('select distinct lifecycle_stage as v from customer_value where lifecycle_stage is not null order by v'),
    };
  });
}

/** The data state plus validated filters; 400 naming the field for a date, country or segment that cannot match. */
export async function filtersFor(app: FastifyInstance, q: CommonFilters, state?: DataState): Promise<{ state: DataState; filters: ResolvedFilters; asOf: Date }> {
  const s = state ?? (await app.data.state());
  const known = await knownValues(app);
  checkKnownValue('country', q.country, known.countries);
  checkKnownValue('segment', q.segment, known.segments);
  // No data yet: today (the local date in the config's zone) by the injected clock, so tests and replays pin it.
  const asOf = (s.as_of && parseIsoDate(s.as_of)) || localDay(app.data.clock.now(), app.data.timezone);
  return { state: s, filters: resolveFilters(q, asOf, app.data.timezone), asOf };
}

/** A stable cache key from a route and its (already validated) query. */
export function cacheKey(route: string, q: Record<string, unknown>): string {
  return `${route}?${Object.keys(q).sort().map((k) => `${k}=${String(q[k])}`).join('&')}`;
}

export const freshnessSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['fresh', 'stale', 'no_runs'] },
    last_run_id: { type: ['string', 'null'] },
    last_success_at: { type: ['string', 'null'] },
    age_hours: { type: ['number', 'null'] },
    stale_after_hours: { type: 'number' },
    is_running: { type: 'boolean' },
    stale_sources: {
      type: 'array',
      items: {
        type: 'object',
        properties: { source: { type: 'string' }, age_hours: { type: ['number', 'null'] }, max_age_hours: { type: ['number', 'null'] }, reason: { type: ['string', 'null'] } },
      },
    },
  },
  required: ['status'],
} as const;

/** as_of and freshness: on every response that shows data. */
export const dataEnvelope = {
  as_of: { type: ['string', 'null'], description: 'the analysis date (YYYY-MM-DD) the data describes' },
  freshness: freshnessSchema,
} as const;

/** `lang` on every route whose answer has text for people; the Accept-Language header is used without it. */
export const langProperty = {
  lang: { type: 'string', enum: [...LANGS], description: 'language of labels, units and messages (default: Accept-Language, else en)' },
} as const;

/** The display currency (ISO 4217) from config `display.currency` (default EUR). */
export function displayCurrency(config: { display?: unknown } | undefined): string {
  return DISPLAY_SETTINGS.read(config?.display).currency;
}

/** The translator for a request: ?lang=, else Accept-Language, else English; money in the display currency. */
export function requestTranslator(req: FastifyRequest, config?: { display?: unknown }): Translator {
  const q = req.query as { lang?: string } | undefined;
  return translator(pickLang(q?.lang, req.headers['accept-language']), { currency: displayCurrency(config) });
}
