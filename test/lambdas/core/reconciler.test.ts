/**
 * The reconciler over dynalite and the simulator, with an outside writer (the API) landing in
 * the middle of a step. Each test is a defect found in review, kept as a regression test.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoStreamStateRepository } from '../../../lambdas/adapters/dynamodb/stream-state-repository';
import { LocalStreamKeyCipher } from '../../../lambdas/adapters/local-stream-key-cipher';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { AwsSimulator } from '../../../lambdas/testing/simulator';
import type { Destination } from '../../../lambdas/core/destination';
import {
  InvalidConfigurationError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ThrottledError,
  WrongStateError,
} from '../../../lambdas/core/errors';
import type { Relay, RelaySource } from '../../../lambdas/core/relay';
import { PartialListingError } from '../../../lambdas/core/relay-router';
import type { ReconcilerConfig, ReconcilerDeps } from '../../../lambdas/core/reconciler';
import { DEFAULT_RECONCILER_CONFIG, Reconciler } from '../../../lambdas/core/reconciler';
import { RestreamingDestinationService } from '../../../lambdas/core/destination-service';
import { MediaLiveRelayEngine } from '../../../lambdas/adapters/medialive/relay-engine';
import { MemoryWorkQueue } from '../../../lambdas/testing/memory-work-queue';
import type { Dynalite } from '../../support/dynalite';
import { startDynalite } from '../../support/dynalite';
import { makeDestination } from '../../support/fixtures';
import { alertsWithoutChannels } from '../../support/alerts';

const A = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';
const B = 'arn:aws:ivs:us-east-1:123456789012:channel/GhIjKl789012';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let db: Dynalite;
let repo: DynamoDestinationRepository;
let sim: AwsSimulator;
let clock: ManualClock;
let cipher: LocalStreamKeyCipher;
let onSleep: (() => Promise<void>) | undefined;
let queue: MemoryWorkQueue;
let engine: MediaLiveRelayEngine;
let metered: { failed: string[]; auxiliary: string[] };
/** What the reconciler logged, in order: what an operator greps. */
let logged: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; attributes: Record<string, unknown> }[];
const recorder = {
  debug: (message: string, attributes: Record<string, unknown> = {}) => void logged.push({ level: 'debug', message, attributes }),
  info: (message: string, attributes: Record<string, unknown> = {}) => void logged.push({ level: 'info', message, attributes }),
  warn: (message: string, attributes: Record<string, unknown> = {}) => void logged.push({ level: 'warn', message, attributes }),
  error: (message: string, attributes: Record<string, unknown> = {}) => void logged.push({ level: 'error', message, attributes }),
};

beforeEach(async () => {
  db = await startDynalite();
  repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  clock = new ManualClock('2026-03-01T10:00:00.000Z');
  sim = new AwsSimulator({ clock, projectName: 'p' });
  sim.addIvsChannel(A);
  sim.addIvsChannel(B);
  cipher = new LocalStreamKeyCipher(randomBytes(32));
  queue = new MemoryWorkQueue(clock);
  engine = new MediaLiveRelayEngine(sim.medialive, 'p', sim.timings());
  metered = { failed: [], auxiliary: [] };
  logged = [];
  onSleep = undefined;
});
afterEach(async () => db.stop());

function reconciler(owner = 'r1', config: Partial<ReconcilerConfig> = {}, deps: Partial<ReconcilerDeps> = {}): Reconciler {
  return new Reconciler(
    {
      destinations: repo,
      streamStates: new DynamoStreamStateRepository(db.doc, db.tables.streamState),
      events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
      alerts: alertsWithoutChannels(db, clock, quiet),
      streams: sim.ivs,
      engine,
      queue,
      cipher,
      clock,
      log: recorder,
      metrics: {
        destinationFailed: (_id, code) => void metered.failed.push(code),
        auxiliaryReadFailed: (what) => void metered.auxiliary.push(what),
      },
      sleep: async (ms) => {
        const hook = onSleep;
        onSleep = undefined;
        await hook?.();
        clock.advance(ms);
      },
      ownerId: () => owner,
      ...deps,
    },
    {
      ...DEFAULT_RECONCILER_CONFIG,
      projectName: 'p',
      mediaLiveRoleArn: 'arn:aws:iam::123456789012:role/x',
      graceSeconds: 120,
      trackedChannelArns: [A, B],
      ...config,
    },
  );
}

async function createDestination(overrides: Partial<Destination> = {}): Promise<Destination> {
  const d = makeDestination({ id: 'd1', channelArn: A, ...overrides });
  d.streamKeyCiphertext = await cipher.encrypt(d.id, 'key-one-aaaa-bbbb');
  await repo.create(d);
  return d;
}

/** The API writing between two steps of a reconcile. */
async function outsideWrite(id: string, change: (d: Destination) => void): Promise<void> {
  const current = (await repo.get(id))!;
  const next = structuredClone(current);
  change(next);
  next.version = current.version + 1;
  await repo.put(next);
}

/** A create that made its input (pulling `channelArn`), recorded it on d1, and died before the channel. */
async function leftOverInput(channelArn: string): Promise<string> {
  const { inputId } = await sim.medialive.createInput({
    projectName: 'p',
    destinationId: 'd1',
    destinationName: 'x',
    requestId: 'p-d1-g0-r1',
    sourceUrl: (await sim.ivs.getPlaybackSource(channelArn)).url,
    sourceType: 'STANDARD',
    platform: 'youtube',
    rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
    streamKey: 'key-one-aaaa-bbbb',
    profile: '1080p30-6000',
    configRevision: 1,
    roleArn: 'r',
  });
  await outsideWrite('d1', (d) => void (d.mediaLiveInputId = inputId));
  return inputId;
}

describe('a create re-checks the destination before it starts the new channel', () => {
  it.each([
    ['deleted', (d: Destination) => Object.assign(d, { deleteRequested: true, enabled: false, status: 'deleting' })],
    ['disabled', (d: Destination) => Object.assign(d, { enabled: false })],
    ['stopped manually', (d: Destination) => Object.assign(d, { pausedStreamId: '__current__' })],
    ['edited', (d: Destination) => Object.assign(d, { configRevision: d.configRevision + 1 })],
  ])('does not start the channel of a destination %s while MediaLive was creating it', async (_what, change) => {
    await createDestination();
    const streamId = sim.goLive(A);
    onSleep = () =>
      outsideWrite('d1', (d) => {
        change(d);
        if (d.pausedStreamId === '__current__') d.pausedStreamId = streamId;
      });
    await reconciler().reconcile({ kind: 'all' });
    // No channel built from the config before the change is ever started (an edited destination
    // is rebuilt from its new config and started as that).
    const started = sim.channels({ includeDeleted: true }).filter((c) => c.starts > 0);
    if (_what === 'edited') expect(started.every((c) => c.spec.configRevision === 2)).toBe(true);
    else expect(started).toEqual([]);
  });

  it('does not start the channel when the stream ended while MediaLive was creating it', async () => {
    await createDestination();
    sim.goLive(A);
    onSleep = async () => sim.goOffline(A);
    await reconciler().reconcile({ kind: 'all' });
    expect(sim.stats().totalStarts).toBe(0);
  });
});

it('a changed IVS channel does not reuse the input an interrupted create left for the old one', async () => {
  await createDestination();
  const inputId = await leftOverInput(A);
  const service = new RestreamingDestinationService({
    destinations: repo,
    streamStates: new DynamoStreamStateRepository(db.doc, db.tables.streamState),
    events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
    metrics: { auxiliaryReadFailed: () => undefined },
    cipher,
    queue,
    streams: sim.ivs,
    channels: sim.ivs,
    graceSeconds: 120,
    clock,
    ids: { newId: () => 'unused' },
    log: quiet,
    trackedChannelArns: [A, B],
  });
  sim.goLive(B);
  await service.update('d1', { channelArn: B });
  for (let i = 0; i < 4; i++) {
    clock.advance(60_000);
    await reconciler().reconcile({ kind: 'all' });
  }
  const running = sim.runningChannels();
  expect(running).toHaveLength(1);
  // The channel pulls from a new input (made for channel B); the one pulling A is deleted.
  expect(running[0]!.inputIds).not.toContain(inputId);
  expect(running[0]!.spec.sourceUrl).toBe((await sim.ivs.getPlaybackSource(B)).url);
  expect(sim.inputIds()).toEqual(running[0]!.inputIds);
});

it('an input an interrupted create left is kept while nobody wants it, and the next go-live creates the channel on it', async () => {
  await createDestination();
  const inputId = await leftOverInput(A);
  await reconciler().reconcile({ kind: 'all' }); // offline: an idle pull input costs nothing, it stays
  expect(sim.inputIds()).toEqual([inputId]);
  clock.advance(60_000);
  sim.goLive(A);
  const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
  expect(result.destinations[0]).toMatchObject({ step: 'create-relay', outcome: 'done' });
  expect(sim.stats().totalStarts).toBe(1);
  expect(sim.calls['medialive:CreateInput']).toBe(1); // only leftOverInput's
  expect(sim.channels().map((c) => c.inputIds)).toEqual([[inputId]]);
});

it('one destination whose write fails does not abort the reconcile of the others', async () => {
  await createDestination({ id: 'd1' });
  await createDestination({ id: 'd2', enabled: false, status: 'active' }); // its status write will fail
  const put = repo.put.bind(repo);
  repo.put = async (next) => {
    if (next.id === 'd2') throw new ServiceUnavailableError('DynamoDB PutItem unavailable');
    return put(next);
  };
  sim.goLive(A);
  const result = await reconciler().reconcile({ kind: 'all' });
  expect(result.destinations.find((d) => d.destinationId === 'd2')).toMatchObject({ outcome: 'failed', error: 'SERVICE_UNAVAILABLE' });
  expect(result.destinations.find((d) => d.destinationId === 'd1')).toMatchObject({ step: 'create-source', outcome: 'done' });
  expect((await repo.get('d1'))!.lease).toBeUndefined();
  expect(sim.stats().totalStarts).toBe(1);
  expect(metered.failed).toEqual(['SERVICE_UNAVAILABLE']);
  expect(timeline()).toContainEqual({
    level: 'warn',
    message: 'Reconcile of destination failed',
    destinationId: 'd2',
    destinationName: expect.any(String),
    channelArn: A,
    errorCode: 'SERVICE_UNAVAILABLE',
  });
});

