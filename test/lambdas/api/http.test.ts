import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createApiHandler, MAX_BODY_BYTES } from '../../../lambdas/api/http';
import type { ApiEvent, ApiResult } from '../../../lambdas/api/http';
import type { DestinationService, DestinationView } from '../../../lambdas/core/destination';
import {
  ChannelOfflineError,
  DestinationDisabledError,
  DestinationNotFoundError,
  PreconditionFailedError,
  QuotaExceededError,
  RestreamingError,
  VersionConflictError,
} from '../../../lambdas/core/errors';
import type { Log } from '../../../lambdas/core/ports';
import { httpApiEvent, restApiEvent } from '../../support/api-gateway-events';
import { makeDestinationView } from '../../support/fixtures';
import type { EventOptions } from '../../support/api-gateway-events';

const ID = '3f0b8c5e-8d7a-4c1e-9f2b-6a5d4c3b2a10';
const STREAM_KEY = 'live_998877_QwErTySeCrEtKeY';
const ADMIN_ORIGIN = 'https://admin.example.com';

const view = (overrides: Partial<DestinationView> = {}): DestinationView => makeDestinationView({ id: ID, version: 3, ...overrides });

const IVS_STREAM_KEY = 'sk_us-east-1_ivsKeyThatMustNotBeLogged';

function fakeService() {
  return {
    list: jest.fn<DestinationService['list']>(async () => ({ destinations: [view()] })),
    get: jest.fn<DestinationService['get']>(async (id) => view({ id })),
    create: jest.fn<DestinationService['create']>(async (input) => view({ name: input.name, platform: input.platform })),
    update: jest.fn<DestinationService['update']>(async (id, input) => view({ id, ...(input.name ? { name: input.name } : {}) })),
    remove: jest.fn<DestinationService['remove']>(async () => ({ done: true as const })),
    start: jest.fn<DestinationService['start']>(async (id) => view({ id, status: 'starting' })),
    stop: jest.fn<DestinationService['stop']>(async (id) => view({ id, status: 'stopping' })),
    streamStatus: jest.fn<DestinationService['streamStatus']>(async () => ({
      channels: [
        {
          channelArn: view().channelArn,
          channelId: 'AbCdEfGhIjKl',
          state: 'LIVE' as const,
          streamId: 'st-1',
          since: '2030-01-01T00:00:00.000Z',
          stopsAt: null,
        },
      ],
    })),
    endGrace: jest.fn<DestinationService['endGrace']>(async (channelId) => ({
      channelArn: `arn:aws:ivs:us-east-1:123456789012:channel/${channelId}`,
      channelId,
      state: 'OFFLINE' as const,
      streamId: null,
      since: '2030-01-01T00:00:00.000Z',
      stopsAt: null,
    })),
    channel: jest.fn<DestinationService['channel']>(async (channelId) => ({
      channelArn: `arn:aws:ivs:us-east-1:123456789012:channel/${channelId}`,
      channelId,
      ingestServer: 'rtmps://a1b2c3d4e5f6.global-contribute.live-video.net:443/app/',
      playbackUrl: 'https://example.com/index.m3u8',
    })),
    streamKey: jest.fn<DestinationService['streamKey']>(async (channelId) => ({
      channelArn: `arn:aws:ivs:us-east-1:123456789012:channel/${channelId}`,
      channelId,
      ingestServer: 'rtmps://a1b2c3d4e5f6.global-contribute.live-video.net:443/app/',
      streamKey: IVS_STREAM_KEY,
    })),
    events: jest.fn<DestinationService['events']>(async () => ({ events: [], nextToken: null })),
  } satisfies DestinationService;
}

interface LogLine {
  level: string;
  message: string;
  attributes?: Record<string, unknown>;
}

function recordingLog(): { log: Log; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      lines.push({ level, message, ...(attributes ? { attributes } : {}) });
    };
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

let service: ReturnType<typeof fakeService>;
let logged: ReturnType<typeof recordingLog>;
let clock: number;
let handler: ReturnType<typeof createApiHandler>;

beforeEach(() => {
  service = fakeService();
  logged = recordingLog();
  clock = 1000;
  handler = createApiHandler({
    service,
    corsAllowOrigins: [ADMIN_ORIGIN],
    log: logged.log,
    now: () => {
      clock += 2.5;
      return clock;
    },
  });
});

function serviceCalls(): number {
  return Object.values(service).reduce((n, fn) => n + fn.mock.calls.length, 0);
}

function json(result: ApiResult): any {
  return JSON.parse(result.body);
}

function jsonBody(value: unknown): string {
  return JSON.stringify(value);
}

const createBody = { platform: 'youtube', name: '  Main channel ', streamKey: STREAM_KEY };

