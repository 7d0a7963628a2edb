/**
 * Bad input gets a clear 4xx that names the field, never a 5xx, and the table stays as it was;
 * a stored item that does not parse is a 409 naming its attributes, and the list names it apart.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';
import { makeDestination } from '../support/fixtures';

let system: System;
let existingId: string;

async function tableSnapshot(): Promise<string> {
  const [destinations, states] = await Promise.all([
    system.db.doc.send(new ScanCommand({ TableName: system.db.tables.destinations, ConsistentRead: true })),
    system.db.doc.send(new ScanCommand({ TableName: system.db.tables.streamState, ConsistentRead: true })),
  ]);
  const sort = (items: Record<string, unknown>[] = []) => [...items].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return JSON.stringify([sort(destinations.Items), sort(states.Items)]);
}

beforeAll(async () => {
  system = await startSystem();
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'Main', streamKey: 'good-key-1234-5678' });
  existingId = res.json.id;
});
afterAll(async () => system.stop());

const VALID = { platform: 'custom', name: 'Custom', streamKey: 'k-123456789', rtmpUrl: 'rtmp://ingest.example.com/live' };

const cases: { title: string; method: string; path: () => string; body?: unknown; raw?: string; status: number; field?: string }[] = [
  { title: 'malformed JSON', method: 'POST', path: () => '/stream-destinations', raw: '{"platform": "youtube",', status: 400 },
  { title: 'a JSON array body', method: 'POST', path: () => '/stream-destinations', raw: '[1,2]', status: 400 },
  { title: 'an empty body on create', method: 'POST', path: () => '/stream-destinations', raw: '', status: 400 },
  {
    title: 'a wrong type for enabled',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, enabled: 'yes' },
    status: 400,
    field: 'enabled',
  },
  {
    title: 'a number as name',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, name: 42 },
    status: 400,
    field: 'name',
  },
  {
    title: 'an unknown field',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, colour: 'red' },
    status: 400,
    field: 'colour',
  },
  {
    title: 'an unknown platform',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, platform: 'myspace' },
    status: 400,
    field: 'platform',
  },
  {
    title: 'an http:// URL',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, rtmpUrl: 'http://ingest.example.com/live' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'an ftp:// URL',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, rtmpUrl: 'ftp://x.example.com/a' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'a URL without host',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, rtmpUrl: 'rtmp:///live' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'plain RTMP for Facebook',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, platform: 'facebook', rtmpUrl: 'rtmp://live-api-s.facebook.com/rtmp/' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'custom without a URL',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { platform: 'custom', name: 'x', streamKey: 'abc' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'a stream key with spaces',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, streamKey: 'has space' },
    status: 400,
    field: 'streamKey',
  },
  {
    title: 'an invalid channel ARN',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, channelArn: 'arn:aws:s3:::bucket' },
    status: 400,
    field: 'channelArn',
  },
  {
    title: 'a channel ARN this deployment does not follow',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, channelArn: 'arn:aws:ivs:eu-west-1:123456789012:channel/Zzzzzzzzzzzz' },
    status: 400,
    field: 'channelArn',
  },
  {
    title: 'an unknown profile',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, profile: '4k' },
    status: 400,
    field: 'profile',
  },
  {
    title: 'an oversize body',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, name: 'x'.repeat(17 * 1024) },
    status: 413,
  },
  {
    title: 'the instance metadata address',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, rtmpUrl: 'rtmp://169.254.169.254/latest' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'a private address in a deployment that does not allow them',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, rtmpUrl: 'rtmp://10.0.0.5:1935/live' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'loopback written as a number',
    method: 'POST',
    path: () => '/stream-destinations',
    body: { ...VALID, rtmpUrl: 'rtmp://0x7f000001/live' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'localhost on update',
    method: 'PUT',
    path: () => `/stream-destinations/${existingId}`,
    body: { rtmpUrl: 'rtmp://localhost/live' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'the IPv6 metadata address on update',
    method: 'PUT',
    path: () => `/stream-destinations/${existingId}`,
    body: { platform: 'custom', rtmpUrl: 'rtmp://[fd00:ec2::254]/live' },
    status: 400,
    field: 'rtmpUrl',
  },
  { title: 'an empty update', method: 'PUT', path: () => `/stream-destinations/${existingId}`, body: {}, status: 400 },
  {
    title: 'a bad URL on update',
    method: 'PUT',
    path: () => `/stream-destinations/${existingId}`,
    body: { rtmpUrl: 'https://x.example.com' },
    status: 400,
    field: 'rtmpUrl',
  },
  {
    title: 'an RTMP URL for a platform that needs RTMPS, on update',
    method: 'PUT',
    path: () => `/stream-destinations/${existingId}`,
    body: { platform: 'facebook', rtmpUrl: 'rtmp://live-api-s.facebook.com/rtmp/' },
    status: 400,
    field: 'rtmpUrl',
  },
  { title: 'an unknown id on GET', method: 'GET', path: () => '/stream-destinations/6b0f3a2e-1111-4222-8333-444455556666', status: 404 },
  {
    title: 'an unknown id on PUT',
    method: 'PUT',
    path: () => '/stream-destinations/6b0f3a2e-1111-4222-8333-444455556666',
    body: { name: 'x' },
    status: 404,
  },
  {
    title: 'an unknown id on DELETE',
    method: 'DELETE',
    path: () => '/stream-destinations/6b0f3a2e-1111-4222-8333-444455556666',
    status: 404,
  },
  {
    title: 'an unknown id on start',
    method: 'POST',
    path: () => '/stream-destinations/6b0f3a2e-1111-4222-8333-444455556666/start',
    status: 404,
  },
  { title: 'a malformed id', method: 'GET', path: () => '/stream-destinations/..%2F..%2Fetc', status: 404 },
  { title: 'an unknown route', method: 'GET', path: () => '/nope', status: 404 },
  { title: 'a wrong method', method: 'PATCH', path: () => '/stream-destinations', status: 405 },
];

describe('bad input', () => {
  it.each(cases)('answers $title with $status, names the field and changes nothing', async (c) => {
    const before = await tableSnapshot();
    const res = await system.api(c.method, c.path(), c.body, c.raw);
    expect(res.statusCode).toBe(c.status);
    expect(Object.keys(res.json.error).sort()).toEqual(['code', 'details', 'message']);
    expect(res.json.error.message.length).toBeGreaterThan(10);
    // The field is named once: in the detail's `field`, and once as the summary's prefix.
    for (const issue of res.json.error.details?.fields ?? []) expect(issue.message).not.toMatch(new RegExp(`^${issue.field}:`));
    expect(res.json.error.message).not.toMatch(/\b(\w+): \1:/);
    if (c.field) {
      expect(res.json.error.message).toContain(c.field);
      expect(res.json.error.details.fields.map((f: { field: string }) => f.field)).toContain(c.field);
    }
    expect(await tableSnapshot()).toBe(before);
  });
});

describe('a deployment that allows private push targets', () => {
  let own: System;
  beforeAll(async () => {
    own = await startSystem({ allowPrivateRtmpTargets: true });
  });
  afterAll(async () => own.stop());

  it('accepts a server in its own network, on create and on update', async () => {
    const created = await own.api('POST', '/stream-destinations', { ...VALID, rtmpUrl: 'rtmp://10.0.0.5:1935/live' });
    expect(created.statusCode).toBe(201);
    const updated = await own.api('PUT', `/stream-destinations/${created.json.id}`, { rtmpUrl: 'rtmp://127.0.0.1:1935/live' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json.rtmpUrl).toBe('rtmp://127.0.0.1:1935/live');
  });

  it('still refuses link-local and metadata addresses', async () => {
    for (const rtmpUrl of ['rtmp://169.254.169.254/latest', 'rtmp://[fd00:ec2::254]/live', 'rtmp://metadata.google.internal/x']) {
      const res = await own.api('POST', '/stream-destinations', { ...VALID, rtmpUrl });
      expect(res.statusCode).toBe(400);
      expect(res.json.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['rtmpUrl']);
    }
  });
});

describe('a stored item that does not parse (written by hand, an older version or a bug)', () => {
  let own: System;
  beforeAll(async () => {
    own = await startSystem();
    const good = await own.api('POST', '/stream-destinations', { platform: 'youtube', name: 'Good', streamKey: 'good-key-1234-5678' });
    expect(good.statusCode).toBe(201);
    const bad = makeDestination({ id: 'unreadable-1', channelArn: CHANNEL_A });
    await own.db.doc.send(
      new PutCommand({ TableName: own.db.tables.destinations, Item: { ...bad, staleInputIds: 'not-a-list', generation: 'two' } }),
    );
  });
  afterAll(async () => own.stop());

  it('the list answers 200 with every readable destination and names the unreadable item under problems', async () => {
    const res = await own.api('GET', '/stream-destinations');
    expect(res.statusCode).toBe(200);
    expect(res.json.destinations.map((d: { name: string }) => d.name)).toEqual(['Good']);
    expect(res.json.problems).toHaveLength(1);
    expect(res.json.problems[0]).toMatchObject({ id: 'unreadable-1', code: 'MALFORMED_ITEM' });
    expect(res.json.problems[0].fields.map((f: { field: string }) => f.field).sort()).toEqual(['generation', 'staleInputIds']);
    expect(res.json.problems[0].message).toMatch(
      /Fix the named attributes of the item in the destinations table \(DynamoDB\) or delete the item/,
    );
    expect(own.logs.some((l) => l.level === 'error' && l.attributes?.destinationId === 'unreadable-1')).toBe(true);
  });

  it.each([
    ['GET', ''],
    ['PUT', ''],
    ['POST', '/start'],
    ['POST', '/stop'],
    ['DELETE', ''],
  ])('%s …%s on it answers 409 MALFORMED_ITEM naming the attributes and the fix, never a 500', async (method, suffix) => {
    const res = await own.api(method, `/stream-destinations/unreadable-1${suffix}`, method === 'PUT' ? { name: 'x' } : undefined);
    expect(res.statusCode).toBe(409);
    expect(res.json.error.code).toBe('MALFORMED_ITEM');
    expect(res.json.error.message).toContain('staleInputIds');
    expect(res.json.error.message).toContain('delete the item');
    expect(res.json.error.details).toMatchObject({ destinationId: 'unreadable-1' });
    expect(res.json.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['generation', 'staleInputIds']);
  });
});