it('a reconcile that loses the conditional write of its lease calls nothing in MediaLive', async () => {
  await createDestination();
  sim.goLive(A);
  const put = repo.put.bind(repo);
  repo.put = async (next) => {
    if (next.lease !== undefined) {
      // Another writer came first: the acquire's version condition fails.
      await outsideWrite(next.id, (d) => void (d.name = 'renamed meanwhile'));
    }
    return put(next);
  };
  const result = await reconciler().reconcile({ kind: 'channel', channelArn: A }, { deadline: clock.now() });
  expect(result.destinations[0]).toMatchObject({ step: 'create-source', outcome: 'raced' });
  expect(sim.calls['medialive:CreateInput']).toBeUndefined();
  // It looks again at once, from the item the other writer left.
  expect(result.queued).toContainEqual(
    expect.objectContaining({ destinationId: 'd1', notBefore: clock.now().toISOString(), reason: 'look again' }),
  );
});

/** Creates d1 (or what `overrides` make) on channel A, takes A live and reconciles it to active. */
async function liveAndActive(overrides: Partial<Destination> = {}): Promise<Destination> {
  const d = await createDestination(overrides);
  sim.goLive(A);
  await reconcileUntil('active', d.id);
  return d;
}

/** Reconciles everything a minute apart until d1 has `status`. */
async function reconcileUntil(status: Destination['status'], id = 'd1'): Promise<void> {
  for (let i = 0; i < 10 && (await repo.get(id))?.status !== status; i++) {
    clock.advance(60_000);
    await reconciler().reconcile({ kind: 'all' });
  }
  expect((await repo.get(id))?.status).toBe(status);
}

/** How long after now the reconcile asked to look at d1 again from the queue (undefined: not at all). */
async function lookAgainAfter(attempt: number): Promise<number | undefined> {
  const now = clock.now().getTime();
  const result = await reconciler().reconcile({ kind: 'destination', destinationId: 'd1' }, { attempt });
  const item = result.queued.find((i) => i.reason === 'look again');
  return item && Date.parse(item.notBefore) - now;
}

describe('the driver loop: how long it waits, when it stops, what it queues', () => {
  let sleeps: number[];
  /** A reconciler whose waits between passes are recorded (and advance the clock). */
  function timed(config: Partial<ReconcilerConfig> = {}): Reconciler {
    sleeps = [];
    return reconciler('r1', config, {
      sleep: async (ms) => {
        sleeps.push(ms);
        const hook = onSleep;
        onSleep = undefined;
        await hook?.();
        clock.advance(ms);
      },
    });
  }

  it('waits in the invocation for a look-again of exactly inlineWaitMs, and queues nothing', async () => {
    await createDestination();
    sim.goLive(A);
    // create-source, create-relay (provisioning: look again in 5 s), start.
    const result = await timed({ inlineWaitMs: 5_000 }).reconcile({ kind: 'channel', channelArn: A });
    expect(sleeps).toEqual([5_000]);
    expect(sim.stats().totalStarts).toBe(1);
    expect(result.queued.filter((i) => i.reason === 'look again')).toEqual([]);
  });

  it('a look-again longer than inlineWaitMs goes to the queue, due when asked, without waiting', async () => {
    await createDestination();
    sim.goLive(A);
    const start = clock.now().getTime();
    const result = await timed({ inlineWaitMs: 4_999 }).reconcile({ kind: 'channel', channelArn: A });
    expect(sleeps).toEqual([]);
    expect(result.passes).toBe(2);
    expect(sim.stats().totalStarts).toBe(0);
    expect(result.queued.filter((i) => i.reason === 'look again')).toEqual([
      { kind: 'destination', destinationId: 'd1', notBefore: new Date(start + 5_000).toISOString(), reason: 'look again', attempt: 1 },
    ]);
  });

  it('the next pass comes as soon as the soonest look-again is due, not the latest', async () => {
    await createDestination({ id: 'd1' });
    await leftOverInput(A); // d1 starts at create-relay (look again in 5 s), d2 at create-source (at once)
    await createDestination({ id: 'd2' });
    sim.goLive(A);
    const result = await timed().reconcile({ kind: 'channel', channelArn: A });
    expect(result.destinations.filter((o) => o.pass === 1).map((o) => [o.destinationId, o.step])).toEqual(
      expect.arrayContaining([
        ['d1', 'create-relay'],
        ['d2', 'create-source'],
      ]),
    );
    expect(result.destinations.find((o) => o.destinationId === 'd2' && o.step === 'create-relay')?.pass).toBe(2);
    expect(sleeps).toEqual([5_000]);
    expect(sim.stats().totalStarts).toBe(2);
  });

  it.each([
    [5_000, 1],
    [5_001, 2],
  ])('with the deadline %i ms away (passReserveMs 5000), makes %i pass(es)', async (budget, passes) => {
    await createDestination();
    sim.goLive(A);
    const start = clock.now().getTime();
    const result = await timed().reconcile({ kind: 'channel', channelArn: A }, { deadline: new Date(start + budget) });
    expect(result.passes).toBe(passes);
    expect(sleeps).toEqual([]);
    expect(result.queued).toContainEqual(
      expect.objectContaining({
        destinationId: 'd1',
        reason: 'look again',
        notBefore: new Date(start + (passes === 1 ? 0 : 5_000)).toISOString(),
      }),
    );
  });

  it('makes no queue call and logs no exhausted look-agains when nothing is left to look at', async () => {
    await liveAndActive();
    const enqueue = jest.spyOn(queue, 'enqueue');
    logged = [];
    for (const attempt of [0, 10]) {
      clock.advance(60_000);
      const result = await timed().reconcile({ kind: 'channel', channelArn: A }, { attempt });
      expect(result.destinations).toEqual([expect.objectContaining({ destinationId: 'd1', step: null, outcome: 'none' })]);
    }
    expect(enqueue).not.toHaveBeenCalled();
    expect(timeline().filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('what a narrowed reconcile reads', () => {
  it('a reconcile of one channel leaves the relays of other channels’ destinations alone', async () => {
    await liveAndActive();
    await createDestination({ id: 'd2', channelArn: B });
    sim.goLive(B);
    await reconcileUntil('active', 'd2');
    clock.advance(60_000);
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(result.orphans).toEqual([]);
    expect(sim.runningChannels()).toHaveLength(2);
  });

  it('asks IVS nothing in a pass left with no destination to look at', async () => {
    await createDestination();
    sim.goLive(A);
    onSleep = async () => {
      const item = (await repo.get('d1'))!;
      await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...item, staleInputIds: 'not-a-list' } }));
    };
    sim.resetCounters();
    const result = await reconciler().reconcile({ kind: 'all' });
    // create-source, create-relay, then (d1 malformed in the meantime) a pass with nothing to read.
    expect(result.passes).toBe(3);
    expect(result.malformed).toEqual(['d1']);
    expect(sim.calls['ivs:ListStreams']).toBe(2);
  });

  it('a queue message for one destination: no sweep, no channel without a recorded state, no describe without a relay', async () => {
    await createDestination();
    const result = await reconciler().reconcile({ kind: 'destination', destinationId: 'd1' });
    expect(result.sweep).toBe('skipped');
    expect(result.channels).toEqual([]);
    expect(result.destinations).toEqual([expect.objectContaining({ destinationId: 'd1', step: null })]);
    expect(sim.calls['medialive:DescribeChannel']).toBeUndefined();
  });

  it('a queue message for a destination deleted since is dropped quietly', async () => {
    const result = await reconciler().reconcile({ kind: 'destination', destinationId: 'gone' });
    expect(result).toMatchObject({ passes: 1, destinations: [], malformed: [], queued: [] });
  });

  it('a destination table that cannot be read fails the queue message (to be retried), not the item', async () => {
    await createDestination();
    repo.get = () => Promise.reject(new ServiceUnavailableError('DynamoDB GetItem unavailable'));
    await expect(reconciler().reconcile({ kind: 'destination', destinationId: 'd1' })).rejects.toThrow(ServiceUnavailableError);
    const stored = (await db.doc.send(new GetCommand({ TableName: db.tables.destinations, Key: { id: 'd1' } }))).Item!;
    expect(stored.lastError).toBeUndefined();
  });

  it.each([
    [10, 'describes each relay'],
    [11, 'lists MediaLive once per pass'],
  ])('a pass over %i destinations %s', async (count, _how) => {
    // Another channel's destination, live and active: its relay is no orphan of these passes.
    await createDestination({ id: 'other', channelArn: B });
    sim.goLive(B);
    await reconcileUntil('active', 'other');
    for (let i = 0; i < count; i++) await createDestination({ id: `d${i}` });
    const bad = makeDestination({ id: 'bad', channelArn: B });
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...bad, staleInputIds: 'not-a-list' } }));
    sim.goLive(A);
    // d0 turns malformed while the reconcile waits for the relays to provision.
    onSleep = async () => {
      const item = (await repo.get('d0'))!;
      await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...item, staleInputIds: 'not-a-list' } }));
    };
    sim.resetCounters();
    const scanAll = jest.spyOn(repo, 'scanAll');
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(result.passes).toBe(3);
    // More than ten: one scan of the table per narrowed pass rather than one read per destination.
    expect(scanAll).toHaveBeenCalledTimes(count > 10 ? 2 : 0);
    expect(sim.stats().totalStarts).toBe(count - 1);
    expect(result.malformed).toEqual(['d0']);
    expect(new Set(result.destinations.map((o) => o.destinationId))).toEqual(new Set(Array.from({ length: count }, (_, i) => `d${i}`)));
    expect(result.orphans).toEqual([]);
    expect(sim.runningChannels().map((c) => c.id)).toContain((await repo.get('other'))!.mediaLiveChannelId);
    if (count > 10) {
      expect(sim.calls['medialive:ListChannels']).toBe(result.passes);
    } else {
      expect(sim.calls['medialive:ListChannels']).toBe(1);
      // Pass 3 describes the relay of each well-formed one (pass 2 had none recorded yet).
      expect(sim.calls['medialive:DescribeChannel']).toBe(count - 1);
    }
  });
});

