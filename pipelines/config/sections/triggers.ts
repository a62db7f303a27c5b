import type { SectionSchema } from '../sections.js';

/** Config key `triggers`. The owning module fills in the properties; every property needs a default. */
export const triggersSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
