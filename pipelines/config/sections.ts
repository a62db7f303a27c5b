/**
 * Config sections owned by the analytics modules. Each module's schema lives next to its code and is
 * registered here, so the loader validates the whole file in one pass and reports every bad key.
 * A section's schema must give defaults for everything (ajv `useDefaults`), so `{}` is valid.
 */
import type { JSONSchemaType } from 'ajv';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SectionSchema = JSONSchemaType<any> | Record<string, unknown>;

import { satisfactionSchema } from './sections/satisfaction.js';
import { rfmSchema } from './sections/rfm.js';
import { valueSchema } from './sections/value.js';
import { churnSchema } from './sections/churn.js';
import { serverSchema } from './sections/server.js';
import { scheduleSchema } from './sections/schedule.js';
import { triggersSchema } from './sections/triggers.js';
import { deliverySchema } from './sections/delivery.js';
import { alertsSchema } from './sections/alerts.js';

/** Keys are top-level config keys; each schema lives in sections/<key>.ts, owned by its module. */
export const sectionSchemas: Record<string, SectionSchema> = {
  satisfaction: satisfactionSchema,
  rfm: rfmSchema,
  value: valueSchema,
  churn: churnSchema,
  server: serverSchema,
  schedule: scheduleSchema,
  triggers: triggersSchema,
  delivery: deliverySchema,
  alerts: alertsSchema,
};
