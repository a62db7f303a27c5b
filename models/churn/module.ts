import type { AnalyticsModule } from '../../pipelines/core/module.js';
import { scoreChurn } from './score-step.js';
import { CHURN_SETTINGS, type ChurnConfig } from './settings.js';

/** Churn risk: histogram forest trained on the history, calibrated, scored with reasons. */
export const churnModule: AnalyticsModule<ChurnConfig> = {
  name: 'churn',
  settings: CHURN_SETTINGS,
  scoreStep: scoreChurn,
  exportDatasets: [
    {
      name: 'churn_models',
      table: 'churn_models_export',
      layout: { kind: 'current' },
      description: 'the churn model registry: every trained model, its validation and whether it is active',
    },
  ],
  customer360: [
    {
      table: 'churn_scores',
      columns: [
        ['churn_risk', 'double'],
        ['churn_band', 'varchar'],
        ['churn_reasons', 'json'],
      ],
      bi: {
        nested: { churn_reasons: 'STRUCT(feature VARCHAR, "text" VARCHAR, contribution DOUBLE)[]' },
        categories: ['churn_band'],
        comments: { churn_reasons: 'why the model rates this customer at risk, strongest first: feature, text, contribution to the risk' },
      },
    },
    // From the run's at-risk list, so BI counts split the same way as the API and dashboards (the lost apart).
    {
      table: 'at_risk_list',
      columns: [
        ['is_lost', 'boolean'],
        ['value_at_stake', 'double'],
      ],
      bi: {
        money: ['value_at_stake'],
        comments: {
          is_lost: 'already gone, nothing left to save (p_alive below churn.lost.maxPAlive, default 5%, unless the value run flags p_alive as not informative; or lapsed with CLV below churn.lost.maxClv, default 1); the at-risk list leaves these out by default',
          value_at_stake: 'churn_risk x clv: the expected value lost if nothing is done',
        },
      },
    },
  ],
  dashboards: ['churn'],
};