const PAYLOADS: [string, (o: EventOptions) => ApiEvent][] = [
  ['HTTP API payload 2.0', httpApiEvent],
  ['REST API payload 1.0', restApiEvent],
];

describe.each(PAYLOADS)('with %s events', (_label, makeEvent) => {
  const send = (options: EventOptions) => handler(makeEvent(options));

  it('lists destinations with GET /stream-destinations', async () => {
    const result = await send({ method: 'GET', path: '/stream-destinations' });

    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({ destinations: [view()] });
    expect(result.headers['Content-Type']).toBe('application/json');
    expect(result.headers['Cache-Control']).toBe('no-store');
    expect(service.list).toHaveBeenCalledTimes(1);
  });

  it('creates a destination with POST /stream-destinations and answers 201 with the view', async () => {
    const result = await send({ method: 'POST', path: '/stream-destinations', body: jsonBody(createBody) });

    expect(result.statusCode).toBe(201);
    expect(json(result)).toEqual(view());
    expect(service.create).toHaveBeenCalledWith({ platform: 'youtube', name: 'Main channel', streamKey: STREAM_KEY });
  });

  it('returns one destination with GET /stream-destinations/{id}', async () => {
    const result = await send({ method: 'GET', path: `/stream-destinations/${ID}` });

    expect(result.statusCode).toBe(200);
    expect(json(result).id).toBe(ID);
    expect(service.get).toHaveBeenCalledWith(ID);
  });

  it('answers 404 DESTINATION_NOT_FOUND when the service does not know the id', async () => {
    service.get.mockRejectedValueOnce(new DestinationNotFoundError(ID));

    const result = await send({ method: 'GET', path: `/stream-destinations/${ID}` });

    expect(result.statusCode).toBe(404);
    expect(json(result).error).toEqual({
      code: 'DESTINATION_NOT_FOUND',
      message: `No destination with id "${ID}". List destinations with GET /stream-destinations.`,
      details: null,
    });
  });

  it('updates a destination with PUT /stream-destinations/{id}', async () => {
    const result = await send({
      method: 'PUT',
      path: `/stream-destinations/${ID}`,
      body: jsonBody({ name: 'Renamed', enabled: false }),
    });

    expect(result.statusCode).toBe(200);
    expect(json(result).name).toBe('Renamed');
    expect(service.update).toHaveBeenCalledWith(ID, { name: 'Renamed', enabled: false }, {});
    expect(result.headers['ETag']).toBe('"3"');
  });

  it('answers DELETE with 204 and no body when nothing is left in MediaLive', async () => {
    const result = await send({ method: 'DELETE', path: `/stream-destinations/${ID}` });

    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(result.headers['Content-Type']).toBeUndefined();
    expect(service.remove).toHaveBeenCalledWith(ID);
  });

  it('answers DELETE with 202 and the view while MediaLive resources are being removed', async () => {
    service.remove.mockResolvedValueOnce({ done: false, destination: view({ status: 'deleting' }) });

    const result = await send({ method: 'DELETE', path: `/stream-destinations/${ID}` });

    expect(result.statusCode).toBe(202);
    expect(json(result).status).toBe('deleting');
  });

  it('starts a destination with POST /stream-destinations/{id}/start and answers 202', async () => {
    const result = await send({ method: 'POST', path: `/stream-destinations/${ID}/start` });

    expect(result.statusCode).toBe(202);
    expect(json(result).status).toBe('starting');
    expect(service.start).toHaveBeenCalledWith(ID, {});
  });

  it('stops a destination with POST /stream-destinations/{id}/stop and answers 202', async () => {
    const result = await send({ method: 'POST', path: `/stream-destinations/${ID}/stop` });

    expect(result.statusCode).toBe(202);
    expect(json(result).status).toBe('stopping');
    expect(service.stop).toHaveBeenCalledWith(ID);
  });

  it('reports channel states with GET /stream-status', async () => {
    const result = await send({ method: 'GET', path: '/stream-status' });

    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual(await service.streamStatus.mock.results[0]!.value);
  });

  it('reveals the IVS stream key with Cache-Control: no-store, and logs the request without it', async () => {
    const result = await send({ method: 'GET', path: '/channels/AbCdEfGhIjKl/stream-key' });

    expect(result.statusCode).toBe(200);
    expect(result.headers['Cache-Control']).toBe('no-store');
    expect(json(result)).toMatchObject({ channelId: 'AbCdEfGhIjKl', streamKey: IVS_STREAM_KEY });
    expect(service.streamKey).toHaveBeenCalledWith('AbCdEfGhIjKl');
    expect(logged.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged.lines)).not.toContain(IVS_STREAM_KEY);
  });

  it('routes the channel routes by channel id, and answers 404 for a value that cannot be one', async () => {
    const channel = await send({ method: 'GET', path: '/channels/AbCdEfGhIjKl' });
    const ended = await send({ method: 'POST', path: '/channels/AbCdEfGhIjKl/end-grace' });
    const arn = await send({ method: 'POST', path: `/channels/${encodeURIComponent('arn:aws:ivs:us-east-1:1:channel/x')}/end-grace` });

    expect(channel.statusCode).toBe(200);
    expect(service.channel).toHaveBeenCalledWith('AbCdEfGhIjKl');
    expect(ended.statusCode).toBe(202);
    expect(service.endGrace).toHaveBeenCalledWith('AbCdEfGhIjKl');
    expect(arn.statusCode).toBe(404);
    expect(json(arn)).toMatchObject({ error: { code: 'CHANNEL_NOT_FOUND' } });
    expect(service.endGrace).toHaveBeenCalledTimes(1);
  });

  it('routes a path with a stage prefix and a trailing slash', async () => {
    const started = await send({ method: 'POST', path: `/prod/stream-destinations/${ID}/start/` });
    const listed = await send({ method: 'GET', path: '/prod/stream-destinations/' });

    expect(started.statusCode).toBe(202);
    expect(service.start).toHaveBeenCalledWith(ID, {});
    expect(listed.statusCode).toBe(200);
  });

  it('answers a CORS preflight on a known route with 204', async () => {
    const result = await send({
      method: 'OPTIONS',
      path: `/stream-destinations/${ID}`,
      headers: { Origin: ADMIN_ORIGIN, 'Access-Control-Request-Method': 'PUT' },
    });

    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(result.headers).toMatchObject({
      'Access-Control-Allow-Origin': ADMIN_ORIGIN,
      'Access-Control-Allow-Methods': 'GET,POST,PUT,DELETE,OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type,Authorization,If-Match,If-None-Match',
      Vary: 'Origin',
    });
    expect(serviceCalls()).toBe(0);
  });

  it('answers 404 ROUTE_NOT_FOUND for an unknown path', async () => {
    const result = await send({ method: 'GET', path: '/streams' });

    expect(result.statusCode).toBe(404);
    expect(json(result).error.code).toBe('ROUTE_NOT_FOUND');
    expect(json(result).error.message).toContain('GET|POST /stream-destinations');
  });

  it('answers 405 with an Allow header for a known path and a wrong method', async () => {
    const result = await send({ method: 'PATCH', path: `/stream-destinations/${ID}` });

    expect(result.statusCode).toBe(405);
    expect(result.headers['Allow']).toBe('GET, PUT, DELETE, OPTIONS');
    expect(json(result).error.code).toBe('METHOD_NOT_ALLOWED');
    expect(serviceCalls()).toBe(0);
  });

  it('decodes a base64-encoded body', async () => {
    const result = await send({
      method: 'POST',
      path: '/stream-destinations',
      body: Buffer.from(jsonBody(createBody)).toString('base64'),
      isBase64Encoded: true,
    });

    expect(result.statusCode).toBe(201);
    expect(service.create).toHaveBeenCalledWith(expect.objectContaining({ streamKey: STREAM_KEY }));
  });

  it('answers 400 VALIDATION_FAILED naming the fields and does not call the service', async () => {
    const result = await send({
      method: 'POST',
      path: '/stream-destinations',
      body: jsonBody({ ...createBody, enabled: 'yes', rtmpUrl: 'ftp://live.example.com/app' }),
    });

    expect(result.statusCode).toBe(400);
    const error = json(result).error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.fields.map((f: { field: string }) => f.field)).toEqual(['rtmpUrl', 'enabled']);
    expect(error.message).toContain('enabled: expected a boolean, got string');
    expect(serviceCalls()).toBe(0);
  });

  it('reads header names in any case', async () => {
    const result = await send({ method: 'GET', path: '/stream-destinations', headers: { ORIGIN: ADMIN_ORIGIN } });

    expect(result.headers['Access-Control-Allow-Origin']).toBe(ADMIN_ORIGIN);
  });
});