describe('the work queue: what is left is looked at on time', () => {
  it('looks at a channel again one second after its grace period ends, and stops its relay then', async () => {
    await liveAndActive();
    sim.goOffline(A);
    const offlineAt = clock.now().getTime();
    const ended = await reconciler().reconcile({ kind: 'all' });
    expect(ended.queued).toEqual([
      { kind: 'channel', channelArn: A, notBefore: new Date(offlineAt + 121_000).toISOString(), reason: 'grace period ends' },
    ]);
    clock.advance(10_000);
    expect((await reconciler().reconcile({ kind: 'all' })).queued).toEqual([]); // once per stream end
    clock.advance(111_000);
    const atGraceEnd = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(atGraceEnd.destinations[0]).toMatchObject({ step: 'stop', outcome: 'done' });
  });

  it.each([
    // Nothing made yet: the first step creates the input.
    ['create-source', false, 3],
    // An input is left over: the first step creates the channel on it.
    ['create-relay', true, 0],
  ] as const)(
    'a %s asks to be looked at again when its lease ends, so one that dies half-way is resumed',
    async (step, inputLeftOver, attempt) => {
      await createDestination();
      if (inputLeftOver) await leftOverInput(A);
      sim.goLive(A);
      const start = clock.now().getTime();
      const result = await reconciler().reconcile({ kind: 'channel', channelArn: A }, { deadline: clock.now(), attempt });
      expect(result.destinations[0]).toMatchObject({ step, outcome: 'done' });
      expect(result.queued).toContainEqual({
        kind: 'destination',
        destinationId: 'd1',
        notBefore: new Date(start + 31_000).toISOString(),
        reason: 'resume an interrupted create',
        attempt: attempt + 1,
      });
    },
  );

  it('hands nothing to the queue once the look-agains are exhausted: the schedule takes over', async () => {
    await createDestination();
    sim.goLive(A);
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A }, { deadline: clock.now(), attempt: 10 });
    expect(result.destinations[0]).toMatchObject({ step: 'create-source', outcome: 'done' });
    expect(result.queued).toEqual([]);
    expect(timeline()).toContainEqual({
      level: 'warn',
      message: 'Look-agains exhausted; the schedule takes over',
      destinationIds: ['d1'],
      attempt: 10,
    });
  });

  it('what does not fit before the deadline goes to the queue, due when it was asked for', async () => {
    await createDestination();
    sim.goLive(A);
    const start = clock.now().getTime();
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A }, { deadline: clock.now() });
    expect(result.passes).toBe(1);
    expect(result.queued).toContainEqual({
      kind: 'destination',
      destinationId: 'd1',
      notBefore: new Date(start).toISOString(),
      reason: 'look again',
      attempt: 1,
    });
  });

  it('with time left, carries a go-live through create, create and start in one reconcile', async () => {
    await createDestination();
    sim.goLive(A);
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(result.destinations.map((d) => d.step)).toEqual(expect.arrayContaining(['create-source', 'create-relay', 'start']));
    expect(result.destinations.find((d) => d.step === 'start')).toMatchObject({ outcome: 'done' });
    expect(result.passes).toBeGreaterThan(2);
    expect(sim.stats().totalStarts).toBe(1);
  });

  it('takes at most maxPasses passes, and queues the rest', async () => {
    await createDestination();
    sim.goLive(A);
    const result = await reconciler('r1', { maxPasses: 2 }).reconcile({ kind: 'channel', channelArn: A });
    expect(result.passes).toBe(2);
    expect(result.destinations.map((d) => d.step)).toEqual(['create-source', 'create-relay']);
    expect(result.queued.some((i) => i.reason === 'look again')).toBe(true);
  });

  it('a queue that cannot be written to leaves the step done, and is metered', async () => {
    await createDestination();
    sim.goLive(A);
    queue.enqueue = () => Promise.reject(new ServiceUnavailableError('SQS SendMessageBatch unavailable'));
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A }, { deadline: clock.now() });
    expect(result.destinations[0]).toMatchObject({ step: 'create-source', outcome: 'done' });
    expect(result.queued).toEqual([]);
    expect(metered.auxiliary).toContain('enqueue');
    // Two hand-offs failed: the create's guard (one item) and the look-again (one item).
    expect(timeline().filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', message: 'Could not enqueue; the schedule will look again', items: 1, errorCode: 'SERVICE_UNAVAILABLE' },
      { level: 'warn', message: 'Could not enqueue; the schedule will look again', items: 1, errorCode: 'SERVICE_UNAVAILABLE' },
    ]);
  });
});

describe('failed steps', () => {
  it('retries a failure that may pass from the queue, backing off: doubled per attempt, at most five minutes', async () => {
    await createDestination();
    sim.goLive(A);
    engine.createSource = () => Promise.reject(new ThrottledError('MediaLive CreateInput throttled'));
    await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() }); // records the stream live
    expect(await lookAgainAfter(0)).toBe(10_000);
    expect(await lookAgainAfter(2)).toBe(40_000);
    expect(await lookAgainAfter(5)).toBe(300_000);
    expect(await lookAgainAfter(10)).toBeUndefined();
    expect(timeline()).toContainEqual(
      expect.objectContaining({
        message: 'Reconcile step failed',
        errorCode: 'THROTTLED',
        errorMessage: 'MediaLive CreateInput throttled',
        terminal: false,
      }),
    );
    expect(timeline().filter((l) => l.message === 'Reconcile step failed' && 'errorName' in l)).toEqual([]);
    expect(await repo.get('d1')).toMatchObject({
      status: 'starting',
      lastError: { code: 'THROTTLED', message: 'MediaLive CreateInput throttled' },
    });
    expect((await repo.get('d1'))!.lease).toBeUndefined();
  });

  it('records a terminal failure (a configuration MediaLive rejects) as an error and does not retry it soon', async () => {
    await createDestination();
    sim.goLive(A);
    engine.createSource = () => Promise.reject(new InvalidConfigurationError('The destination URL is not accepted'));
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.destinations).toEqual([expect.objectContaining({ outcome: 'failed', error: 'INVALID_CONFIGURATION' })]);
    expect(result.destinations[0]!.requeueAfterMs).toBeUndefined();
    expect(result.queued.filter((i) => i.reason === 'look again')).toEqual([]);
    expect(await repo.get('d1')).toMatchObject({
      status: 'error',
      lastError: { code: 'INVALID_CONFIGURATION', message: 'The destination URL is not accepted', at: clock.now().toISOString() },
    });
    expect(metered.failed).toEqual(['INVALID_CONFIGURATION']);
    expect(timeline()).toContainEqual({
      level: 'warn',
      message: 'Reconcile step failed',
      destinationId: 'd1',
      destinationName: expect.any(String),
      channelArn: A,
      action: 'create-source',
      errorCode: 'INVALID_CONFIGURATION',
      errorMessage: 'The destination URL is not accepted',
      terminal: true,
    });
  });

  it('logs what was thrown by its type when it is not even an Error', async () => {
    await createDestination();
    sim.goLive(A);
    engine.createSource = () => Promise.reject('socket hang up 10.0.0.7');
    await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() });
    expect((await repo.get('d1'))!.lastError).toMatchObject({ code: 'UNEXPECTED' });
    const failed = timeline().filter((l) => l.message === 'Reconcile step failed');
    expect(failed).toEqual([expect.objectContaining({ errorCode: 'UNEXPECTED', errorName: 'string' })]);
    expect(JSON.stringify(logged)).not.toContain('socket');
  });

  it('shows an unexpected error as such, without its details', async () => {
    await createDestination();
    sim.goLive(A);
    engine.createSource = () => Promise.reject(new Error('socket hang up 10.0.0.7'));
    await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() });
    const stored = (await repo.get('d1'))!;
    expect(stored.lastError).toMatchObject({ code: 'UNEXPECTED', message: expect.stringMatching(/see the stream monitor logs/) });
    expect(JSON.stringify(stored)).not.toContain('socket');
    // The log names the kind of error, for the operator to look further; not its message either.
    expect(timeline()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'Reconcile step failed',
        destinationId: 'd1',
        action: 'create-source',
        errorCode: 'UNEXPECTED',
        errorMessage: stored.lastError!.message,
        terminal: false,
        errorName: 'Error',
      }),
    );
  });
});

describe('auxiliary reads never block the essential path', () => {
  it('the orphan sweep failing does not stop a go-live, and is metered', async () => {
    await createDestination();
    sim.goLive(A);
    engine.listSources = () => Promise.reject(new ThrottledError('ListInputs throttled'));
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.sweep).toBe('failed');
    expect(sim.stats().totalStarts).toBe(1);
    expect(metered.auxiliary).toEqual(['listSources']);
    expect(timeline()).toContainEqual({
      level: 'warn',
      message: 'Orphan sweep skipped: listing the relay sources failed; starts and stops go on',
      errorCode: 'THROTTLED',
    });
  });
});

describe('orphans and removal', () => {
  it('stops, then deletes a channel whose destination is gone, and then its input', async () => {
    await liveAndActive();
    const [running] = sim.runningChannels();
    await repo.delete('d1', (await repo.get('d1'))!.version); // removed behind the system's back
    const first = await reconciler().reconcile({ kind: 'all' });
    expect(first.orphans).toEqual([{ relayId: running!.id, step: 'stop', outcome: 'done' }]);
    const [inputId] = sim.inputIds();
    for (let i = 0; i < 6 && (sim.channels().length > 0 || sim.inputIds().length > 0); i++) {
      clock.advance(60_000);
      await reconciler().reconcile({ kind: 'all' });
    }
    expect(sim.channels()).toEqual([]);
    expect(sim.inputIds()).toEqual([]);
    const cleanUp = timeline().filter((l) => l.message !== 'Stream state changed' && l.destinationId === undefined);
    expect(cleanUp).toEqual([
      { level: 'info', message: 'Cleaning up orphaned relay', mediaLiveChannelId: running!.id, action: 'stop', state: 'RUNNING' },
      { level: 'info', message: 'Cleaning up orphaned relay', mediaLiveChannelId: running!.id, action: 'delete-relay', state: 'IDLE' },
      { level: 'info', message: 'Deleted orphaned relay source', mediaLiveInputId: inputId },
    ]);
  });

  it('removes a deleted destination once nothing of it is left, and records that in its history', async () => {
    await liveAndActive();
    await outsideWrite('d1', (d) => Object.assign(d, { deleteRequested: true, enabled: false, status: 'deleting' }));
    for (let i = 0; i < 10 && (await repo.get('d1')) !== undefined; i++) {
      clock.advance(60_000);
      await reconciler().reconcile({ kind: 'all' });
    }
    expect(await repo.get('d1')).toBeUndefined();
    expect(sim.channels()).toEqual([]);
    expect(sim.inputIds()).toEqual([]);
    const history = await new DynamoDestinationEventLog(db.doc, db.tables.events, clock).list('d1', { limit: 50 });
    expect(history.events.map((e) => e.kind)).toContain('deleted');
  });
});

