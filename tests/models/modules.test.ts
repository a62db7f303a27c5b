/**
 * "A new module is one folder and one line" (docs/architecture.md "How to add a module"): a module
 * added to the list reaches the config schema and checks, the transform's variables, the score job,
 * the exports and customer_360, with nothing else registered anywhere.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AnalyticsModule, StepContext } from '../../pipelines/core/module.js';
import { defineSettings, type SettingsSchema } from '../../pipelines/core/settings.js';

interface LoyaltySettings {
  pointsPerCurrency: number;
  tiers: { gold: number };
}

const loyaltySchema: SettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    pointsPerCurrency: { type: 'number', minimum: 0, default: 1 },
    tiers: { type: 'object', default: {}, additionalProperties: false, properties: { gold: { type: 'integer', default: 1000 } } },
  },
};
const LOYALTY = defineSettings<LoyaltySettings>(loyaltySchema);
const stepCalls: { asOf: string; settings: LoyaltySettings }[] = [];

const loyaltyModule: AnalyticsModule<LoyaltySettings> = {
  name: 'loyalty',
  settings: LOYALTY,
  transformVariables: (config) => ({ loyalty_points_per_currency: LOYALTY.read(config.loyalty).pointsPerCurrency }),
  async scoreStep(ctx: StepContext, asOf: Date) {
    const s = LOYALTY.read(ctx.config.loyalty);
    stepCalls.push({ asOf: asOf.toISOString().slice(0, 10), settings: s });
    await ctx.warehouse.run('create or replace table loyalty_points as select customer_id, 42::bigint as points from customers');
    return { customers: 1 };
  },
  exportDatasets: [{ name: 'loyalty_points', table: 'loyalty_points', layout: { kind: 'snapshot' }, description: 'loyalty points per customer at the as-of' }],
  customer360: [{ table: 'loyalty_points', columns: [['points', 'bigint']] }],
  problems: (config) => (LOYALTY.read(config.loyalty).tiers.gold < 10 ? ['loyalty.tiers.gold: must be at least 10'] : []),
};

vi.mock('../../models/modules.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../models/modules.js')>();
  return { MODULES: [...real.MODULES, loyaltyModule] };
});

const { resolveConfig } = await import('../../pipelines/config/load-config.js');
const { transformVariables } = await import('../../pipelines/transform/variables.js');
const { SCORE_STEPS } = await import('../../pipelines/jobs/score-job.js');
const { EXPORT_DATASETS } = await import('../../pipelines/export/datasets.js');
const { buildCustomer360 } = await import('../../pipelines/jobs/customer-360.js');
const { tempWarehouse } = await import('../helpers/temp-warehouse.js');
const { fixedClock } = await import('../../pipelines/core/clock.js');
const { silentLogger } = await import('../../pipelines/core/logger.js');

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const sources = { customers: { path: 'c.csv' } };

describe('a module added to models/modules.ts', () => {
  it('gets a config section with its defaults, rejects unknown keys, and its problems() run at load', () => {
    const cfg = resolveConfig({ sources }, '/tmp');
    expect((cfg as Record<string, unknown>).loyalty).toEqual({ pointsPerCurrency: 1, tiers: { gold: 1000 } });
    expect(LOYALTY.read(undefined)).toEqual({ pointsPerCurrency: 1, tiers: { gold: 1000 } });
    expect(() => resolveConfig({ sources, loyalty: { pointsPerCurency: 2 } }, '/tmp')).toThrow(/loyalty\.pointsPerCurency: is not a known key/);
    expect(() => resolveConfig({ sources, loyalty: { tiers: { gold: 5 } } }, '/tmp')).toThrow(/loyalty\.tiers\.gold: must be at least 10/);
  });

  it('hands its variables to the transform and its step to the score job, after the others', () => {
    const cfg = resolveConfig({ sources, loyalty: { pointsPerCurrency: 3 } }, '/tmp');
    expect(transformVariables(cfg, new Date('2026-06-30T00:00:00Z'))).toMatchObject({ loyalty_points_per_currency: 3, min_sample: 30 });
    expect(SCORE_STEPS.map((s) => s.name)).toEqual(['satisfaction', 'value', 'churn', 'loyalty']);
  });

  it('is exported and joined into customer_360', async () => {
    expect(EXPORT_DATASETS.map((d) => d.name)).toContain('loyalty_points');
    const t = await tempWarehouse();
    cleanups.push(t.cleanup);
    await t.wh.run("insert into customers (customer_id) values ('c1')");
    const step = SCORE_STEPS.find((s) => s.name === 'loyalty')!;
    const cfg = resolveConfig({ sources, loyalty: { tiers: { gold: 500 } } }, '/tmp');
    await step.run({ config: cfg, warehouse: t.wh, runId: 'r1', clock: fixedClock('2026-07-01T00:00:00Z'), logger: silentLogger }, new Date('2026-06-30T00:00:00Z'));
    expect(stepCalls.at(-1)).toEqual({ asOf: '2026-06-30', settings: { pointsPerCurrency: 1, tiers: { gold: 500 } } });
    await buildCustomer360(t.wh, new Date('2026-06-30T00:00:00Z'));
    expect(await t.wh.one('select customer_id, points from customer_360')).toEqual({ customer_id: 'c1', points: 42 });
  });
});
