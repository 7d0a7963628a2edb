/**
 * The API over dynalite and the simulator: racing edits, optimistic concurrency with ETag and
 * If-Match, a manual start of a disabled destination, and an error detail that names its field once.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

let system: System;

beforeEach(async () => {
  system = await startSystem();
});
afterEach(async () => system.stop());

async function createDestination(body: Record<string, unknown> = {}): Promise<{ id: string; etag: string }> {
  const res = await system.api('POST', '/stream-destinations', {
    platform: 'youtube',
    name: 'Main',
    streamKey: 'key-1234-5678-abcd',
    ...body,
  });
  expect(res.statusCode).toBe(201);
  return { id: res.json.id, etag: res.headers['ETag'] as string };
}

describe('concurrent edits', () => {
  it('lets eight racing PUTs of different fields all succeed, and keeps every change', async () => {
    const { id } = await createDestination({ platform: 'custom', rtmpUrl: 'rtmp://ingest.example.com/live' });
    const edits: Record<string, unknown>[] = [
      { name: 'Renamed' },
      { enabled: false },
      { profile: '720p30-4500' },
      { rtmpUrl: 'rtmps://ingest.example.com/app' },
      { streamKey: 'key-9999-8888-7777' },
      { name: 'Renamed again' },
      { profile: '480p30-2000' },
      { enabled: true },
    ];

    const results = await Promise.all(edits.map((edit) => system.api('PUT', `/stream-destinations/${id}`, edit)));

    expect(results.map((r) => [r.statusCode, r.json?.error?.code])).toEqual(edits.map(() => [200, undefined]));
    const after = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect(after.rtmpUrl).toBe('rtmps://ingest.example.com/app');
    expect(after.streamKeyMasked).toBe('••••7777');
    expect(['Renamed', 'Renamed again']).toContain(after.name);
    // One write per edit on top of the create (the reconciler may add its own).
    expect(after.version).toBeGreaterThanOrEqual(1 + edits.length);
  });
});

describe('ETag and If-Match', () => {
  it('sends the version as the ETag and applies an edit whose If-Match is current', async () => {
    const { id, etag } = await createDestination();
    const read = await system.api('GET', `/stream-destinations/${id}`);
    expect(read.headers['ETag']).toBe(`"${read.json.version}"`);

    const res = await system.api('PUT', `/stream-destinations/${id}`, { name: 'Renamed' }, undefined, {
      'if-match': read.headers['ETag'] as string,
    });

    expect(etag).toMatch(/^"\d+"$/);
    expect(res.statusCode).toBe(200);
    expect(res.json.name).toBe('Renamed');
    expect(res.headers['ETag']).toBe(`"${res.json.version}"`);
    expect(res.json.version).toBeGreaterThan(read.json.version);
  });

  it('answers 412 to an edit made from a stale read and changes nothing', async () => {
    const { id } = await createDestination();
    const stale = (await system.api('GET', `/stream-destinations/${id}`)).headers['ETag'] as string;
    expect((await system.api('PUT', `/stream-destinations/${id}`, { name: 'First' })).statusCode).toBe(200);

    const res = await system.api('PUT', `/stream-destinations/${id}`, { name: 'Second' }, undefined, { 'if-match': stale });

    expect(res.statusCode).toBe(412);
    expect(res.json.error.code).toBe('PRECONDITION_FAILED');
    expect(res.json.error.message).toContain('GET it again');
    expect((await system.api('GET', `/stream-destinations/${id}`)).json.name).toBe('First');
  });
});

describe('manual start of a disabled destination', () => {
  it('answers 409 DESTINATION_DISABLED, saying to enable it first, and leaves it disabled', async () => {
    const { id } = await createDestination({ enabled: false });
    system.sim.goLive(CHANNEL_A);

    const res = await system.api('POST', `/stream-destinations/${id}/start`);

    expect(res.statusCode).toBe(409);
    expect(res.json.error.code).toBe('DESTINATION_DISABLED');
    expect(res.json.error.message).toContain('enable it first');
    const after = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect(after.enabled).toBe(false);
    expect(system.sim.channels()).toEqual([]);
  });

  it('enables and starts it with {"enable": true}', async () => {
    const { id } = await createDestination({ enabled: false });
    system.sim.goLive(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start')); // the stream-state table knows it is live

    const res = await system.api('POST', `/stream-destinations/${id}/start`, { enable: true });

    expect(res.statusCode).toBe(202);
    expect(res.json.enabled).toBe(true);
  });

  it('refuses an unknown field in the start body with 400 naming it', async () => {
    const { id } = await createDestination();

    const res = await system.api('POST', `/stream-destinations/${id}/start`, { force: true });

    expect(res.statusCode).toBe(400);
    expect(res.json.error.details.fields).toEqual([{ field: 'force', message: 'is not a known field; allowed fields are enable' }]);
  });
});

describe('error details', () => {
  it('names the field once in a channelArn problem found by the service', async () => {
    const other = 'arn:aws:ivs:us-east-1:123456789012:channel/ZzZzZz999999';

    const res = await system.api('POST', '/stream-destinations', {
      platform: 'youtube',
      name: 'Main',
      streamKey: 'key-1234-5678',
      channelArn: other,
    });

    expect(res.statusCode).toBe(400);
    const [issue] = res.json.error.details.fields;
    expect(issue.field).toBe('channelArn');
    expect(issue.message).not.toMatch(/^channelArn/);
    expect(res.json.error.message).toBe(`channelArn: ${issue.message}`);
  });
});
