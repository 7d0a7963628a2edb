/**
 * The API's use cases (core/destination-service.ts) over their real parts: the DynamoDB adapters
 * on an in-process dynalite, the in-process work queue, the simulator's IVS and a manual clock.
 * Each test says what the API answers, what is stored, what is enqueued and what the history and
 * the logs record; bad input gets an error naming the field, and nothing is written.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../../../lambdas/adapters/dynamodb/stream-state-repository';
import { LocalStreamKeyCipher } from '../../../lambdas/adapters/local-stream-key-cipher';
import type { Destination } from '../../../lambdas/core/destination';
import type { DestinationServiceDeps } from '../../../lambdas/core/destination-service';
import { PASSTHROUGH_UNAVAILABLE_MESSAGE, RestreamingDestinationService } from '../../../lambdas/core/destination-service';
import {
  ChannelLiveError,
  ChannelNotFoundError,
  ChannelOfflineError,
  DestinationDeletingError,
  DestinationDisabledError,
  DestinationNotFoundError,
  PreconditionFailedError,
  RelayModeUnavailableError,
  RestreamingError,
  ServiceUnavailableError,
  ValidationError,
  VersionConflictError,
} from '../../../lambdas/core/errors';
import type { DestinationEventView } from '../../../lambdas/core/events';
import { toEventView } from '../../../lambdas/core/events';
import type { ChannelStreamState, Log, WorkItem } from '../../../lambdas/core/ports';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { MemoryWorkQueue } from '../../../lambdas/testing/memory-work-queue';
import { AwsSimulator } from '../../../lambdas/testing/simulator';
import type { Dynalite } from '../../support/dynalite';
import { dynaliteTablesPerTest } from '../../support/dynalite-per-test';
import { makeDestination } from '../../support/fixtures';

const A = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';
const B = 'arn:aws:ivs:us-east-1:123456789012:channel/GhIjKl789012';
const KEY = 'live_1234567890_secretkey';
const NOW = '2026-03-01T10:00:00.000Z';
const GRACE_SECONDS = 120;

interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown> | undefined;
}

let db: Dynalite;
let repo: DynamoDestinationRepository;
let states: DynamoStreamStateRepository;
let clock: ManualClock;
let queue: MemoryWorkQueue;
let sim: AwsSimulator;
let cipher: LocalStreamKeyCipher;
let logs: LogEntry[];
let auxiliary: string[];
let nextId: number;

const tables = dynaliteTablesPerTest();

beforeEach(async () => {
  db = tables();
  repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  states = new DynamoStreamStateRepository(db.doc, db.tables.streamState);
  clock = new ManualClock(NOW);
  queue = new MemoryWorkQueue(clock);
  sim = new AwsSimulator({ clock, projectName: 'p' });
  sim.addIvsChannel(A, { streamKey: 'sk_us-east-1_ivsChannelKeyA', ingestServer: 'rtmps://a.example:443/app/' });
  sim.addIvsChannel(B);
  cipher = new LocalStreamKeyCipher(randomBytes(32));
  logs = [];
  auxiliary = [];
  nextId = 0;
});

const log: Log = {
  debug: (message, attributes) => void logs.push({ level: 'debug', message, attributes }),
  info: (message, attributes) => void logs.push({ level: 'info', message, attributes }),
  warn: (message, attributes) => void logs.push({ level: 'warn', message, attributes }),
  error: (message, attributes) => void logs.push({ level: 'error', message, attributes }),
};

function service(overrides: Partial<DestinationServiceDeps> = {}): RestreamingDestinationService {
  return new RestreamingDestinationService({
    destinations: repo,
    streamStates: states,
    events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
    cipher,
    queue,
    streams: sim.ivs,
    channels: sim.ivs,
    graceSeconds: GRACE_SECONDS,
    clock,
    ids: { newId: () => `d${++nextId}` },
    log,
    metrics: { auxiliaryReadFailed: (what) => void auxiliary.push(what) },
    trackedChannelArns: [A],
    ...overrides,
  });
}

/** A stored destination (version 1 unless given), its key encrypted as the API stores it. */
async function stored(overrides: Partial<Destination> = {}): Promise<Destination> {
  const d = makeDestination({ id: 'd1', channelArn: A, rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2', ...overrides });
  d.streamKeyCiphertext = await cipher.encrypt(d.id, KEY);
  await repo.create(d);
  return d;
}

/** The item as stored now. */
async function item(id = 'd1'): Promise<Destination | undefined> {
  return repo.get(id);
}

/** The error `action` rejects with (fails the test when it resolves). */
async function errorOf(action: Promise<unknown>): Promise<RestreamingError> {
  const error = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RestreamingError)) throw new Error(`expected a domain error, got ${String(error)}`);
  return error;
}

/** The history of a destination as stored, oldest first (also after the item is deleted). */
async function history(id = 'd1'): Promise<DestinationEventView[]> {
  const page = await new DynamoDestinationEventLog(db.doc, db.tables.events, clock).list(id, { limit: 100 });
  return page.events.map(toEventView).reverse();
}

function logged(message: string): LogEntry[] {
  return logs.filter((l) => l.message === message);
}

const enqueuedFor = (id: string, reason = 'changed through the API'): WorkItem => ({
  kind: 'destination',
  destinationId: id,
  notBefore: clock.now().toISOString(),
  reason,
});

async function live(channelArn: string, overrides: Partial<ChannelStreamState> = {}): Promise<ChannelStreamState> {
  const state: ChannelStreamState = { id: channelArn, state: 'LIVE', streamId: 'st-1', broadcastId: 'st-1', timestamp: NOW, ...overrides };
  await states.put(state);
  return state;
}

