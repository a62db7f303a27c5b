import type { AnalyticsModule, ModuleConfig } from '../../pipelines/core/module.js';
import type { SqlValue } from '../../pipelines/core/warehouse.js';
import { businessHoursProblems, businessHoursVariables } from './business-hours.js';
import { slaPolicyProblems, slaPolicyVariables } from './sla-policies.js';
import { tCriticalTable, zCritical } from './intervals.js';
import { scoreSatisfaction } from './score-step.js';
import { SATISFACTION_SETTINGS, satisfactionSettings, type SatisfactionSettings } from './settings.js';

/**
 * Values the satisfaction/service SQL models read with getvariable('name') (sql/intermediate/int_*,
 * sql/marts/satisfaction_*, service_*, customer_satisfaction). Critical values come from the same code
 * the dashboards use (intervals.ts), so SQL and TypeScript intervals agree.
 */
export function satisfactionVariables(config: ModuleConfig): Record<string, SqlValue> {
  const s = satisfactionSettings(config);
  return {
    min_sample: s.minSample,
    confidence: s.confidence,
    z_crit: zCritical(s.confidence),
    // t(1 - alpha/2, df) for df = 1..1000 as a JSON list; SQL: (getvariable('t_crit_json')::double[])[df].
    t_crit_json: JSON.stringify(tCriticalTable(s.confidence, 1000)),
    survey_window_days: s.surveyWindowDays,
    csi_weight_nps: s.csiWeights.nps,
    csi_weight_csat: s.csiWeights.csat,
    csi_weight_ces: s.csiWeights.ces,
    csi_weight_service: s.csiWeights.service,
    // Targets per channel and tier: sla_policy_json (sla-policies.ts), tiers: sla_tier_*.
    ...slaPolicyVariables(s),
    ...businessHoursVariables(s, config),
  };
}

/** Satisfaction indices (NPS, CSAT, CES, CSI), service KPIs and SLAs, key drivers. */
export const satisfactionModule: AnalyticsModule<SatisfactionSettings> = {
  name: 'satisfaction',
  settings: SATISFACTION_SETTINGS,
  transformVariables: satisfactionVariables,
  problems: (config) => [...businessHoursProblems(satisfactionSettings(config)), ...slaPolicyProblems(satisfactionSettings(config))],
  scoreStep: scoreSatisfaction,
  exportDatasets: [
    // Marts built by the transform job, drivers by the score step.
    { name: 'satisfaction_daily', table: 'satisfaction_daily', layout: { kind: 'snapshot', notAfter: ['response_on'] }, description: 'survey metrics per UTC day, channel and survey type, as known at the as-of', categories: ['channel', 'survey_type'] },
    { name: 'service_kpis_daily', table: 'service_kpis_daily', layout: { kind: 'snapshot', notAfter: ['opened_on'] }, description: 'service KPIs per UTC day and channel, as known at the as-of', categories: ['channel'] },
    { name: 'service_kpis_tier_daily', table: 'service_kpis_tier_daily', layout: { kind: 'snapshot', notAfter: ['opened_on'] }, description: 'service KPIs and SLA compliance per local day and customer SLA tier (as of each interaction), as known at the as-of', categories: ['customer_tier'] },
    { name: 'satisfaction_drivers', table: 'satisfaction_drivers', layout: { kind: 'asof_history', asOfColumn: 'as_of' }, description: 'key drivers of satisfaction, one partition per as-of they were computed for', categories: ['target', 'kind'] },
    { name: 'complaints_daily', table: 'complaints_daily', layout: { kind: 'snapshot', notAfter: ['opened_on'] }, description: 'complaints per UTC day, as known at the as-of', categories: ['channel'] },
  ],
  customer360: [
    {
      table: 'customer_satisfaction',
      columns: [
        ['last_nps', 'integer'],
        ['last_nps_at', 'timestamp'],
        ['csat_avg', 'double'],
        ['csi', 'double'],
        ['count_interactions_90d', 'bigint'],
        ['count_complaints_90d', 'bigint'],
        ['count_open_items', 'bigint'],
        ['median_first_response_minutes', 'double'],
      ],
    },
  ],
  dashboards: ['satisfaction', 'service'],
};
