import { CxpError } from '../core/errors.js';
import type { Job } from './types.js';
import { ingestJob } from './ingest-job.js';
import { transformJob } from './transform-job.js';
import { scoreJob } from './score-job.js';
import { exportJob } from './export-job.js';
import { triggersJob } from './triggers-job.js';
import { alertsJob, digestJob } from './alerts-job.js';

/** Jobs in pipeline order; `cxpulse run` with no names runs them all. */
export const JOBS: readonly Job[] = [ingestJob, transformJob, scoreJob, exportJob, triggersJob, alertsJob, digestJob];

export const JOB_NAMES = JOBS.map((j) => j.name);

export function getJobs(names: string[]): Job[] {
  if (names.length === 0) return JOBS.filter((j) => j.pipeline !== false);
  return names.map((n) => {
    const job = JOBS.find((j) => j.name === n);
    if (!job) {
      throw new CxpError('CXP_ERR_JOB_UNKNOWN', `unknown job "${n}"`, {
        where: 'job name',
        hint: `jobs are: ${JOB_NAMES.join(', ')}`,
      });
    }
    return job;
  });
}
