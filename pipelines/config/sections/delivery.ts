import type { SectionSchema } from '../sections.js';

/** Config key `delivery`. The owning module fills in the properties; every property needs a default. */
export const deliverySchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
