/**
 * Config sections owned by the analytics modules. Each module's schema lives next to its code and is
 * registered here, so the loader validates the whole file in one pass and reports every bad key.
 * A section's schema must give defaults for everything (ajv `useDefaults`), so `{}` is valid.
 */
import type { JSONSchemaType } from 'ajv';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SectionSchema = JSONSchemaType<any> | Record<string, unknown>;

const open = (description: string): SectionSchema => ({
  type: 'object',
  description,
  default: {},
  additionalProperties: true,
});

/** Filled in by each module; keys are top-level config keys. */
export const sectionSchemas: Record<string, SectionSchema> = {
  satisfaction: open('satisfaction indices and service KPIs'),
  rfm: open('RFM scoring, segments and lifecycle'),
  value: open('customer value models (BG/NBD, Gamma-Gamma, CLV)'),
  churn: open('churn-risk model'),
  server: open('HTTP server and API keys'),
  schedule: open('cron schedules per job'),
  triggers: open('retention-action rules'),
  delivery: open('webhook delivery'),
};
