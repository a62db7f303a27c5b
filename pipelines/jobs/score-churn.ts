import type { JobContext, JobSummary } from './types.js';

/** Placeholder until the churn module lands; reports that it did nothing. */
export async function scoreChurn(_ctx: JobContext, _asOf: Date): Promise<JobSummary> {
  return { skipped: 'not implemented yet' };
}
