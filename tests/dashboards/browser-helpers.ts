import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findChromium } from '../helpers/chromium.js';

/**
 * Headless Chromium with a fresh profile and no background traffic (the machine may be offline). Which
 * Chromium: tests/helpers/chromium.ts (CXP_CHROMIUM, a system one, or the one bundled as a dev dependency).
 */
export async function launchBrowser(): Promise<{ browser: BrowserContext; profile: string; close: () => Promise<void> }> {
  const { path } = await findChromium();
  const profile = mkdtempSync(join(tmpdir(), 'cxp-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  return {
    browser,
    profile,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a page and records console errors, page errors and any request that leaves the server. */
export async function openPage(browser: BrowserContext, serverUrl: string, path: string): Promise<{ page: Page; errors: string[]; external: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith(serverUrl) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url());
  });
  await page.goto(serverUrl + path);
  await page.waitForSelector('main[data-loaded="true"], main[data-loaded="error"]', { timeout: 30_000 });
  return { page, errors, external };
}