describe('request bodies', () => {
  const post = (body: string | undefined, extra: Partial<EventOptions> = {}) =>
    handler(httpApiEvent({ method: 'POST', path: '/stream-destinations', ...(body === undefined ? {} : { body }), ...extra }));

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 16 KiB', async () => {
    const body = jsonBody({ ...createBody, name: 'n'.repeat(MAX_BODY_BYTES) });

    const result = await post(body);

    expect(result.statusCode).toBe(413);
    expect(json(result).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(serviceCalls()).toBe(0);
  });

  it('counts the size of a base64 body after decoding it', async () => {
    // Base64 text is a third longer than what it encodes: 15000 bytes become 20000 characters.
    const fits = jsonBody({ ...createBody, name: 'Main', pad: undefined }).padEnd(15000, ' ');
    const tooBig = jsonBody(createBody).padEnd(MAX_BODY_BYTES + 1, ' ');

    const accepted = await post(Buffer.from(fits).toString('base64'), { isBase64Encoded: true });
    const rejected = await post(Buffer.from(tooBig).toString('base64'), { isBase64Encoded: true });

    expect(Buffer.from(fits).toString('base64').length).toBeGreaterThan(MAX_BODY_BYTES);
    expect(accepted.statusCode).toBe(201);
    expect(rejected.statusCode).toBe(413);
  });

  it.each([
    ['is not JSON', `{"platform":"youtube","streamKey":"${STREAM_KEY}",}`],
    ['is truncated JSON', `{"streamKey":"${STREAM_KEY}"`],
    ['is form-encoded', `platform=youtube&streamKey=${STREAM_KEY}`],
  ])('answers 400 MALFORMED_REQUEST naming the body when it %s', async (_label, body) => {
    const result = await post(body);

    expect(result.statusCode).toBe(400);
    const error = json(result).error;
    expect(error.code).toBe('MALFORMED_REQUEST');
    expect(error.message).toMatch(/^Request body is not valid JSON/);
    expect(error.details).toEqual({ fields: [{ field: 'body', message: error.message }] });
    expect(serviceCalls()).toBe(0);
  });

  it.each([
    ['an array', '[1,2]', 'an array'],
    ['a string', '"youtube"', 'a string'],
    ['a number', '42', 'a number'],
    ['null', 'null', 'null'],
  ])('answers 400 when the JSON is %s rather than an object', async (_label, body, type) => {
    const result = await post(body);

    expect(result.statusCode).toBe(400);
    expect(json(result).error.message).toContain(`Request body must be a JSON object, got ${type}`);
    expect(serviceCalls()).toBe(0);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['only whitespace', '  \n '],
  ])('answers 400 naming the body when a POST body is %s', async (_label, body) => {
    const result = await post(body);

    expect(result.statusCode).toBe(400);
    expect(json(result).error.code).toBe('MALFORMED_REQUEST');
    expect(json(result).error.message).toMatch(/^Request body is (missing|empty)/);
    expect(serviceCalls()).toBe(0);
  });

  it('answers 400 when a PUT has no body', async () => {
    const result = await handler(httpApiEvent({ method: 'PUT', path: `/stream-destinations/${ID}` }));

    expect(result.statusCode).toBe(400);
    expect(service.update).not.toHaveBeenCalled();
  });

  it('answers 400 for a body that is not UTF-8', async () => {
    const result = await post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), { isBase64Encoded: true });

    expect(result.statusCode).toBe(400);
    expect(json(result).error.message).toContain('not valid UTF-8');
  });

  it('answers 400 for an empty update object', async () => {
    const result = await handler(httpApiEvent({ method: 'PUT', path: `/stream-destinations/${ID}`, body: '{}' }));

    expect(result.statusCode).toBe(400);
    expect(json(result).error.details.fields[0].field).toBe('body');
    expect(service.update).not.toHaveBeenCalled();
  });

  it.each([
    ['an unknown field', { ...createBody, server: 'x' }, 'server'],
    ['an http:// URL', { ...createBody, rtmpUrl: 'http://live.example.com/app' }, 'rtmpUrl'],
    ['an ftp:// URL', { ...createBody, rtmpUrl: 'ftp://live.example.com/app' }, 'rtmpUrl'],
    ['rtmp:// for Facebook', { ...createBody, platform: 'facebook', rtmpUrl: 'rtmp://live-api-s.facebook.com/rtmp/' }, 'rtmpUrl'],
    ['an invalid channel ARN', { ...createBody, channelArn: 'arn:aws:ivs:eu-west-1:123:channel/x' }, 'channelArn'],
    ['a wrongly typed name', { ...createBody, name: 12 }, 'name'],
  ])('rejects %s with 400 without calling the service', async (_label, body, field) => {
    const result = await post(jsonBody(body));

    expect(result.statusCode).toBe(400);
    expect(json(result).error.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    expect(serviceCalls()).toBe(0);
  });
});