describe('what a step records on the item and in its history', () => {
  it('keeps statusSince and logs no status change when a write changes only the health', async () => {
    await liveAndActive();
    const { statusSince: since, health: before } = (await repo.get('d1'))!;
    const alert = { id: 'a1', type: 'RTMP Connection Failure', message: 'refused', setAt: clock.now().toISOString() };
    await outsideWrite('d1', (d) => void (d.relayAlerts = [alert]));
    clock.advance(60_000);
    logged = [];
    await onePass();
    const after = (await repo.get('d1'))!;
    expect(after.health?.state).not.toBe(before?.state);
    expect(after).toMatchObject({ status: 'active', statusSince: since });
    expect(timeline().filter((l) => l.message === 'Destination status changed')).toEqual([]);
  });

  it('keeps the error of a failed relay nobody wants on the item, with the time it failed', async () => {
    await liveAndActive();
    sim.forceChannelState((await repo.get('d1'))!.mediaLiveChannelId!, 'UPDATE_FAILED');
    sim.goOffline(A);
    clock.advance(180_000);
    await onePass({ kind: 'channel', channelArn: A });
    const failed = (await repo.get('d1'))!;
    expect(failed).toMatchObject({ status: 'error', lastError: { code: 'MEDIALIVE_UPDATE_FAILED', at: clock.now().toISOString() } });
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      await onePass({ kind: 'channel', channelArn: A });
    }
    expect(await repo.get('d1')).toMatchObject({ status: 'error', statusSince: failed.statusSince, lastError: failed.lastError });
  });

  it('clears an error left on an active destination whose relay runs, its status unchanged', async () => {
    await liveAndActive();
    const since = (await repo.get('d1'))!.statusSince;
    const stale = { code: 'THROTTLED', message: 'MediaLive StartChannel throttled', at: clock.now().toISOString() };
    await outsideWrite('d1', (d) => void (d.lastError = stale));
    clock.advance(60_000);
    await onePass({ kind: 'channel', channelArn: A });
    const after = (await repo.get('d1'))!;
    expect(after).toMatchObject({ status: 'active', statusSince: since });
    expect(after.lastError).toBeUndefined();
  });

  it('records a running relay it finds by its tag when the item lost it', async () => {
    await liveAndActive();
    const recorded = (await repo.get('d1'))!;
    await outsideWrite('d1', (d) => void delete d.mediaLiveChannelId);
    const { outcome } = await onePass({ kind: 'channel', channelArn: A });
    expect(outcome).toMatchObject({ step: null });
    expect((await repo.get('d1'))!.mediaLiveChannelId).toBe(recorded.mediaLiveChannelId);
  });

  it('records a relay it finds by its tag with the lease of the step it takes on it', async () => {
    await liveAndActive();
    const recorded = (await repo.get('d1'))!;
    await outsideWrite('d1', (d) => Object.assign(d, { mediaLiveChannelId: undefined, enabled: false }));
    const { outcome } = await onePass({ kind: 'channel', channelArn: A });
    expect(outcome).toMatchObject({ step: 'stop', outcome: 'done' });
    expect((await repo.get('d1'))!.mediaLiveChannelId).toBe(recorded.mediaLiveChannelId);
  });

  it('a lease write that fails for another reason than a version conflict is a failed step, not a race', async () => {
    await createDestination();
    sim.goLive(A);
    const put = repo.put.bind(repo);
    repo.put = async (next) => {
      if (next.lease !== undefined) throw new ServiceUnavailableError('DynamoDB PutItem unavailable');
      return put(next);
    };
    const { outcome } = await onePass({ kind: 'channel', channelArn: A });
    expect(outcome).toMatchObject({ step: 'create-source', outcome: 'failed', error: 'SERVICE_UNAVAILABLE' });
    expect(sim.calls['medialive:CreateInput']).toBeUndefined();
    expect(metered.failed).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('records what a step made even when the API writes the item six times while it records it', async () => {
    await createDestination();
    sim.goLive(A);
    const put = repo.put.bind(repo);
    let conflicts = 0;
    repo.put = async (next) => {
      if (next.lease === undefined && conflicts < 6) {
        conflicts++;
        const current = (await repo.get(next.id))!;
        await put({ ...current, name: `renamed ${conflicts}`, version: current.version + 1 });
      }
      return put(next);
    };
    const { outcome } = await onePass({ kind: 'channel', channelArn: A });
    expect(outcome).toMatchObject({ step: 'create-source', outcome: 'done' });
    const stored = (await repo.get('d1'))!;
    expect(stored).toMatchObject({ name: 'renamed 6', mediaLiveInputId: sim.inputIds()[0] });
    expect(stored.lease).toBeUndefined();
  });

  it('records the removal of a deleted destination in its history with what it means', async () => {
    await createDestination({ deleteRequested: true, enabled: false, status: 'deleting' });
    const { outcome } = await onePass();
    expect(outcome).toMatchObject({ step: 'remove', outcome: 'done' });
    const history = await new DynamoDestinationEventLog(db.doc, db.tables.events, clock).list('d1', { limit: 50 });
    expect(history.events).toContainEqual(
      expect.objectContaining({ kind: 'deleted', source: 'monitor', message: 'Deleted: its relay and sources are removed.' }),
    );
  });

  it('a removal whose delete fails for another reason than a version conflict is a failed step, and the item stays', async () => {
    await createDestination({ deleteRequested: true, enabled: false, status: 'deleting' });
    repo.delete = () => Promise.reject(new ServiceUnavailableError('DynamoDB DeleteItem unavailable'));
    const { outcome } = await onePass();
    expect(outcome).toMatchObject({ step: 'remove', outcome: 'failed', error: 'SERVICE_UNAVAILABLE' });
    expect(await repo.get('d1')).toMatchObject({ status: 'deleting' });
  });
});

describe('an orphan in a state that is passing', () => {
  it('leaves an orphaned relay that is stopping alone, and reports it with no step', async () => {
    await liveAndActive();
    const [running] = sim.runningChannels();
    await repo.delete('d1', (await repo.get('d1'))!.version);
    sim.forceChannelState(running!.id, 'STOPPING');
    const result = await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() });
    expect(result.orphans).toEqual([{ relayId: running!.id, step: null, outcome: 'none' }]);
    expect(sim.calls['medialive:StopChannel']).toBeUndefined();
    expect(sim.calls['medialive:DeleteChannel']).toBeUndefined();
  });
});

describe('steps the executor takes', () => {
  it('queues a look at an idle channel for when its idle TTL ends, then deletes it and keeps its input', async () => {
    await liveAndActive();
    sim.goOffline(A);
    let idleQueued: unknown[] = [];
    for (let i = 0; i < 10 && (await repo.get('d1'))?.status !== 'inactive'; i++) {
      clock.advance(60_000);
      idleQueued = (await reconciler().reconcile({ kind: 'all' })).queued.filter((q) => q.reason === 'idle channel TTL ends');
    }
    const idle = (await repo.get('d1'))!;
    expect(idleQueued).toEqual([
      {
        kind: 'destination',
        destinationId: 'd1',
        notBefore: new Date(Date.parse(idle.statusSince) + 601_000).toISOString(),
        reason: 'idle channel TTL ends',
      },
    ]);
    clock.advance(601_000);
    const due = await reconciler().reconcile({ kind: 'destination', destinationId: 'd1' });
    expect(due.destinations[0]).toMatchObject({ step: 'delete-relay', outcome: 'done' });
    for (let i = 0; i < 5 && sim.channels().length > 0; i++) {
      clock.advance(60_000);
      await reconciler().reconcile({ kind: 'all' });
    }
    expect(sim.channels()).toEqual([]);
    expect(sim.inputIds()).toEqual([idle.mediaLiveInputId]);
    expect((await repo.get('d1'))!.mediaLiveInputId).toBe(idle.mediaLiveInputId);
  });

  it('re-attaches a running channel once to a stream that came back inside the grace period', async () => {
    await liveAndActive();
    sim.goOffline(A);
    await reconciler().reconcile({ kind: 'all' });
    clock.advance(30_000);
    const returned = sim.goLive(A);
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(result.destinations[0]).toMatchObject({ step: 'reattach', outcome: 'done' });
    expect((await repo.get('d1'))!.reattachedStreamId).toBe(returned);
    expect(timeline()).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'Re-attached relay source to the returned stream',
        destinationId: 'd1',
        mediaLiveChannelId: sim.runningChannels()[0]!.id,
        streamId: returned,
      }),
    );
    expect(sim.calls['medialive:BatchUpdateSchedule']).toBe(1);
    clock.advance(60_000);
    await reconciler().reconcile({ kind: 'all' });
    expect(sim.calls['medialive:BatchUpdateSchedule']).toBe(1);
    expect(sim.runningChannels()).toHaveLength(1);
  });

  it('a stopped relay has no alerts left on the item', async () => {
    await liveAndActive();
    const alert = { id: 'a1', type: 'RTMP Connection Failure', message: 'refused', setAt: clock.now().toISOString() };
    await outsideWrite('d1', (d) => void (d.relayAlerts = [alert]));
    await outsideWrite('d1', (d) => void (d.enabled = false));
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.destinations[0]).toMatchObject({ step: 'stop', outcome: 'done' });
    expect((await repo.get('d1'))!.relayAlerts).toBeUndefined();
  });

  it('a recorded channel missing from a describe is not forgotten while the listing still shows it', async () => {
    await liveAndActive();
    const recorded = (await repo.get('d1'))!.mediaLiveChannelId;
    engine.describeRelay = () => Promise.resolve(undefined); // a lagging read
    const result = await reconciler().reconcile({ kind: 'destination', destinationId: 'd1' }, { deadline: clock.now() });
    expect(result.destinations[0]).toMatchObject({ step: 'forget-relay', outcome: 'raced' });
    expect((await repo.get('d1'))!.mediaLiveChannelId).toBe(recorded);
    expect(sim.runningChannels()).toHaveLength(1);
  });

  it('a channel deleted by hand is forgotten, and a new one is made under a new generation', async () => {
    await liveAndActive();
    const before = (await repo.get('d1'))!;
    sim.forceChannelState(before.mediaLiveChannelId!, 'DELETED');
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.destinations[0]).toMatchObject({ step: 'forget-relay', outcome: 'done' });
    await reconcileUntil('active');
    const after = (await repo.get('d1'))!;
    expect(after.mediaLiveChannelId).not.toBe(before.mediaLiveChannelId);
    expect(after.generation).toBeGreaterThan(before.generation);
    expect(sim.runningChannels().map((c) => c.id)).toEqual([after.mediaLiveChannelId]);
  });

  it('reads each IVS channel’s playback source once per reconcile, whatever the number of destinations', async () => {
    for (const id of ['d1', 'd2', 'd3']) await createDestination({ id });
    sim.goLive(A);
    sim.resetCounters();
    await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(sim.stats().totalStarts).toBe(3);
    expect(sim.calls['ivs:GetChannel']).toBe(1);
  });

  it('looks again at many destinations with one channel listing per pass, not a describe each', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `d${i + 1}`);
    for (const id of ids) await createDestination({ id });
    sim.goLive(A);
    sim.resetCounters();
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(sim.stats().totalStarts).toBe(11);
    expect(sim.calls['medialive:DescribeChannel']).toBeUndefined();
    expect(sim.calls['medialive:ListChannels']).toBe(result.passes);
  });

  it('reports a malformed item on itself once, and reconciles the others', async () => {
    await createDestination();
    const bad = makeDestination({ id: 'bad', channelArn: A });
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...bad, staleInputIds: 'not-a-list' } }));
    sim.goLive(A);
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.malformed).toEqual(['bad']);
    expect(metered.failed).toContain('MALFORMED_ITEM');
    expect(timeline()).toContainEqual({
      level: 'warn',
      message: 'Destination item is malformed; reconciling the others',
      destinationId: 'bad',
      problems: expect.stringContaining('staleInputIds'),
    });
    expect(sim.stats().totalStarts).toBe(1);
    const read = async () => (await db.doc.send(new GetCommand({ TableName: db.tables.destinations, Key: { id: 'bad' } }))).Item!;
    const reported = await read();
    expect(reported).toMatchObject({ status: 'error', lastError: { code: 'MALFORMED_ITEM' } });
    expect(reported.lastError.message).toContain('staleInputIds');
    clock.advance(60_000);
    await reconciler().reconcile({ kind: 'all' });
    expect(await read()).toEqual(reported);
  });
});

