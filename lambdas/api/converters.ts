/**
 * Event conversion, after powertools' event handler (`packages/event-handler/src/http/converters.ts`):
 * an API Gateway proxy event of either payload format becomes one `HttpRequest`, and an
 * `HttpResponse` becomes the proxy result both formats accept.
 *
 * - HTTP API, payload format 2.0: `requestContext.http.method`, `rawPath`, lower-case headers,
 *   JWT authorizer claims in `requestContext.authorizer.jwt.claims`.
 * - REST API, payload format 1.0: `httpMethod`, `path`, headers as sent plus `multiValueHeaders`,
 *   Cognito/JWT authorizer claims in `requestContext.authorizer.claims`.
 *
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { acceptsGzip, gzipIfWorthIt } from './conditional';

export type ApiEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** Fits both the 2.0 and the 1.0 response shape. */
export interface ApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** True only for a gzip body (payload 2.0; see conditional.ts). */
  isBase64Encoded: boolean;
}

/** What the authorizer vouched for; undefined when the route has no authorizer (auth none, local stack). */
export interface AuthorizerClaims {
  claims: Record<string, unknown>;
  /** HTTP API puts the route's matched scopes here; empty otherwise. */
  scopes: string[];
}

/** One request, whatever the payload format. */
export interface HttpRequest {
  /** Upper-case method. */
  method: string;
  /** The path as requested, stage prefix included. */
  path: string;
  /** Header names in lower case; the first value of each. */
  headers: ReadonlyMap<string, string>;
  /**
   * Query string parameters, decoded. A name sent twice is one entry with its values joined by
   * commas, as payload 2.0 delivers it (1.0's multi-value form is joined the same way).
   */
  query: ReadonlyMap<string, string>;
  /** The body bytes (base64 already decoded); undefined when there is none. */
  body: Buffer | undefined;
  requestId: string;
  auth: AuthorizerClaims | undefined;
  /** The event's payload format: `2.0` from an HTTP API, `1.0` from a REST API. */
  payloadVersion: '1.0' | '2.0';
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON-serialised when present; absent for 204, 304 and preflights. */
  body?: unknown;
  /** `body` already serialised (to hash it for an ETag); sent instead of serialising again. */
  json?: string;
}

function isV2(event: ApiEvent): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).requestContext?.http?.method !== undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function authorizerOf(event: ApiEvent): AuthorizerClaims | undefined {
  const authorizer: unknown = (event.requestContext as { authorizer?: unknown } | undefined)?.authorizer;
  if (!isRecord(authorizer)) return undefined;
  // Payload 2.0 with a JWT authorizer.
  const jwt = authorizer['jwt'];
  if (isRecord(jwt) && isRecord(jwt['claims'])) {
    const scopes = Array.isArray(jwt['scopes']) ? jwt['scopes'].filter((s): s is string => typeof s === 'string') : [];
    return { claims: jwt['claims'], scopes };
  }
  // Payload 1.0 with a Cognito user pool or JWT authorizer.
  if (isRecord(authorizer['claims'])) return { claims: authorizer['claims'], scopes: [] };
  return undefined;
}

function bodyOf(body: string | null | undefined, isBase64Encoded: boolean | undefined): Buffer | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  return isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** The request of either payload format. */
export function toHttpRequest(event: ApiEvent, context?: { awsRequestId?: string }): HttpRequest {
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
  const query = new Map<string, string>();
  if (!isV2(event)) {
    for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
      if (values !== undefined && values.length > 0) query.set(name, values.join(','));
    }
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined && !query.has(name)) query.set(name, value);
  }
  const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
  const common = { headers, query, body: bodyOf(event.body, event.isBase64Encoded), requestId, auth: authorizerOf(event) };
  if (isV2(event)) {
    return {
      method: event.requestContext.http.method.toUpperCase(),
      path: event.rawPath ?? event.requestContext.http.path ?? '/',
      payloadVersion: '2.0',
      ...common,
    };
  }
  return { method: (event.httpMethod ?? '').toUpperCase(), path: event.path ?? '/', payloadVersion: '1.0', ...common };
}

/**
 * The proxy result; a body is JSON with its content type. To a payload 2.0 request that accepts
 * gzip, a body of 1 KiB or more goes gzip-compressed as base64 with `isBase64Encoded` (see
 * conditional.ts); every JSON answer to 2.0 then varies by `Accept-Encoding`.
 */
export function toApiResult(response: HttpResponse, request?: Pick<HttpRequest, 'headers' | 'payloadVersion'>): ApiResult {
  const headers = { ...response.headers };
  if (response.body === undefined) return { statusCode: response.status, headers, body: '', isBase64Encoded: false };
  headers['Content-Type'] = 'application/json';
  const json = response.json ?? JSON.stringify(response.body);
  if (request?.payloadVersion !== '2.0') return { statusCode: response.status, headers, body: json, isBase64Encoded: false };
  headers['Vary'] = headers['Vary'] ? `${headers['Vary']}, Accept-Encoding` : 'Accept-Encoding';
  const gzipped = acceptsGzip(request.headers.get('accept-encoding')) ? gzipIfWorthIt(json) : undefined;
  if (gzipped === undefined) return { statusCode: response.status, headers, body: json, isBase64Encoded: false };
  headers['Content-Encoding'] = 'gzip';
  return { statusCode: response.status, headers, body: gzipped.toString('base64'), isBase64Encoded: true };
}
