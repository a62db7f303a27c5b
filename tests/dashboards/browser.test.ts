import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../dashboards/server.js';
import { fromRoot } from '../../pipelines/core/paths.js';
import { launchBrowser, openPage } from './browser-helpers.js';
import { createFixture, type Fixture } from './fixtures.js';

/**
 * Real headless Chromium (tests/helpers/chromium.ts finds one) against a real server on loopback. Set
 * CXP_DASH_WAREHOUSE to a warehouse file (e.g. the sample pipeline's) to run on it instead of the fixture;
 * screenshots then go to tests/artifacts/dashboards-warehouse/ (fixture: tests/artifacts/dashboards/).
 */
const ARTIFACTS = fromRoot('tests', 'artifacts', process.env.CXP_DASH_WAREHOUSE ? 'dashboards-warehouse' : 'dashboards');
const EXPECTED_CHARTS: Record<string, number> = { overview: 7, satisfaction: 5, service: 7, rfm: 7, churn: 5 };

let fx: Fixture | undefined;
let server: RunningServer;
let browser: BrowserContext;
let profile: string;
let closeWarehouse: (() => void) | undefined;
let closeBrowser: (() => Promise<void>) | undefined;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  let warehouse;
  if (process.env.CXP_DASH_WAREHOUSE) {
    const { Warehouse } = await import('../../pipelines/core/warehouse.js');
    warehouse = await Warehouse.open(process.env.CXP_DASH_WAREHOUSE, { readOnly: true });
    closeWarehouse = () => warehouse!.close();
  } else {
    fx = await createFixture();
    warehouse = fx.warehouse;
  }
  server = await startServer({ warehouse, host: '127.0.0.1', port: 0, env: {} });
  const launched = await launchBrowser();
  browser = launched.browser;
  profile = launched.profile;
  closeBrowser = launched.close;
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  fx?.close();
  closeWarehouse?.();
});

const open = (path: string) => openPage(browser, server.url, path);

describe('dashboards in headless Chromium', () => {
  for (const name of Object.keys(EXPECTED_CHARTS)) {
    it(`${name} loads with its charts drawn and no console errors`, async () => {
      const { page, errors, external } = await open(`/${name}`);
      try {
        expect(await page.getAttribute('main', 'data-loaded')).toBe('true');
        const drawn = await page.locator('.chart[data-state="drawn"] svg.marks').count();
        const empty = await page.locator('.chart[data-state="empty"]').count();
        if (!process.env.CXP_DASH_WAREHOUSE) expect(drawn).toBe(EXPECTED_CHARTS[name]);
        else expect(drawn + empty).toBe(EXPECTED_CHARTS[name]);
        expect(await page.locator('#open-mode-banner').textContent()).toMatch(/OPEN DEMO MODE/);
        await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
        expect(errors).toEqual([]);
        expect(external).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it('a filter change updates the charts and the URL, and the URL restores the view', async () => {
    const { page, errors } = await open('/satisfaction');
    try {
      const before = await page.locator('#chart-nps-by-channel svg.marks').innerHTML();
      await page.selectOption('#filter-channel', 'chat');
      await page.waitForFunction(() => location.search.includes('channel=chat'));
      await page.waitForSelector('main[data-loaded="true"]');
      const after = await page.locator('#chart-nps-by-channel svg.marks').innerHTML();
      expect(after).not.toBe(before);
      expect(page.url()).toContain('channel=chat');
      // The nav keeps the filters, so the view can be shared or carried to another dashboard.
      expect(await page.locator('#nav a[href^="/service"]').getAttribute('href')).toContain('channel=chat');
      await page.screenshot({ path: join(ARTIFACTS, 'satisfaction-chat.png'), fullPage: true });
      await page.goto(page.url());
      await page.waitForSelector('main[data-loaded="true"]');
      expect(await page.inputValue('#filter-channel')).toBe('chat');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the at-risk CSV downloads from the churn page, and the table links to the customer page', async () => {
    const { page, errors } = await open('/churn');
    try {
      await page.waitForSelector('#at-risk table');
      // The list says which customers count as already lost (the fixture's p_alive is informative: both rules).
      expect(await page.locator('#at-risk-rule').textContent()).toBe('Already lost: chance still active below 5%, or lifecycle stage Lapsed with lifetime value below 1.');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#at-risk-csv')]);
      const file = join(profile, 'at-risk.csv');
      await download.saveAs(file);
      const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
      // The page's download is for people: labelled headers (the API's default CSV keeps the column names).
      expect(lines[0]).toBe('Customer,Country,Churn risk,Risk band,Value at stake,Lifetime value,Chance still active,Already lost,Main reason,Segment,Lifecycle stage,Net revenue,Days since last order,Marketing consent,Email,Scored');
      expect(lines.length).toBeGreaterThan(1);
      const first = page.locator('#at-risk tbody a').first();
      const id = await first.textContent();
      await first.click();
      await page.waitForSelector('main[data-loaded="true"]');
      expect(await page.locator('main h1').first().textContent()).toBe(`Customer ${id}`);
      expect(await page.locator('.chart[data-state="drawn"] svg.marks').count()).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, 'customer.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