/** The log as an operator reads it: one object per line, its level and message beside its fields. */
function timeline(): Record<string, unknown>[] {
  return logged.map(({ level, message, attributes }) => ({ level, message, ...attributes }));
}

describe('the structured log an operator greps', () => {
  it('tells a destination’s whole life, create to removal, with its ids, and never its stream key', async () => {
    const d = await createDestination();
    const keys = { destinationId: 'd1', destinationName: d.name, channelArn: A };
    const streamId = sim.goLive(A);
    await reconcileUntil('active');
    const [channel] = sim.runningChannels();
    const [inputId] = sim.inputIds();
    await outsideWrite('d1', (item) => Object.assign(item, { deleteRequested: true, enabled: false, status: 'deleting' }));
    for (let i = 0; i < 10 && (await repo.get('d1')) !== undefined; i++) {
      clock.advance(60_000);
      await reconciler().reconcile({ kind: 'all' });
    }
    expect(await repo.get('d1')).toBeUndefined();
    const step = (action: string, reason: string, previousStatus: string, status: string, extra: object = {}) =>
      expect.objectContaining({
        level: 'info',
        message: 'Reconciling destination',
        ...keys,
        action,
        reason,
        previousStatus,
        status,
        ...extra,
      });
    const on = { mediaLiveChannelId: channel!.id };
    expect(timeline()).toEqual([
      {
        level: 'info',
        message: 'Stream state changed',
        channelArn: A,
        previousState: 'OFFLINE',
        currentState: 'LIVE',
        streamId,
        broadcastId: streamId,
      },
      step('create-source', 'stream live', 'inactive', 'starting'),
      { level: 'info', message: 'Created relay source', ...keys, mediaLiveInputId: inputId },
      step('create-relay', 'stream live', 'starting', 'starting'),
      { level: 'info', message: 'Created relay', ...keys, mediaLiveChannelId: channel!.id, engineState: 'CREATING' },
      step('start', 'stream live', 'starting', 'starting', on),
      { level: 'info', message: 'Started relay', ...keys, ...on },
      expect.objectContaining({ level: 'info', message: 'Destination health changed', ...keys, previousHealth: null, health: 'unknown' }),
      { level: 'info', message: 'Destination status changed', ...keys, previousStatus: 'starting', status: 'active' },
      step('stop', 'destination deleted', 'deleting', 'deleting', on),
      { level: 'info', message: 'Stopped relay', ...keys, ...on },
      step('delete-relay', 'destination deleted', 'deleting', 'deleting', on),
      { level: 'info', message: 'Deleting relay', ...keys, ...on },
      step('forget-relay', 'destination deleted', 'deleting', 'deleting', on),
      { level: 'info', message: 'Recorded relay no longer exists; forgetting it', ...keys, ...on },
      step('delete-sources', 'destination deleted', 'deleting', 'deleting'),
      { level: 'info', message: 'Deleted relay sources', ...keys, mediaLiveInputIds: [inputId] },
      { level: 'info', message: 'Destination removed', ...keys },
    ]);
    const text = JSON.stringify(logged);
    expect(text).not.toContain('key-one-aaaa-bbbb');
    expect(text).not.toContain(d.streamKeyCiphertext);
  });

  it('tells a stream end: offline, the stop at the grace end, and the idle relay deleted with its source kept', async () => {
    const d = await createDestination();
    const keys = { destinationId: 'd1', destinationName: d.name, channelArn: A };
    const streamId = sim.goLive(A);
    await reconcileUntil('active');
    const [channel] = sim.runningChannels();
    const [inputId] = sim.inputIds();
    logged = [];
    sim.goOffline(A);
    await reconciler().reconcile({ kind: 'all' });
    clock.advance(121_000);
    await reconciler().reconcile({ kind: 'channel', channelArn: A });
    await reconcileUntil('inactive');
    clock.advance(601_000);
    await reconciler().reconcile({ kind: 'destination', destinationId: 'd1' }, { deadline: clock.now() });
    const on = { mediaLiveChannelId: channel!.id };
    const info = timeline().filter((l) => l.message !== 'Destination health changed');
    expect(info).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'Stream state changed',
        channelArn: A,
        previousState: 'LIVE',
        currentState: 'OFFLINE',
        streamId,
      }),
      expect.objectContaining({
        message: 'Reconciling destination',
        ...keys,
        action: 'stop',
        reason: 'stream offline',
        previousStatus: 'active',
        ...on,
      }),
      { level: 'info', message: 'Stopped relay', ...keys, ...on },
      { level: 'info', message: 'Destination status changed', ...keys, previousStatus: 'stopping', status: 'inactive' },
      expect.objectContaining({ message: 'Reconciling destination', ...keys, action: 'delete-relay', ...on }),
      {
        level: 'info',
        message: 'Deleting relay idle longer than the TTL; keeping its source',
        ...keys,
        ...on,
        mediaLiveInputId: inputId,
        idleTtlSeconds: DEFAULT_RECONCILER_CONFIG.idleTtlSeconds,
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain('key-one-aaaa-bbbb');
  });
});

/** A MediaLive input made for d1 (pulling channel A), as an earlier create would have. */
async function makeInput(requestId: string): Promise<string> {
  const { inputId } = await sim.medialive.createInput({
    projectName: 'p',
    destinationId: 'd1',
    destinationName: 'x',
    requestId,
    sourceUrl: (await sim.ivs.getPlaybackSource(A)).url,
    sourceType: 'STANDARD',
    platform: 'youtube',
    rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
    streamKey: 'key-one-aaaa-bbbb',
    profile: '1080p30-6000',
    configRevision: 1,
    roleArn: 'r',
  });
  return inputId;
}

/** A listing that one engine ('ecs') failed to answer; `covered` says whether MediaLive's part is complete. */
function partialListing<T>(items: T[], covered: boolean): PartialListingError<T> {
  return new PartialListingError(
    items,
    [{ engine: 'ecs', error: new ThrottledError('ECS ListTasks throttled') }],
    new Set(covered ? ['medialive'] : []),
    () => 'medialive',
  );
}

/** One pass (no time left for a second), at `now`; the look-again it queued for d1, in ms from now. */
async function onePass(scope: Parameters<Reconciler['reconcile']>[0] = { kind: 'destination', destinationId: 'd1' }) {
  const now = clock.now().getTime();
  const result = await reconciler().reconcile(scope, { deadline: clock.now() });
  const again = result.queued.find((i) => i.reason === 'look again' && i.kind === 'destination' && i.destinationId === 'd1');
  return {
    result,
    outcome: result.destinations.find((d) => d.destinationId === 'd1'),
    lookAgainMs: again && Date.parse(again.notBefore) - now,
  };
}

