import type { Job } from './types.js';

export const triggersJob: Job = {
  name: 'triggers',
  description: 'evaluate retention-action rules, record actions in the outbox, deliver them',
  async run() {
    return { skipped: 'not implemented yet' };
  },
};
