/**
 * The HTTP adapter of the API Lambda: API Gateway event in, one DestinationService call, response
 * out. No business rule lives here.
 *
 * Accepts both HTTP API (payload 2.0) and REST API (payload 1.0) proxy events. Routes are matched
 * on the end of the path, so a stage or base-path prefix (`/prod/stream-destinations`) still
 * routes, and a trailing slash is ignored.
 *
 * A destination id that is not in the shape we generate (UUIDs; any 1-128 letters, digits, `-`
 * or `_`) is answered 404 DESTINATION_NOT_FOUND without calling the service, like an id that
 * does not exist.
 *
 * Request bodies hold stream keys: they are never logged and never echoed in a response.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import type { DestinationService } from '../core/destination';
import {
  DestinationNotFoundError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RestreamingError,
  RouteNotFoundError,
} from '../core/errors';
import type { Log } from '../core/ports';
import { parseCreateDestination, parseUpdateDestination } from '../core/validation';

/** Largest accepted request body, counted after base64 decoding. */
export const MAX_BODY_BYTES = 16 * 1024;

export const CORS_ALLOW_METHODS = 'GET,POST,PUT,DELETE,OPTIONS';
export const CORS_ALLOW_HEADERS = 'Content-Type,Authorization';

export type ApiEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** Fits both the 2.0 and the 1.0 response shape. */
export interface ApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

export interface ApiHandlerDependencies {
  service: DestinationService;
  /** Origins allowed to call the API from a browser; `*` allows any. */
  corsAllowOrigins: string[];
  log: Log;
  /** Milliseconds for the request duration in the log line; `performance.now` by default. */
  now?: () => number;
}

export type ApiHandler = (event: ApiEvent, context?: { awsRequestId?: string }) => Promise<ApiResult>;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Route {
  /** The route as the API contract writes it, e.g. `/stream-destinations/{id}/start`. */
  template: string;
  methods: readonly Method[];
  /** The raw (still URL-encoded) `{id}` path segment. */
  rawId?: string;
}

interface Request {
  method: string;
  path: string;
  headers: Map<string, string>;
  body: string | undefined;
  isBase64Encoded: boolean;
  requestId: string;
}

interface Outcome {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const ID_SHAPE = /^[A-Za-z0-9_-]{1,128}$/;

const ROUTE_LIST =
  'GET|POST /stream-destinations, GET|PUT|DELETE /stream-destinations/{id}, ' +
  'POST /stream-destinations/{id}/start, POST /stream-destinations/{id}/stop, GET /stream-status';

function matchRoute(path: string): Route | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  const n = segments.length;
  const last = segments[n - 1];
  if (last === 'stream-status') return { template: '/stream-status', methods: ['GET'] };
  if (last === 'stream-destinations') return { template: '/stream-destinations', methods: ['GET', 'POST'] };
  if (n >= 3 && segments[n - 3] === 'stream-destinations' && (last === 'start' || last === 'stop')) {
    return { template: `/stream-destinations/{id}/${last}`, methods: ['POST'], rawId: segments[n - 2] };
  }
  if (n >= 2 && segments[n - 2] === 'stream-destinations') {
    return { template: '/stream-destinations/{id}', methods: ['GET', 'PUT', 'DELETE'], rawId: last };
  }
  return undefined;
}

function isV2(event: ApiEvent): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).requestContext?.http?.method !== undefined;
}

function toRequest(event: ApiEvent, context?: { awsRequestId?: string }): Request {
  const headers = new Map<string, string>();
  if (!isV2(event)) {
    for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
      const first = values?.[0];
      if (first !== undefined) headers.set(name.toLowerCase(), first);
    }
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name.toLowerCase(), value);
  }
  const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
  const body = event.body ?? undefined;
  if (isV2(event)) {
    return {
      method: event.requestContext.http.method.toUpperCase(),
      path: event.rawPath ?? event.requestContext.http.path ?? '/',
      headers,
      body,
      isBase64Encoded: event.isBase64Encoded === true,
      requestId,
    };
  }
  return {
    method: (event.httpMethod ?? '').toUpperCase(),
    path: event.path ?? '/',
    headers,
    body,
    isBase64Encoded: event.isBase64Encoded === true,
    requestId,
  };
}