describe('what the executor finds in MediaLive', () => {
  describe('a create-relay whose recorded source MediaLive does not find', () => {
    it('forgets a source deleted by hand (the listing agrees), logs it, and makes a new one on the next pass', async () => {
      await createDestination();
      const inputId = await leftOverInput(A);
      await sim.medialive.deleteInput(inputId);
      sim.goLive(A);
      const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
      expect(outcome).toMatchObject({ step: 'create-relay', outcome: 'raced' });
      expect(lookAgainMs).toBe(0);
      const item = (await repo.get('d1'))!;
      expect(item.mediaLiveInputId).toBeUndefined();
      expect(item.lease).toBeUndefined();
      expect(timeline()).toContainEqual({
        level: 'warn',
        message: 'Recorded relay source no longer exists; creating a new one',
        destinationId: 'd1',
        destinationName: item.name,
        channelArn: A,
        mediaLiveInputId: inputId,
      });
      await reconcileUntil('active');
      expect(sim.runningChannels().map((c) => c.inputIds)).toEqual([sim.inputIds()]);
      expect(sim.inputIds()).not.toContain(inputId);
    });

    it.each([
      ['a complete listing', false],
      ['a partial listing that covers MediaLive', true],
    ])('keeps a source that %s shows (a lagging read), and looks again after the retry delay', async (_what, partial) => {
      await createDestination();
      const inputId = await leftOverInput(A);
      sim.goLive(A);
      const createRelay = engine.createRelay.bind(engine);
      engine.createRelay = () => Promise.reject(new ResourceNotFoundError(`CreateChannel: input ${inputId} does not exist`));
      if (partial) {
        engine.listSources = () =>
          Promise.reject(partialListing<RelaySource>([{ id: inputId, destinationId: 'd1', attachedTo: [] }], true));
      }
      const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
      expect(outcome).toMatchObject({ step: 'create-relay', outcome: 'raced' });
      expect(lookAgainMs).toBe(DEFAULT_RECONCILER_CONFIG.retryAfterMs);
      expect((await repo.get('d1'))!.mediaLiveInputId).toBe(inputId);
      expect(logged.filter((l) => l.level === 'warn')).toEqual([]);
      engine.createRelay = createRelay;
      await reconcileUntil('active');
      expect(sim.runningChannels().map((c) => c.inputIds)).toEqual([[inputId]]);
    });

    it('forgets the source when a partial listing that covers MediaLive does not show it', async () => {
      await createDestination();
      const inputId = await leftOverInput(A);
      sim.goLive(A);
      engine.createRelay = () => Promise.reject(new ResourceNotFoundError(`CreateChannel: input ${inputId} does not exist`));
      const another: RelaySource = { id: '1999999', destinationId: 'd9', attachedTo: [] };
      engine.listSources = () => Promise.reject(partialListing<RelaySource>([another], true));
      const { outcome } = await onePass({ kind: 'channel', channelArn: A });
      expect(outcome).toMatchObject({ step: 'create-relay', outcome: 'raced' });
      expect((await repo.get('d1'))!.mediaLiveInputId).toBeUndefined();
    });

    it('keeps the source, and fails the step for a retry, when the listing does not cover MediaLive', async () => {
      await createDestination();
      const inputId = await leftOverInput(A);
      sim.goLive(A);
      engine.createRelay = () => Promise.reject(new ResourceNotFoundError(`CreateChannel: input ${inputId} does not exist`));
      engine.listSources = () => Promise.reject(partialListing<RelaySource>([], false));
      const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
      expect(outcome).toMatchObject({ step: 'create-relay', outcome: 'failed', error: 'SERVICE_UNAVAILABLE' });
      expect(lookAgainMs).toBe(DEFAULT_RECONCILER_CONFIG.retryAfterMs);
      expect((await repo.get('d1'))!).toMatchObject({ mediaLiveInputId: inputId, lastError: { code: 'SERVICE_UNAVAILABLE' } });
    });
  });

  describe('a forget-relay (the recorded channel is missing from a describe)', () => {
    async function missingFromDescribe(listing: () => Promise<Relay[]>): Promise<{ recorded: string; outcome: unknown }> {
      await liveAndActive();
      const recorded = (await repo.get('d1'))!.mediaLiveChannelId!;
      engine.describeRelay = () => Promise.resolve(undefined);
      engine.listRelays = listing;
      logged = [];
      const { outcome } = await onePass();
      return { recorded, outcome };
    }

    it('forgets it when a partial listing that covers MediaLive does not show it', async () => {
      const another: Relay = {
        id: '2999999',
        state: 'running',
        destinationId: 'd9',
        configRevision: 1,
        sourceIds: [],
        engineState: 'RUNNING',
      };
      const { recorded, outcome } = await missingFromDescribe(() => Promise.reject(partialListing<Relay>([another], true)));
      expect(outcome).toMatchObject({ step: 'forget-relay', outcome: 'done' });
      const item = (await repo.get('d1'))!;
      expect(item.mediaLiveChannelId).toBeUndefined();
      // Its input is retired with it (a new generation makes a new one), and nothing else.
      expect(item.mediaLiveInputId).toBeUndefined();
      expect(item.staleInputIds).toEqual(sim.inputIds());
      expect(timeline()).toContainEqual(
        expect.objectContaining({ level: 'info', message: 'Recorded relay no longer exists; forgetting it', mediaLiveChannelId: recorded }),
      );
    });

    it('keeps it when a partial listing that covers MediaLive shows it', async () => {
      let recordedId = '';
      const { recorded, outcome } = await missingFromDescribe(async () => {
        const listed = await new MediaLiveRelayEngine(sim.medialive, 'p', sim.timings()).listRelays();
        recordedId = listed[0]!.id;
        throw partialListing<Relay>(listed, true);
      });
      expect(recordedId).toBe(recorded);
      expect(outcome).toMatchObject({ step: 'forget-relay', outcome: 'raced' });
      expect((await repo.get('d1'))!.mediaLiveChannelId).toBe(recorded);
    });

    it('keeps it, and fails the step for a retry, when the listing does not cover MediaLive', async () => {
      const { recorded, outcome } = await missingFromDescribe(() => Promise.reject(partialListing<Relay>([], false)));
      expect(outcome).toMatchObject({ step: 'forget-relay', outcome: 'failed', error: 'SERVICE_UNAVAILABLE' });
      expect((await repo.get('d1'))!.mediaLiveChannelId).toBe(recorded);
      expect(sim.runningChannels().map((c) => c.id)).toEqual([recorded]);
    });
  });

  describe('a delete-sources of a deleted destination', () => {
    /** d1, deleted, recording a current and a retired input. */
    async function deletedWithTwoInputs(): Promise<[string, string]> {
      const current = await makeInput('p-d1-g1-r1');
      const retired = await makeInput('p-d1-g0-r1');
      await createDestination({
        deleteRequested: true,
        enabled: false,
        status: 'deleting',
        mediaLiveInputId: current,
        staleInputIds: [retired],
        generation: 1,
      });
      return [current, retired];
    }

    it('deletes every input, logs them, and the next pass removes the destination', async () => {
      const [current, retired] = await deletedWithTwoInputs();
      const { outcome, lookAgainMs } = await onePass();
      expect(outcome).toMatchObject({ step: 'delete-sources', outcome: 'done' });
      expect(lookAgainMs).toBe(0);
      expect(sim.inputIds()).toEqual([]);
      expect(timeline()).toContainEqual(
        expect.objectContaining({
          level: 'info',
          message: 'Deleted relay sources',
          destinationId: 'd1',
          mediaLiveInputIds: [retired, current],
        }),
      );
      await onePass();
      expect(await repo.get('d1')).toBeUndefined();
    });

    it('takes an input already gone as deleted, and leaves one still attached for later', async () => {
      const [current, retired] = await deletedWithTwoInputs();
      const deleteSource = engine.deleteSource.bind(engine);
      engine.deleteSource = async (id) => {
        if (id === retired) throw new WrongStateError(`DeleteInput: input ${id} is attached to channel 9`);
        await deleteSource(id);
        throw new ResourceNotFoundError(`DeleteInput: input ${id} does not exist`); // a repeat whose first answer was lost
      };
      const { outcome } = await onePass();
      expect(outcome).toMatchObject({ step: 'delete-sources', outcome: 'done' });
      const item = (await repo.get('d1'))!;
      expect(item.mediaLiveInputId).toBeUndefined();
      expect(item.staleInputIds).toEqual([retired]);
      expect(sim.inputIds()).toEqual([retired]);
      expect(timeline()).toContainEqual(expect.objectContaining({ message: 'Deleted relay sources', mediaLiveInputIds: [current] }));
    });

    it('looks again after a delete’s time when every input is still attached, changing nothing', async () => {
      const [current, retired] = await deletedWithTwoInputs();
      engine.deleteSource = (id) => Promise.reject(new WrongStateError(`DeleteInput: input ${id} is attached to channel 9`));
      const before = (await repo.get('d1'))!;
      const { outcome, lookAgainMs } = await onePass();
      expect(outcome).toMatchObject({ step: 'delete-sources', outcome: 'raced' });
      expect(lookAgainMs).toBe(sim.timings().deleteMs);
      expect((await repo.get('d1'))!).toMatchObject({ mediaLiveInputId: current, staleInputIds: [retired], generation: before.generation });
      expect(logged.filter((l) => l.message === 'Deleted relay sources')).toEqual([]);
    });

    it('fails the step on any other error, and keeps the inputs recorded', async () => {
      const [current, retired] = await deletedWithTwoInputs();
      engine.deleteSource = () => Promise.reject(new ThrottledError('MediaLive DeleteInput throttled'));
      const { outcome } = await onePass();
      expect(outcome).toMatchObject({ step: 'delete-sources', outcome: 'failed', error: 'THROTTLED' });
      expect((await repo.get('d1'))!).toMatchObject({ mediaLiveInputId: current, staleInputIds: [retired] });
      expect(sim.inputIds().sort()).toEqual([current, retired].sort());
    });
  });

  describe('a step MediaLive answers with a wrong state or a missing resource', () => {
    async function readyToStart(): Promise<void> {
      await createDestination();
      sim.goLive(A);
      // A new source is looked at again at once; a channel MediaLive is creating, after a create's time.
      expect(await onePass({ kind: 'channel', channelArn: A })).toMatchObject({ outcome: { step: 'create-source' }, lookAgainMs: 0 });
      const relay = await onePass({ kind: 'channel', channelArn: A });
      expect(relay).toMatchObject({ outcome: { step: 'create-relay' }, lookAgainMs: sim.timings().provisionMs });
      clock.advance(sim.timings().provisionMs);
      expect((await repo.get('d1'))!.mediaLiveChannelId).toBeDefined();
      expect(sim.stats().totalStarts).toBe(0);
    }

    it('takes a wrong state as a race and looks again after the retry delay, recording no error', async () => {
      await readyToStart();
      engine.startRelay = (id) => Promise.reject(new WrongStateError(`StartChannel: channel ${id} is STOPPING`));
      const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
      expect(outcome).toMatchObject({ step: 'start', outcome: 'raced' });
      expect(lookAgainMs).toBe(DEFAULT_RECONCILER_CONFIG.retryAfterMs);
      expect((await repo.get('d1'))!.lastError).toBeUndefined();
      expect(metered.failed).toEqual([]);
    });

    it('takes a relay not found as a race and looks again at once, recording no error', async () => {
      await readyToStart();
      engine.startRelay = (id) => Promise.reject(new ResourceNotFoundError(`StartChannel: channel ${id} does not exist`));
      const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
      expect(outcome).toMatchObject({ step: 'start', outcome: 'raced' });
      expect(lookAgainMs).toBe(0);
      expect((await repo.get('d1'))!.lastError).toBeUndefined();
    });

    it('fails a create-source MediaLive answers "not found" (there is nothing to race with)', async () => {
      await createDestination();
      sim.goLive(A);
      engine.createSource = () => Promise.reject(new ResourceNotFoundError('CreateInput: the IVS channel does not exist'));
      const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
      expect(outcome).toMatchObject({ step: 'create-source', outcome: 'failed', error: 'RESOURCE_NOT_FOUND' });
      expect(lookAgainMs).toBe(DEFAULT_RECONCILER_CONFIG.retryAfterMs);
      expect((await repo.get('d1'))!.lastError).toMatchObject({ code: 'RESOURCE_NOT_FOUND' });
    });
  });

  describe('a stop looks again only when a next step follows it', () => {
    it.each([
      ['deleted', (d: Destination) => Object.assign(d, { deleteRequested: true, enabled: false, status: 'deleting' }), true],
      ['edited', (d: Destination) => Object.assign(d, { enabled: false, configRevision: d.configRevision + 1 }), true],
      ['disabled', (d: Destination) => Object.assign(d, { enabled: false }), false],
    ])('a destination %s', async (_what, change, next) => {
      await liveAndActive();
      await outsideWrite('d1', change);
      const { outcome, lookAgainMs } = await onePass();
      expect(outcome).toMatchObject({ step: 'stop', outcome: 'done' });
      expect(lookAgainMs).toBe(next ? sim.timings().stopMs : undefined);
    });
  });
});

