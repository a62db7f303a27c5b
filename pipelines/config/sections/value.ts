import type { SectionSchema } from '../sections.js';

/** Config key `value`. The owning module fills in the properties; every property needs a default. */
export const valueSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
