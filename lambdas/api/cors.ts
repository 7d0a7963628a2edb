/**
 * CORS, after powertools' event handler (`packages/event-handler/src/http/middleware/cors.ts`):
 * an allowed origin is echoed with `Vary: Origin`; a preflight also gets methods, headers and a
 * max age. `*` in the list allows any origin (still echoed, never a literal `*`).
 */
import type { HttpRequest } from './converters';

export const CORS_ALLOW_METHODS = 'GET,POST,PUT,DELETE,OPTIONS';
export const CORS_ALLOW_HEADERS = 'Content-Type,Authorization,If-Match,If-None-Match';
/** Response headers a browser script may read: the ETag for If-Match and If-None-Match. */
export const CORS_EXPOSE_HEADERS = 'ETag';

export type CorsHeaders = (request: HttpRequest, preflight: boolean) => Record<string, string>;

export function cors(allowOrigins: readonly string[]): CorsHeaders {
  const allowAny = allowOrigins.includes('*');
  const allowed = new Set(allowOrigins);
  return (request, preflight) => {
    const headers: Record<string, string> = {};
    if (allowOrigins.length === 0) return headers;
    headers['Vary'] = 'Origin';
    const origin = request.headers.get('origin');
    if (origin === undefined || !(allowAny || allowed.has(origin))) return headers;
    headers['Access-Control-Allow-Origin'] = origin;
    if (preflight) {
      headers['Access-Control-Allow-Methods'] = CORS_ALLOW_METHODS;
      headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS;
      headers['Access-Control-Max-Age'] = '600';
    } else {
      headers['Access-Control-Expose-Headers'] = CORS_EXPOSE_HEADERS;
    }
    return headers;
  };
}
