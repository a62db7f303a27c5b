import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, type TopLevelSpec } from 'vega-lite';
import { buildApp } from '../../dashboards/app.js';
import { bars, barsWithInterval, calibration, heatmap, histogram, lines, pareto, rocCurve, trendWithInterval, weights } from '../../dashboards/specs/charts.js';
import { fromRoot } from '../../pipelines/core/paths.js';
import { createFixture, type Fixture } from './fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = join(here, 'golden');

const ajv = new Ajv({ strict: false, allErrors: false, allowUnionTypes: true, validateFormats: false });
const validate = ajv.compile(JSON.parse(readFileSync(fromRoot('node_modules', 'vega-lite', 'build', 'vega-lite-schema.json'), 'utf8')));

function expectValid(spec: unknown, name: string): void {
  const ok = validate(spec);
  expect(ok ? [] : validate.errors?.slice(0, 3), name).toEqual([]);
  // And it compiles to Vega with no warning: a warning is a chart drawn other than specified (e.g. a sort dropped).
  const warnings: string[] = [];
  const logger = {
    level() { return this; },
    error() { return this; },
    info() { return this; },
    debug() { return this; },
    warn(...args: unknown[]) { warnings.push(args.join(' ')); return this; },
  };
  expect(() => compile(spec as TopLevelSpec, { logger: logger as never }), name).not.toThrow();
  expect(warnings, name).toEqual([]);
}

/** Golden files: reviewed JSON; set UPDATE_GOLDEN=1 to rewrite them after a reviewed change. */
function expectGolden(name: string, spec: unknown): void {
  const file = join(GOLDEN, `${name}.json`);
  const text = JSON.stringify(spec, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  expect(existsSync(file), `golden file ${file} missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const interval = [
  { period: '2026-05-04', value: 20, ci_low: 10, ci_high: 30, n: 120, is_low_sample: false },
  { period: '2026-05-11', value: 35, ci_low: -5, ci_high: 70, n: 12, is_low_sample: true },
];

const CASES: [string, TopLevelSpec][] = [
  ['trend-with-interval', trendWithInterval(interval, { yTitle: 'NPS', yDomain: [-100, 100] })],
  ['bars-with-interval', barsWithInterval([{ category: 'chat', value: 12, ci_low: 4, ci_high: 20, n: 80, is_low_sample: false }], { xTitle: 'channel', yTitle: 'NPS' })],
  ['bars-grouped', bars([{ category: 'chat', series: 'median', value: 3 }, { category: 'chat', series: 'p90', value: 9 }], { xTitle: 'channel', yTitle: 'minutes' })],
  ['lines', lines([{ period: '2026-05-01', value: 4, series: 'open items' }], { yTitle: 'open items', format: ',d' })],
  ['pareto', pareto([{ category: 'billing', count: 5 }, { category: 'delivery', count: 15 }], { xTitle: 'category' })],
  ['heatmap', heatmap([{ x: '1', y: '5', value: 3 }], { xTitle: 'F', yTitle: 'R', valueTitle: 'customers', xSort: ['1', '2'], ySort: ['5', '4'] })],
  ['histogram', histogram([{ bin_start: 0, bin_end: 0.05, count: 3, group: 'low' }], { xTitle: 'risk', format: '.0%' })],
  ['roc', rocCurve([{ fpr: 0.5, tpr: 0.8 }, { fpr: 0, tpr: 0 }], { auc: 0.8 })],
  ['calibration', calibration([{ predicted: 0.2, observed: 0.25, n: 10 }])],
  ['weights', weights([{ name: 'q_speed', weight: 0.5, is_significant: true }, { name: 'q_price', weight: 0.1, is_significant: false }], { xTitle: 'importance' })],
];

describe('spec builders', () => {
  for (const [name, spec] of CASES) {
    it(`${name} is valid Vega-Lite and matches its golden file`, () => {
      expectValid(spec, name);
      expectGolden(name, spec);
    });
  }

  it('pareto sorts categories and accumulates shares by hand', () => {
    const spec = pareto([{ category: 'a', count: 1 }, { category: 'b', count: 3 }], { xTitle: 'c' }) as { data: { values: { category: string; cumulative_share: number }[] } };
    expect(spec.data.values.map((v) => [v.category, v.cumulative_share])).toEqual([['b', 0.75], ['a', 1]]);
  });
});

describe('every chart the dashboards serve', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
  });
  afterAll(() => fx.close());

  it('is valid against the Vega-Lite schema, for every dashboard and a filtered view', async () => {
    const app = await buildApp({ warehouse: fx.warehouse, env: {} });
    try {
      let drawn = 0;
      // Also in Chinese and Latvian: the localized specs (config.locale, translated titles) must stay valid.
      for (const q of ['', '?channel=chat&country=DE&lang=zh-CN', '?segment=Champions&from=2026-04-01&to=2026-06-30&lang=lv']) {
        for (const name of ['overview', 'satisfaction', 'service', 'rfm', 'churn']) {
          const body = (await app.inject({ url: `/api/dashboards/${name}${q}` })).json();
          expect(body.available, `${name}${q}`).toBe(true);
          for (const c of body.charts as { id: string; spec: unknown }[]) {
            if (c.spec === null) continue;
            expectValid(c.spec, `${name}/${c.id}${q}`);
            drawn++;
          }
        }
      }
      // Every chart of every dashboard has data in the full fixture (7 + 5 + 7 + 7 + 5 = 31 per view: the
      // RFM page's cohorts and lifecycle flow, the service page's contacts by month and the overview's
      // customers by country included).
      expect(drawn).toBe(3 * 31);
    } finally {
      await app.close();
    }
  });
});
