import type { AnalyticsModule } from '../../pipelines/core/module.js';
import { RFM_SETTINGS, rfmProblems, type RfmSettings } from './settings.js';

/**
 * RFM scores, segments and lifecycle stages. It has no score step of its own: the value step computes
 * RFM in the same pass over purchases as the value models (models/value/score-step.ts) and writes its
 * columns of customer_value and the rfm_history snapshots.
 */
export const rfmModule: AnalyticsModule<RfmSettings> = {
  name: 'rfm',
  settings: RFM_SETTINGS,
  exportDatasets: [{ name: 'rfm_history', table: 'rfm_history' }],
  customer360: [
    {
      table: 'customer_value',
      columns: [
        ['recency_days', 'integer'],
        ['frequency', 'integer'],
        ['monetary', 'double'],
        ['r_score', 'integer'],
        ['f_score', 'integer'],
        ['m_score', 'integer'],
        ['rfm_segment', 'varchar'],
        ['lifecycle_stage', 'varchar'],
      ],
    },
  ],
  dashboards: ['rfm'],
  problems: (config) => rfmProblems(config.rfm),
};
