import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../dashboards/server.js';
import { en } from '../../dashboards/i18n/en.js';
import { MENU } from '../../dashboards/routes/pages.js';
import { GLOSSARIES, type Lang } from '../../dashboards/i18n/translate.js';
import { fromRoot } from '../../pipelines/core/paths.js';
import { launchBrowser } from './browser-helpers.js';
import { createFixture, type Fixture } from './fixtures.js';

/**
 * The pages as a manager on a phone or a desk sees them, in Chinese and Latvian, in real headless
 * Chromium: no page wider than the screen (390 px and 1400 px), every label translated (the rendered
 * text is checked against the English glossary), every chart named for screen readers, axe-core finds
 * no serious or critical problem, and a click on a segment bar opens the customers behind it.
 * Screenshots of every page, both widths, both languages: tests/artifacts/dashboards-i18n/.
 */
const ARTIFACTS = fromRoot('tests', 'artifacts', 'dashboards-i18n');
const PAGES = ['overview', 'satisfaction', 'service', 'rfm', 'churn', 'customers?segment=Champions', 'interactions?channel=chat&kind=complaint', 'customer?id=c00001'];
const LANGS: Lang[] = ['zh-CN', 'lv'];
const WIDTHS = [390, 1400];

// The bundled Chromium reads only its own few fonts; the system's fonts (CJK among them, where installed)
// make the Chinese screenshots readable. Set before the bundle would set its default.
if (!process.env.FONTCONFIG_PATH && existsSync('/etc/fonts/fonts.conf')) process.env.FONTCONFIG_PATH = '/etc/fonts';

let fx: Fixture;
let server: RunningServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fx = await createFixture();
  server = await startServer({ warehouse: fx.warehouse, host: '127.0.0.1', port: 0, env: {} });
  ({ browser, close: closeBrowser } = await launchBrowser());
  page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${String(e)}`));
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  fx?.close();
});

async function open(path: string, lang: Lang): Promise<void> {
  await page.goto(`${server.url}/${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
  await page.waitForSelector('main[data-loaded="true"], main[data-loaded="error"]', { timeout: 30_000 });
  expect(await page.getAttribute('main', 'data-loaded'), path).toBe('true');
}

/**
 * English phrases that must not be on a page in `lang`: every English glossary text (or the longest
 * literal part of a template) that the language translates differently and that does not occur inside
 * the language's own texts (acronyms such as NPS or SLA stay).
 */
function englishLeftovers(lang: Lang): string[] {
  const target = Object.values(GLOSSARIES[lang]);
  const out = new Set<string>();
  for (const [k, text] of Object.entries(en)) {
    if (k.startsWith('fmt.') || k.startsWith('lang.')) continue;
    const literal = text.split(/\{\w+\}/).map((s) => s.trim()).sort((a, b) => b.length - a.length)[0];
    if (!literal || literal.replace(/[^A-Za-z]/g, '').length < 4) continue;
    if ((GLOSSARIES[lang] as Record<string, string>)[k] === text) continue;
    if (target.some((x) => x.includes(literal))) continue;
    out.add(literal);
  }
  return [...out];
}

/**
 * A list table squeezed into a narrow screen: Latin words and numbers in its cells broken across lines
 * (a customer ID one character per line), and rows more than 4 lines tall. Tables scroll sideways in
 * their card instead (.table-wrap). Chinese text breaks between characters by design and is not looked at;
 * hyphens are break points, so a hyphenated word counts as two.
 */