describe('destination ids', () => {
  it.each([
    ['with characters we never generate', 'abc.def'],
    ['longer than 128 characters', 'a'.repeat(129)],
    ['with a broken percent-encoding', '%E0%A4%A'],
    ['with an encoded slash', 'a%2Fb'],
  ])('answers 404 DESTINATION_NOT_FOUND for an id %s without calling the service', async (_label, id) => {
    const results = [
      await handler(httpApiEvent({ method: 'GET', path: `/stream-destinations/${id}` })),
      await handler(httpApiEvent({ method: 'DELETE', path: `/stream-destinations/${id}` })),
      await handler(restApiEvent({ method: 'POST', path: `/stream-destinations/${id}/start` })),
    ];

    for (const result of results) {
      expect(result.statusCode).toBe(404);
      expect(json(result).error.code).toBe('DESTINATION_NOT_FOUND');
    }
    expect(serviceCalls()).toBe(0);
  });

  it('passes a percent-encoded id to the service decoded', async () => {
    await handler(httpApiEvent({ method: 'GET', path: '/stream-destinations/abc%2Ddef' }));

    expect(service.get).toHaveBeenCalledWith('abc-def');
  });
});

describe('CORS', () => {
  it('allows a listed origin and says the answer varies by origin', async () => {
    const result = await handler(httpApiEvent({ method: 'GET', path: '/stream-destinations', headers: { origin: ADMIN_ORIGIN } }));

    expect(result.headers['Access-Control-Allow-Origin']).toBe(ADMIN_ORIGIN);
    // And by Accept-Encoding: a payload 2.0 answer may be gzip (conditional.test.ts).
    expect(result.headers['Vary']).toBe('Origin, Accept-Encoding');
  });

  it('does not allow an origin that is not listed, also in a preflight', async () => {
    const request = await handler(
      httpApiEvent({ method: 'GET', path: '/stream-destinations', headers: { origin: 'https://evil.example.net' } }),
    );
    const preflight = await handler(
      httpApiEvent({ method: 'OPTIONS', path: '/stream-destinations', headers: { origin: 'https://evil.example.net' } }),
    );

    expect(request.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(preflight.headers['Access-Control-Allow-Methods']).toBeUndefined();
  });

  it('allows any origin when the list holds "*", echoing the caller\'s origin', async () => {
    const open = createApiHandler({ service, corsAllowOrigins: ['*'], log: logged.log });

    const result = await open(httpApiEvent({ method: 'GET', path: '/stream-status', headers: { origin: 'http://localhost:5173' } }));

    expect(result.headers['Access-Control-Allow-Origin']).toBe('http://localhost:5173');
  });

  it('sends no CORS headers when no origin is allowed', async () => {
    const closed = createApiHandler({ service, corsAllowOrigins: [], log: logged.log });

    const result = await closed(httpApiEvent({ method: 'GET', path: '/stream-status', headers: { origin: ADMIN_ORIGIN } }));

    expect(Object.keys(result.headers).filter((h) => h.startsWith('Access-Control'))).toEqual([]);
    expect(result.headers['Vary']).toBe('Accept-Encoding');
  });

  it('adds CORS headers to error responses too', async () => {
    const result = await handler(httpApiEvent({ method: 'GET', path: '/nowhere', headers: { origin: ADMIN_ORIGIN } }));

    expect(result.statusCode).toBe(404);
    expect(result.headers['Access-Control-Allow-Origin']).toBe(ADMIN_ORIGIN);
  });
});

describe('errors', () => {
  it.each([
    [new ChannelOfflineError('The IVS channel is offline; start streaming to it first.'), 409, 'CHANNEL_OFFLINE'],
    [new VersionConflictError('Changed concurrently; retry.'), 409, 'VERSION_CONFLICT'],
    [new QuotaExceededError('MediaLive channel quota reached; ask AWS to raise it.'), 429, 'QUOTA_EXCEEDED'],
  ])('maps %p to its status and code', async (error, status, code) => {
    service.start.mockRejectedValueOnce(error);

    const result = await handler(httpApiEvent({ method: 'POST', path: `/stream-destinations/${ID}/start` }));

    expect(result.statusCode).toBe(status);
    expect(json(result)).toEqual({ error: { code, message: error.message, details: null } });
  });

  it.each([
    [
      'an SDK error',
      Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/x is not authorized'), { name: 'AccessDeniedException' }),
    ],
    ['a base RestreamingError', new RestreamingError('invariant broken in reconcile')],
    ['a thrown string', 'boom'],
  ])('hides %s behind a 500 that quotes the request id', async (_label, error) => {
    service.list.mockRejectedValueOnce(error);

    const result = await handler(httpApiEvent({ method: 'GET', path: '/stream-destinations', requestId: 'req-500' }));

    expect(result.statusCode).toBe(500);
    expect(json(result)).toEqual({
      error: {
        code: 'INTERNAL',
        message: 'Internal error; quote request id req-500 when reporting it.',
        details: { requestId: 'req-500' },
      },
    });
    expect(result.body).not.toMatch(/arn:aws|not authorized|invariant|boom|at .*\.ts/);
  });

  it('logs an unexpected error with the request id and the error, but not the request body', async () => {
    service.create.mockRejectedValueOnce(new TypeError('cannot read properties of undefined'));

    await handler(httpApiEvent({ method: 'POST', path: '/stream-destinations', body: jsonBody(createBody), requestId: 'req-log' }));

    const errors = logged.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.attributes).toMatchObject({
      requestId: 'req-log',
      route: '/stream-destinations',
      error: { name: 'TypeError', message: 'cannot read properties of undefined' },
    });
    expect(JSON.stringify(logged.lines)).not.toContain('Main channel');
  });
});

