/**
 * Destination history through the whole back end (API and monitor over dynalite and the
 * simulator): what a destination's life records, how `GET /stream-destinations/{id}/events`
 * pages and refuses bad input, that no stream key is ever stored in it, and that a failing
 * history table never stops the essential path.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ThrottledError } from '../../lambdas/core/errors';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

const KEY = 'history-key-aaaa-bbbb-1111';
const NEW_KEY = 'history-key-cccc-dddd-2222';

let system: System;

beforeEach(async () => {
  system = await startSystem({ graceSeconds: 60 });
});
afterEach(async () => system.stop());

async function tick(times = 1, advanceMs = 10_000): Promise<void> {
  for (let i = 0; i < times; i++) await system.tick(advanceMs);
}

async function create(): Promise<string> {
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: KEY });
  expect(res.statusCode).toBe(201);
  return res.json.id as string;
}

interface EventView {
  id: string;
  at: string;
  kind: string;
  source: string;
  message: string;
  details: Record<string, unknown>;
}

/** Every event of a destination through the API, following nextToken; newest first. */
async function allEvents(id: string, limit = 100): Promise<EventView[]> {
  const out: EventView[] = [];
  let token: string | null = null;
  for (let page = 0; page < 50; page++) {
    const query = new URLSearchParams({ limit: String(limit), ...(token ? { nextToken: token } : {}) });
    const res = await system.api('GET', `/stream-destinations/${id}/events?${query}`);
    expect(res.statusCode).toBe(200);
    out.push(...(res.json.events as EventView[]));
    token = res.json.nextToken;
    if (token === null) return out;
  }
  throw new Error('nextToken never ran out');
}

describe('a destination’s history', () => {
  it('records a full cycle — create, live, manual stop and start, edit, failure, recovery, end, delete — newest first, with no stream key anywhere', async () => {
    const id = await create();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    expect((await system.api('POST', `/stream-destinations/${id}/stop`)).statusCode).toBe(202);
    await tick(4);
    expect((await system.api('POST', `/stream-destinations/${id}/start`)).statusCode).toBe(202);
    await tick(8);
    expect((await system.api('PUT', `/stream-destinations/${id}`, { streamKey: NEW_KEY, name: 'YouTube main' })).statusCode).toBe(200);
    // The rebuild after the key change fails for a while (MediaLive throttles), then recovers.
    const createInput = jest
      .spyOn(system.sim.medialive, 'createInput')
      .mockRejectedValue(new ThrottledError('medialive:CreateInput: Too many requests'));
    await tick(4);
    createInput.mockRestore();
    await tick(10);
    expect((await system.api('GET', `/stream-destinations/${id}`)).json.status).toBe('active');
    system.sim.goOffline(CHANNEL_A);
    await tick(12);
    expect((await system.api('DELETE', `/stream-destinations/${id}`)).statusCode).toBeLessThan(300);
    await tick(6);

    // The item is gone (404 on the route), but the history stays in its table until it expires.
    expect((await system.api('GET', `/stream-destinations/${id}/events`)).statusCode).toBe(404);
    const scan = await system.db.doc.send(new ScanCommand({ TableName: system.db.tables.events, ConsistentRead: true }));
    const items = (scan.Items ?? []).filter((i) => i.destinationId === id);
    const kinds = items.map((i) => i.kind as string);
    // Oldest first (the key order), the life of the destination:
    expect(kinds[0]).toBe('created');
    for (const kind of ['starting', 'running', 'stop-requested', 'stopped', 'start-requested', 'edited', 'failed', 'recovered']) {
      expect({ kind, recorded: kinds.includes(kind) }).toEqual({ kind, recorded: true });
    }
    expect(kinds.indexOf('stop-requested')).toBeLessThan(kinds.indexOf('start-requested'));
    expect(kinds.indexOf('failed')).toBeLessThan(kinds.lastIndexOf('recovered'));
    expect(kinds.filter((k) => k === 'deleted' || k === 'delete-requested').length).toBeGreaterThan(0);
    const failed = items.find((i) => i.kind === 'failed')!;
    expect(failed.details).toMatchObject({ code: 'THROTTLED' });
    const edited = items.find((i) => i.kind === 'edited')!;
    expect(edited.details).toEqual({ fields: ['name', 'streamKey'] });

    // No stream key, whole or in part, in any stored event.
    const stored = JSON.stringify(scan.Items);
    for (const key of [KEY, NEW_KEY]) {
      for (const part of [key, key.slice(0, 12), key.slice(-12)]) expect(stored.includes(part)).toBe(false);
    }
  });

  it('serves the history newest first, in pages that join up without gaps or repeats', async () => {
    const id = await create();
    for (let i = 0; i < 6; i++) {
      system.clock.advance(1000);
      expect((await system.api('PUT', `/stream-destinations/${id}`, { name: `Name ${i}` })).statusCode).toBe(200);
    }
    const whole = await allEvents(id);
    expect(whole.map((e) => e.kind)).toEqual(['edited', 'edited', 'edited', 'edited', 'edited', 'edited', 'created']);
    expect(whole.map((e) => e.at)).toEqual([...whole.map((e) => e.at)].sort().reverse());
    const paged = await allEvents(id, 2);
    expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
    const first = await system.api('GET', `/stream-destinations/${id}/events?limit=3`);
    expect(first.json.events).toHaveLength(3);
    expect(typeof first.json.nextToken).toBe('string');
    expect(first.json.events[0]).toEqual({
      id: expect.any(String),
      at: expect.any(String),
      kind: 'edited',
      source: 'api',
      message: 'Edited: name.',
      details: { fields: ['name'] },
    });
  });

  it('defaults to 20 events a page', async () => {
    const id = await create();
    for (let i = 0; i < 21; i++) await system.api('PUT', `/stream-destinations/${id}`, { name: `N${i}` }, undefined, {}, false);
    const res = await system.api('GET', `/stream-destinations/${id}/events`);
    expect(res.json.events).toHaveLength(20);
    expect(res.json.nextToken).not.toBeNull();
  });
});

