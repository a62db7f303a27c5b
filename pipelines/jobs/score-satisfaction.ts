import type { JobContext, JobSummary } from './types.js';

/** Placeholder until the satisfaction module lands; reports that it did nothing. */
export async function scoreSatisfaction(_ctx: JobContext, _asOf: Date): Promise<JobSummary> {
  return { skipped: 'not implemented yet' };
}
