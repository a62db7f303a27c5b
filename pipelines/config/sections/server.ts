import type { SectionSchema } from '../sections.js';

/** Config key `server`. The owning module fills in the properties; every property needs a default. */
export const serverSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