describe('request log', () => {
  it('writes one line per request with method, route, status, duration and destination id', async () => {
    await handler(httpApiEvent({ method: 'POST', path: `/prod/stream-destinations/${ID}/stop` }));

    expect(logged.lines).toEqual([
      {
        level: 'info',
        message: 'API request',
        attributes: {
          requestId: 'Xy1AbCdEfGhIjK=',
          method: 'POST',
          route: '/stream-destinations/{id}/stop',
          status: 202,
          durationMs: 2.5,
          destinationId: ID,
        },
      },
    ]);
  });

  it('logs the id of a created destination and the error code of a refused request', async () => {
    await handler(httpApiEvent({ method: 'POST', path: '/stream-destinations', body: jsonBody(createBody) }));
    await handler(httpApiEvent({ method: 'GET', path: '/nowhere' }));

    expect(logged.lines.map((l) => l.attributes)).toEqual([
      expect.objectContaining({ route: '/stream-destinations', status: 201, destinationId: ID }),
      expect.objectContaining({ route: 'unmatched', status: 404, errorCode: 'ROUTE_NOT_FOUND' }),
    ]);
  });
});

describe('stream key secrecy', () => {
  it('never puts the stream key of the request into a response or a log line', async () => {
    const withKey = (body: Record<string, unknown> = {}) => jsonBody({ ...createBody, ...body });
    // The service fails with messages that quote the key, as a careless dependency might.
    service.create.mockRejectedValue(new Error(`MediaLive rejected StreamName ${STREAM_KEY}`));
    service.update.mockRejectedValue(new Error(`update failed for ${STREAM_KEY}`));

    const requests: [EventOptions, number][] = [
      [{ method: 'POST', path: '/stream-destinations', body: withKey() }, 500],
      [{ method: 'PUT', path: `/stream-destinations/${ID}`, body: jsonBody({ streamKey: STREAM_KEY }) }, 500],
      [{ method: 'POST', path: '/stream-destinations', body: withKey({ rtmpUrl: `ftp://x/${STREAM_KEY}` }) }, 400],
      [{ method: 'POST', path: '/stream-destinations', body: withKey({ streamKey: `${STREAM_KEY} ` }) }, 400],
      [{ method: 'POST', path: '/stream-destinations', body: withKey({ enabled: STREAM_KEY, extra: STREAM_KEY }) }, 400],
      [{ method: 'POST', path: '/stream-destinations', body: withKey({ platform: STREAM_KEY }) }, 400],
      [{ method: 'POST', path: '/stream-destinations', body: `{"streamKey":"${STREAM_KEY}"` }, 400],
      [{ method: 'POST', path: '/stream-destinations', body: `{"streamKey":${STREAM_KEY}}` }, 400],
      [{ method: 'POST', path: '/stream-destinations', body: `"${STREAM_KEY}"` }, 400],
      [{ method: 'POST', path: '/stream-destinations', body: withKey({ name: 'x'.repeat(MAX_BODY_BYTES) }) }, 413],
      [{ method: 'PATCH', path: `/stream-destinations/${ID}`, body: withKey() }, 405],
    ];

    for (const [options, status] of requests) {
      for (const makeEvent of [httpApiEvent, restApiEvent]) {
        const result = await handler(makeEvent(options));
        expect(result.statusCode).toBe(status);
        expect(JSON.stringify(result)).not.toContain(STREAM_KEY);
      }
    }
    expect(logged.lines.filter((l) => l.level === 'error')).toHaveLength(4);
    expect(JSON.stringify(logged.lines)).not.toContain(STREAM_KEY);
  });
});