async function offline(channelArn: string, offlineSince: string, overrides: Partial<ChannelStreamState> = {}): Promise<ChannelStreamState> {
  const state: ChannelStreamState = {
    id: channelArn,
    state: 'OFFLINE',
    streamId: 'st-1',
    broadcastId: 'st-1',
    timestamp: offlineSince,
    offlineSince,
    ...overrides,
  };
  await states.put(state);
  return state;
}

/** Makes the next `times` conditional writes of d1 lose against an outside writer (the reconciler). */
function raceNextPuts(times: number): { raced: () => number } {
  let raced = 0;
  const put = repo.put.bind(repo);
  repo.put = async (next) => {
    if (raced < times) {
      raced += 1;
      const current = (await repo.get(next.id)) as Destination;
      await put({ ...current, statusSince: `2026-03-01T09:00:0${raced % 10}.000Z`, version: current.version + 1 });
    }
    return put(next);
  };
  return { raced: () => raced };
}

describe('create', () => {
  it('stores the destination with the platform defaults, enqueues it and answers without the key', async () => {
    const view = await service().create({ platform: 'youtube', name: 'Main', streamKey: KEY });
    const d = (await item('d1')) as Destination;
    expect(d).toMatchObject({
      id: 'd1',
      platform: 'youtube',
      name: 'Main',
      enabled: true,
      status: 'inactive',
      statusSince: NOW,
      channelArn: A,
      rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
      streamKeyHint: KEY.slice(-4),
      profile: '1080p30-6000',
      mode: 'transcode',
      configRevision: 1,
      generation: 0,
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(await cipher.decrypt('d1', d.streamKeyCiphertext)).toBe(KEY);
    expect(view).toMatchObject({ id: 'd1', status: 'inactive', streamKeyMasked: `••••${KEY.slice(-4)}`, version: 1, warnings: [] });
    expect(JSON.stringify(view)).not.toContain(KEY);
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
    expect(await history()).toEqual([
      {
        id: expect.any(String),
        at: NOW,
        kind: 'created',
        source: 'api',
        message: 'Created (youtube, enabled).',
        details: { platform: 'youtube', enabled: true, profile: '1080p30-6000' },
      },
    ]);
    expect(logged('Destination created')).toEqual([
      {
        level: 'info',
        message: 'Destination created',
        attributes: { destinationId: 'd1', destinationName: 'Main', channelArn: A, platform: 'youtube', mode: 'transcode' },
      },
    ]);
    expect(JSON.stringify(logs)).not.toContain(KEY);
  });

  it('keeps what the request gives: disabled, its own URL, profile, mode and channel', async () => {
    const view = await service({
      trackedChannelArns: [A, B],
      relayModes: { offered: ['transcode', 'passthrough'], defaultMode: 'transcode' },
    }).create({
      platform: 'custom',
      name: 'Own server',
      streamKey: KEY,
      rtmpUrl: 'rtmp://live.example.com/app',
      enabled: false,
      channelArn: B,
      profile: '480p30-2000',
      mode: 'passthrough',
    });
    expect(view).toMatchObject({
      platform: 'custom',
      enabled: false,
      channelArn: B,
      rtmpUrl: 'rtmp://live.example.com/app',
      profile: '480p30-2000',
      mode: 'passthrough',
    });
    expect(await item('d1')).toMatchObject({ enabled: false, channelArn: B, profile: '480p30-2000', mode: 'passthrough' });
    expect((await history())[0]).toMatchObject({
      message: 'Created (custom, disabled).',
      details: { platform: 'custom', enabled: false, profile: '480p30-2000' },
    });
  });

  it("gives a new destination the deployment's default mode", async () => {
    const view = await service({ relayModes: { offered: ['transcode', 'passthrough'], defaultMode: 'passthrough' } }).create({
      platform: 'twitch',
      name: 'T',
      streamKey: KEY,
    });
    expect(view).toMatchObject({
      mode: 'passthrough',
      profile: '720p30-4500',
      rtmpUrl: 'rtmps://ingest.global-contribute.live-video.net:443/app',
    });
    expect(logged('Destination created')[0]?.attributes).toMatchObject({ mode: 'passthrough' });
  });

  it('refuses pass-through in a deployment without relays with a 409 naming mode, and writes nothing', async () => {
    const error = await errorOf(service().create({ platform: 'youtube', name: 'M', streamKey: KEY, mode: 'passthrough' }));
    expect(error).toBeInstanceOf(RelayModeUnavailableError);
    expect(error.message).toBe(PASSTHROUGH_UNAVAILABLE_MESSAGE);
    expect(error.message).toMatch(/^mode: passthrough is not enabled in this deployment/);
    expect(error.message).toContain('enableRelays: true');
    expect(error.details).toEqual({
      fields: [{ field: 'mode', message: PASSTHROUGH_UNAVAILABLE_MESSAGE.slice('mode: '.length) }],
      offered: ['transcode'],
    });
    expect((await repo.scanAll()).destinations).toEqual([]);
    expect(queue.sent).toEqual([]);
  });

  it('takes the only tracked channel; with none or several it asks for channelArn', async () => {
    const none = await errorOf(service({ trackedChannelArns: [] }).create({ platform: 'youtube', name: 'M', streamKey: KEY }));
    expect(none).toBeInstanceOf(ValidationError);
    expect(none.message).toBe('channelArn: required; give the ARN of the IVS channel this destination follows');
    expect((none as ValidationError).issues).toEqual([
      { field: 'channelArn', message: 'required; give the ARN of the IVS channel this destination follows' },
    ]);
    const two = await errorOf(service({ trackedChannelArns: [A, B] }).create({ platform: 'youtube', name: 'M', streamKey: KEY }));
    expect((two as ValidationError).issues).toEqual([
      { field: 'channelArn', message: `required because 2 IVS channels are configured; use one of ${A}, ${B}` },
    ]);
    expect((await repo.scanAll()).destinations).toEqual([]);
    expect(queue.sent).toEqual([]);
  });

  it('refuses a channel this deployment does not follow, and takes any channel when it follows none', async () => {
    const error = await errorOf(
      service({ trackedChannelArns: [A] }).create({ platform: 'youtube', name: 'M', streamKey: KEY, channelArn: B }),
    );
    expect((error as ValidationError).issues).toEqual([
      { field: 'channelArn', message: `${B} is not an IVS channel of this deployment; use one of ${A}` },
    ]);
    expect(error.message).toBe(`channelArn: ${B} is not an IVS channel of this deployment; use one of ${A}`);
    expect((await repo.scanAll()).destinations).toEqual([]);
    const view = await service({ trackedChannelArns: [] }).create({ platform: 'youtube', name: 'M', streamKey: KEY, channelArn: B });
    expect(view.channelArn).toBe(B);
  });

  it('refuses a URL the platform does not accept, naming rtmpUrl, and writes nothing', async () => {
    const custom = await errorOf(service().create({ platform: 'custom', name: 'M', streamKey: KEY }));
    expect((custom as ValidationError).issues.map((f) => f.field)).toEqual(['rtmpUrl']);
    const facebook = await errorOf(
      service().create({ platform: 'facebook', name: 'M', streamKey: KEY, rtmpUrl: 'rtmp://live-api-s.facebook.com/rtmp' }),
    );
    expect((facebook as ValidationError).issues).toEqual([{ field: 'rtmpUrl', message: expect.stringContaining('accepts only RTMPS') }]);
    expect((await repo.scanAll()).destinations).toEqual([]);
    expect(queue.sent).toEqual([]);
  });

  it('refuses a private push target unless the deployment allows them', async () => {
    const input = { platform: 'custom' as const, name: 'M', streamKey: KEY, rtmpUrl: 'rtmp://10.0.0.5/live' };
    const error = await errorOf(service().create(input));
    expect((error as ValidationError).issues.map((f) => f.field)).toEqual(['rtmpUrl']);
    expect((await repo.scanAll()).destinations).toEqual([]);
    expect(await errorOf(service({ allowPrivateRtmpTargets: false }).create(input))).toBeInstanceOf(ValidationError);
    const view = await service({ allowPrivateRtmpTargets: true }).create(input);
    expect(view.rtmpUrl).toBe('rtmp://10.0.0.5/live');
  });

  it('answers and stores the destination although the work queue fails; the failure is logged by name', async () => {
    const failing = {
      enqueue: async () => {
        throw new ServiceUnavailableError('SQS SendMessageBatch unavailable');
      },
    };
    const view = await service({ queue: failing }).create({ platform: 'youtube', name: 'M', streamKey: KEY });
    expect(view.id).toBe('d1');
    expect(await item('d1')).toBeDefined();
    expect(logged('Could not put the destination on the work queue; the schedule will converge it')).toEqual([
      {
        level: 'warn',
        message: 'Could not put the destination on the work queue; the schedule will converge it',
        attributes: { destinationId: 'd1', errorName: 'ServiceUnavailableError', errorCode: 'SERVICE_UNAVAILABLE' },
      },
    ]);
  });

  it('names a thrown non-Error by its type when the queue fails', async () => {
    const failing = {
      enqueue: async () => {
        throw 'socket hang up';
      },
    };
    await service({ queue: failing }).create({ platform: 'youtube', name: 'M', streamKey: KEY });
    expect(logs.find((l) => l.level === 'warn')?.attributes).toEqual({ destinationId: 'd1', errorName: 'string', errorCode: undefined });
  });

  it('answers although the history cannot be written; the failure is metered', async () => {
    const events = {
      record: async () => {
        throw new ServiceUnavailableError('history down');
      },
      list: async () => ({ events: [] }),
    };
    const view = await service({ events }).create({ platform: 'youtube', name: 'M', streamKey: KEY });
    expect(view.id).toBe('d1');
    expect(auxiliary).toHaveLength(1);
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
  });
});

describe('list and get', () => {
  it('lists destinations oldest first (then by id), each with its channel warnings, and no problems key', async () => {
    await stored({ id: 'b', createdAt: '2025-01-02T00:00:00.000Z' });
    await stored({ id: 'c', createdAt: '2025-01-01T00:00:00.000Z' });
    await stored({ id: 'a', createdAt: '2025-01-02T00:00:00.000Z', channelArn: B });
    await live(A, { ingest: { streamId: 'st-1', video: { codec: 'prores' } } });
    const list = await service().list();
    expect(list.destinations.map((d) => d.id)).toEqual(['c', 'a', 'b']);
    expect(list.destinations.map((d) => d.warnings.map((w) => w.code))).toEqual([['SOURCE_VIDEO_CODEC'], [], ['SOURCE_VIDEO_CODEC']]);
    expect(list).not.toHaveProperty('problems');
    expect(logs).toEqual([]);
  });

  it('lists an unreadable item under problems with the attributes to fix, and logs it', async () => {
    await stored({ id: 'ok' });
    const bad = { ...makeDestination({ id: 'zz-bad' }), enabled: 'yes' };
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: bad }));
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...bad, id: 'aa-bad' } }));
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...bad, id: 'mm-bad' } }));
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...bad, id: 'gg-bad' } }));
    const list = await service().list();
    expect(list.destinations.map((d) => d.id)).toEqual(['ok']);
    expect(list.problems?.map((p) => p.id)).toEqual(['aa-bad', 'gg-bad', 'mm-bad', 'zz-bad']);
    expect(list.problems?.[0]).toEqual({
      id: 'aa-bad',
      code: 'MALFORMED_ITEM',
      message: expect.stringContaining('aa-bad'),
      fields: [{ field: 'enabled', message: expect.any(String) }],
    });
    const reported = logged('Stored destination item is unreadable; listed under problems').map((l) => l.attributes);
    expect(reported).toHaveLength(4);
    expect(reported).toEqual(
      expect.arrayContaining([
        { destinationId: 'zz-bad', problems: expect.stringContaining('enabled') },
        { destinationId: 'aa-bad', problems: expect.stringContaining('enabled') },
      ]),
    );
    expect(logs.every((l) => l.level === 'error')).toBe(true);
  });

  it('gets one destination with its warnings; an unknown id is DESTINATION_NOT_FOUND', async () => {
    await stored();
    await live(A, { ingest: { streamId: 'st-1', video: { codec: 'prores' } } });
    const view = await service().get('d1');
    expect(view).toMatchObject({ id: 'd1', warnings: [{ code: 'SOURCE_VIDEO_CODEC', field: 'mode' }] });
    expect(JSON.stringify(view)).not.toContain(KEY);
    expect(await errorOf(service().get('nope'))).toBeInstanceOf(DestinationNotFoundError);
  });
});

