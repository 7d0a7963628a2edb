/**
 * What API Gateway's HTTP API does in front of the API Lambda, for the local stack: a Node HTTP
 * request becomes a payload 2.0 event, the Lambda's result becomes the HTTP response.
 *
 * Like API Gateway, the server refuses bodies over a hard limit before any event is built
 * (`readBody`); the API's own, smaller limit (16 KiB) then applies inside the handler.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The server's own body limit: 1 MiB. Larger requests never reach the handler. */
export const MAX_SERVER_BODY_BYTES = 1024 * 1024;

/** The request body was larger than the limit; answer 413 without reading the rest. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`Request body is larger than ${limit} bytes.`);
  }
}

/**
 * Reads the whole body, refusing one over `limit` bytes: at once from `content-length`, or as
 * soon as the received bytes pass the limit (chunked uploads).
 */
export async function readBody(req: IncomingMessage, limit = MAX_SERVER_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|[\w.+-]+\+xml|javascript)\b)/i;

/** True when API Gateway would pass the body as text: a textual content type and valid UTF-8. */
function isTextBody(contentType: string | undefined, body: Buffer): boolean {
  if (contentType === undefined || !TEXT_TYPES.test(contentType.trim())) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

/** `01/Jan/2030:00:00:00 +0000`, API Gateway's `requestContext.time`. */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

export interface EventContext {
  /** Defaults to a random UUID. */
  requestId?: string;
  /** Defaults to now. */
  now?: Date;
}

/**
 * The payload 2.0 event API Gateway would send for this request: lower-case header names with
 * repeated headers joined by commas, cookies moved to `cookies`, the raw (still encoded) path and
 * query, and the body as text or, when it is binary, base64 with `isBase64Encoded`.
 */
export function toApiGatewayEvent(req: IncomingMessage, body: Buffer, context: EventContext = {}): APIGatewayProxyEventV2 {
  const now = context.now ?? new Date();
  const requestId = context.requestId ?? randomUUID();
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = (queryAt === -1 ? target : target.slice(0, queryAt)) || '/';
  const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies = [
        ...(cookies ?? []),
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      ];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }

  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }

  const method = (req.method ?? 'GET').toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers['host'] ?? 'localhost',
      domainPrefix: (headers['host'] ?? 'localhost').split(/[.:]/)[0] ?? 'localhost',
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (body.length > 0) {
    if (isTextBody(headers['content-type'], body)) {
      event.body = body.toString('utf8');
    } else {
      event.body = body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

/** A Lambda proxy result in the 2.0 (or 1.0) shape. */
export interface ProxyResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** Writes a Lambda proxy result as the HTTP response (HEAD gets the headers only). */
export function sendProxyResult(req: IncomingMessage, res: ServerResponse, result: ProxyResult): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(name, values.map(String));
  if (result.cookies && result.cookies.length > 0) res.setHeader('set-cookie', result.cookies);
  if (!res.hasHeader('content-type') && body.length > 0) res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', body.length);
  res.writeHead(result.statusCode);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Writes a JSON response in the API's shape. */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendProxyResult(req, res, {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: status === 204 ? '' : JSON.stringify(body),
  });
}