describe('start and stop bodies', () => {
  const startWith = (body?: string) =>
    handler(httpApiEvent({ method: 'POST', path: `/stream-destinations/${ID}/start`, ...(body === undefined ? {} : { body }) }));

  it.each([
    ['no body', undefined],
    ['an empty object', '{}'],
  ])('starts with %s', async (_label, body) => {
    const result = await startWith(body);

    expect(result.statusCode).toBe(202);
    expect(service.start).toHaveBeenCalledWith(ID, {});
  });

  it('passes {"enable": true} on to the service', async () => {
    const result = await startWith('{"enable": true}');

    expect(result.statusCode).toBe(202);
    expect(service.start).toHaveBeenCalledWith(ID, { enable: true });
  });

  it('refuses an unknown field in a start body with 400 naming the field', async () => {
    const result = await startWith('{"force": true}');

    expect(result.statusCode).toBe(400);
    expect(json(result).error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'force: is not a known field; allowed fields are enable',
      details: { fields: [{ field: 'force', message: 'is not a known field; allowed fields are enable' }] },
    });
    expect(serviceCalls()).toBe(0);
  });

  it('refuses a non-boolean enable and a body that is not an object', async () => {
    const wrongType = await startWith('{"enable": "yes"}');
    const array = await startWith('[]');

    expect(wrongType.statusCode).toBe(400);
    expect(json(wrongType).error.details.fields).toEqual([{ field: 'enable', message: 'expected a boolean; send true or false' }]);
    expect(array.statusCode).toBe(400);
    expect(serviceCalls()).toBe(0);
  });

  it('refuses any field in a stop body', async () => {
    const result = await handler(httpApiEvent({ method: 'POST', path: `/stream-destinations/${ID}/stop`, body: '{"now": true}' }));

    expect(result.statusCode).toBe(400);
    expect(json(result).error.details.fields).toEqual([{ field: 'now', message: 'is not a known field; send no body or {}' }]);
    expect(service.stop).not.toHaveBeenCalled();
  });

  it('answers 409 DESTINATION_DISABLED when the service refuses to start a disabled destination', async () => {
    service.start.mockRejectedValueOnce(new DestinationDisabledError('Destination is disabled; enable it first.'));

    const result = await startWith();

    expect(result.statusCode).toBe(409);
    expect(json(result).error.code).toBe('DESTINATION_DISABLED');
  });
});

