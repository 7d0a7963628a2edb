/**
 * The HTTP layer of the API Lambda: API Gateway event in, one DestinationService call, response
 * out. Split as powertools' event handler is: `converters.ts` (both payload formats), `router.ts`
 * (the typed route table), `cors.ts`, `errors.ts` (the one error-to-HTTP mapping), with the
 * routes in `routes.ts`. This module runs them in order and writes one log line per request.
 *
 * Request bodies hold stream keys: they are never logged and never echoed in a response.
 */
import type { CostReporter } from '../core/costs';
import type { DestinationService } from '../core/destination';
import type { Log } from '../core/ports';
import type { AdminRequirement } from './auth';
import { assertAdmin } from './auth';
import { assertBodySize } from './body';
import { bodyEtag, ifNoneMatchHits } from './conditional';
import type { ApiEvent, ApiResult, HttpRequest, HttpResponse } from './converters';
import { toApiResult, toHttpRequest } from './converters';
import { cors } from './cors';
import { toErrorResponse } from './errors';
import type { RequestNotes } from './routes';
import { destinationRoutes } from './routes';
import { displayable, Router } from './router';

export type { ApiEvent, ApiResult } from './converters';
export { MAX_BODY_BYTES } from './body';
export { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS } from './cors';

export interface ApiHandlerDependencies {
  service: DestinationService;
  /** GET /costs; without it the route does not exist. */
  costs?: CostReporter;
  /** Origins allowed to call the API from a browser; `*` allows any. */
  corsAllowOrigins: string[];
  log: Log;
  /** The group and/or scope every route except GET /openapi.json requires (ADMIN_GROUP, ADMIN_SCOPE); see auth.ts. */
  admin?: AdminRequirement;
  /** Milliseconds for the request duration in the log line; `performance.now` by default. */
  now?: () => number;
}

export type ApiHandler = (event: ApiEvent, context?: { awsRequestId?: string }) => Promise<ApiResult>;

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

/** Builds the Lambda handler for the destinations API. */
export function createApiHandler(deps: ApiHandlerDependencies): ApiHandler {
  const { service, log } = deps;
  const now = deps.now ?? (() => performance.now());
  const corsHeaders = cors(deps.corsAllowOrigins);
  const notes = new WeakMap<HttpRequest, RequestNotes>();
  const notesOf = (request: HttpRequest): RequestNotes => {
    let found = notes.get(request);
    if (!found) {
      found = { secrets: [] };
      notes.set(request, found);
    }
    return found;
  };
  const router = new Router(destinationRoutes(service, notesOf, deps.costs));

  async function respond(request: HttpRequest): Promise<HttpResponse> {
    if (request.method === 'OPTIONS') {
      // A preflight on a known path; an unknown path is still a 404.
      if (router.templateOf(request.path) === undefined) router.resolve(request.method, request.path);
      return { status: 204, headers: corsHeaders(request, true) };
    }
    const { route, params } = router.resolve(request.method, request.path);
    if (route.public !== true) assertAdmin(request.auth, deps.admin ?? {});
    assertBodySize(request.body);
    const result = await route.handler({ request, params });
    const headers = { ...corsHeaders(request, false), ...result.headers };
    if (route.conditional === true && result.status === 200 && result.body !== undefined) {
      const json = JSON.stringify(result.body);
      headers['ETag'] = bodyEtag(json);
      if (ifNoneMatchHits(request.headers.get('if-none-match'), headers['ETag'])) {
        // The headers a 200 would carry (RFC 9110 §15.4.5), no body.
        if (request.payloadVersion === '2.0') headers['Vary'] = headers['Vary'] ? `${headers['Vary']}, Accept-Encoding` : 'Accept-Encoding';
        return { status: 304, headers };
      }
      return { status: 200, headers, body: result.body, json };
    }
    return { status: result.status, headers, body: result.body };
  }

  return async (event, context) => {
    const started = now();
    const request = toHttpRequest(event, context);
    const requestNotes = notesOf(request);
    let response: HttpResponse;
    let errorCode: string | undefined;
    try {
      response = await respond(request);
    } catch (error) {
      const mapped = toErrorResponse(error, request.requestId);
      errorCode = mapped.code;
      if (!mapped.expected) {
        log.error('Unexpected error while handling an API request', {
          requestId: request.requestId,
          method: request.method,
          route: router.templateOf(request.path)?.path ?? 'unmatched',
          destinationId: requestNotes.destinationId,
          error: describeError(error, requestNotes.secrets),
        });
      }
      response = { status: mapped.status, headers: { ...corsHeaders(request, false), ...mapped.headers }, body: mapped.body };
    }
    response.headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...response.headers };

    const line: Record<string, unknown> = {
      requestId: request.requestId,
      method: displayable(request.method),
      route: router.templateOf(request.path)?.path ?? 'unmatched',
      status: response.status,
      durationMs: Math.round((now() - started) * 10) / 10,
    };
    if (requestNotes.destinationId !== undefined) line.destinationId = requestNotes.destinationId;
    if (errorCode !== undefined) line.errorCode = errorCode;
    log.info('API request', line);

    return toApiResult(response, request);
  };
}
