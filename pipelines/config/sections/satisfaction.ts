import type { SectionSchema } from '../sections.js';

/** Config key `satisfaction`. The owning module fills in the properties; every property needs a default. */
export const satisfactionSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
