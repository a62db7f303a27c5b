import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../dashboards/server.js';
import { systemClock } from '../../pipelines/core/clock.js';
import { silentLogger } from '../../pipelines/core/logger.js';
import { migrate } from '../../pipelines/core/migrate.js';
import { fromRoot } from '../../pipelines/core/paths.js';
import { Warehouse } from '../../pipelines/core/warehouse.js';
import { resolveConfig } from '../../pipelines/config/load-config.js';
import { getJobs } from '../../pipelines/jobs/registry.js';
import { runPipeline } from '../../pipelines/jobs/run-pipeline.js';
import { launchBrowser, openPage } from './browser-helpers.js';

/**
 * The dashboards on the real sample pipeline: the checked-in demo data through every job, twice (two
 * as-of dates, so the RFM migration matrix has two snapshots), then each page in headless Chromium.
 * Unlike browser.test.ts (a hand-made fixture), this catches contracts that drift between modules.
 */
const ARTIFACTS = fromRoot('tests', 'artifacts', 'sample-pipeline');
const PAGES = ['overview', 'satisfaction', 'service', 'rfm', 'churn'];

let dir: string;
let wh: Warehouse;
let server: RunningServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'cxp-sample-ui-'));
  const demo = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as Record<string, unknown>;
  const config = resolveConfig({ ...demo, warehouse: join(dir, 'warehouse.duckdb'), exports: { dir: join(dir, 'exports') } }, fromRoot('data-samples'));
  wh = await Warehouse.open(config.warehouse);
  await migrate(wh);
  const base = { config, warehouse: wh, clock: systemClock, logger: silentLogger };
  for (const asOf of ['2026-09-30', '2026-10-31']) {
    const out = await runPipeline(getJobs([]), { ...base, asOfOverride: new Date(`${asOf}T00:00:00Z`) }, { trigger: 'cli' });
    if (out.error) throw out.error;
  }
  server = await startServer({ warehouse: wh, host: '127.0.0.1', port: 0, env: {} });
  ({ browser, close: closeBrowser } = await launchBrowser());
}, 240_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dashboards on the sample pipeline', () => {
  for (const name of PAGES) {
    it(`${name}: every chart drawn from real data, no console errors, nothing from outside`, async () => {
      const { page, errors, external } = await openPage(browser, server.url, `/${name}`);
      try {
        expect(await page.getAttribute('main', 'data-loaded')).toBe('true');
        const empty = await page.locator('.chart[data-state="empty"]').allTextContents();
        expect(empty).toEqual([]);
        expect(await page.locator('.chart[data-state="drawn"] svg.marks').count()).toBeGreaterThan(0);
        await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
        expect(errors).toEqual([]);
        expect(external).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it('the customer page of the riskiest customer shows the reasons the model gives', async () => {
    const top = await wh.one<{ customer_id: string; churn_reasons: string }>(
      'select customer_id, churn_reasons from churn_scores order by churn_risk desc, customer_id limit 1',
    );
    const reasons = JSON.parse(top!.churn_reasons) as { text: string }[];
    expect(reasons.length).toBeGreaterThan(0);
    const { page, errors } = await openPage(browser, server.url, `/customer?id=${encodeURIComponent(top!.customer_id)}`);
    try {
      expect(await page.getAttribute('main', 'data-loaded')).toBe('true');
      const text = await page.locator('main').innerText();
      expect(text).toContain(top!.customer_id);
      expect(text).toContain(reasons[0].text);
      await page.screenshot({ path: join(ARTIFACTS, 'customer.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
