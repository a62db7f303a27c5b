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
  exportDatasets: [
    {
      name: 'rfm_history',
      table: 'rfm_history',
      layout: { kind: 'asof_history', asOfColumn: 'as_of' },
      description: 'RFM scores, segment and lifecycle stage of every customer, one partition per as-of',
      money: ['monetary', 'clv'],
      categories: ['rfm_segment', 'lifecycle_stage'],
    },
  ],
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
      bi: { money: ['monetary'], categories: ['rfm_segment', 'lifecycle_stage'] },
    },
  ],
  dashboards: ['rfm'],
  problems: (config) => rfmProblems(config.rfm),
};
