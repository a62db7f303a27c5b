import { asOfParam } from '../core/sql-date.js';
import type { SqlValue } from '../core/warehouse.js';
import type { Config } from '../config/types.js';
import { MODULES } from '../../models/modules.js';

/**
 * Values the SQL models read with getvariable('name'): the run's as-of date (`as_of`, a DATE: models use
 * it with no cast, see pipelines/core/sql-date.ts) and each module's own
 * (AnalyticsModule.transformVariables). Set with bound parameters on the transform's connection, so
 * config values never enter SQL text.
 */
export function transformVariables(config: Config, asOf: Date): Record<string, SqlValue> {
  // timezone: IANA zone of every local day (cxp_local_on / cxp_day_start_at in run-transform.ts).
  const out: Record<string, SqlValue> = { ...asOfParam(asOf), timezone: config.timezone ?? 'UTC' };
  for (const m of MODULES) Object.assign(out, m.transformVariables?.(config));
  return out;
}