/** A clipped, printable form of a client-sent string, safe to show. */
function displayable(text: string): string {
  const printable = text.replace(/\p{C}/gu, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}

function destinationId(route: Route): string | undefined {
  if (route.rawId === undefined) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(route.rawId);
  } catch {
    throw new DestinationNotFoundError(displayable(route.rawId));
  }
  if (!ID_SHAPE.test(id)) throw new DestinationNotFoundError(displayable(id));
  return id;
}

function bodyBytes(request: Request): Buffer | undefined {
  if (request.body === undefined || request.body === '') return undefined;
  return request.isBase64Encoded ? Buffer.from(request.body, 'base64') : Buffer.from(request.body, 'utf8');
}

function malformed(message: string): MalformedRequestError {
  return new MalformedRequestError(message, { details: { fields: [{ field: 'body', message }] } });
}

const EXAMPLE_BODY = '{"platform":"youtube","name":"My channel","streamKey":"..."}';

/** The request body as a JSON object; throws MalformedRequestError naming the body otherwise. */
function readJsonObject(bytes: Buffer | undefined): Record<string, unknown> {
  if (bytes === undefined) throw malformed(`Request body is missing: send a JSON object, e.g. ${EXAMPLE_BODY}.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed('Request body is not valid UTF-8 text: send a JSON object encoded as UTF-8.');
  }
  if (text.trim() === '') throw malformed(`Request body is empty: send a JSON object, e.g. ${EXAMPLE_BODY}.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's own message quotes the input, which may hold a stream key: never pass it on.
    throw malformed(`Request body is not valid JSON: check quotes, commas and braces, e.g. ${EXAMPLE_BODY}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw malformed(`Request body must be a JSON object, got ${type}: send e.g. ${EXAMPLE_BODY}.`);
  }
  return value as Record<string, unknown>;
}

function describeError(error: unknown, secrets: string[]): Record<string, unknown> {
  const redact = (text: string | undefined): string | undefined => {
    if (text === undefined) return undefined;
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
  if (error instanceof Error) {
    return { name: error.name, message: redact(error.message), stack: redact(error.stack) };
  }
  return { name: typeof error };
}

/** Builds the Lambda handler for the REST API. */
export function createApiHandler(deps: ApiHandlerDependencies): ApiHandler {
  const { service, log } = deps;
  const now = deps.now ?? (() => performance.now());
  const allowAnyOrigin = deps.corsAllowOrigins.includes('*');
  const allowedOrigins = new Set(deps.corsAllowOrigins);

  function corsHeaders(request: Request, preflight: boolean): Record<string, string> {
    const headers: Record<string, string> = {};
    if (deps.corsAllowOrigins.length === 0) return headers;
    headers['Vary'] = 'Origin';
    const origin = request.headers.get('origin');
    if (origin === undefined || !(allowAnyOrigin || allowedOrigins.has(origin))) return headers;
    headers['Access-Control-Allow-Origin'] = origin;
    if (preflight) {
      headers['Access-Control-Allow-Methods'] = CORS_ALLOW_METHODS;
      headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS;
      headers['Access-Control-Max-Age'] = '600';
    }
    return headers;
  }

  async function dispatch(
    request: Request,
    route: Route,
    id: string | undefined,
    bytes: Buffer | undefined,
    found: { destinationId?: string; secrets: string[] },
  ): Promise<Outcome> {
    const readBody = (): Record<string, unknown> => {
      const body = readJsonObject(bytes);
      if (typeof body.streamKey === 'string' && body.streamKey !== '') found.secrets.push(body.streamKey);
      return body;
    };
    const key = `${request.method} ${route.template}`;
    switch (key) {
      case 'GET /stream-destinations':
        return { status: 200, body: { destinations: await service.list() } };
      case 'POST /stream-destinations': {
        const view = await service.create(parseCreateDestination(readBody()));
        found.destinationId = view.id;
        return { status: 201, body: view };
      }
      case 'GET /stream-destinations/{id}':
        return { status: 200, body: await service.get(id!) };
      case 'PUT /stream-destinations/{id}':
        return { status: 200, body: await service.update(id!, parseUpdateDestination(readBody())) };
      case 'DELETE /stream-destinations/{id}': {
        const result = await service.remove(id!);
        return result.done ? { status: 204 } : { status: 202, body: result.destination };
      }
      case 'POST /stream-destinations/{id}/start':
        return { status: 202, body: await service.start(id!) };
      case 'POST /stream-destinations/{id}/stop':
        return { status: 202, body: await service.stop(id!) };
      case 'GET /stream-status':
        return { status: 200, body: await service.streamStatus() };
      default:
        // Unreachable while every method of every route has a case above.
        throw new RestreamingError(`No handler for ${key}`);
    }
  }

  async function route(request: Request, found: { route?: string; destinationId?: string; secrets: string[] }): Promise<Outcome> {
    const matched = matchRoute(request.path);
    if (matched === undefined) {
      throw new RouteNotFoundError(`No such route. Routes: ${ROUTE_LIST}.`);
    }
    found.route = matched.template;
    if (request.method === 'OPTIONS') {
      return { status: 204, headers: corsHeaders(request, true) };
    }
    if (!(matched.methods as readonly string[]).includes(request.method)) {
      const allow = [...matched.methods, 'OPTIONS'];
      throw new MethodNotAllowedError(
        `${displayable(request.method)} is not allowed on ${matched.template}; use ${matched.methods.join(' or ')}.`,
        { details: { allow } },
      );
    }
    const id = destinationId(matched);
    found.destinationId = id;
    const bytes = bodyBytes(request);
    if (bytes !== undefined && bytes.length > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError(
        `Request body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES} bytes (16 KiB). Send only the destination fields.`,
        { details: { limitBytes: MAX_BODY_BYTES } },
      );
    }
    return dispatch(request, matched, id, bytes, found);
  }

  return async (event, context) => {
    const started = now();
    const request = toRequest(event, context);
    const found: { route?: string; destinationId?: string; secrets: string[] } = { secrets: [] };
    let outcome: Outcome;
    let errorCode: string | undefined;
    try {
      outcome = await route(request, found);
    } catch (error) {
      if (error instanceof RestreamingError && error.httpStatus !== 500) {
        errorCode = error.code;
        const headers: Record<string, string> = {};
        if (error instanceof MethodNotAllowedError) {
          const allow = (error.details as { allow?: string[] } | undefined)?.allow;
          if (allow) headers['Allow'] = allow.join(', ');
        }
        outcome = {
          status: error.httpStatus,
          headers,
          body: { error: { code: error.code, message: error.message, details: error.details ?? null } },
        };
      } else {
        errorCode = 'INTERNAL';
        log.error('Unexpected error while handling an API request', {
          requestId: request.requestId,
          method: request.method,
          route: found.route ?? 'unmatched',
          destinationId: found.destinationId,
          error: describeError(error, found.secrets),
        });
        outcome = {
          status: 500,
          body: {
            error: {
              code: 'INTERNAL',
              message: `Internal error; quote request id ${request.requestId} when reporting it.`,
              details: { requestId: request.requestId },
            },
          },
        };
      }
    }

    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...corsHeaders(request, false),
      ...outcome.headers,
    };
    let body = '';
    if (outcome.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(outcome.body);
    }

    const line: Record<string, unknown> = {
      requestId: request.requestId,
      method: displayable(request.method),
      route: found.route ?? 'unmatched',
      status: outcome.status,
      durationMs: Math.round((now() - started) * 10) / 10,
    };
    if (found.destinationId !== undefined) line.destinationId = found.destinationId;
    if (errorCode !== undefined) line.errorCode = errorCode;
    log.info('API request', line);

    return { statusCode: outcome.status, headers, body, isBase64Encoded: false };
  };
}
