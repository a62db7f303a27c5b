import type { FastifyError, FastifyInstance } from 'fastify';
import { CxpError, ERROR_CODES, isCxpError, type ErrorCode } from '../../pipelines/core/errors.js';
import type { Logger } from '../../pipelines/core/logger.js';
import { routeOf } from './request-log.js';

interface ValidationItem {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Turns one ajv error into "field: what is wrong", naming the query/body/param field. */
export function describeValidation(item: ValidationItem, context: string | undefined): { field: string; message: string } {
  let field = (item.instancePath ?? '').replace(/^\//, '').split('/').join('.');
  let what = item.message ?? 'is invalid';
  const params = item.params ?? {};
  if (item.keyword === 'required') {
    field = [field, String(params.missingProperty)].filter(Boolean).join('.');
    what = 'is required';
  } else if (item.keyword === 'additionalProperties') {
    field = [field, String(params.additionalProperty)].filter(Boolean).join('.');
    what = 'is not a known parameter';
  } else if (item.keyword === 'enum') {
    what = `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (item.keyword === 'pattern' && /date/i.test(field + what)) {
    what = 'must be a date written YYYY-MM-DD';
  }
  return { field: field || context || 'request', message: `${field || context || 'request'} ${what}` };
}

const STATUS_CODE: Record<number, ErrorCode> = {
  400: 'CXP_ERR_BAD_REQUEST',
  401: 'CXP_ERR_UNAUTHORIZED',
  403: 'CXP_ERR_FORBIDDEN',
  404: 'CXP_ERR_NOT_FOUND',
  413: 'CXP_ERR_BAD_REQUEST',
  415: 'CXP_ERR_BAD_REQUEST',
  429: 'CXP_ERR_RATE_LIMITED',
};

/**
 * The one place errors become HTTP responses: {error: {code, message, where, hint, request_id}} with the
 * registry's status. A 5xx is written to the error log (`log`) with its request id, route, message and
 * stack; the response names the same request id, so "see the server log" leads somewhere.
 */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | CxpError | Error, req, reply) => {
    let e: CxpError;
    const fe = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
    if (isCxpError(err)) e = err;
    else if (fe.validation && fe.validation.length > 0) {
      const first = describeValidation(fe.validation[0], fe.validationContext);
      const where = `${fe.validationContext ?? 'request'}.${first.field}`;
      e = new CxpError('CXP_ERR_BAD_REQUEST', first.message, {
        where,
        field: first.field,
        problems: fe.validation.map((v) => describeValidation(v, fe.validationContext).message),
      });
    } else if (typeof fe.statusCode === 'number' && fe.statusCode < 500 && STATUS_CODE[fe.statusCode]) {
      e = new CxpError(STATUS_CODE[fe.statusCode], fe.message, { where: `${req.method} ${req.url}` });
      if (fe.statusCode !== ERROR_CODES[e.code]) {
        reply.status(fe.statusCode).send({ error: { ...e.toJSON(), request_id: req.id } });
        return;
      }
    } else {
      e = new CxpError('CXP_ERR_INTERNAL', 'internal error', { hint: `see the server log for details: request id ${req.id}` });
    }
    if (e.status >= 500) {
      const cause = err instanceof Error ? err : new Error(String(err));
      log.error('request failed', {
        id: req.id,
        method: req.method,
        route: routeOf(req),
        status: e.status,
        code: e.code,
        error: cause.message,
        stack: cause.stack,
      });
    }
    reply.status(e.status).send({ error: { ...e.toJSON(), request_id: req.id } });
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new CxpError('CXP_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, {
      hint: 'the API is described at /api/openapi.json',
    });
    reply.status(404).send({ error: { ...e.toJSON(), request_id: req.id } });
  });
}

/** Shared response schema for errors, referenced as { $ref: 'CxpError#' }. */
export const errorSchema = {
  $id: 'CxpError',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      additionalProperties: true,
      properties: { code: { type: 'string' }, message: { type: 'string' }, where: { type: 'string' }, hint: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
} as const;
