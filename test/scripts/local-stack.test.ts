import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import type { Log } from '../../lambdas/core/ports';
import {
  describeLocalStack,
  LOCAL_CHANNEL_ARN,
  LocalStackError,
  localStackOptionsFromEnv,
  shutdownOnSignal,
  startLocalStack,
  type LocalStack,
  type LocalStackOptions,
} from '../../scripts/local-stack';
import { waitFor } from '../support/wait';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const STREAM_KEY = 'live-key-9f8e7d6c5b4a';
const OTHER_CHANNEL = 'arn:aws:ivs:us-east-1:000000000000:channel/second';

interface Logged {
  level: string;
  message: string;
  attributes?: Record<string, unknown>;
}

function recordingLog(lines: Logged[]): Log {
  const at =
    (level: string) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      lines.push({ level, message, attributes });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A raw request, for paths fetch would normalise and bodies it would not send as given. */
function raw(port: number, method: string, path: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method,
      path,
      headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {},
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    // The server may close before reading a body it refused; the answer still arrives.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

/** A raw request with the headers given exactly (Host, Origin, Content-Type as a browser page could send them). */
function rawWith(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method,
      path,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

describe('local stack', () => {
  let root: string;
  let dist: string;
  let stack: LocalStack;
  const logs: Logged[] = [];

  const options = (dataDir: string): LocalStackOptions => ({
    port: 0,
    dataDir,
    distDir: dist,
    buildUiIfMissing: false,
    timescale: 1000,
    graceSeconds: 0,
    reconcileIntervalSeconds: 0.2,
    channelArns: [LOCAL_CHANNEL_ARN, OTHER_CHANNEL],
    log: recordingLog(logs),
    print: () => undefined,
  });

  const api = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: any; text: string; headers: Headers }> => {
    const response = await fetch(stack.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text, headers: response.headers };
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'local-stack-'));
    dist = join(root, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>admin</title><div id="app"></div>');
    await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log("app");');
    await writeFile(join(dist, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(root, 'secret.txt'), 'outside the site');
    stack = await startLocalStack(options(join(root, 'data')));
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(root, { recursive: true, force: true });
  });

  describe('admin UI', () => {
    it('serves the built files with their content types and caching', async () => {
      const index = await api('GET', '/');
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(index.text).toContain('<div id="app">');

      const js = await api('GET', '/assets/index-abc123.js');
      expect(js.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
      expect(js.headers.get('cache-control')).toContain('immutable');
      expect((await api('GET', '/assets/index-abc123.css')).headers.get('content-type')).toMatch(/^text\/css/);
    });

    it('answers unknown page paths with index.html and unknown assets with 404', async () => {
      const page = await api('GET', '/destinations/123');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<div id="app">');
      expect((await api('GET', '/assets/missing.js')).status).toBe(404);
    });

    it('never serves a file outside the site directory', async () => {
      for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
        const got = await raw(stack.port, 'GET', path);
        expect(got.text).not.toContain('outside the site');
      }
    });

    it('serves config.json for local mode with the tracked channels', async () => {
      const config = await api('GET', '/config.json');
      expect(config.status).toBe(200);
      expect(config.headers.get('cache-control')).toBe('no-cache');
      expect(config.json).toEqual({
        apiUrl: '',
        auth: null,
        localMode: true,
        channels: [LOCAL_CHANNEL_ARN, OTHER_CHANNEL],
        localMedia: { real: false, reason: expect.stringContaining('LOCAL_MEDIA=real'), ingests: [] },
        relayModes: { offered: ['passthrough', 'transcode'], default: 'passthrough' },
      });
    });
  });

  describe('API over HTTP', () => {
    it('creates and lists destinations through the API handler, never returning the key', async () => {
      const created = await api('POST', '/stream-destinations', {
        platform: 'youtube',
        name: 'Main',
        streamKey: STREAM_KEY,
        channelArn: LOCAL_CHANNEL_ARN,
        mode: 'transcode',
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        name: 'Main',
        platform: 'youtube',
        mode: 'transcode',
        status: 'inactive',
        streamKeyMasked: expect.stringContaining('5b4a'),
      });
      expect(created.text).not.toContain(STREAM_KEY);

      const list = await api('GET', '/stream-destinations?limit=10');
      expect(list.status).toBe(200);
      expect(list.json.destinations.map((d: any) => d.id)).toContain(created.json.id);

      const one = await api('GET', `/stream-destinations/${created.json.id}`);
      expect(one.json.id).toBe(created.json.id);
    });

    it('passes the API error shapes through: 400 naming the field, 404, 405', async () => {
      const bad = await api('POST', '/stream-destinations', {
        platform: 'custom',
        name: 'X',
        streamKey: 'k',
        rtmpUrl: 'http://example.com/live',
        channelArn: LOCAL_CHANNEL_ARN,
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details.fields.map((f: any) => f.field)).toContain('rtmpUrl');

      expect((await api('GET', '/stream-destinations/does-not-exist')).json.error.code).toBe('DESTINATION_NOT_FOUND');
      expect((await api('PATCH', '/stream-destinations')).status).toBe(405);
      expect((await api('DELETE', '/no-such-route')).status).toBe(404);
    });

    it('accepts a push target on this machine but never a metadata address', async () => {
      const local = await api('POST', '/stream-destinations', {
        platform: 'custom',
        name: 'Own server',
        streamKey: 'own-server-key-1',
        rtmpUrl: 'rtmp://127.0.0.1:1935/live',
        channelArn: LOCAL_CHANNEL_ARN,
        enabled: false,
      });
      expect(local.status).toBe(201);
      expect((await api('DELETE', `/stream-destinations/${local.json.id}`)).status).toBe(204);

      const metadata = await api('POST', '/stream-destinations', {
        platform: 'custom',
        name: 'Metadata',
        streamKey: 'own-server-key-1',
        rtmpUrl: 'rtmp://169.254.169.254/latest',
        channelArn: LOCAL_CHANNEL_ARN,
      });
      expect(metadata.status).toBe(400);
      expect(metadata.json.error.details.fields).toEqual([expect.objectContaining({ field: 'rtmpUrl' })]);
    });

    it('answers unknown routes under the API and /_local with a JSON 404, never the HTML page', async () => {
      for (const path of [
        '/stream-destinations/x/y',
        '/stream-destinations/a/b/c',
        '/stream-status/x',
        '/_local',
        '/_local/nope',
        '/_local/ivs',
      ]) {
        for (const accept of ['application/json', 'text/html']) {
          const response = await fetch(stack.url + path, { headers: { accept } });
          const text = await response.text();
          expect({ path, accept, status: response.status, type: response.headers.get('content-type') }).toEqual({
            path,
            accept,
            status: 404,
            type: expect.stringMatching(/^application\/json/),
          });
          expect(JSON.parse(text).error.code).toMatch(/NOT_FOUND/);
        }
      }
    });

    it('hands a body that is not UTF-8 to the API base64-encoded, which decodes it', async () => {
      const response = await fetch(`${stack.url}/stream-destinations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Uint8Array([0xff, 0xfe, 0xfd]),
      });
      const json: any = await response.json();
      expect(response.status).toBe(400);
      expect(json.error.message).toContain('UTF-8');
    });

    it('leaves bodies up to 1 MiB to the API (413 over 16 KiB) and refuses larger ones itself', async () => {
      const api413 = await api('POST', '/stream-destinations', JSON.stringify({ name: 'x'.repeat(20 * 1024) }));
      expect(api413.status).toBe(413);
      expect(api413.json.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(api413.json.error.message).not.toContain('MiB');

      const server413 = await raw(stack.port, 'POST', '/stream-destinations', Buffer.alloc(1024 * 1024 + 1, 'a'));
      expect(server413.status).toBe(413);
      expect(JSON.parse(server413.text).error.message).toContain('1 MiB');
    });
  });

  describe('/_local controls', () => {
    it('switches a channel live and offline, idempotently, and the API and monitor follow', async () => {
      const live = await api('POST', '/_local/ivs/live', { channelArn: LOCAL_CHANNEL_ARN });
      expect(live.status).toBe(200);
      expect(live.json.channels).toEqual([
        expect.objectContaining({ channelArn: LOCAL_CHANNEL_ARN, state: 'LIVE', streamId: expect.any(String) }),
      ]);
      const again = await api('POST', '/_local/ivs/live', { channelArn: LOCAL_CHANNEL_ARN });
      expect(again.json.channels[0].streamId).toBe(live.json.channels[0].streamId);

      const status = await api('GET', '/stream-status');
      const states = Object.fromEntries(status.json.channels.map((c: any) => [c.channelArn, c.state]));
      expect(states).toEqual({ [LOCAL_CHANNEL_ARN]: 'LIVE', [OTHER_CHANNEL]: 'OFFLINE' });

      // The monitor (stream event + schedule) creates and starts the destination's channel.
      const running = await waitFor(
        async () => {
          const channels = (await api('GET', '/_local/medialive/channels')).json.channels as any[];
          return channels.find((c) => c.state === 'RUNNING');
        },
        { what: 'a RUNNING simulated channel' },
      );
      expect(running).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          name: expect.any(String),
          destinationId: expect.any(String),
          starts: 1,
          inputIds: [expect.any(String)],
        }),
      );
      const listing = await api('GET', '/_local/medialive/channels');
      expect(listing.text).not.toContain(STREAM_KEY);
      expect(Object.keys(running).sort()).toEqual([
        'arn',
        'createdAt',
        'destinationId',
        'id',
        'inputIds',
        'name',
        'starts',
        'state',
        'stateSince',
      ]);

      const offline = await api('POST', '/_local/ivs/offline', { channelArn: LOCAL_CHANNEL_ARN });
      expect(offline.json.channels).toEqual([{ channelArn: LOCAL_CHANNEL_ARN, state: 'OFFLINE', streamId: null, since: null }]);
      // Grace 0: the monitor stops the channel once the stream has ended.
      await waitFor(
        async () => ((await api('GET', '/_local/medialive/channels')).json.channels as any[]).every((c) => c.state === 'IDLE'),
        {
          what: 'every simulated channel IDLE',
        },
      );
    });

    it('acts on every channel when no channelArn is given', async () => {
      const live = await api('POST', '/_local/ivs/live');
      expect(live.json.channels.map((c: any) => c.state)).toEqual(['LIVE', 'LIVE']);
      const channels = await api('GET', '/_local/ivs/channels');
      expect(channels.json.channels.map((c: any) => c.channelArn)).toEqual([LOCAL_CHANNEL_ARN, OTHER_CHANNEL]);
      const offline = await api('POST', '/_local/ivs/offline', '');
      expect(offline.json.channels.map((c: any) => c.state)).toEqual(['OFFLINE', 'OFFLINE']);
    });

    it('answers 400 naming channelArn for an unknown channel, and 400/404/405 for other mistakes', async () => {
      const unknown = await api('POST', '/_local/ivs/live', { channelArn: 'arn:aws:ivs:us-east-1:000000000000:channel/nope' });
      expect(unknown.status).toBe(400);
      expect(unknown.json.error.message).toContain('channelArn');
      expect(unknown.json.error.details.fields).toEqual([expect.objectContaining({ field: 'channelArn' })]);

      expect((await api('POST', '/_local/ivs/live', { channelArn: 42 })).json.error.details.fields[0].field).toBe('channelArn');
      expect((await api('POST', '/_local/ivs/live', '{not json')).status).toBe(400);
      expect((await api('GET', '/_local/ivs/live')).status).toBe(405);
      expect((await api('GET', '/_local/nothing')).status).toBe(404);
      expect((await api('GET', '/_local/ivs/channels')).json.channels.every((c: any) => c.state === 'OFFLINE')).toBe(true);
    });
  });

  describe('other web pages', () => {
    const evil = 'https://evil.example';
    const body = JSON.stringify({ platform: 'youtube', name: 'Planted', streamKey: 'planted-key-123456', channelArn: LOCAL_CHANNEL_ARN });
    const host = (): string => `127.0.0.1:${stack.port}`;

    it('refuses a request from another origin on the API and on /_local, and changes nothing', async () => {
      const before = (await api('GET', '/stream-destinations')).json.destinations.length;
      const created = await rawWith(
        stack.port,
        'POST',
        '/stream-destinations',
        { host: host(), origin: evil, 'content-type': 'application/json' },
        body,
      );
      expect(created.status).toBe(403);
      expect(created.json.error.code).toBe('ORIGIN_NOT_ALLOWED');
      expect((await api('GET', '/stream-destinations')).json.destinations).toHaveLength(before);

      const live = await rawWith(stack.port, 'POST', '/_local/ivs/live', { host: host(), origin: evil });
      expect(live.status).toBe(403);
      expect((await api('GET', '/_local/ivs/channels')).json.channels.every((c: any) => c.state === 'OFFLINE')).toBe(true);

      for (const path of ['/stream-destinations', '/_local/medialive/channels', '/config.json']) {
        const read = await rawWith(stack.port, 'GET', path, { host: host(), origin: evil });
        expect(read.status).toBe(403);
      }
      expect((await rawWith(stack.port, 'POST', '/_local/ivs/live', { host: host(), origin: 'null' })).status).toBe(403);
    });

    it('refuses a request whose Host is not the stack (DNS rebinding), on every route', async () => {
      for (const [method, path] of [
        ['GET', '/stream-destinations'],
        ['GET', '/stream-status'],
        ['GET', '/_local/ivs/channels'],
        ['POST', '/_local/ivs/live'],
        ['GET', '/'],
        ['GET', '/config.json'],
      ] as const) {
        const got = await rawWith(stack.port, method, path, { host: `rebound.evil.example:${stack.port}` });
        expect({ path, status: got.status, code: got.json?.error?.code }).toEqual({ path, status: 403, code: 'HOST_NOT_ALLOWED' });
        expect(got.text).not.toContain('Main');
      }
      expect((await rawWith(stack.port, 'GET', '/stream-destinations', { host: '127.0.0.1:1' })).status).toBe(403);
      expect((await api('GET', '/_local/ivs/channels')).json.channels.every((c: any) => c.state === 'OFFLINE')).toBe(true);
    });

    it('refuses bodies that are not JSON with 415 (the only kind a page may send cross-site without asking)', async () => {
      const before = (await api('GET', '/stream-destinations')).json.destinations.length;
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const created = await rawWith(stack.port, 'POST', '/stream-destinations', { host: host(), 'content-type': type }, body);
        expect({ type, status: created.status, code: created.json.error.code }).toEqual({
          type,
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
        });
        const live = await rawWith(stack.port, 'POST', '/_local/ivs/live', { host: host(), 'content-type': type }, '{}');
        expect(live.status).toBe(415);
      }
      expect((await rawWith(stack.port, 'POST', '/stream-destinations', { host: host() }, body)).status).toBe(415);
      expect((await api('GET', '/stream-destinations')).json.destinations).toHaveLength(before);
      expect((await api('GET', '/_local/ivs/channels')).json.channels.every((c: any) => c.state === 'OFFLINE')).toBe(true);
    });

    it('still answers its own origin under every loopback name', async () => {
      for (const name of ['127.0.0.1', 'localhost']) {
        const own = `http://${name}:${stack.port}`;
        const page = await rawWith(stack.port, 'GET', '/', { host: `${name}:${stack.port}` });
        expect(page.status).toBe(200);
        const list = await rawWith(stack.port, 'GET', '/stream-destinations', { host: `${name}:${stack.port}`, origin: own });
        expect(list.status).toBe(200);
        const status = await rawWith(
          stack.port,
          'POST',
          '/_local/ivs/offline',
          { host: `${name}:${stack.port}`, origin: own, 'content-type': 'application/json; charset=utf-8' },
          '{}',
        );
        expect(status.status).toBe(200);
      }
    });

    it('keeps other web pages away from the local database too', async () => {
      const port = Number(new URL(stack.dynamoDbEndpoint).port);
      const scan = JSON.stringify({ TableName: stack.tables.destinations });
      const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.Scan' };
      const fromPage = await rawWith(port, 'POST', '/', { ...headers, host: `127.0.0.1:${port}`, origin: evil }, scan);
      expect(fromPage.status).toBe(403);
      expect(fromPage.text).not.toContain('Main');
      const rebound = await rawWith(port, 'POST', '/', { ...headers, host: `rebound.evil.example:${port}` }, scan);
      expect(rebound.status).toBe(403);
    });
  });

  it('never logs the stream key', () => {
    expect(JSON.stringify(logs)).not.toContain(STREAM_KEY);
    expect(logs.some((l) => l.message === 'API request')).toBe(true);
  });

  it('says where everything is and what to do next', () => {
    const text = describeLocalStack(stack);
    expect(text).toContain(`${stack.url}/`);
    expect(text).toContain('/_local/ivs/live');
    expect(text).toContain('STOP_GRACE_SECONDS=0');
    expect(text).toMatch(/restart/i);
  });
});

describe('local stack restart', () => {
  it('keeps destinations and the encryption key, forgets the vanished MediaLive channels and recreates them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'local-stack-restart-'));
    const base: LocalStackOptions = {
      port: 0,
      dataDir: join(root, 'data'),
      distDir: join(root, 'no-dist'),
      buildUiIfMissing: false,
      timescale: 1000,
      reconcileIntervalSeconds: 0.2,
      log: recordingLog([]),
      print: () => undefined,
    };
    const channels = async (s: LocalStack): Promise<any[]> => (await (await fetch(`${s.url}/_local/medialive/channels`)).json()).channels;
    const destinations = async (s: LocalStack): Promise<any[]> => (await (await fetch(`${s.url}/stream-destinations`)).json()).destinations;
    try {
      const first = await startLocalStack(base);
      let id: string;
      try {
        const created = await fetch(`${first.url}/stream-destinations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ platform: 'twitch', name: 'Kept', streamKey: STREAM_KEY, mode: 'transcode' }),
        });
        id = ((await created.json()) as any).id;
        await fetch(`${first.url}/_local/ivs/live`, { method: 'POST' });
        await waitFor(async () => (await destinations(first)).find((d) => d.status === 'active'), { what: 'the destination active' });
        expect((await stat(join(root, 'data', 'stream-key.key'))).mode & 0o777).toBe(0o600);
      } finally {
        await first.stop();
      }
      await expect(fetch(`${first.url}/stream-destinations`)).rejects.toThrow();

      const second = await startLocalStack(base);
      try {
        const [kept] = await destinations(second);
        // The first reconcile has run: the stream is offline after a restart, so is the destination.
        expect(kept).toMatchObject({ id, name: 'Kept', mediaLiveChannelId: null, status: 'inactive' });
        expect(await channels(second)).toEqual([]);
        // Without the UI the site root says how to build it.
        expect(await (await fetch(`${second.url}/`)).text()).toContain('npm run build');

        await fetch(`${second.url}/_local/ivs/live`, { method: 'POST' });
        const active = await waitFor(async () => (await destinations(second)).find((d) => d.status === 'active'), {
          what: 'the destination active again',
        });
        expect(active.lastError).toBeNull();
        const [channel] = await channels(second);
        expect(channel).toMatchObject({ state: 'RUNNING', destinationId: id });
        // The recreated channel got the key decrypted with the key kept in the data directory.
        expect(second.simulator.streamKeyMatches(channel.id, STREAM_KEY)).toBe(true);
      } finally {
        await second.stop();
        await second.stop();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses a port that is taken with a message naming PORT', async () => {
    const root = await mkdtemp(join(tmpdir(), 'local-stack-port-'));
    const common = { distDir: join(root, 'no-dist'), buildUiIfMissing: false, log: recordingLog([]), print: () => undefined };
    const first = await startLocalStack({ ...common, port: 0, dataDir: join(root, 'a') });
    try {
      await expect(startLocalStack({ ...common, port: first.port, dataDir: join(root, 'b') })).rejects.toThrow(/PORT=/);
    } finally {
      await first.stop();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses a second stack on the same data directory in one line naming the running one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'local-stack-twice-'));
    const common = { distDir: join(root, 'no-dist'), buildUiIfMissing: false, log: recordingLog([]), print: () => undefined, port: 0 };
    const first = await startLocalStack({ ...common, dataDir: join(root, 'data') });
    try {
      const second = startLocalStack({ ...common, dataDir: join(root, 'data') });
      await expect(second).rejects.toThrow(LocalStackError);
      const message = await second.catch((error: Error) => error.message);
      expect(message).toContain(first.url);
      expect(message).toContain(`pid ${process.pid}`);
      expect(message).toContain('LOCAL_DATA_DIR');
      expect(message).not.toContain('\n');
      // The first stack is untouched by the attempt.
      expect((await fetch(`${first.url}/stream-destinations`)).status).toBe(200);
    } finally {
      await first.stop();
    }
    // Stopped: the directory is free again; a file left by a dead process does not block either.
    const again = await startLocalStack({ ...common, dataDir: join(root, 'data') });
    await again.stop();
    await writeFile(join(root, 'data', 'stack.json'), JSON.stringify({ pid: 2 ** 22 + 12345, token: 'gone', url: 'http://127.0.0.1:1' }));
    const afterCrash = await startLocalStack({ ...common, dataDir: join(root, 'data') });
    await afterCrash.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses to listen anywhere but on loopback', async () => {
    await expect(
      startLocalStack({ host: '0.0.0.0', port: 0, dataDir: join(tmpdir(), 'never-created'), print: () => undefined }),
    ).rejects.toThrow(/loopback only/);
  });
});

describe('local stack start-up', () => {
  it('builds the admin UI when it is missing and serves it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'local-stack-build-'));
    const printed: string[] = [];
    const stack = await startLocalStack({
      port: 0,
      dataDir: join(root, 'data'),
      distDir: join(root, 'dist'),
      log: recordingLog([]),
      print: (line) => printed.push(line),
    });
    try {
      expect(stack.settings.uiBuilt).toBe(true);
      expect(printed.join('\n')).toContain('npm run build');
      const index = await (await fetch(`${stack.url}/`)).text();
      expect(index).toMatch(/<script type="module"[^>]+src="\.\/assets\/[^"]+\.js"/);
    } finally {
      await stack.stop();
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('npm start prints the URLs, serves, and exits 0 on SIGINT', async () => {
    const root = await mkdtemp(join(tmpdir(), 'local-stack-cli-'));
    // What `npm start` runs: one node process (tsx as its loader), so the signal reaches the stack
    // itself. Through the tsx CLI it reached a parent that relays it and, when the stack did not
    // confirm within 30 ms (a loaded machine), killed it with SIGKILL and exited 130.
    const [command, ...args] = (
      JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start.split(' ');
    expect([command, ...args]).toEqual(['node', '--import', 'tsx', 'scripts/local-stack.ts']);
    const child = execa(command as string, args, {
      cwd: ROOT,
      preferLocal: true,
      reject: false,
      stdin: 'ignore',
      env: { PORT: '0', RTMP_PORT: '0', LOCAL_DATA_DIR: join(root, 'data'), RECONCILE_INTERVAL_SECONDS: '1' },
    });
    try {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      await waitFor(() => output.includes('Ctrl-C stops everything'), { timeoutMs: 45_000, what: 'the start-up text' });
      const url = /Admin UI\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1];
      expect(url).toBeDefined();
      expect(output).toContain('STOP_GRACE_SECONDS=20');
      // npm start uses real media when ffmpeg is installed (npm test installs it).
      expect(output).toMatch(/RTMP ingest\s+rtmp:\/\/127\.0\.0\.1:\d+\/app\s+stream key sk_/);
      expect(((await (await fetch(`${url}/config.json`)).json()) as any).localMode).toBe(true);
      expect((await fetch(`${url}/stream-destinations`)).status).toBe(200);

      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(0);
      expect(String(result.stdout)).toContain('Stopped.');
      await expect(fetch(`${url}/config.json`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('shutdownOnSignal', () => {
  const io = () => {
    const calls = { stops: 0, exits: [] as number[], errors: [] as string[] };
    let clock = 0;
    let finish!: () => void;
    const handler = shutdownOnSignal({
      stop: () => {
        calls.stops += 1;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      now: () => clock,
      print: () => undefined,
      printError: (line) => calls.errors.push(line),
      exit: (code) => calls.exits.push(code),
      setExitCode: () => undefined,
    });
    return { calls, handler, advance: (ms: number) => (clock += ms), finish: () => finish() };
  };

  it('takes one Ctrl-C that arrives twice (from the terminal and forwarded by npm) for one: one clean stop', () => {
    const { calls, handler, advance, finish } = io();
    handler('SIGINT');
    advance(50);
    handler('SIGINT');
    expect(calls).toEqual({ stops: 1, exits: [], errors: [] });
    finish();
  });

  it('exits 130 without waiting on a second Ctrl-C a second or more later', () => {
    const { calls, handler, advance, finish } = io();
    handler('SIGINT');
    advance(1_500);
    handler('SIGINT');
    expect(calls.stops).toBe(1);
    expect(calls.exits).toEqual([130]);
    expect(calls.errors).toEqual(['SIGINT again: exiting without waiting.']);
    finish();
  });
});

describe('localStackOptionsFromEnv', () => {
  it('reads the documented variables', () => {
    expect(
      localStackOptionsFromEnv({
        PORT: '9000',
        SIM_TIMESCALE: '60',
        STOP_GRACE_SECONDS: '5',
        RECONCILE_INTERVAL_SECONDS: '0.5',
        IVS_CHANNEL_ARNS: `${LOCAL_CHANNEL_ARN}, ${OTHER_CHANNEL}`,
      }),
    ).toEqual({
      port: 9000,
      timescale: 60,
      graceSeconds: 5,
      reconcileIntervalSeconds: 0.5,
      channelArns: [LOCAL_CHANNEL_ARN, OTHER_CHANNEL],
    });
    expect(localStackOptionsFromEnv({ PORT: '' })).toEqual({});
  });

  it('names the variable that is wrong', () => {
    expect(() => localStackOptionsFromEnv({ SIM_TIMESCALE: '0' })).toThrow(LocalStackError);
    expect(() => localStackOptionsFromEnv({ SIM_TIMESCALE: '0' })).toThrow(/SIM_TIMESCALE/);
    expect(() => localStackOptionsFromEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => localStackOptionsFromEnv({ IVS_CHANNEL_ARNS: 'channel/local' })).toThrow(/IVS_CHANNEL_ARNS/);
  });

  it('reads ALERT_WEBHOOK_URL, and refuses one it would not send to without quoting it (it is a secret)', () => {
    expect(localStackOptionsFromEnv({ ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/abc' })).toEqual({
      alertWebhookUrl: 'https://hooks.slack.com/services/T/B/abc',
    });
    expect(localStackOptionsFromEnv({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9999/hook' })).toEqual({
      alertWebhookUrl: 'http://127.0.0.1:9999/hook',
    });
    let message = '';
    try {
      localStackOptionsFromEnv({ ALERT_WEBHOOK_URL: 'http://hooks.example.com/secret-token-123' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Invalid environment: ALERT_WEBHOOK_URL: must be an https URL/);
    expect(message).not.toContain('secret-token-123');
  });

  it('reads LOG_LEVEL in any case and refuses an unknown level in one line listing the allowed ones', () => {
    expect(localStackOptionsFromEnv({ LOG_LEVEL: 'DEBUG' })).toEqual({ logLevel: 'debug' });
    expect(localStackOptionsFromEnv({ LOG_LEVEL: 'warn' })).toEqual({ logLevel: 'warn' });
    expect(() => localStackOptionsFromEnv({ LOG_LEVEL: 'verbose' })).toThrow(
      new LocalStackError('Invalid environment: LOG_LEVEL="verbose": must be one of debug, info, warn, error'),
    );
  });
});
