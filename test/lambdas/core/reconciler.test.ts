/**
 * The reconciler over dynalite and the simulator, with an outside writer (the API) landing in
 * the middle of a step. Each test is a defect found in review, kept as a regression test.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoStreamStateRepository } from '../../../lambdas/adapters/dynamodb/stream-state-repository';
import { LocalStreamKeyCipher } from '../../../lambdas/adapters/local-stream-key-cipher';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { AwsSimulator } from '../../../lambdas/testing/simulator';
import type { Destination } from '../../../lambdas/core/destination';
import { ServiceUnavailableError } from '../../../lambdas/core/errors';
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

beforeEach(async () => {
  db = await startDynalite();
  repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  clock = new ManualClock('2026-03-01T10:00:00.000Z');
  sim = new AwsSimulator({ clock, projectName: 'p' });
  sim.addIvsChannel(A);
  sim.addIvsChannel(B);
  cipher = new LocalStreamKeyCipher(randomBytes(32));
  queue = new MemoryWorkQueue(clock);
  onSleep = undefined;
});
afterEach(async () => db.stop());

function reconciler(owner = 'r1'): Reconciler {
  return new Reconciler(
    {
      destinations: repo,
      streamStates: new DynamoStreamStateRepository(db.doc, db.tables.streamState),
      events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
      alerts: alertsWithoutChannels(db, clock, quiet),
      streams: sim.ivs,
      engine: new MediaLiveRelayEngine(sim.medialive, 'p', sim.timings()),
      queue,
      cipher,
      clock,
      log: quiet,
      metrics: { destinationFailed: () => undefined, auxiliaryReadFailed: () => undefined },
      sleep: async (ms) => {
        const hook = onSleep;
        onSleep = undefined;
        await hook?.();
        clock.advance(ms);
      },
      ownerId: () => owner,
    },
    {
      ...DEFAULT_RECONCILER_CONFIG,
      projectName: 'p',
      mediaLiveRoleArn: 'arn:aws:iam::123456789012:role/x',
      graceSeconds: 120,
      trackedChannelArns: [A, B],
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
});
