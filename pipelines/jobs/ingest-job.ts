import type { Job } from './types.js';

// Placeholder: the ingestion module replaces this file.
export const ingestJob: Job = {
  name: 'ingest',
  description: 'load the configured sources into the canonical tables',
  async run() {
    return { sources: {} };
  },
};
