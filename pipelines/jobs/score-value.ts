import type { JobContext, JobSummary } from './types.js';

/** Placeholder until the value module lands; reports that it did nothing. */
export async function scoreValue(_ctx: JobContext, _asOf: Date): Promise<JobSummary> {
  return { skipped: 'not implemented yet' };
}
