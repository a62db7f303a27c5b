/**
 * Every config section besides sources/exports/duckdb: each analytics module's (models/modules.ts)
 * and the pipeline's own. The loader validates the whole file in one pass against these schemas
 * and then runs every section's `problems` check, so `cxpulse config` finds what a job would reject.
 * A section's schema must give defaults for everything (ajv `useDefaults`), so `{}` is valid.
 */
import type { ModuleConfig } from '../core/module.js';
import type { SettingsSchema } from '../core/settings.js';
import { displaySchema } from '../core/display-settings.js';
import { serverSchema } from '../core/server-settings.js';
import { MODULES } from '../../models/modules.js';
import { scheduleSchema } from './sections/schedule.js';
import { triggersSchema } from './sections/triggers.js';
import { deliverySchema } from './sections/delivery.js';
import { alertsSchema } from './sections/alerts.js';

export type { SettingsSchema as SectionSchema };

/** Keys are top-level config keys. */
export const sectionSchemas: Record<string, SettingsSchema> = {
  ...Object.fromEntries(MODULES.map((m) => [m.name, m.settings.schema])),
  server: serverSchema,
  display: displaySchema,
  schedule: scheduleSchema,
  triggers: triggersSchema,
  delivery: deliverySchema,
  alerts: alertsSchema,
};

/** The modules' checks a schema cannot express (AnalyticsModule.problems), keyed like schema errors. */
export function moduleProblems(config: ModuleConfig): string[] {
  return MODULES.flatMap((m) => m.problems?.(config) ?? []);
}
