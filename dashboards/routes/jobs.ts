import type { FastifyPluginAsync } from 'fastify';
import { CxpError } from '../../pipelines/core/errors.js';
import type { JobRunner } from '../../pipelines/core/job-runner.js';
import { dataEnvelope } from './request-context.js';

export interface JobRoutesOptions {
  runner?: JobRunner;
  /** The pipeline's job names, in order (injected: dashboards do not import the jobs). */
  jobNames: readonly string[];
  rateLimit: { max: number; timeWindow: number };
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Run history (viewer) and running a job or the whole pipeline in this process (admin). */
export const jobRoutes: FastifyPluginAsync<JobRoutesOptions> = async (app, opts) => {
  const JOB_NAMES = [...opts.jobNames];
  app.get<{ Querystring: { limit: number; offset: number } }>('/api/jobs', {
    config: { role: 'viewer' },
    schema: {
      tags: ['jobs'],
      summary: 'pipeline run history (pipeline_runs), newest first',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, default: 0 } },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            ...dataEnvelope,
            jobs: { type: 'array', items: { type: 'string' } },
            is_running: { type: 'boolean' },
            runs: { type: 'array', items: { type: 'object', additionalProperties: true } },
          },
        },
      },
    },
  }, async (req) => {
    const state = await app.data.state();
    const rows = await app.warehouse.all(
      `select run_id, started_at, finished_at, status, jobs, trigger, as_of::varchar as as_of, attempt, counts::varchar as counts,
              job_results::varchar as job_results, error
       from pipeline_runs order by started_at desc limit $limit offset $offset`,
      { limit: req.query.limit, offset: req.query.offset },
    );
    return {
      as_of: state.as_of,
      freshness: state.freshness,
      jobs: JOB_NAMES,
      is_running: opts.runner?.isRunning() ?? state.freshness.is_running,
      runs: rows.map((r) => ({ ...r, counts: parseJson(r.counts), job_results: parseJson(r.job_results) })),
    };
  });

  app.post<{ Params: { name: string }; Querystring: { wait: boolean; force: boolean } }>('/api/jobs/:name/run', {
    config: { role: 'admin', rateLimit: opts.rateLimit },
    schema: {
      tags: ['jobs'],
      summary: 'run one job, or "all" for the whole pipeline, in the server process; 409 while a run is in progress',
      params: { type: 'object', properties: { name: { type: 'string', enum: ['all', ...JOB_NAMES] } }, required: ['name'] },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          wait: { type: 'boolean', default: false, description: 'answer when the run has finished' },
          force: {
            type: 'boolean',
            default: false,
            description: 'run transform, score and export even when nothing they read has changed (otherwise they are skipped as up to date)',
          },
        },
      },
      response: {
        200: { type: 'object', additionalProperties: true, properties: { run_id: { type: 'string' }, status: { type: 'string' } } },
        202: { type: 'object', additionalProperties: true, properties: { run_id: { type: 'string' }, status: { type: 'string' } } },
        409: { $ref: 'CxpError#' },
      },
    },
  }, async (req, reply) => {
    if (!opts.runner) {
      throw new CxpError('CXP_ERR_JOB_FAILED', 'this server was started without a job runner', { hint: 'start it with `cxpulse serve` or `cxpulse start`' });
    }
    if (opts.runner.isRunning()) {
      throw new CxpError('CXP_ERR_JOB_RUNNING', 'a pipeline run is in progress', { hint: 'wait for it to finish (GET /api/jobs), then try again' });
    }
    const names = req.params.name === 'all' ? [] : [req.params.name];
    const { runId, done } = opts.runner.start(names, 'api', { force: req.query.force });
    const settled = done.finally(() => app.data.invalidate());
    settled.catch((err) => req.log.error({ err }, 'api-triggered run failed'));
    if (!req.query.wait) return reply.status(202).send({ run_id: runId, status: 'running', jobs: names.length ? names : JOB_NAMES });
    const outcome = await settled;
    return {
      run_id: outcome.runId,
      status: outcome.status,
      as_of: outcome.asOf ?? null,
      error: outcome.error?.toJSON() ?? null,
      results: JSON.parse(JSON.stringify(outcome.results, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))),
    };
  });
};
