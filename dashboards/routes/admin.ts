import type { FastifyPluginAsync } from 'fastify';
import type { AdminTasks } from '../../pipelines/core/admin-tasks.js';
import { parseIsoDate } from '../../pipelines/core/clock.js';
import { CxpError } from '../../pipelines/core/errors.js';

export interface AdminRoutesOptions {
  tasks?: AdminTasks;
  rateLimit: { max: number; timeWindow: number };
}

const errors = { 400: { $ref: 'CxpError#' }, 401: { $ref: 'CxpError#' }, 403: { $ref: 'CxpError#' }, 409: { $ref: 'CxpError#' } };

function tasksOf(opts: AdminRoutesOptions): AdminTasks {
  if (!opts.tasks) {
    throw new CxpError('CXP_ERR_JOB_FAILED', 'this server was started without admin tasks', { hint: 'start it with `cxpulse serve` or `cxpulse start`' });
  }
  return opts.tasks;
}

/**
 * What `cxpulse replay` and `cxpulse train` do, run by the server that holds the warehouse (admin), so
 * those commands work while it runs; the lock message of each command points here.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, opts) => {
  app.post<{ Body: { action_id?: string; dead?: boolean } }>('/api/actions/replay', {
    config: { role: 'admin', rateLimit: opts.rateLimit },
    schema: {
      tags: ['actions'],
      summary: 'cxpulse replay: re-deliver one webhook action, or every dead-lettered one, now (same webhook-id: receivers dedupe)',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          action_id: { type: 'string', minLength: 1, maxLength: 200 },
          dead: { type: 'boolean', enum: [true], description: 'every action in status dead' },
        },
        oneOf: [{ required: ['action_id'] }, { required: ['dead'] }],
      },
      response: {
        200: {
          type: 'object',
          properties: {
            action_ids: { type: 'array', items: { type: 'string' } },
            delivered: { type: 'integer' },
            retrying: { type: 'integer' },
            dead: { type: 'integer' },
          },
        },
        404: { $ref: 'CxpError#' },
        ...errors,
      },
    },
  }, async (req) => {
    const b = req.body;
    return tasksOf(opts).replay(b.action_id !== undefined ? { actionId: b.action_id } : { dead: true });
  });

  app.post<{ Body: { as_of?: string } }>('/api/churn/train', {
    config: { role: 'admin', rateLimit: opts.rateLimit },
    schema: {
      tags: ['jobs'],
      summary: 'cxpulse train: train the churn model (out-of-time validated) and make it the active one; answers when done',
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { as_of: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'default: the as-of of the data' } },
      },
      response: {
        200: { type: 'object', additionalProperties: true, properties: { model_id: { type: 'string' }, as_of: { type: 'string' } } },
        422: { $ref: 'CxpError#' },
        ...errors,
      },
    },
  }, async (req) => {
    const raw = req.body?.as_of;
    const asOf = raw === undefined ? undefined : parseIsoDate(raw);
    if (raw !== undefined && !asOf) {
      throw new CxpError('CXP_ERR_BAD_REQUEST', `as_of "${raw}" is not a date`, { where: 'body.as_of', field: 'as_of', hint: 'write it YYYY-MM-DD' });
    }
    const out = await tasksOf(opts).train(asOf);
    await app.data.invalidate();
    return out;
  });
};
