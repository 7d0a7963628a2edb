/**
 * A typed route table, after powertools' event handler (`packages/event-handler/src/http/Router.ts`):
 * each route is a method and a path template; the handler receives the template's parameters as
 * typed, always-present strings (`/stream-destinations/{id}` gives `params.id: string`).
 *
 * Paths are matched on their end, so a stage or base-path prefix (`/prod/stream-destinations`)
 * still routes, and a trailing slash is ignored. A route whose template ends in a literal segment
 * is tried before one ending in a parameter, longer templates first; so `/x/stream-status` is the
 * status route, not the destination with id `stream-status`.
 *
 * A known path with a method it does not serve is a 405 with `Allow`; an unknown path is a 404.
 */
import type { HttpRequest } from './converters';
import { HttpError } from './errors';

export const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

/** `{ id: string }` for `/stream-destinations/{id}/start`; `{}` for a template without parameters. */
export type PathParams<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? { [K in Name]: string } & PathParams<Rest>
  : Record<never, string>;

/** What a route answers: a status, an optional JSON body and headers. */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request routed to a handler, with its (still URL-encoded) path parameters. */
export interface RoutedRequest<Path extends string> {
  request: HttpRequest;
  params: PathParams<Path>;
}

export interface Route<Path extends string = string> {
  method: Method;
  path: Path;
  /** Skips the admin check (the published API document). */
  public?: boolean;
  /**
   * A polled GET: a 200 gets an ETag hashed from its JSON, and `If-None-Match` naming it gets
   * 304 with no body (conditional.ts).
   */
  conditional?: boolean;
  handler: (routed: RoutedRequest<Path>) => Promise<RouteResult>;
}

/** Builds one route; the template literal type gives the handler its typed params. */
export function route<const Path extends string>(
  method: Method,
  path: Path,
  handler: (routed: RoutedRequest<Path>) => Promise<RouteResult>,
  options: { public?: boolean; conditional?: boolean } = {},
): Route<Path> {
  return { method, path, handler, ...options };
}

/** A route chosen for a request, or the 405 the path earns. */
export interface Match {
  route: Route;
  params: Record<string, string>;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

const isParam = (segment: string): boolean => segment.startsWith('{') && segment.endsWith('}');

/** The parameters when the end of `path` matches `template`; undefined otherwise. */
function matchTemplate(template: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  if (path.length < template.length) return undefined;
  const offset = path.length - template.length;
  const params: Record<string, string> = {};
  for (const [i, part] of template.entries()) {
    const actual = path[offset + i];
    if (actual === undefined) return undefined;
    if (isParam(part)) params[part.slice(1, -1)] = actual;
    else if (part !== actual) return undefined;
  }
  return params;
}

export class Router {
  private readonly templates: { path: string; segments: string[]; routes: Route[] }[];
  private readonly declared: { path: string; routes: Route[] }[];

  constructor(routes: readonly Route[]) {
    const byPath = new Map<string, Route[]>();
    for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
    const rank = (segments: string[]): number => {
      const last = segments[segments.length - 1];
      return (last !== undefined && isParam(last) ? 0 : 1000) + segments.length;
    };
    this.declared = [...byPath].map(([path, list]) => ({ path, routes: list }));
    this.templates = this.declared.map(({ path, routes: list }) => ({ path, segments: segmentsOf(path), routes: list }));
    this.templates.sort((a, b) => rank(b.segments) - rank(a.segments));
  }

  /** Every route as `GET|POST /path`, for the 404 message. */
  describe(): string {
    return this.declared.map((t) => `${t.routes.map((r) => r.method).join('|')} ${t.path}`).join(', ');
  }

  /** The template a path belongs to (for the request log), whatever the method. */
  templateOf(path: string): { path: string; methods: Method[] } | undefined {
    const segments = segmentsOf(path);
    const found = this.templates.find((t) => matchTemplate(t.segments, segments) !== undefined);
    return found && { path: found.path, methods: found.routes.map((r) => r.method) };
  }

  /** The route for a method and path; throws the 404 or 405 HttpError. */
  resolve(method: string, path: string): Match {
    const segments = segmentsOf(path);
    for (const template of this.templates) {
      const params = matchTemplate(template.segments, segments);
      if (params === undefined) continue;
      const chosen = template.routes.find((r) => r.method === method);
      if (chosen) return { route: chosen, params };
      const methods = template.routes.map((r) => r.method);
      throw new HttpError(
        'METHOD_NOT_ALLOWED',
        `${displayable(method)} is not allowed on ${template.path}; use ${methods.join(' or ')}.`,
        { allow: [...methods, 'OPTIONS'] },
        { Allow: [...methods, 'OPTIONS'].join(', ') },
      );
    }
    throw new HttpError('ROUTE_NOT_FOUND', `No such route. Routes: ${this.describe()}.`);
  }
}

/** A clipped, printable form of a client-sent string, safe to show. */
export function displayable(text: string): string {
  const printable = text.replace(/\p{C}/gu, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}
