import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { DASHBOARD_NAMES } from '../data/registry.js';
import type { GlossaryKey } from '../i18n/en.js';
import { GLOSSARIES, LANGS, pickLang, translator, type Lang } from '../i18n/translate.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dashboards/static, whether running from source (tsx) or from dist (the build copies nothing: read the source folder). */
export const STATIC_DIR = join(here, '..', 'static').replace(`${join('dist', 'dashboards')}`, 'dashboards');

/**
 * The menu: the dashboards in module-list order (data/registry.ts), then the customer list. The contacts
 * list and the customer page are reached by drilling down, not from the menu.
 */
export const MENU: readonly string[] = [...DASHBOARD_NAMES, 'customers'];
export const PAGES: readonly string[] = [...MENU, 'interactions', 'customer'];
type PageName = string;

const escapeHtml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
// JSON inside <script>: no "</" or "<!--" can close or comment out the element.
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** Every page is the same shell (static/page.html) in the request's language; app.js fills it from data-page. */
function renderPage(template: string, page: PageName, lang: Lang, currency: string): string {
  const t = translator(lang);
  const name = (p: string) => (t.has(`nav.${p}`) ? t.t(`nav.${p}` as GlossaryKey) : p);
  const title = name(page);
  const nav = MENU.map((p) => {
    const current = p === page || (p === 'customers' && page === 'customer');
    return `<a href="/${p}?lang=${lang}" data-page="${p}"${current ? ' aria-current="page" class="active"' : ''}>${escapeHtml(name(p))}</a>`;
  }).join('');
  const langs = LANGS.map((l) => {
    const name = GLOSSARIES[l][`lang.${l}` as GlossaryKey];
    return `<a href="/${page}?lang=${l}" data-lang="${l}" hreflang="${l}" lang="${l}"${l === lang ? ' aria-current="true" class="active"' : ''}>${escapeHtml(name)}</a>`;
  }).join('');
  const vars: Record<string, string> = {
    lang,
    page,
    title: escapeHtml(title),
    skip: escapeHtml(t.t('nav.skip')),
    navLabel: escapeHtml(t.t('nav.label')),
    langLabel: escapeHtml(t.t('lang.label')),
    filterLabel: escapeHtml(t.t('filter.label')),
    loading: escapeHtml(t.t('status.loading')),
    nav,
    langs,
    i18n: scriptJson({ lang, currency, glossary: GLOSSARIES[lang] }),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => vars[k] ?? m);
}

/** Folders holding the browser builds of vega, vega-lite and vega-embed, found through node resolution. */
function vendorDirs(): { prefix: string; root: string }[] {
  const require = createRequire(import.meta.url);
  return ['vega', 'vega-lite', 'vega-embed'].map((name) => ({
    prefix: `/vendor/${name}/`,
    // vega's exports map hides package.json: take the main entry and cut at the package folder.
    root: join(require.resolve(name).split(`${sep}node_modules${sep}${name}${sep}`)[0], 'node_modules', name, 'build'),
  }));
}

/** The pages and their scripts; vega libraries from node_modules, never a CDN. Public: no data in them. */
export const pageRoutes: FastifyPluginAsync<{ currency?: string }> = async (app, opts) => {
  await app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', index: false, schemaHide: true });
  for (const v of vendorDirs()) {
    await app.register(fastifyStatic, {
      root: v.root,
      prefix: v.prefix,
      decorateReply: false,
      index: false,
      schemaHide: true,
      // Only the minified browser bundles and their maps.
      allowedPath: (path) => /^\/[a-z-]+\.min\.js(\.map)?$/.test(path),
      maxAge: '1d',
    });
  }
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/overview'));
  const template = readFileSync(join(STATIC_DIR, 'page.html'), 'utf8');
  const html = new Map<string, string>();
  for (const p of PAGES) for (const l of LANGS) html.set(`${p}|${l}`, renderPage(template, p, l, opts.currency ?? 'EUR'));
  for (const p of PAGES) {
    app.get<{ Querystring: { lang?: string } }>(`/${p}`, { schema: { hide: true } }, (req, reply) => {
      // ?lang= first, then Accept-Language; the page puts the language it got into the URL.
      const lang = pickLang(req.query.lang, req.headers['accept-language']);
      reply.header('content-language', lang).header('vary', 'Accept-Language');
      return reply.type('text/html; charset=utf-8').send(html.get(`${p}|${lang}`)!);
    });
  }
};
