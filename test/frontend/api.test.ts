import { describe, expect, it, jest } from '@jest/globals';
import { ApiClient, ApiError, toApiError, type DestinationView } from '../../frontend/src/api';
import { makeDestinationView } from '../support/fixtures';

const VIEW: DestinationView = makeDestinationView({ id: 'd-1', name: 'YouTube main' });

type FetchMock = jest.Mock<typeof fetch>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function client(respond: (url: string, init: RequestInit) => Response | Promise<Response>, token: string | null = null) {
  const fetchMock: FetchMock = jest.fn<typeof fetch>(async (input, init) => respond(String(input), init ?? {}));
  const api = new ApiClient({ baseUrl: 'https://api.example.com/', fetch: fetchMock, getToken: () => token });
  return { api, fetchMock };
}

function call(fetchMock: FetchMock, index = 0): { url: string; init: RequestInit; headers: Record<string, string> } {
  const [url, init] = fetchMock.mock.calls[index]!;
  return { url: String(url), init: init!, headers: init!.headers as Record<string, string> };
}

describe('ApiClient', () => {
  it('lists destinations from GET /stream-destinations', async () => {
    const { api, fetchMock } = client(() => json(200, { destinations: [VIEW] }));
    await expect(api.listDestinations()).resolves.toEqual([VIEW]);
    expect(call(fetchMock).url).toBe('https://api.example.com/stream-destinations');
    expect(call(fetchMock).init.method).toBe('GET');
  });

  it("reads a destination's history page by page from GET /stream-destinations/{id}/events", async () => {
    const page = {
      events: [{ id: 'e2', at: '2024-05-01T10:00:01.000Z', kind: 'edited', source: 'api', message: 'Edited: name.', details: {} }],
      nextToken: 'e1.abc',
    };
    const { api, fetchMock } = client(() => json(200, page));
    await expect(api.listDestinationEvents('d 1')).resolves.toEqual(page);
    expect(call(fetchMock, 0).url).toBe('https://api.example.com/stream-destinations/d%201/events');
    await api.listDestinationEvents('d-1', { limit: 20, nextToken: 'e1.a+b/=' });
    expect(call(fetchMock, 1).url).toBe('https://api.example.com/stream-destinations/d-1/events?limit=20&nextToken=e1.a%2Bb%2F%3D');
  });

  it('sends the last ETag as If-None-Match and returns the remembered list on 304', async () => {
    let etag = 'W/"aaa"';
    let destinations = [VIEW];
    const { api, fetchMock } = client((_url, init) => {
      const sent = (init.headers as Record<string, string>)['if-none-match'];
      if (sent === etag) return new Response(null, { status: 304, headers: { etag } });
      return new Response(JSON.stringify({ destinations }), { status: 200, headers: { 'content-type': 'application/json', etag } });
    });

    const first = await api.listDestinations();
    expect(call(fetchMock, 0).headers['if-none-match']).toBeUndefined();
    const second = await api.listDestinations();
    expect(call(fetchMock, 1).headers['if-none-match']).toBe('W/"aaa"');
    expect(second).toBe(first);

    etag = 'W/"bbb"';
    destinations = [{ ...VIEW, status: 'starting' }];
    const third = await api.listDestinations();
    expect(third[0]!.status).toBe('starting');
    expect(call(fetchMock, 3 - 1).headers['if-none-match']).toBe('W/"aaa"');
    await api.listDestinations();
    expect(call(fetchMock, 3).headers['if-none-match']).toBe('W/"bbb"');
  });

  it('remembers the stream status by its own ETag, apart from the list', async () => {
    const { api, fetchMock } = client((url) =>
      url.endsWith('/stream-status')
        ? new Response(JSON.stringify({ channels: [] }), { status: 200, headers: { etag: 'W/"status"' } })
        : new Response(JSON.stringify({ destinations: [] }), { status: 200, headers: { etag: 'W/"list"' } }),
    );
    await api.streamStatus();
    await api.listDestinations();
    await api.streamStatus();
    expect(call(fetchMock, 1).headers['if-none-match']).toBeUndefined();
    expect(call(fetchMock, 2).headers['if-none-match']).toBe('W/"status"');
  });

  it('creates a destination with a JSON body and returns the 201 view', async () => {
    const { api, fetchMock } = client(() => json(201, VIEW));
    const input = { platform: 'youtube', name: 'YouTube main', streamKey: 'secret-key-abcd' } as const;
    await expect(api.createDestination(input)).resolves.toEqual(VIEW);
    const { url, init, headers } = call(fetchMock);
    expect(url).toBe('https://api.example.com/stream-destinations');
    expect(init.method).toBe('POST');
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual(input);
  });

  it('sends the update, start, stop and get requests to the id path, encoding the id', async () => {
    const { api, fetchMock } = client(() => json(200, VIEW));
    await api.updateDestination('a/b', { enabled: false });
    await api.startDestination('d-1');
    await api.stopDestination('d-1');
    await api.getDestination('d-1');
    expect(fetchMock.mock.calls.map(([url, init]) => `${init?.method} ${String(url)}`)).toEqual([
      'PUT https://api.example.com/stream-destinations/a%2Fb',
      'POST https://api.example.com/stream-destinations/d-1/start',
      'POST https://api.example.com/stream-destinations/d-1/stop',
      'GET https://api.example.com/stream-destinations/d-1',
    ]);
    expect(JSON.parse(call(fetchMock).init.body as string)).toEqual({ enabled: false });
  });

  it('reports a 204 delete as done and a 202 delete with the deleting destination', async () => {
    const done = client(() => new Response(null, { status: 204 }));
    await expect(done.api.deleteDestination('d-1')).resolves.toEqual({ done: true });
    expect(call(done.fetchMock).init.method).toBe('DELETE');

    const deleting = { ...VIEW, status: 'deleting' as const };
    const pending = client(() => json(202, deleting));
    await expect(pending.api.deleteDestination('d-1')).resolves.toEqual({ done: false, destination: deleting });
  });

  it('reads the channels of GET /stream-status', async () => {
    const channels = [{ channelArn: VIEW.channelArn, state: 'LIVE', streamId: 'st-1', since: '2024-05-01T10:00:00.000Z' }];
    const { api } = client(() => json(200, { channels }));
    await expect(api.streamStatus()).resolves.toEqual(channels);
  });

  it('attaches the bearer token when signed in, and no authorization header otherwise', async () => {
    const signedIn = client(() => json(200, { destinations: [] }), 'tok-123');
    await signedIn.api.listDestinations();
    expect(call(signedIn.fetchMock).headers['authorization']).toBe('Bearer tok-123');

    const anonymous = client(() => json(200, { destinations: [] }));
    await anonymous.api.listDestinations();
    expect(call(anonymous.fetchMock).headers).not.toHaveProperty('authorization');
  });

  it('calls the same origin when the base URL is empty', async () => {
    const fetchMock = jest.fn<typeof fetch>(async () => json(200, { channels: [] }));
    await new ApiClient({ baseUrl: '', fetch: fetchMock }).streamStatus();
    expect(String(fetchMock.mock.calls[0]![0])).toBe('/stream-status');
  });

  it('turns a 400 with field details into an ApiError with field errors', async () => {
    const { api } = client(() =>
      json(400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'rtmpUrl: must start with rtmp:// or rtmps://',
          details: { fields: [{ field: 'rtmpUrl', message: 'must start with rtmp:// or rtmps://' }] },
        },
      }),
    );
    const error = await api.createDestination({ platform: 'custom', name: 'x', streamKey: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'rtmpUrl: must start with rtmp:// or rtmps://',
      fieldErrors: [{ field: 'rtmpUrl', message: 'must start with rtmp:// or rtmps://' }],
    });
  });

  it('keeps the API message of a 409 so the UI can show why a start was refused', async () => {
    const { api } = client(() => json(409, { error: { code: 'CHANNEL_OFFLINE', message: 'The IVS channel is offline.' } }));
    await expect(api.startDestination('d-1')).rejects.toMatchObject({
      status: 409,
      code: 'CHANNEL_OFFLINE',
      message: 'The IVS channel is offline.',
      fieldErrors: [],
    });
  });

  it('reports an unreachable API as a network error naming the URL', async () => {
    const fetchMock = jest.fn<typeof fetch>(async () => {
      throw new TypeError('Failed to fetch');
    });
    const api = new ApiClient({ baseUrl: 'https://api.example.com', fetch: fetchMock });
    const error = (await api.listDestinations().catch((e: unknown) => e)) as ApiError;
    expect(error.isNetworkError).toBe(true);
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain('https://api.example.com');
  });

  it('aborts a request that takes longer than the time limit', async () => {
    const fetchMock = jest.fn<typeof fetch>(
      (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const api = new ApiClient({ baseUrl: '', fetch: fetchMock, timeoutMs: 5 });
    await expect(api.listDestinations()).rejects.toMatchObject({
      code: 'NETWORK',
      message: expect.stringContaining('did not answer in time'),
    });
  });

  it('posts the local-mode stream controls, with the channel only when given', async () => {
    const { api, fetchMock } = client(() => new Response(null, { status: 204 }));
    await api.localGoLive();
    await api.localGoOffline('arn:aws:ivs:us-east-1:000000000000:channel/b');
    expect(call(fetchMock, 0)).toMatchObject({ url: 'https://api.example.com/_local/ivs/live', init: { method: 'POST', body: undefined } });
    expect(call(fetchMock, 1).url).toBe('https://api.example.com/_local/ivs/offline');
    expect(JSON.parse(call(fetchMock, 1).init.body as string)).toEqual({ channelArn: 'arn:aws:ivs:us-east-1:000000000000:channel/b' });
  });

  it('accepts the simulated MediaLive channels as a list or wrapped in {channels}', async () => {
    const channels = [{ id: '1', state: 'RUNNING' }];
    await expect(client(() => json(200, { channels })).api.localMediaLiveChannels()).resolves.toEqual(channels);
    await expect(client(() => json(200, channels)).api.localMediaLiveChannels()).resolves.toEqual(channels);
  });
});

describe('toApiError', () => {
  it('explains a 401 from the API gateway authorizer as an expired session', () => {
    expect(toApiError(401, 'Unauthorized', { message: 'Unauthorized' })).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Your session has expired. Sign in again.',
    });
  });

  it("uses API Gateway's own message for bodies without the error envelope", () => {
    expect(toApiError(429, 'Too Many Requests', { message: 'Too Many Requests' })).toMatchObject({
      code: 'HTTP_429',
      message: 'Too Many Requests',
    });
  });

  it('falls back to the HTTP status for a body that is not JSON', () => {
    expect(toApiError(502, 'Bad Gateway', undefined)).toMatchObject({ code: 'HTTP_502', message: 'HTTP 502 Bad Gateway' });
  });

  it('ignores malformed field details instead of failing', () => {
    const error = toApiError(400, '', {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'bad',
        details: { fields: [{ field: 1 }, 'x', { field: 'name', message: 'too long' }] },
      },
    });
    expect(error.fieldErrors).toEqual([{ field: 'name', message: 'too long' }]);
  });
});
