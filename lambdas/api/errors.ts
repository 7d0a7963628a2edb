/**
 * The one error-to-HTTP mapping of the API, after powertools' event handler
 * (`packages/event-handler/src/http/errors.ts`): domain errors carry a code, this module alone
 * knows which status each code answers with. Errors of the HTTP layer itself (no such route,
 * wrong method, unreadable body, missing permission) are defined here too.
 *
 * The body is always `{"error": {"code", "message", "details"}}`. An unexpected error is a 500
 * that quotes the request id: never a stack trace, an SDK message or a value from the request.
 */
import type { ErrorCode } from '../core/errors';
import { RestreamingError } from '../core/errors';

/** Errors the HTTP layer raises before any use case runs. */
export const HTTP_ERROR_CODES = ['MALFORMED_REQUEST', 'PAYLOAD_TOO_LARGE', 'ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED', 'FORBIDDEN'] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly details: unknown = null,
    /** Extra response headers, e.g. `Allow` on a 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A 400 about the body as a whole, in the same `details.fields` form as a validation error. */
export function malformedBody(message: string): HttpError {
  return new HttpError('MALFORMED_REQUEST', message, { fields: [{ field: 'body', message }] });
}

/** The status of every code. A new domain error code does not compile until it is mapped here. */
export const STATUS_BY_CODE = {
  INTERNAL: 500,
  VALIDATION_FAILED: 400,
  DESTINATION_NOT_FOUND: 404,
  CHANNEL_OFFLINE: 409,
  CHANNEL_LIVE: 409,
  CHANNEL_NOT_FOUND: 404,
  DESTINATION_DISABLED: 409,
  VERSION_CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  DESTINATION_DELETING: 409,
  RESOURCE_NOT_FOUND: 404,
  WRONG_STATE: 409,
  THROTTLED: 429,
  QUOTA_EXCEEDED: 429,
  INVALID_CONFIGURATION: 409,
  SERVICE_UNAVAILABLE: 503,
  // A stored item that does not parse: nothing the caller sent is wrong, and it is no server
  // fault a retry cures. It conflicts with what this version reads; the message names the
  // attributes and the fix (never a 500 for data).
  MALFORMED_ITEM: 409,
  NOT_OWNED: 404,
  RELAY_MODE_UNAVAILABLE: 409,
  MALFORMED_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  FORBIDDEN: 403,
} as const satisfies Record<ErrorCode | HttpErrorCode, number>;

export type ApiErrorCode = keyof typeof STATUS_BY_CODE;

/** The JSON error body every non-2xx answer carries. */
export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; details: unknown };
}

/** How one failed request is answered. `expected` is false for a 500 (the caller logs it). */
export interface MappedError {
  status: number;
  code: ApiErrorCode;
  headers: Record<string, string>;
  body: ErrorBody;
  expected: boolean;
}

/** Maps anything a route threw to its answer. */
export function toErrorResponse(error: unknown, requestId: string): MappedError {
  if (error instanceof HttpError) {
    return {
      status: STATUS_BY_CODE[error.code],
      code: error.code,
      headers: error.headers,
      body: { error: { code: error.code, message: error.message, details: error.details } },
      expected: true,
    };
  }
  if (error instanceof RestreamingError && error.code !== 'INTERNAL') {
    return {
      status: STATUS_BY_CODE[error.code],
      code: error.code,
      headers: {},
      body: { error: { code: error.code, message: error.message, details: error.details ?? null } },
      expected: true,
    };
  }
  return {
    status: 500,
    code: 'INTERNAL',
    headers: {},
    body: {
      error: { code: 'INTERNAL', message: `Internal error; quote request id ${requestId} when reporting it.`, details: { requestId } },
    },
    expected: false,
  };
}
