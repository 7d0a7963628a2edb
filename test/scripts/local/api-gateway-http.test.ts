import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  BodyTooLargeError,
  readBody,
  sendJson,
  sendProxyResult,
  toApiGatewayEvent,
  type ProxyResult,
} from '../../../scripts/local/api-gateway-http';

interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request, so tests control repeated headers, cookies and the exact path. */
function send(port: number, options: { method?: string; path: string; headers?: [string, string][]; body?: Buffer }): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of options.headers ?? []) {
      const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
      (headers[key] ??= []).push(value);
    }
    if (options.body && !Object.keys(headers).some((k) => k.toLowerCase() === 'transfer-encoding'))
      headers['content-length'] = [String(options.body.length)];
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('local API Gateway translation', () => {
  let server: Server;
  let port: number;
  /** What the next request answers; the event built from it is captured. */
  let answer: ProxyResult | undefined;
  let captured: APIGatewayProxyEventV2 | undefined;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      readBody(req, 64)
        .then((body) => {
          captured = toApiGatewayEvent(req, body, { requestId: 'req-1', now: new Date('2030-01-02T03:04:05.000Z') });
          if (answer) sendProxyResult(req, res, answer);
          else sendJson(req, res, 200, { ok: true });
        })
        .catch((error: unknown) => {
          if (error instanceof BodyTooLargeError)
            sendJson(req, res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: error.message } }, { connection: 'close' });
          else sendJson(req, res, 500, { error: String(error) });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('builds a payload 2.0 event with the raw path, query, lower-case headers and request context', async () => {
    answer = undefined;
    await send(port, {
      method: 'put',
      path: '/stream-destinations/abc%2Fdef?a=1&b=two%20words&a=3',
      headers: [
        ['X-Custom', 'one'],
        ['x-custom', 'two'],
        ['Content-Type', 'application/json'],
        ['User-Agent', 'jest-agent'],
      ],
      body: Buffer.from('{"name":"é"}'),
    });
    expect(captured).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/stream-destinations/abc%2Fdef',
      rawQueryString: 'a=1&b=two%20words&a=3',
      queryStringParameters: { a: '1,3', b: 'two words' },
      isBase64Encoded: false,
      body: '{"name":"é"}',
      requestContext: {
        requestId: 'req-1',
        stage: '$default',
        time: '02/Jan/2030:03:04:05 +0000',
        timeEpoch: Date.parse('2030-01-02T03:04:05.000Z'),
        http: {
          method: 'PUT',
          path: '/stream-destinations/abc%2Fdef',
          protocol: 'HTTP/1.1',
          userAgent: 'jest-agent',
          sourceIp: '127.0.0.1',
        },
      },
    });
    expect(captured!.headers['x-custom']).toBe('one,two');
    expect(captured!.headers['content-type']).toBe('application/json');
    expect(captured!.headers['X-Custom']).toBeUndefined();
  });

  it('moves cookies out of the headers into the cookies list, as API Gateway does', async () => {
    answer = undefined;
    await send(port, { path: '/x', headers: [['Cookie', 'a=1; b=2']] });
    expect(captured!.cookies).toEqual(['a=1', 'b=2']);
    expect(captured!.headers['cookie']).toBeUndefined();
  });

  it('passes a binary body base64-encoded and a bodiless request without a body', async () => {
    answer = undefined;
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    await send(port, { method: 'POST', path: '/x', headers: [['content-type', 'application/octet-stream']], body: binary });
    expect(captured!.isBase64Encoded).toBe(true);
    expect(Buffer.from(captured!.body!, 'base64').equals(binary)).toBe(true);

    await send(port, { method: 'POST', path: '/x', headers: [['content-type', 'application/json']], body: binary });
    expect(captured!.isBase64Encoded).toBe(true);

    await send(port, { path: '/x' });
    expect(captured!.body).toBeUndefined();
    expect(captured!.queryStringParameters).toBeUndefined();
  });

  it('refuses a body over the limit before building an event', async () => {
    answer = undefined;
    captured = undefined;
    const declared = await send(port, {
      method: 'POST',
      path: '/x',
      headers: [['content-type', 'text/plain']],
      body: Buffer.alloc(65, 'a'),
    });
    expect(declared.status).toBe(413);
    expect(captured).toBeUndefined();

    const chunked = await send(port, {
      method: 'POST',
      path: '/x',
      headers: [
        ['content-type', 'text/plain'],
        ['transfer-encoding', 'chunked'],
      ],
      body: Buffer.alloc(100, 'b'),
    });
    expect(chunked.status).toBe(413);
    expect(captured).toBeUndefined();

    const atLimit = await send(port, {
      method: 'POST',
      path: '/x',
      headers: [['content-type', 'text/plain']],
      body: Buffer.alloc(64, 'c'),
    });
    expect(atLimit.status).toBe(200);
    expect(captured!.body).toBe('c'.repeat(64));
  });

  it('writes the handler result: status, headers, cookies, base64 bodies decoded, no body for HEAD', async () => {
    answer = {
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Count': 3 },
      cookies: ['s=1; HttpOnly', 't=2'],
      body: Buffer.from('héllo').toString('base64'),
      isBase64Encoded: true,
    };
    const got = await send(port, { path: '/x' });
    expect(got.status).toBe(201);
    expect(got.headers['content-type']).toBe('text/plain');
    expect(got.headers['x-count']).toBe('3');
    expect(got.headers['set-cookie']).toEqual(['s=1; HttpOnly', 't=2']);
    expect(got.body.toString('utf8')).toBe('héllo');

    const head = await send(port, { method: 'HEAD', path: '/x' });
    expect(head.status).toBe(201);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength('héllo')));
  });
});
