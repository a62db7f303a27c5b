import type { AnalyticsModule } from '../../pipelines/core/module.js';
import { scoreValue } from './score-step.js';
import { VALUE_SETTINGS, type ValueSettings } from './settings.js';

/** Customer value: BG/NBD + Gamma-Gamma fit, p_alive, expected purchases, CLV (and RFM, see models/rfm/module.ts). */
export const valueModule: AnalyticsModule<ValueSettings> = {
  name: 'value',
  settings: VALUE_SETTINGS,
  scoreStep: scoreValue,
  exportDatasets: [
    {
      name: 'value_model_runs',
      table: 'value_model_runs',
      layout: { kind: 'asof_history', asOfColumn: 'as_of' },
      description: 'one row per value-model fit (BG/NBD, Gamma-Gamma), partitioned by the as-of it was fitted for',
    },
  ],
  customer360: [
    {
      table: 'customer_value',
      columns: [
        ['p_alive', 'double'],
        ['expected_purchases_90d', 'double'],
        ['expected_order_value', 'double'],
        ['clv', 'double'],
      ],
      bi: { money: ['expected_order_value', 'clv'] },
    },
  ],
};
