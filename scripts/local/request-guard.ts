/**
 * What keeps other web pages away from the local stack. It has no login, so any page the user
 * opens could otherwise drive it (a cross-site `POST` needs no CORS answer to take effect) or, after
 * rebinding a DNS name of its own to 127.0.0.1, read it. Every request, `/_local` controls and the
 * UI included, passes three checks before anything else sees it:
 *
 * - `Host` must name the stack itself (`127.0.0.1:<port>`, `localhost:<port>` or `[::1]:<port>`):
 *   a page that rebinds `evil.example` to 127.0.0.1 still sends `Host: evil.example`. → 403
 * - `Origin`, when the browser sends one (it does on every cross-origin request and on every
 *   `POST`/`PUT`/`DELETE`), must be one of the stack's own origins. → 403
 * - A body must be JSON (`Content-Type: application/json`): a cross-site form or a `no-cors` fetch
 *   can only send `text/plain`, form or multipart bodies without asking first. → 415
 *
 * The same Host and Origin checks guard dynalite, which otherwise answers every origin with
 * `Access-Control-Allow-Origin: *` (`guardServer`). Requests without `Origin` (curl, the SDK,
 * tests) pass: only browsers send it, and they cannot leave it out on the requests that matter.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Why a request was refused, in the API's error shape. */
export interface Refusal {
  status: 403 | 415;
  code: 'HOST_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED' | 'UNSUPPORTED_MEDIA_TYPE';
  message: string;
}

export interface RequestGuardOptions {
  /** The port the server listens on. */
  port: number;
  /** Origins besides the stack's own that may call it (e.g. `vite dev` at http://localhost:5173). */
  extraOrigins?: readonly string[];
  /** Refuse every request that carries an Origin header (dynalite: no browser has business there). */
  refuseAllOrigins?: boolean;
  /** Require JSON bodies. Default true. */
  requireJsonBodies?: boolean;
}

export type RequestGuard = (req: IncomingMessage) => Refusal | undefined;

/** The names the stack answers to: loopback only. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** The stack's own origins: `http://<loopback name>:<port>`. */
export function ownOrigins(port: number): string[] {
  return LOOPBACK_HOSTS.map((host) => `http://${host}:${port}`);
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `application/json` or `application/<anything>+json`, with or without parameters. */
function isJson(contentType: string): boolean {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const hosts = new Set(LOOPBACK_HOSTS.map((host) => `${host}:${options.port}`));
  const origins = new Set([...ownOrigins(options.port), ...(options.extraOrigins ?? [])]);
  const shownHosts = [...hosts].join(', ');
  return (req) => {
    const host = req.headers.host?.toLowerCase();
    if (host === undefined || !hosts.has(host)) {
      return {
        status: 403,
        code: 'HOST_NOT_ALLOWED',
        message: `The local stack answers only requests for ${shownHosts} (this one named another host in its Host header); open ${ownOrigins(options.port)[0]}/ instead.`,
      };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && (options.refuseAllOrigins === true || !origins.has(origin.toLowerCase()))) {
      return {
        status: 403,
        code: 'ORIGIN_NOT_ALLOWED',
        message: `The local stack refuses requests from other web pages (Origin is not one of ${[...origins].join(', ')}); use the admin UI at ${ownOrigins(options.port)[0]}/ or a client that sends no Origin, such as curl.`,
      };
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const contentType = req.headers['content-type'];
    if (
      options.requireJsonBodies !== false &&
      UNSAFE_METHODS.has(method) &&
      (hasBody(req) || contentType !== undefined) &&
      !isJson(contentType ?? '')
    ) {
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'The local stack accepts request bodies only as JSON: send them with Content-Type: application/json.',
      };
    }
    return undefined;
  };
}

/** Writes a refusal as a JSON error and closes the connection (its body is never read). */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  const body = JSON.stringify({ error: { code: refusal.code, message: refusal.message, details: null } });
  res.writeHead(refusal.status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}

/**
 * Puts `guard` in front of every `request` listener of a server whose handler is not ours
 * (dynalite): refused requests never reach them.
 */
export function guardServer(server: Server, guard: RequestGuard): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = guard(req);
    if (refusal !== undefined) {
      sendRefusal(res, refusal);
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
}