describe('ETag and If-Match', () => {
  const put = (headers: Record<string, string>) =>
    handler(httpApiEvent({ method: 'PUT', path: `/stream-destinations/${ID}`, body: '{"name":"Renamed"}', headers }));

  it('sends the version as a strong ETag on every destination answer and lets a browser read it', async () => {
    const results = [
      await handler(httpApiEvent({ method: 'GET', path: `/stream-destinations/${ID}`, headers: { origin: ADMIN_ORIGIN } })),
      await handler(httpApiEvent({ method: 'POST', path: '/stream-destinations', body: jsonBody(createBody) })),
      await handler(httpApiEvent({ method: 'POST', path: `/stream-destinations/${ID}/start` })),
      await handler(httpApiEvent({ method: 'POST', path: `/stream-destinations/${ID}/stop` })),
    ];

    for (const result of results) expect(result.headers['ETag']).toBe('"3"');
    expect(results[0]?.headers['Access-Control-Expose-Headers']).toBe('ETag');
  });

  it('passes the If-Match version to the service', async () => {
    const result = await put({ 'If-Match': '"3"' });

    expect(result.statusCode).toBe(200);
    expect(service.update).toHaveBeenCalledWith(ID, { name: 'Renamed' }, { ifVersion: 3 });
  });

  it('treats If-Match: * as any version', async () => {
    await put({ 'if-match': '*' });

    expect(service.update).toHaveBeenCalledWith(ID, { name: 'Renamed' }, {});
  });

  it.each([['W/"3"'], ['3'], ['"3", "4"'], ['"abc"']])('answers 412 for If-Match %s, which can never match strongly', async (value) => {
    const result = await put({ 'If-Match': value });

    expect(result.statusCode).toBe(412);
    expect(json(result).error.code).toBe('PRECONDITION_FAILED');
    expect(service.update).not.toHaveBeenCalled();
  });

  it('answers 412 PRECONDITION_FAILED when the destination moved on', async () => {
    service.update.mockRejectedValueOnce(new PreconditionFailedError('changed since version 3'));

    const result = await put({ 'If-Match': '"3"' });

    expect(result.statusCode).toBe(412);
    expect(json(result).error).toEqual({ code: 'PRECONDITION_FAILED', message: 'changed since version 3', details: null });
  });
});

