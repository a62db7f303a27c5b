import type { FastifyError, FastifyInstance } from 'fastify';
import { CxpError, ERROR_CODES, isCxpError, type ErrorCode } from '../../pipelines/core/errors.js';

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

/** The one place errors become HTTP responses: {error: {code, message, where, hint}} with the registry's status. */
export function installErrorHandling(app: FastifyInstance): void {
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
        reply.status(fe.statusCode).send({ error: e.toJSON() });
        return;
      }
    } else {
      req.log.error({ err }, 'unhandled error');
      e = new CxpError('CXP_ERR_INTERNAL', 'internal error', { hint: 'see the server log for details' });
    }
    if (e.status >= 500) req.log.error({ err }, e.message);
    reply.status(e.status).send({ error: e.toJSON() });
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new CxpError('CXP_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`, {
      hint: 'the API is described at /api/openapi.json',
    });
    reply.status(404).send({ error: e.toJSON() });
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
