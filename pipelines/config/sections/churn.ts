import type { SectionSchema } from '../sections.js';

/** Config key `churn`. The owning module fills in the properties; every property needs a default. */
export const churnSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