describe('GET /stream-destinations/{id}/events refuses bad input', () => {
  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=5&limit=6', 'limit'],
    ['nextToken=page-2', 'nextToken'],
    ['nextToken=e1.bm90LWFuLWlk', 'nextToken'],
    ['pageSize=5', 'pageSize'],
  ])('?%s is a 400 naming %s', async (query, field) => {
    const id = await create();
    const res = await system.api('GET', `/stream-destinations/${id}/events?${query}`);
    expect({
      status: res.statusCode,
      code: res.json.error.code,
      fields: res.json.error.details.fields.map((f: { field: string }) => f.field),
    }).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: [field],
    });
    expect(res.json.error.message).toContain(field);
  });

  it('is a 404 for a destination that does not exist, and for an id we could never have made', async () => {
    for (const id of ['no-such-destination', 'bad%20id']) {
      const res = await system.api('GET', `/stream-destinations/${id}/events`);
      expect({ status: res.statusCode, code: res.json.error.code }).toEqual({ status: 404, code: 'DESTINATION_NOT_FOUND' });
    }
  });

  it('does not let a token of one destination read another destination’s events', async () => {
    const a = await create();
    const b = await create();
    for (let i = 0; i < 3; i++) await system.api('PUT', `/stream-destinations/${a}`, { name: `A${i}` });
    const page = await system.api('GET', `/stream-destinations/${a}/events?limit=1`);
    const res = await system.api('GET', `/stream-destinations/${b}/events?nextToken=${encodeURIComponent(page.json.nextToken)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json.events.every((e: EventView) => e.message !== 'Edited: name.')).toBe(true);
  });
});

describe('a failing history table', () => {
  it('never fails or blocks a change: the write is logged and metered, the destination goes live anyway', async () => {
    await system.db.client.send(new DeleteTableCommand({ TableName: system.db.tables.events }));
    const created = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: KEY });
    expect(created.statusCode).toBe(201);
    const id = created.json.id as string;
    expect((await system.api('PUT', `/stream-destinations/${id}`, { name: 'Renamed' })).statusCode).toBe(200);
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    expect((await system.api('GET', `/stream-destinations/${id}`)).json.status).toBe('active');
    expect(system.failures.filter((f) => f.destinationId === '(recordEvent)').length).toBeGreaterThanOrEqual(3);
    const warnings = system.logs.filter((l) => l.message.startsWith('Could not record a destination event'));
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings[0]!.attributes).toMatchObject({ destinationId: id, errorCode: 'SERVICE_UNAVAILABLE' });
    // Reading it is not off the essential path of the route: an honest 503, not a 500 or an empty page.
    const read = await system.api('GET', `/stream-destinations/${id}/events`);
    expect({ status: read.statusCode, code: read.json.error.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  });
});
