import type { AnalyticsModule } from '../../pipelines/core/module.js';
import { scoreChurn } from './score-step.js';
import { CHURN_SETTINGS, type ChurnConfig } from './settings.js';

/** Churn risk: histogram forest trained on the history, calibrated, scored with reasons. */
export const churnModule: AnalyticsModule<ChurnConfig> = {
  name: 'churn',
  settings: CHURN_SETTINGS,
  scoreStep: scoreChurn,
  exportDatasets: [{ name: 'churn_models', table: 'churn_models_export' }],
  customer360: [
    {
      table: 'churn_scores',
      columns: [
        ['churn_risk', 'double'],
        ['churn_band', 'varchar'],
        ['churn_reasons', 'json'],
      ],
    },
  ],
  dashboards: ['churn'],
};
