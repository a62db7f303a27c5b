import type { SectionSchema } from '../sections.js';

/** Config key `schedule`. The owning module fills in the properties; every property needs a default. */
export const scheduleSchema: SectionSchema = {
  type: 'object',
  default: {},
  additionalProperties: true,
};