describe('admin group and scope (JWT mode)', () => {
  const ROUTES: EventOptions[] = [
    { method: 'GET', path: '/stream-destinations' },
    { method: 'POST', path: '/stream-destinations', body: jsonBody(createBody) },
    { method: 'GET', path: `/stream-destinations/${ID}` },
    { method: 'PUT', path: `/stream-destinations/${ID}`, body: '{"name":"Renamed"}' },
    { method: 'DELETE', path: `/stream-destinations/${ID}` },
    { method: 'POST', path: `/stream-destinations/${ID}/start` },
    { method: 'POST', path: `/stream-destinations/${ID}/stop` },
    { method: 'GET', path: '/stream-status' },
  ];
  const SUCCESS = [200, 201, 200, 200, 204, 202, 202, 200];

  /** An HTTP API event as API Gateway passes it after its JWT authorizer accepted the token. */
  function withClaims(options: EventOptions, claims: Record<string, string>): ApiEvent {
    const event = httpApiEvent(options);
    return {
      ...event,
      requestContext: { ...event.requestContext, authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } },
    };
  }

  /** A REST API event after a Cognito user pool authorizer. */
  function withRestClaims(options: EventOptions, claims: Record<string, string>): ApiEvent {
    const event = restApiEvent(options);
    return { ...event, requestContext: { ...event.requestContext, authorizer: { claims } } };
  }

  const guarded = (admin: { group?: string; scope?: string }) =>
    createApiHandler({ service, corsAllowOrigins: [ADMIN_ORIGIN], log: logged.log, admin });

  it('answers 403 FORBIDDEN on every route to a token without the admin group, without calling the service', async () => {
    const api = guarded({ group: 'admins' });

    for (const options of ROUTES) {
      const result = await api(withClaims(options, { sub: 'u-1', 'cognito:groups': '[editors viewers]' }));
      expect(result.statusCode).toBe(403);
      expect(json(result).error.code).toBe('FORBIDDEN');
      expect(json(result).error.message).toContain('is not in the group "admins"');
    }
    expect(serviceCalls()).toBe(0);
  });

  it('serves every route to a token in the admin group', async () => {
    const api = guarded({ group: 'admins' });

    const statuses = [];
    for (const options of ROUTES) statuses.push((await api(withClaims(options, { 'cognito:groups': '[editors admins]' }))).statusCode);

    expect(statuses).toEqual(SUCCESS);
  });

  it('reads the groups of a REST API Cognito authorizer (comma-separated)', async () => {
    const api = guarded({ group: 'admins' });

    const member = await api(withRestClaims(ROUTES[0] as EventOptions, { 'cognito:groups': 'admins,editors' }));
    const other = await api(withRestClaims(ROUTES[0] as EventOptions, { 'cognito:groups': 'administrators' }));

    expect(member.statusCode).toBe(200);
    expect(other.statusCode).toBe(403);
  });

  it('requires the scope when ADMIN_SCOPE is set, and both when both are', async () => {
    const scoped = guarded({ scope: 'restreaming-api/admin' });
    const both = guarded({ group: 'admins', scope: 'restreaming-api/admin' });
    const route = ROUTES[0] as EventOptions;

    expect((await scoped(withClaims(route, { scope: 'openid restreaming-api/admin' }))).statusCode).toBe(200);
    expect((await scoped(withClaims(route, { scope: 'openid profile' }))).statusCode).toBe(403);
    expect((await both(withClaims(route, { scope: 'restreaming-api/admin', 'cognito:groups': '[viewers]' }))).statusCode).toBe(403);
    expect((await both(withClaims(route, { scope: 'restreaming-api/admin', 'cognito:groups': '[admins]' }))).statusCode).toBe(200);
  });

  it('refuses a request that carries no claims when a group is configured (fail closed)', async () => {
    const result = await guarded({ group: 'admins' })(httpApiEvent(ROUTES[0] as EventOptions));

    expect(result.statusCode).toBe(403);
    expect(json(result).error.message).toContain('send a bearer token that carries the group "admins"');
  });

  it('requires the default group "admins" when claims arrive but nothing is configured', async () => {
    const api = guarded({});

    expect((await api(withClaims(ROUTES[0] as EventOptions, { 'cognito:groups': '[viewers]' }))).statusCode).toBe(403);
    expect((await api(withClaims(ROUTES[0] as EventOptions, { 'cognito:groups': '[admins]' }))).statusCode).toBe(200);
  });

  it('checks nothing without claims and without configuration (auth none, the local stack)', async () => {
    const result = await guarded({})(httpApiEvent(ROUTES[0] as EventOptions));

    expect(result.statusCode).toBe(200);
  });

  it('answers a CORS preflight without a token (browsers send none)', async () => {
    const result = await guarded({ group: 'admins' })(
      httpApiEvent({ method: 'OPTIONS', path: '/stream-destinations', headers: { origin: ADMIN_ORIGIN } }),
    );

    expect(result.statusCode).toBe(204);
  });
});