async function tableSqueeze(p: Page): Promise<{ broken: string[]; tall: string[] }> {
  return p.evaluate(() => {
    const broken: string[] = [];
    const tall: string[] = [];
    for (const cell of Array.from(document.querySelectorAll('.table-wrap td, .table-wrap th'))) {
      if (!cell.getClientRects().length) continue; // in a closed <details>: not laid out
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        const word = /[A-Za-z0-9\u00C0-\u024F\u20AC%.,:@_']{2,}/g;
        for (let m = word.exec(text); m; m = word.exec(text)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const lines = new Set(Array.from(r.getClientRects()).map((x) => Math.round(x.top)));
          if (lines.size > 1) broken.push(m[0]);
        }
      }
    }
    for (const row of Array.from(document.querySelectorAll('.table-wrap tbody tr'))) {
      const cell = row.querySelector('td');
      if (!cell || !row.getClientRects().length) continue;
      const line = parseFloat(getComputedStyle(cell).lineHeight);
      if (row.getBoundingClientRect().height > 4 * line + 14) tall.push((row.textContent ?? '').slice(0, 40));
    }
    return { broken: broken.slice(0, 5), tall: tall.slice(0, 3) };
  });
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('dashboards in Chinese and Latvian, on a phone and a desk', () => {
  it('the English-leftover check knows the English menu and tile titles (so it can fail)', () => {
    for (const lang of LANGS) expect(englishLeftovers(lang)).toEqual(expect.arrayContaining(['Overview', 'Satisfaction', 'Revenue at risk', 'Repurchase rate', 'Customers by RFM segment']));
  });

  // One page load per page and language: drawn fresh at phone width, then widened to a desk (the charts
  // re-fit their containers as they do when a window is resized).
  const axeSource = readFileSync(fromRoot('node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  for (const lang of LANGS) {
    it(`${lang}: no page scrolls sideways; every label is translated; charts are named; axe finds nothing serious`, async () => {
      const leftovers = englishLeftovers(lang).map((p) => ({ p, re: new RegExp(`(?<![A-Za-z])${escapeRe(p)}(?![A-Za-z])`) }));
      for (const path of PAGES) {
        const base = `${path.split('?')[0]}-${lang}`;
        for (const width of WIDTHS) {
          await page.setViewportSize({ width, height: 900 });
          if (width === WIDTHS[0]) await open(path, lang);
          else await page.waitForFunction(() => Array.from(document.querySelectorAll('.chart[data-state="drawn"] .vis svg')).every((s) => s.getBoundingClientRect().width <= window.innerWidth), undefined, { timeout: 10_000 });
          await page.waitForTimeout(200);
          const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
          expect(scrollWidth, `${base}-${width}: page wider than the screen`).toBeLessThanOrEqual(innerWidth);
          const squeezed = await tableSqueeze(page);
          expect(squeezed.broken, `${base}-${width}: words broken inside table cells`).toEqual([]);
          expect(squeezed.tall, `${base}-${width}: table rows taller than 4 lines`).toEqual([]);
          await page.screenshot({ path: join(ARTIFACTS, `${base}-${width}.png`), fullPage: true });
        }
        const name = `${base}-1400`;

        // The menu and the tile titles read in the page's language.
        const nav = await page.locator('#nav a').allTextContents();
        expect(nav, name).toEqual(MENU.map((p) => GLOSSARIES[lang][`nav.${p}` as keyof typeof en]));
        for (const title of await page.locator('.tile h2').allTextContents()) {
          expect(Object.values(en), `${name}: tile "${title}" is English`).not.toContain(title);
        }
        // No English glossary text anywhere on the page, charts (SVG text) and data tables included.
        const text = await page.evaluate(() => {
          document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''));
          return document.body.innerText + '\n' + Array.from(document.querySelectorAll('svg text')).map((t) => t.textContent).join('\n');
        });
        const found = leftovers.filter((l) => l.re.test(text)).map((l) => l.p);
        expect(found, `${name}: English left on the page`).toEqual([]);

        // Every drawn chart has an accessible name: its title.
        const charts = await page.locator('.chart[data-state="drawn"]').all();
        for (const c of charts) {
          const title = await c.locator('h2').textContent();
          expect(await c.locator('svg').first().getAttribute('aria-label'), name).toBe(title);
          expect(await c.getAttribute('aria-labelledby'), name).toBeTruthy();
        }
        if (path === 'overview' || path === 'rfm') expect(charts.length, name).toBeGreaterThan(0);

        // axe once per page (in Latvian, the longer words): the markup is the same in both languages.
        // Evaluated through the DevTools protocol: the pages' CSP (rightly) refuses injected script tags.
        if (lang !== 'lv') continue;
        await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const r = await (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
          return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        });
        expect(violations, `${name}: axe`).toEqual([]);
      }
      expect(errors).toEqual([]);
    }, 300_000);
  }

  it('a click on a segment bar opens the customers of that segment, with the filter in the URL; breadcrumbs lead back', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await open('rfm', 'lv');
    const bar = page.locator('#chart-segment-sizes svg g.mark-rect path').first();
    const label = (await bar.getAttribute('aria-label')) ?? '';
    await Promise.all([page.waitForURL(/\/customers\?/), bar.click()]);
    await page.waitForSelector('main[data-loaded="true"]');
    const url = new URL(page.url());
    const segment = url.searchParams.get('segment');
    expect(segment).toBeTruthy();
    expect(url.searchParams.get('lang')).toBe('lv');
    // The URL has the stored segment; the page shows its Latvian name, as the bar's label did.
    const shown = GLOSSARIES.lv[`segment.${segment}` as keyof typeof en];
    expect(label).toContain(shown);
    expect(await page.locator('#list-filters').textContent()).toContain(shown);
    const rows = page.locator('#customer-list tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    const n = await fx.warehouse.one<{ n: number }>('select count(*)::integer as n from customer_value where rfm_segment = $s', { s: segment! });
    expect(await page.locator('#customer-list-count').textContent()).toContain(String(n!.n));
    for (const cell of await page.locator('#customer-list tbody tr td:nth-child(3)').allTextContents()) expect(cell).toBe(shown);
    await page.screenshot({ path: join(ARTIFACTS, 'drill-segment-lv-1400.png'), fullPage: true });

    // List -> customer page -> back to the same filtered list through the breadcrumbs.
    const first = page.locator('#customer-list tbody a').first();
    const id = await first.textContent();
    await Promise.all([page.waitForURL(/\/customer\?/), first.click()]);
    await page.waitForSelector('main[data-loaded="true"]');
    expect(await page.locator('h1').textContent()).toBe(GLOSSARIES.lv['customer.title'].replace('{id}', id!));
    expect(await page.locator('#timeline li').count()).toBeGreaterThan(0);
    const crumb = page.locator('#crumbs a', { hasText: GLOSSARIES.lv['nav.customers'] });
    await Promise.all([page.waitForURL(/\/customers\?/), crumb.click()]);
    await page.waitForSelector('main[data-loaded="true"]');
    expect(new URL(page.url()).searchParams.get('segment')).toBe(segment);
    expect(errors).toEqual([]);
  }, 120_000);

  /** Clicks the first mark matching `selector` and waits for the list page it opens. */
  async function drill(selector: string, list: RegExp): Promise<URL> {
    const mark = page.locator(selector).first();
    await mark.scrollIntoViewIfNeeded();
    await Promise.all([page.waitForURL(list), mark.click({ force: true })]);
    await page.waitForSelector('main[data-loaded="true"]');
    return new URL(page.url());
  }

  it('a click on a month point opens that month\'s contacts; on a country bar, that country\'s customers; breadcrumbs lead back', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await open('service', 'zh-CN');
    let url = await drill('#chart-contacts-by-month svg g.mark-symbol path', /\/interactions\?/);
    const month = url.searchParams.get('month');
    expect(month).toMatch(/^\d{4}-\d{2}$/);
    expect([url.searchParams.get('back'), url.searchParams.get('lang')]).toEqual(['service', 'zh-CN']);
    const contacts = await fx.warehouse.one<{ n: number }>("select count(*)::integer as n from interactions where strftime(opened_at, '%Y-%m') = $m", { m: month! });
    expect(await page.locator('#interaction-list-count').textContent()).toContain(String(contacts!.n));
    expect(await page.locator('#list-filters').textContent()).toContain(GLOSSARIES['zh-CN']['filter.month']);
    await page.screenshot({ path: join(ARTIFACTS, 'drill-month-zh-CN-1400.png'), fullPage: true });
    const back = page.locator('#crumbs a', { hasText: GLOSSARIES['zh-CN']['nav.service'] });
    await Promise.all([page.waitForURL(/\/service\?/), back.click()]);
    await page.waitForSelector('main[data-loaded="true"]');

    await open('overview', 'zh-CN');
    url = await drill('#chart-countries svg g.mark-rect path', /\/customers\?/);
    const country = url.searchParams.get('country');
    const n = await fx.warehouse.one<{ n: number }>('select count(*)::integer as n from customers where country = $c', { c: country! });
    expect(await page.locator('#customer-list-count').textContent()).toContain(String(n!.n));
    for (const cell of await page.locator('#customer-list tbody tr td:nth-child(2)').allTextContents()) expect(cell).toBe(country);
    expect(errors).toEqual([]);
  }, 120_000);

  it('a click on a lifecycle-flow cell opens the customers who moved, named in words', async () => {
    await page.setViewportSize({ width: 390, height: 900 });
    await open('rfm', 'lv');
    const url = await drill('#chart-lifecycle-flow svg g.mark-rect path', /\/customers\?/);
    const p = url.searchParams;
    expect([p.get('flow_from'), p.get('flow_to')]).toEqual(['2026-05-31', '2026-06-30']);
    const [from, to] = [p.get('stage_from')!, p.get('stage_to')!];
    const n = await fx.warehouse.one<{ n: number }>(
      `select count(*)::integer as n from (select customer_id, lifecycle_stage from rfm_history where as_of = date '2026-05-31') a
       full outer join (select customer_id, lifecycle_stage from rfm_history where as_of = date '2026-06-30') b using (customer_id)
       where coalesce(a.lifecycle_stage, '(absent)') = $f and coalesce(b.lifecycle_stage, '(absent)') = $t`,
      { f: from, t: to },
    );
    expect(await page.locator('#customer-list-count').textContent()).toContain(String(n!.n));
    const filters = (await page.locator('#list-filters').textContent()) ?? '';
    expect(filters).toContain(GLOSSARIES.lv['filter.flow']);
    expect(filters).toContain(GLOSSARIES.lv[`stage.${from}` as keyof typeof en]);
    const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await page.screenshot({ path: join(ARTIFACTS, 'drill-flow-lv-390.png'), fullPage: true });
    const back = page.locator('#crumbs a', { hasText: GLOSSARIES.lv['nav.rfm'] });
    await Promise.all([page.waitForURL(/\/rfm\?/), back.click()]);
    await page.waitForSelector('main[data-loaded="true"]');
    // The cohorts by signup month instead: the choice goes into the URL and the title says it.
    await page.locator('#chart-cohorts a[data-toggle="cohort_basis"]').click();
    await page.waitForFunction(() => location.search.includes('cohort_basis=signup'));
    await page.waitForSelector('main[data-loaded="true"]');
    expect(await page.locator('#chart-title-cohorts').textContent()).toBe(GLOSSARIES.lv['chart.cohorts_signup']);
    expect(errors).toEqual([]);
  }, 120_000);
});