describe('one engine’s listing failing', () => {
  it('leaves out a destination whose relay was not listed, reconciles the others, and logs and meters it', async () => {
    await liveAndActive({ id: 'd1' });
    const before = (await repo.get('d1'))!;
    await createDestination({ id: 'd2' });
    engine.listRelays = () => Promise.reject(partialListing<Relay>([], false));
    logged = [];
    const result = await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() });
    expect(result.destinations.map((d) => [d.destinationId, d.step])).toEqual([['d2', 'create-source']]);
    expect(await repo.get('d1')).toEqual(before);
    expect(metered.auxiliary).toEqual(['listRelays:ecs']);
    expect(timeline()).toContainEqual({
      level: 'warn',
      message: 'Listing the relays of one engine failed; destinations on the other engines go on',
      engine: 'ecs',
      errorCode: 'THROTTLED',
    });
  });

  it('cleans up no orphan on a partial listing of relays', async () => {
    await liveAndActive();
    await repo.delete('d1', (await repo.get('d1'))!.version);
    const listed = await engine.listRelays();
    engine.listRelays = () => Promise.reject(partialListing<Relay>(listed, true));
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.orphans).toEqual([]);
    expect(result.orphanSources).toEqual([]);
    expect(sim.runningChannels()).toHaveLength(1);
  });

  it('still sweeps the sources the other engines listed, and logs and meters the one that failed', async () => {
    const orphan = await makeInput('p-d1-g0-r1'); // d1 does not exist
    engine.listSources = () => Promise.reject(partialListing<RelaySource>([{ id: orphan, destinationId: 'd1', attachedTo: [] }], true));
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.sweep).toBe('done');
    expect(result.orphanSources).toEqual([{ sourceId: orphan, outcome: 'done' }]);
    expect(sim.inputIds()).toEqual([]);
    expect(metered.auxiliary).toEqual(['listSources:ecs']);
    expect(timeline()).toContainEqual({
      level: 'warn',
      message: 'Orphan sweep of one engine skipped: listing its relay sources failed',
      engine: 'ecs',
      errorCode: 'THROTTLED',
    });
  });
});

describe('an orphan the engine will not clean up now', () => {
  it.each([
    ['a wrong state', 'raced', new WrongStateError('StopChannel: the channel is STARTING')],
    ['not found', 'raced', new ResourceNotFoundError('StopChannel: the channel does not exist')],
    ['throttling', 'failed', new ThrottledError('MediaLive StopChannel throttled')],
  ])('a relay: %s is reported as %s, and the next run tries again', async (_what, outcome, error) => {
    await liveAndActive();
    const [running] = sim.runningChannels();
    await repo.delete('d1', (await repo.get('d1'))!.version);
    const stopRelay = engine.stopRelay.bind(engine);
    engine.stopRelay = () => Promise.reject(error);
    logged = [];
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.orphans).toEqual([{ relayId: running!.id, step: 'stop', outcome }]);
    const warned = timeline().filter((l) => l.level === 'warn');
    expect(warned).toEqual(
      outcome === 'failed'
        ? [{ level: 'warn', message: 'Orphan clean-up failed', mediaLiveChannelId: running!.id, errorCode: 'THROTTLED' }]
        : [],
    );
    engine.stopRelay = stopRelay;
    clock.advance(60_000);
    expect((await reconciler().reconcile({ kind: 'all' })).orphans).toEqual([{ relayId: running!.id, step: 'stop', outcome: 'done' }]);
  });

  it.each([
    ['a wrong state', 'raced', new WrongStateError('DeleteInput: the input is attached')],
    ['not found', 'raced', new ResourceNotFoundError('DeleteInput: the input does not exist')],
    ['throttling', 'failed', new ThrottledError('MediaLive DeleteInput throttled')],
  ])('a source: %s is reported as %s, and the next run tries again', async (_what, outcome, error) => {
    const orphan = await makeInput('p-d1-g0-r1'); // d1 does not exist
    const deleteSource = engine.deleteSource.bind(engine);
    engine.deleteSource = () => Promise.reject(error);
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.orphanSources).toEqual([{ sourceId: orphan, outcome }]);
    expect(timeline().filter((l) => l.level === 'warn')).toEqual(
      outcome === 'failed'
        ? [{ level: 'warn', message: 'Orphaned source clean-up failed', mediaLiveInputId: orphan, errorCode: 'THROTTLED' }]
        : [],
    );
    engine.deleteSource = deleteSource;
    expect((await reconciler().reconcile({ kind: 'all' })).orphanSources).toEqual([{ sourceId: orphan, outcome: 'done' }]);
    expect(sim.inputIds()).toEqual([]);
  });
});

describe('the driver and what it reads', () => {
  it('a failure’s retry is due when it was asked for, however long the passes for the others waited', async () => {
    await createDestination({ id: 'd1' });
    await createDestination({ id: 'd2' });
    sim.goLive(A);
    const createSource = engine.createSource.bind(engine);
    engine.createSource = (spec) =>
      spec.destinationId === 'd1' ? Promise.reject(new ThrottledError('MediaLive CreateInput throttled')) : createSource(spec);
    const start = clock.now().getTime();
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(result.passes).toBeGreaterThan(2);
    expect(clock.now().getTime()).toBeGreaterThan(start); // the passes for d2 waited
    expect(sim.stats().totalStarts).toBe(1);
    expect(result.queued.filter((i) => i.kind === 'destination' && i.destinationId === 'd1' && i.reason === 'look again')).toEqual([
      { kind: 'destination', destinationId: 'd1', notBefore: new Date(start + 10_000).toISOString(), reason: 'look again', attempt: 1 },
    ]);
  });

  it.each([
    ['all', { kind: 'all' } as const, { 'ivs:ListStreams': 'passes', 'ivs:GetStream': undefined }],
    ['a channel', { kind: 'channel', channelArn: A } as const, { 'ivs:ListStreams': undefined, 'ivs:GetStream': 'passes' }],
  ])('a reconcile of %s asks IVS the same way in every pass', async (_what, scope, expected) => {
    await createDestination();
    sim.goLive(A);
    await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() }); // records the stream live
    sim.resetCounters();
    const result = await reconciler().reconcile(scope);
    expect(result.passes).toBeGreaterThan(1);
    // What the first pass saw: every followed channel for all (the full sweep with it), one for a channel.
    const seen = result.channels.map((c) => [c.id, c.state]);
    expect(seen).toEqual(
      scope.kind === 'all'
        ? [
            [A, 'LIVE'],
            [B, 'OFFLINE'],
          ]
        : [[A, 'LIVE']],
    );
    expect(result.sweep).toBe(scope.kind === 'all' ? 'done' : 'skipped');
    const calls = { 'ivs:ListStreams': sim.calls['ivs:ListStreams'], 'ivs:GetStream': sim.calls['ivs:GetStream'] };
    expect(calls).toEqual(
      Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v === 'passes' ? result.passes : v])) as typeof calls,
    );
    expect(sim.stats().totalStarts).toBe(1);
  });

  it('a reconcile of one destination (a queue message) reads its stream state from the table, not from IVS', async () => {
    await createDestination();
    sim.goLive(A);
    await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() }); // records the stream live
    sim.resetCounters();
    const result = await reconciler().reconcile({ kind: 'destination', destinationId: 'd1' });
    expect(result.passes).toBeGreaterThan(1);
    expect(sim.stats().totalStarts).toBe(1);
    expect(sim.calls['ivs:ListStreams']).toBeUndefined();
    expect(sim.calls['ivs:GetStream']).toBeUndefined();
  });

  it('acts on the relay a MediaLive event handed over without describing it again', async () => {
    await liveAndActive();
    await outsideWrite('d1', (d) => void (d.enabled = false));
    const [relay] = await engine.listRelays();
    sim.resetCounters();
    const result = await reconciler().reconcile({ kind: 'destination', destinationId: 'd1', relay: relay! }, { deadline: clock.now() });
    expect(result.destinations[0]).toMatchObject({ step: 'stop', outcome: 'done' });
    expect(sim.calls['medialive:DescribeChannel']).toBeUndefined();
  });

  it('reports a malformed item reached through the queue on itself', async () => {
    const bad = makeDestination({ id: 'bad', channelArn: A });
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...bad, staleInputIds: 'not-a-list' } }));
    const result = await reconciler().reconcile({ kind: 'destination', destinationId: 'bad' });
    expect(result.malformed).toEqual(['bad']);
    expect(result.destinations).toEqual([]);
    const stored = (await db.doc.send(new GetCommand({ TableName: db.tables.destinations, Key: { id: 'bad' } }))).Item!;
    expect(stored).toMatchObject({ status: 'error', lastError: { code: 'MALFORMED_ITEM' } });
  });

  it('logs a malformed item it could not report on itself, and goes on', async () => {
    await createDestination();
    const bad = makeDestination({ id: 'bad', channelArn: A });
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...bad, staleInputIds: 'not-a-list' } }));
    repo.markMalformed = () => Promise.reject(new ServiceUnavailableError('DynamoDB UpdateItem unavailable'));
    sim.goLive(A);
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.malformed).toEqual(['bad']);
    expect(sim.stats().totalStarts).toBe(1);
    expect(timeline()).toContainEqual({
      level: 'warn',
      message: 'Could not report the malformed item on itself',
      destinationId: 'bad',
      errorCode: 'SERVICE_UNAVAILABLE',
    });
  });

  it('leaves the running relay of a malformed item alone: it is not an orphan', async () => {
    await liveAndActive();
    const item = (await repo.get('d1'))!;
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...item, staleInputIds: 'not-a-list' } }));
    clock.advance(60_000);
    const result = await reconciler().reconcile({ kind: 'all' });
    expect(result.malformed).toEqual(['d1']);
    expect(result.orphans).toEqual([]);
    expect(sim.runningChannels().map((c) => c.id)).toEqual([item.mediaLiveChannelId]);
  });
});