describe('update', () => {
  it('renames: the name is stored under a new version, the config revision stays, the change is enqueued', async () => {
    await stored({ mediaLiveInputId: 'in-1' });
    clock.advance(5_000);
    const view = await service().update('d1', { name: 'Renamed' });
    const d = (await item()) as Destination;
    expect(d).toMatchObject({
      name: 'Renamed',
      version: 2,
      configRevision: 1,
      updatedAt: clock.now().toISOString(),
      mediaLiveInputId: 'in-1',
    });
    expect(d.staleInputIds).toBeUndefined();
    expect(view).toMatchObject({ name: 'Renamed', version: 2 });
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
    expect(await history()).toMatchObject([{ kind: 'edited', message: 'Edited: name.', details: { fields: ['name'] } }]);
    expect(logged('Destination updated')).toEqual([
      { level: 'info', message: 'Destination updated', attributes: { destinationId: 'd1', fields: ['name'] } },
    ]);
  });

  it('enables and disables without a new config revision', async () => {
    await stored({ enabled: false });
    await service().update('d1', { enabled: true });
    expect(await item()).toMatchObject({ enabled: true, configRevision: 1, version: 2 });
    await service().update('d1', { enabled: false });
    expect(await item()).toMatchObject({ enabled: false, configRevision: 1, version: 3 });
  });

  it('a new stream key is stored encrypted, bumps the config revision, and is in no answer, log or event', async () => {
    await stored();
    const view = await service().update('d1', { streamKey: 'new-key-0000-ZYXW' });
    const d = (await item()) as Destination;
    expect(await cipher.decrypt('d1', d.streamKeyCiphertext)).toBe('new-key-0000-ZYXW');
    expect(d).toMatchObject({ streamKeyHint: 'ZYXW', configRevision: 2 });
    expect(view.streamKeyMasked).toMatch(/ZYXW$/);
    const everything = JSON.stringify([view, logs, await history()]);
    expect(everything).not.toContain('new-key-0000-ZYXW');
    expect(await history()).toMatchObject([{ message: 'Edited: streamKey.', details: { fields: ['streamKey'] } }]);
  });

  it.each([
    ['rtmpUrl', { rtmpUrl: 'rtmps://b.rtmps.youtube.com:443/live2' }],
    ['profile', { profile: '720p30-4500' as const }],
    ['mode', { mode: 'passthrough' as const }],
    ['channelArn', { channelArn: B }],
  ])('a new %s bumps the config revision and retires a source no relay uses', async (_field, input) => {
    await stored({ mediaLiveInputId: 'in-1', generation: 3, staleInputIds: ['in-0'] });
    await service({ trackedChannelArns: [A, B], relayModes: { offered: ['transcode', 'passthrough'], defaultMode: 'transcode' } }).update(
      'd1',
      input,
    );
    const d = (await item()) as Destination;
    expect(d).toMatchObject({ ...input, configRevision: 2, generation: 4, staleInputIds: ['in-0', 'in-1'] });
    expect(d.mediaLiveInputId).toBeUndefined();
  });

  it('a new config keeps the source of a relay that still runs on it', async () => {
    await stored({ mediaLiveInputId: 'in-1', mediaLiveChannelId: 'ch-1', status: 'active' });
    await service().update('d1', { profile: '720p30-4500' });
    expect(await item()).toMatchObject({ configRevision: 2, mediaLiveInputId: 'in-1', generation: 0 });
  });

  it('a value equal to the stored one is no config change', async () => {
    await stored({ mediaLiveInputId: 'in-1' });
    await service({ trackedChannelArns: [A, B] }).update('d1', {
      rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
      profile: '1080p30-6000',
      mode: 'transcode',
      channelArn: A,
      platform: 'youtube',
    });
    expect(await item()).toMatchObject({ configRevision: 1, mediaLiveInputId: 'in-1', version: 2 });
    expect(await history()).toMatchObject([{ message: 'Edited: channelArn, mode, platform, profile, rtmpUrl.' }]);
  });

  it("a new platform brings its ingest URL when the old one was the preset's", async () => {
    await stored({ platform: 'youtube', rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2' });
    await service().update('d1', { platform: 'twitch' });
    expect(await item()).toMatchObject({
      platform: 'twitch',
      rtmpUrl: 'rtmps://ingest.global-contribute.live-video.net:443/app',
      configRevision: 2,
    });
  });

  it('a new platform keeps a URL set by hand, and a URL given with it wins', async () => {
    await stored({ platform: 'custom', rtmpUrl: 'rtmps://live.example.com/app' });
    await service().update('d1', { platform: 'twitch' });
    expect(await item()).toMatchObject({ platform: 'twitch', rtmpUrl: 'rtmps://live.example.com/app', configRevision: 1 });
    await service().update('d1', { platform: 'youtube', rtmpUrl: 'rtmps://b.rtmps.youtube.com:443/live2' });
    expect(await item()).toMatchObject({ platform: 'youtube', rtmpUrl: 'rtmps://b.rtmps.youtube.com:443/live2', configRevision: 2 });
  });

  it('a platform without a preset keeps the old URL', async () => {
    await stored({ platform: 'youtube', rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2' });
    await service().update('d1', { platform: 'custom' });
    expect(await item()).toMatchObject({ platform: 'custom', rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2', configRevision: 1 });
  });

  it('refuses a platform the stored URL does not suit, naming rtmpUrl, and writes nothing', async () => {
    await stored({ platform: 'custom', rtmpUrl: 'rtmp://live.example.com/app' });
    const error = await errorOf(service().update('d1', { platform: 'facebook' }));
    expect((error as ValidationError).issues).toEqual([{ field: 'rtmpUrl', message: expect.stringContaining('accepts only RTMPS') }]);
    expect(await item()).toMatchObject({ platform: 'custom', version: 1 });
    expect(queue.sent).toEqual([]);
    expect(await history()).toEqual([]);
  });

  it.each([
    ['an untracked channel', { channelArn: B }, 'channelArn'],
    ['a private push target', { rtmpUrl: 'rtmp://192.168.1.10/live' }, 'rtmpUrl'],
    ['pass-through without relays', { mode: 'passthrough' as const }, 'mode'],
  ])('refuses %s, naming the field, and writes nothing', async (_what, input, field) => {
    await stored({ platform: 'custom', rtmpUrl: 'rtmp://live.example.com/app' });
    const error = await errorOf(service().update('d1', input));
    // Both errors carry the fields the HTTP layer answers with.
    const { fields } = error.details as { fields: { field: string }[] };
    expect(fields.map((f) => f.field)).toEqual([field]);
    expect(await item()).toMatchObject({ version: 1 });
    expect(queue.sent).toEqual([]);
  });

  it('accepts a private push target where the deployment allows them', async () => {
    await stored({ platform: 'custom', rtmpUrl: 'rtmp://live.example.com/app' });
    await service({ allowPrivateRtmpTargets: true }).update('d1', { rtmpUrl: 'rtmp://192.168.1.10/live' });
    expect(await item()).toMatchObject({ rtmpUrl: 'rtmp://192.168.1.10/live' });
  });

  it('with If-Match: changes only the version asked for, else 412 with the current version', async () => {
    await stored({ version: 3 });
    const error = await errorOf(service().update('d1', { name: 'X' }, { ifVersion: 2 }));
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect(error.message).toBe(
      'Destination "d1" changed since version 2 (it is at version 3): GET it again, then repeat the change with the new ETag.',
    );
    expect(error.details).toEqual({ currentVersion: 3 });
    expect(await item()).toMatchObject({ version: 3 });
    expect(queue.sent).toEqual([]);
    const view = await service().update('d1', { name: 'X' }, { ifVersion: 3 });
    expect(view).toMatchObject({ name: 'X', version: 4 });
  });

  it('an edit without If-Match wins against many racing writers', async () => {
    await stored();
    const race = raceNextPuts(6);
    await service().update('d1', { name: 'Mine' });
    expect(race.raced()).toBe(6);
    expect(await item()).toMatchObject({ name: 'Mine', version: 8 });
  });

  it('refuses to edit a destination being deleted, and an unknown one', async () => {
    await stored({ deleteRequested: true, enabled: false, status: 'deleting' });
    expect(await errorOf(service().update('d1', { name: 'X' }))).toBeInstanceOf(DestinationDeletingError);
    expect(await item()).toMatchObject({ version: 1 });
    const missing = await errorOf(service().update('nope', { name: 'X' }));
    expect(missing).toBeInstanceOf(DestinationNotFoundError);
    expect(queue.sent).toEqual([]);
  });
});

describe('remove', () => {
  it('deletes at once a destination that holds nothing in MediaLive', async () => {
    await stored({ name: 'Main' });
    expect(await service().remove('d1')).toEqual({ done: true });
    expect(await item()).toBeUndefined();
    expect(queue.sent).toEqual([]);
    expect(logged('Destination deleted')).toEqual([
      { level: 'info', message: 'Destination deleted', attributes: { destinationId: 'd1', destinationName: 'Main', channelArn: A } },
    ]);
    expect(await history()).toMatchObject([{ kind: 'deleted', message: 'Deleted.', details: {} }]);
  });

  it.each([
    ['a relay', { mediaLiveChannelId: 'ch-1', status: 'active' as const }],
    ['a source', { mediaLiveInputId: 'in-1' }],
    ['a retired source', { staleInputIds: ['in-0'] }],
    ['an active lease', { lease: { owner: 'r1', until: '2026-03-01T10:00:30.000Z' } }],
  ])('marks a destination holding %s as deleting and enqueues it', async (_what, holds) => {
    await stored(holds);
    clock.advance(1_000);
    const answer = await service().remove('d1');
    expect(answer).toEqual({
      done: false,
      destination: expect.objectContaining({ id: 'd1', status: 'deleting', enabled: false, version: 2 }),
    });
    expect(await item()).toMatchObject({
      deleteRequested: true,
      enabled: false,
      status: 'deleting',
      statusSince: clock.now().toISOString(),
    });
    expect(queue.sent).toEqual([enqueuedFor('d1', 'deleted')]);
    expect(logged('Destination deletion requested')).toEqual([
      { level: 'info', message: 'Destination deletion requested', attributes: { destinationId: 'd1' } },
    ]);
    expect(await history()).toMatchObject([
      { kind: 'delete-requested', message: 'Deletion requested: its relay is being stopped and removed.' },
    ]);
  });

  it('deletes at once when the lease has expired', async () => {
    await stored({ lease: { owner: 'r1', until: NOW } });
    expect(await service().remove('d1')).toEqual({ done: true });
  });

  it('a repeated delete writes nothing more and enqueues the destination again', async () => {
    await stored({ mediaLiveChannelId: 'ch-1' });
    await service().remove('d1');
    clock.advance(1_000);
    const again = await service().remove('d1');
    expect(again).toMatchObject({ done: false, destination: { version: 2, status: 'deleting' } });
    expect(await item()).toMatchObject({ version: 2, statusSince: '2026-03-01T10:00:00.000Z' });
    expect(queue.sent).toHaveLength(2);
  });

  it('retries a delete that raced another writer, and gives up with 409 after four', async () => {
    await stored();
    const del = repo.delete.bind(repo);
    let conflicts = 1;
    repo.delete = async (id, version) => {
      if (conflicts-- > 0) throw new VersionConflictError('raced');
      return del(id, version);
    };
    expect(await service().remove('d1')).toEqual({ done: true });
    await stored();
    conflicts = 4;
    expect(await errorOf(service().remove('d1'))).toBeInstanceOf(VersionConflictError);
    expect(await item()).toBeDefined();
  });

  it('a failed delete is not retried as a conflict', async () => {
    await stored();
    let calls = 0;
    repo.delete = async () => {
      calls += 1;
      throw new ServiceUnavailableError('DynamoDB DeleteItem unavailable');
    };
    expect(await errorOf(service().remove('d1'))).toBeInstanceOf(ServiceUnavailableError);
    expect(calls).toBe(1);
  });

  it('an unknown destination is DESTINATION_NOT_FOUND', async () => {
    expect(await errorOf(service().remove('nope'))).toBeInstanceOf(DestinationNotFoundError);
  });
});

describe('start', () => {
  it('refuses while the IVS channel is offline (409), and writes nothing', async () => {
    await stored({ pausedStreamId: 'st-0' });
    const error = await errorOf(service().start('d1'));
    expect(error).toBeInstanceOf(ChannelOfflineError);
    expect(error.message).toContain(A);
    await offline(A, NOW);
    expect(await errorOf(service().start('d1'))).toBeInstanceOf(ChannelOfflineError);
    expect(await item()).toMatchObject({ version: 1, pausedStreamId: 'st-0' });
    expect(queue.sent).toEqual([]);
  });

  it('lifts a pause for the live stream, enqueues the destination and records the stream', async () => {
    await stored({ pausedStreamId: 'st-1' });
    await live(A, { streamId: 'st-2', broadcastId: 'st-1' });
    const view = await service().start('d1');
    expect(view).toMatchObject({ pausedStreamId: null, enabled: true, version: 2 });
    expect((await item())?.pausedStreamId).toBeUndefined();
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
    expect(logged('Destination start requested')).toEqual([
      { level: 'info', message: 'Destination start requested', attributes: { destinationId: 'd1', channelArn: A, streamId: 'st-2' } },
    ]);
    expect(await history()).toMatchObject([{ kind: 'start-requested', message: 'Started by hand for the live stream.' }]);
    expect((await history())[0]?.details).toEqual({ streamId: 'st-2' });
  });

  it('writes nothing for an enabled destination that is not paused, but enqueues it', async () => {
    await stored();
    await live(A, { streamId: undefined });
    await service().start('d1');
    expect(await item()).toMatchObject({ version: 1 });
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
    expect((await history()).map((e) => [e.kind, e.details])).toEqual([['start-requested', {}]]);
  });

  it('refuses a disabled destination unless the start enables it', async () => {
    await stored({ enabled: false });
    await live(A);
    const error = await errorOf(service().start('d1'));
    expect(error).toBeInstanceOf(DestinationDisabledError);
    expect(error.message).toContain('{"enable": true}');
    expect(await errorOf(service().start('d1', { enable: false }))).toBeInstanceOf(DestinationDisabledError);
    expect(await item()).toMatchObject({ enabled: false, version: 1 });
    await service().start('d1', { enable: true });
    expect(await item()).toMatchObject({ enabled: true, version: 2 });
    expect((await history()).map((e) => [e.kind, e.details])).toEqual([['start-requested', { enable: true, streamId: 'st-1' }]]);
  });

  it('a disabled destination is refused as disabled, also while the channel is offline', async () => {
    await stored({ enabled: false });
    expect(await errorOf(service().start('d1'))).toBeInstanceOf(DestinationDisabledError);
  });

  it('refuses when the destination is disabled between the read and the write', async () => {
    await stored();
    await live(A);
    const get = states.get.bind(states);
    states.get = async (arn) => {
      const d = (await repo.get('d1')) as Destination;
      if (d.enabled) await repo.put({ ...d, enabled: false, version: d.version + 1 });
      return get(arn);
    };
    expect(await errorOf(service().start('d1'))).toBeInstanceOf(DestinationDisabledError);
    expect(queue.sent).toEqual([]);
  });

  it('refuses a destination being deleted, and an unknown one', async () => {
    await stored({ deleteRequested: true, enabled: false, status: 'deleting' });
    const error = await errorOf(service().start('d1', { enable: true }));
    expect(error).toBeInstanceOf(DestinationDeletingError);
    expect(error.message).toBe('Destination "d1" is being deleted; it can no longer be changed.');
    await live(A);
    expect(await errorOf(service().start('d1', { enable: true }))).toBeInstanceOf(DestinationDeletingError);
    expect(await errorOf(service().start('nope'))).toBeInstanceOf(DestinationNotFoundError);
    expect(queue.sent).toEqual([]);
  });

  it('gives up with 409 when its write keeps losing races', async () => {
    await stored({ pausedStreamId: 'st-1' });
    await live(A);
    raceNextPuts(4);
    expect(await errorOf(service().start('d1'))).toBeInstanceOf(VersionConflictError);
    expect(queue.sent).toEqual([]);
  });
});

describe('stop', () => {
  it('pauses the destination for the live broadcast and enqueues it', async () => {
    await stored();
    await live(A, { streamId: 'st-2', broadcastId: 'st-1' });
    const view = await service().stop('d1');
    expect(view).toMatchObject({ pausedStreamId: 'st-1', version: 2 });
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
    expect(logged('Destination stop requested')).toEqual([
      { level: 'info', message: 'Destination stop requested', attributes: { destinationId: 'd1', channelArn: A, broadcastId: 'st-1' } },
    ]);
    expect(await history()).toMatchObject([
      {
        kind: 'stop-requested',
        message: 'Stopped by hand for this broadcast; it starts again with the next.',
        details: { broadcastId: 'st-1' },
      },
    ]);
    expect(sim.calls['ivs:GetStream']).toBeUndefined();
  });

  it('a second stop for the same broadcast writes nothing', async () => {
    await stored({ pausedStreamId: 'st-1' });
    await live(A);
    await service().stop('d1');
    expect(await item()).toMatchObject({ version: 1, pausedStreamId: 'st-1' });
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
  });

  it('pauses for the broadcast that just ended (grace period) when IVS is offline', async () => {
    await stored();
    await offline(A, NOW, { streamId: 'st-3', broadcastId: 'st-1' });
    await service().stop('d1');
    expect(await item()).toMatchObject({ pausedStreamId: 'st-1' });
    expect(sim.calls['ivs:GetStream']).toBe(1);
  });

  it('with nothing on air anywhere, writes nothing and says so', async () => {
    await stored();
    const view = await service().stop('d1');
    expect(view).toMatchObject({ pausedStreamId: null, version: 1 });
    expect(await states.get(A)).toBeUndefined();
    expect(logged('Destination stop requested')[0]?.attributes).toEqual({ destinationId: 'd1', channelArn: A, broadcastId: undefined });
    expect(await history()).toMatchObject([{ kind: 'stop-requested', message: 'Stopped by hand (nothing was on air).', details: {} }]);
    expect(queue.sent).toEqual([enqueuedFor('d1')]);
  });

  it('with nothing on air, keeps the pause of the last broadcast', async () => {
    await stored({ pausedStreamId: 'st-0' });
    await service().stop('d1');
    expect(await item()).toMatchObject({ pausedStreamId: 'st-0', version: 1 });
  });

  it('asks IVS when the table has not heard of the stream yet, and records what it saw', async () => {
    await stored();
    const streamId = sim.goLive(A);
    await service().stop('d1');
    expect(await item()).toMatchObject({ pausedStreamId: streamId });
    expect(await states.get(A)).toMatchObject({ state: 'LIVE', streamId, broadcastId: streamId });
  });

  it('a reconnect inside the grace period that the table has not seen continues the broadcast', async () => {
    await stored();
    await offline(A, NOW, { streamId: 'st-1', broadcastId: 'st-0' });
    clock.advance(10_000);
    const streamId = sim.goLive(A);
    await service().stop('d1');
    expect(await item()).toMatchObject({ pausedStreamId: 'st-0' });
    expect(await states.get(A)).toMatchObject({ state: 'LIVE', streamId, broadcastId: 'st-0' });
  });

  it('refuses a destination being deleted, and an unknown one', async () => {
    await stored({ deleteRequested: true, enabled: false, status: 'deleting' });
    // Also with nothing on air, when a stop would write nothing.
    expect(await errorOf(service().stop('d1'))).toBeInstanceOf(DestinationDeletingError);
    await live(A);
    expect(await errorOf(service().stop('d1'))).toBeInstanceOf(DestinationDeletingError);
    expect(await errorOf(service().stop('nope'))).toBeInstanceOf(DestinationNotFoundError);
    expect(queue.sent).toEqual([]);
  });
});

describe('stream status and the grace period', () => {
  const CH_A = 'AbCdEf123456';
  const CH_B = 'GhIjKl789012';

  it('lists the tracked channels once each, sorted, with what the table remembers', async () => {
    await live(B, { streamId: 'st-9', timestamp: '2026-03-01T09:00:00.000Z' });
    const status = await service({ trackedChannelArns: [B, A, B] }).streamStatus();
    expect(status).toEqual({
      channels: [
        { channelArn: A, channelId: CH_A, state: 'OFFLINE', streamId: null, since: null, stopsAt: null },
        { channelArn: B, channelId: CH_B, state: 'LIVE', streamId: 'st-9', since: '2026-03-01T09:00:00.000Z', stopsAt: null },
      ],
    });
    expect(sim.calls['ivs:GetStream']).toBeUndefined();
  });

  it("without tracked channels lists the destinations' channels, once each and sorted", async () => {
    // Five channels: the order a scan returns them in is not sorted by chance.
    const arns = ['Ee', 'Cc', 'Aa', 'Dd', 'Bb'].map((id) => sim.ivsChannelArn(id));
    for (const [i, channelArn] of [...arns, arns[0] as string].entries()) await stored({ id: `x${i}`, channelArn });
    const status = await service({ trackedChannelArns: [] }).streamStatus();
    expect(status.channels.map((c) => c.channelId)).toEqual(['Aa', 'Bb', 'Cc', 'Dd', 'Ee']);
  });

  it('shows when an offline channel stops: the end of its grace period, until it has passed', async () => {
    await offline(A, NOW);
    const stopsAt = '2026-03-01T10:02:00.000Z';
    expect((await service().streamStatus()).channels[0]).toEqual({
      channelArn: A,
      channelId: CH_A,
      state: 'OFFLINE',
      streamId: null,
      since: NOW,
      stopsAt,
    });
    clock.advance(GRACE_SECONDS * 1000 - 1);
    expect((await service().streamStatus()).channels[0]?.stopsAt).toBe(stopsAt);
    clock.advance(1);
    expect((await service().streamStatus()).channels[0]?.stopsAt).toBeNull();
  });

  it('a live channel without a stream id shows none', async () => {
    await live(A, { streamId: undefined });
    expect((await service().streamStatus()).channels[0]).toMatchObject({ state: 'LIVE', streamId: null });
  });

  it('ends a grace period: recorded, the channel enqueued, no stop time left', async () => {
    await offline(A, NOW);
    clock.advance(30_000);
    const status = await service().endGrace(CH_A);
    expect(status).toMatchObject({ channelArn: A, state: 'OFFLINE', stopsAt: null });
    expect(await states.get(A)).toMatchObject({ graceEndedAt: clock.now().toISOString() });
    expect(queue.sent).toEqual([
      { kind: 'channel', channelArn: A, notBefore: clock.now().toISOString(), reason: 'grace period ended through the API' },
    ]);
    expect(logged('Grace period ended through the API')).toEqual([
      { level: 'info', message: 'Grace period ended through the API', attributes: { channelArn: A } },
    ]);
  });

  it('ending a grace period that is over (or never began) changes nothing', async () => {
    expect(await service().endGrace(CH_A)).toMatchObject({ state: 'OFFLINE', since: null });
    await offline(A, NOW);
    clock.advance(GRACE_SECONDS * 1000);
    expect(await service().endGrace(CH_A)).toMatchObject({ state: 'OFFLINE', stopsAt: null });
    expect((await states.get(A))?.graceEndedAt).toBeUndefined();
    expect(queue.sent).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('refuses to end the grace period of a live channel (409)', async () => {
    await live(A);
    const error = await errorOf(service().endGrace(CH_A));
    expect(error).toBeInstanceOf(ChannelLiveError);
    expect(error.message).toContain(A);
    expect(queue.sent).toEqual([]);
  });

  it('looks again when the monitor changes the state in between, and gives up after four', async () => {
    await offline(A, NOW);
    const endGrace = states.endGrace.bind(states);
    let lose = 1;
    states.endGrace = async (arn, since, at) => (lose-- > 0 ? false : endGrace(arn, since, at));
    await service().endGrace(CH_A);
    expect((await states.get(A))?.graceEndedAt).toBe(NOW);
    await offline(A, NOW);
    lose = 4;
    const error = await errorOf(service().endGrace(CH_A));
    expect(error).toBeInstanceOf(VersionConflictError);
    expect((await states.get(A))?.graceEndedAt).toBeUndefined();
    expect(queue.sent).toHaveLength(1);
  });

  it('answers although the work queue fails; the failure is logged by name', async () => {
    await offline(A, NOW);
    const failing = {
      enqueue: async () => {
        throw new ServiceUnavailableError('SQS unavailable');
      },
    };
    expect(await service({ queue: failing }).endGrace(CH_A)).toMatchObject({ stopsAt: null });
    expect(logged('Could not put the channel on the work queue; the schedule will stop its destinations')).toEqual([
      {
        level: 'warn',
        message: 'Could not put the channel on the work queue; the schedule will stop its destinations',
        attributes: { channelArn: A, errorName: 'ServiceUnavailableError' },
      },
    ]);
    const throwsString = {
      enqueue: async () => {
        throw 'down';
      },
    };
    await offline(A, NOW);
    await service({ queue: throwsString }).endGrace(CH_A);
    expect(logs.filter((l) => l.level === 'warn')[1]?.attributes).toEqual({ channelArn: A, errorName: 'string' });
  });

  it('a channel id not of this deployment is CHANNEL_NOT_FOUND, naming the ones there are', async () => {
    const error = await errorOf(service({ trackedChannelArns: [B, A] }).endGrace('Nope'));
    expect(error).toBeInstanceOf(ChannelNotFoundError);
    expect(error.message).toBe(
      `No IVS channel of this deployment has the id "Nope"; use one of ${CH_A}, ${CH_B} (the last part of the channel ARN, as GET /stream-status lists it).`,
    );
    const none = await errorOf(service({ trackedChannelArns: [] }).channel('Nope'));
    expect(none.message).toBe(
      'No IVS channel of this deployment has the id "Nope" (the last part of the channel ARN, as GET /stream-status lists it).',
    );
  });
});

describe('channels', () => {
  it("gives a channel's endpoints by its id", async () => {
    expect(await service({ trackedChannelArns: [A, B] }).channel('AbCdEf123456')).toEqual({
      channelArn: A,
      channelId: 'AbCdEf123456',
      ingestServer: 'rtmps://a.example:443/app/',
      playbackUrl: expect.stringMatching(/^https:\/\//),
    });
  });

  it('reveals the stream key to the caller only: the log names the channel, not the key', async () => {
    const answer = await service().streamKey('AbCdEf123456');
    expect(answer).toEqual({
      channelArn: A,
      channelId: 'AbCdEf123456',
      ingestServer: 'rtmps://a.example:443/app/',
      streamKey: 'sk_us-east-1_ivsChannelKeyA',
    });
    expect(logs).toEqual([{ level: 'info', message: 'IVS stream key revealed', attributes: { channelArn: A } }]);
  });
});

describe('history', () => {
  it('pages the history newest first, 20 by default', async () => {
    await stored();
    for (let i = 0; i < 21; i++) {
      clock.advance(1_000);
      await service().update('d1', { name: `n${i}` });
    }
    const first = await service().events('d1');
    expect(first.events).toHaveLength(20);
    expect(first.events[0]?.message).toBe('Edited: name.');
    expect(first.events[0]?.at).toBe(clock.now().toISOString());
    expect(first.nextToken).not.toBeNull();
    const second = await service().events('d1', { cursor: first.nextToken as string });
    expect(second).toEqual({ events: [expect.objectContaining({ at: '2026-03-01T10:00:01.000Z' })], nextToken: null });
    const small = await service().events('d1', { limit: 2 });
    expect(small.events).toHaveLength(2);
  });

  it('an unknown destination has no history: DESTINATION_NOT_FOUND', async () => {
    expect(await errorOf(service().events('nope'))).toBeInstanceOf(DestinationNotFoundError);
  });
});
