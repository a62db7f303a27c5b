import type { SectionSchema } from '../sections.js';

/** Config key `rfm`. The owning module fills in the properties; every property needs a default. */
export const rfmSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
