import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));
/** dashboards/static, whether running from source (tsx) or from dist (the build copies nothing: read the source folder). */
export const STATIC_DIR = join(here, '..', 'static').replace(`${join('dist', 'dashboards')}`, 'dashboards');

export const PAGES = ['overview', 'satisfaction', 'service', 'rfm', 'churn', 'customer'] as const;

const TITLES: Record<(typeof PAGES)[number], string> = {
  overview: 'Overview',
  satisfaction: 'Satisfaction',
  service: 'Service',
  rfm: 'RFM & value',
  churn: 'Churn',
  customer: 'Customer',
};

/** Every page is the same shell (static/page.html); app.js fills it from data-page. */
function renderPage(template: string, page: (typeof PAGES)[number]): string {
  return template.replaceAll('{{title}}', TITLES[page].replaceAll('&', '&amp;')).replaceAll('{{page}}', page);
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
export const pageRoutes: FastifyPluginAsync = async (app) => {
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
  for (const p of PAGES) {
    const html = renderPage(template, p);
    app.get(`/${p}`, { schema: { hide: true } }, (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  }
};
