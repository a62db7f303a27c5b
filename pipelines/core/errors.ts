/**
 * The one error registry. Every failure a user can see carries a stable code, an HTTP status for the
 * API, and a message that says what was wrong, where, and what to do.
 */
export const ERROR_CODES = {
  CXP_ERR_CONFIG_NOT_FOUND: 400,
  CXP_ERR_CONFIG_INVALID: 400,
  CXP_ERR_SOURCE_NOT_FOUND: 400,
  CXP_ERR_SOURCE_MALFORMED: 422,
  CXP_ERR_SOURCE_COLUMN_MISSING: 422,
  CXP_ERR_SOURCE_UNAVAILABLE: 502,
  CXP_ERR_WAREHOUSE_LOCKED: 409,
  CXP_ERR_WAREHOUSE: 500,
  CXP_ERR_TRANSFORM_FAILED: 500,
  CXP_ERR_DATA_TEST_FAILED: 500,
  CXP_ERR_JOB_UNKNOWN: 404,
  CXP_ERR_JOB_RUNNING: 409,
  CXP_ERR_JOB_FAILED: 500,
  CXP_ERR_MODEL_INSUFFICIENT_DATA: 422,
  CXP_ERR_MODEL_NOT_FOUND: 404,
  CXP_ERR_EXPORT_FAILED: 500,
  CXP_ERR_BAD_REQUEST: 400,
  CXP_ERR_UNAUTHORIZED: 401,
  CXP_ERR_FORBIDDEN: 403,
  CXP_ERR_NOT_FOUND: 404,
  CXP_ERR_RATE_LIMITED: 429,
  CXP_ERR_INSECURE_BIND: 400,
  CXP_ERR_PORT_IN_USE: 409,
  CXP_ERR_DELIVERY_FAILED: 502,
  CXP_ERR_CUSTOMER_NOT_FOUND: 404,
  CXP_ERR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  /** Where: a file, a config key, a table, a request field. */
  where?: string;
  /** What the user can do about it. */
  hint?: string;
  [key: string]: unknown;
}

export class CxpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CxpError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = details;
  }

  /** One line for a terminal: code, message, where, and the hint. */
  toLine(): string {
    const parts = [`${this.code}: ${this.message}`];
    if (this.details.where) parts.push(`(at ${this.details.where})`);
    if (this.details.hint) parts.push(`- ${this.details.hint}`);
    return parts.join(' ');
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.details };
  }
}

export function isCxpError(err: unknown): err is CxpError {
  return err instanceof CxpError;
}

/** Wraps anything thrown into a CxpError, keeping the original as the cause. */
export function toCxpError(err: unknown, fallback: ErrorCode = 'CXP_ERR_INTERNAL', details: ErrorDetails = {}): CxpError {
  if (err instanceof CxpError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CxpError(fallback, message, details, { cause: err });
}
