import type { SqlValue } from '../core/warehouse.js';
import type { Config } from '../config/types.js';
import { satisfactionSettings } from '../../models/satisfaction/settings.js';
import { tCriticalTable, zCritical } from '../../models/satisfaction/intervals.js';

/** Satisfaction/service marts (sql/intermediate/int_*, sql/marts/satisfaction_*, service_*, customer_satisfaction). */
function satisfactionVariables(config: Config): Record<string, SqlValue> {
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
    // {"chat": 15, ...}; SQL: (getvariable('sla_first_response_json')::json::map(varchar, double))[channel].
    sla_first_response_json: JSON.stringify(s.sla.firstResponseMinutes),
    sla_first_response_default_minutes: s.sla.firstResponseDefaultMinutes,
    sla_resolution_hours: s.sla.resolutionHours,
  };
}

/**
 * Values the SQL models read with getvariable('name'). Set with bound parameters on the transform's
 * connection, so config values never enter SQL text. Each module adds its own entries here.
 */
export function transformVariables(config: Config, asOf: Date): Record<string, SqlValue> {
  return {
    as_of: asOf,
    // IANA zone of every local day (cxp_local_on / cxp_day_start_at in run-transform.ts).
    timezone: config.timezone ?? 'UTC',
    ...satisfactionVariables(config),
  };
}
