import { defineSettings, type SettingsSchema } from '../../pipelines/core/settings.js';

/** Config key `value`: BG/NBD + Gamma-Gamma fitting and CLV (docs/rfm-and-value.md). */
export const valueSchema: SettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    model: {
      type: 'string',
      enum: ['bgnbd', 'mbgnbd'],
      default: 'bgnbd',
      description: 'purchase model: bgnbd (dropout only after repeat purchases) or mbgnbd (also right after the first: one-time buyers seen long ago are probably gone)',
    },
    timeUnitDays: { type: 'number', exclusiveMinimum: 0, default: 7, description: 'model time unit in days (7 = weeks, as published)' },
    horizonMonths: { type: 'number', exclusiveMinimum: 0, maximum: 120, default: 12, description: 'CLV horizon' },
    annualDiscountRate: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'CLV discount rate per year, applied monthly' },
    expectedPurchasesDays: { type: 'integer', minimum: 1, default: 90, description: 'window of expected_purchases_90d' },
    minHistoryDays: {
      type: 'integer',
      minimum: 0,
      default: 28,
      description: 'customers whose first purchase is more recent get no p_alive / expected purchases / CLV',
    },
    minCustomersForFit: { type: 'integer', minimum: 10, default: 100 },
    minRepeatBuyersForFit: { type: 'integer', minimum: 5, default: 20 },
    holdoutDays: {
      type: 'integer',
      minimum: 0,
      default: 90,
      description: 'refit with the last N days held out and report predicted vs actual repeat purchases; 0 = skip',
    },
    fitSampleSize: {
      type: 'integer',
      minimum: 1000,
      default: 100000,
      description: 'fit on a deterministic hash sample of this many customers when there are more (all are scored)',
    },
    restarts: {
      type: 'integer',
      minimum: 0,
      maximum: 20,
      default: 3,
      description: 'no longer used (the gradient fit needs no restarts); accepted so existing configs still load',
    },
  },
};

export interface ValueSettings {
  model: 'bgnbd' | 'mbgnbd';
  timeUnitDays: number;
  horizonMonths: number;
  annualDiscountRate: number;
  expectedPurchasesDays: number;
  minHistoryDays: number;
  minCustomersForFit: number;
  minRepeatBuyersForFit: number;
  holdoutDays: number;
  fitSampleSize: number;
  restarts: number;
}

export const VALUE_SETTINGS = defineSettings<ValueSettings>(valueSchema);

/** The defaults, as the schema gives them. */
export const DEFAULT_VALUE_SETTINGS: ValueSettings = VALUE_SETTINGS.read({});

/** The `value` section with defaults filled in (for configs built in code; the loader's ajv does the same). */
export function valueSettings(raw: unknown): ValueSettings {
  return VALUE_SETTINGS.read(raw);
}