describe('what a relay is built from', () => {
  it('the destination’s settings, its IVS channel’s playback URL and its decrypted stream key', async () => {
    const d = await createDestination({ name: 'Main channel', profile: '720p30-4500', configRevision: 3 });
    sim.goLive(A);
    await reconcileUntil('active');
    const [channel] = sim.runningChannels();
    const playback = await sim.ivs.getPlaybackSource(A);
    expect(channel!.spec).toEqual({
      projectName: 'p',
      destinationId: 'd1',
      destinationName: 'Main channel',
      requestId: 'p-d1-g0-r3',
      sourceUrl: playback.url,
      sourceType: playback.channelType,
      platform: d.platform,
      rtmpUrl: d.rtmpUrl,
      profile: '720p30-4500',
      mode: d.mode,
      configRevision: 3,
      roleArn: 'arn:aws:iam::123456789012:role/x',
    });
    expect(sim.streamKeyMatches(channel!.id, 'key-one-aaaa-bbbb')).toBe(true);
  });

  it('does not keep a failed playback-source read: the next reconcile asks IVS again', async () => {
    await createDestination();
    sim.goLive(A);
    const getPlaybackSource = sim.ivs.getPlaybackSource.bind(sim.ivs);
    let failures = 1;
    const streams = {
      ...sim.ivs,
      getPlaybackSource: (arn: string) =>
        failures-- > 0 ? Promise.reject(new ThrottledError('IVS GetChannel throttled')) : getPlaybackSource(arn),
    };
    const r = reconciler('r1', {}, { streams });
    const first = await r.reconcile({ kind: 'channel', channelArn: A }, { deadline: clock.now() });
    expect(first.destinations[0]).toMatchObject({ step: 'create-source', outcome: 'failed', error: 'THROTTLED' });
    clock.advance(10_000);
    const second = await r.reconcile({ kind: 'channel', channelArn: A }, { deadline: clock.now() });
    expect(second.destinations[0]).toMatchObject({ step: 'create-source', outcome: 'done' });
  });
});

describe('steps that find another writer or nothing to do', () => {
  it('leaves a destination another reconcile holds the lease of, and looks again when the lease ends', async () => {
    await createDestination({ lease: { owner: 'other', until: new Date(clock.now().getTime() + 20_000).toISOString() } });
    sim.goLive(A);
    const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
    expect(outcome).toMatchObject({ outcome: 'busy', step: null });
    expect(lookAgainMs).toBe(21_000);
    expect(sim.calls['medialive:CreateInput']).toBeUndefined();
    expect((await repo.get('d1'))!.lease).toEqual({ owner: 'other', until: new Date(clock.now().getTime() + 20_000).toISOString() });
  });

  it('a status write another writer beat is no failure: the next pass plans from its write', async () => {
    await createDestination({ status: 'starting' }); // nothing runs, the stream is offline: it is inactive
    const put = repo.put.bind(repo);
    repo.put = async (next) => {
      repo.put = put;
      await outsideWrite(next.id, (d) => void (d.name = 'renamed meanwhile'));
      return put(next);
    };
    const result = await reconciler().reconcile({ kind: 'all' }, { deadline: clock.now() });
    expect(result.destinations).toEqual([expect.objectContaining({ destinationId: 'd1', step: null, outcome: 'none' })]);
    expect(metered.failed).toEqual([]);
    expect((await repo.get('d1'))!).toMatchObject({ status: 'starting', name: 'renamed meanwhile' });
    await reconciler().reconcile({ kind: 'all' });
    expect((await repo.get('d1'))!.status).toBe('inactive');
  });

  it('a removal another writer beat is looked at again at once, and done then', async () => {
    await createDestination({ deleteRequested: true, enabled: false, status: 'deleting' });
    const remove = repo.delete.bind(repo);
    repo.delete = async (id, version) => {
      repo.delete = remove;
      await outsideWrite(id, (d) => void (d.name = 'renamed meanwhile'));
      return remove(id, version);
    };
    const { outcome, lookAgainMs } = await onePass();
    expect(outcome).toMatchObject({ step: 'remove', outcome: 'raced' });
    expect(lookAgainMs).toBe(0);
    expect(await repo.get('d1')).toBeDefined();
    expect(logged.filter((l) => l.message === 'Destination removed')).toEqual([]);
    expect((await onePass()).outcome).toMatchObject({ step: 'remove', outcome: 'done' });
    expect(await repo.get('d1')).toBeUndefined();
  });

  it('an engine whose relay follows a returning stream by itself has the re-attach done at once', async () => {
    await liveAndActive();
    sim.goOffline(A);
    await reconciler().reconcile({ kind: 'all' });
    clock.advance(30_000);
    const returned = sim.goLive(A);
    (engine as { reattachSource?: unknown }).reattachSource = undefined;
    const result = await reconciler().reconcile({ kind: 'channel', channelArn: A });
    expect(result.destinations[0]).toMatchObject({ step: 'reattach', outcome: 'done' });
    expect((await repo.get('d1'))!.reattachedStreamId).toBe(returned);
    expect(sim.calls['medialive:BatchUpdateSchedule']).toBeUndefined();
  });

  it('a delete of a deleted destination’s relay looks again after a delete’s time', async () => {
    await liveAndActive();
    await outsideWrite('d1', (d) => Object.assign(d, { deleteRequested: true, enabled: false, status: 'deleting' }));
    expect(await onePass()).toMatchObject({ outcome: { step: 'stop' }, lookAgainMs: sim.timings().stopMs });
    clock.advance(sim.timings().stopMs);
    expect(await onePass()).toMatchObject({ outcome: { step: 'delete-relay', outcome: 'done' }, lookAgainMs: sim.timings().deleteMs });
  });
});

it('alerts when a destination’s relay step fails, and when it runs again', async () => {
  const sent: [string, string, string][] = [];
  const alerts: ReconcilerDeps['alerts'] = {
    onRelayTransition: (d, direction, message) => {
      sent.push([d.id, direction, message]);
      return Promise.resolve({ direction, alert: 'sent' });
    },
    onHealthChange: () => Promise.resolve({ direction: undefined, alert: 'no-change' }),
  };
  await createDestination();
  sim.goLive(A);
  const createSource = engine.createSource.bind(engine);
  engine.createSource = () => Promise.reject(new ThrottledError('MediaLive CreateInput throttled'));
  await reconciler('r1', {}, { alerts }).reconcile({ kind: 'all' }, { deadline: clock.now() });
  expect(sent).toEqual([['d1', 'failing', 'MediaLive CreateInput throttled']]);
  engine.createSource = createSource;
  for (let i = 0; i < 10 && (await repo.get('d1'))?.status !== 'active'; i++) {
    clock.advance(60_000);
    await reconciler('r1', {}, { alerts }).reconcile({ kind: 'all' });
  }
  expect(sent).toEqual([
    ['d1', 'failing', 'MediaLive CreateInput throttled'],
    ['d1', 'recovered', 'The relay runs again.'],
  ]);
});

describe('a create-relay’s answer', () => {
  async function withSource(): Promise<string> {
    await createDestination();
    const inputId = await leftOverInput(A);
    sim.goLive(A);
    return inputId;
  }

  it('a channel MediaLive already made (a repeat after a lost answer) is looked at again at once, to be started', async () => {
    const inputId = await withSource();
    const createRelay = engine.createRelay.bind(engine);
    engine.createRelay = async (spec, sourceId) => {
      await createRelay(spec, sourceId); // its answer is lost; MediaLive goes on creating
      clock.advance(sim.timings().provisionMs);
      return createRelay(spec, sourceId); // the repeat (same RequestId) finds it made
    };
    const { outcome, result } = await onePass({ kind: 'channel', channelArn: A });
    expect(outcome).toMatchObject({ step: 'create-relay', outcome: 'done' });
    // Looked at again at once (the clock moved on while MediaLive created it).
    expect(result.queued).toContainEqual(
      expect.objectContaining({ destinationId: 'd1', reason: 'look again', notBefore: clock.now().toISOString() }),
    );
    expect(sim.channels().map((c) => [c.state, c.inputIds])).toEqual([['IDLE', [inputId]]]);
  });

  it('a channel configuration MediaLive rejects is a terminal error on the item, kept with its source', async () => {
    const inputId = await withSource();
    engine.createRelay = () => Promise.reject(new InvalidConfigurationError('CreateChannel: the RTMP URL is not accepted'));
    const { outcome, lookAgainMs } = await onePass({ kind: 'channel', channelArn: A });
    expect(outcome).toMatchObject({ step: 'create-relay', outcome: 'failed', error: 'INVALID_CONFIGURATION' });
    expect(lookAgainMs).toBeUndefined();
    expect((await repo.get('d1'))!).toMatchObject({
      status: 'error',
      mediaLiveInputId: inputId,
      lastError: { code: 'INVALID_CONFIGURATION', message: 'CreateChannel: the RTMP URL is not accepted' },
    });
  });
});
