import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * A Chromium to test with: $CXP_CHROMIUM if set, else the system one, else the bundled
 * @sparticuz/chromium (a dev dependency, unpacked to the temp folder on first use).
 */
export async function findChromium(): Promise<{ path: string; env?: Record<string, string> }> {
  if (process.env.CXP_CHROMIUM) return { path: process.env.CXP_CHROMIUM };
  const system = SYSTEM_CHROMIUM.find((p) => existsSync(p));
  if (system) return { path: system };
  const { default: bundled } = await import('@sparticuz/chromium');
  const path = await bundled.executablePath();
  // The bundle points fontconfig at its own few fonts; the system's (CJK among them, when installed) read better.
  const env: Record<string, string> = existsSync('/etc/fonts/fonts.conf') ? { FONTCONFIG_PATH: '/etc/fonts' } : {};
  return { path, env };
}

/** A headless Chromium with a fresh profile; no background traffic (the machine is offline). */
export async function launchBrowser(): Promise<{ browser: BrowserContext; profile: string; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'cxp-chromium-'));
  const found = await findChromium();
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: found.path,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    env: { ...(process.env as Record<string, string>), ...(found.env ?? {}) },
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
