/**
 * The reconciler reads a stream session's ingest configuration (IVS GetStreamSession) once per
 * session and keeps it with the channel's stream state, for the pass-through warnings.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../../../lambdas/adapters/dynamodb/stream-state-repository';
import { DynamoDestinationEventLog } from '../../../lambdas/adapters/dynamodb/destination-event-log';
import { LocalStreamKeyCipher } from '../../../lambdas/adapters/local-stream-key-cipher';
import { MediaLiveRelayEngine } from '../../../lambdas/adapters/medialive/relay-engine';
import { ThrottledError } from '../../../lambdas/core/errors';
import type { StreamSource } from '../../../lambdas/core/ports';
import { DEFAULT_RECONCILER_CONFIG, Reconciler } from '../../../lambdas/core/reconciler';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { MemoryWorkQueue } from '../../../lambdas/testing/memory-work-queue';
import { AwsSimulator, DEFAULT_SIMULATED_INGEST } from '../../../lambdas/testing/simulator';
import type { Dynalite } from '../../support/dynalite';
import { startDynalite } from '../../support/dynalite';
import { makeDestination } from '../../support/fixtures';
import { alertsWithoutChannels } from '../../support/alerts';

const A = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';
const B = 'arn:aws:ivs:us-east-1:123456789012:channel/GhIjKl789012';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** The reconciler's warnings, as an operator reads them: the message beside its fields. */
let warned: Record<string, unknown>[] = [];
const log = { ...quiet, warn: (message: string, attributes: Record<string, unknown> = {}) => void warned.push({ message, ...attributes }) };
const HIGH = {
  video: { codec: 'h264', profile: 'high', width: 1920, height: 1080, bitrateBps: 8_000_000, framerate: 60 },
  audio: { codec: 'aac', bitrateBps: 160_000, sampleRate: 48_000, channels: 2 },
};

let db: Dynalite;
let sim: AwsSimulator;
let clock: ManualClock;
let states: DynamoStreamStateRepository;
let auxiliaryFailures: string[];
/** The key the destination's stream key is stored under, and the reconciler decrypts it with. */
const cipher = new LocalStreamKeyCipher(randomBytes(32));

beforeEach(async () => {
  db = await startDynalite();
  clock = new ManualClock('2026-03-01T10:00:00.000Z');
  sim = new AwsSimulator({ clock, projectName: 'p' });
  sim.addIvsChannel(A);
  sim.addIvsChannel(B);
  states = new DynamoStreamStateRepository(db.doc, db.tables.streamState);
  auxiliaryFailures = [];
  warned = [];
  const repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  const d = makeDestination({ id: 'd1', channelArn: A });
  d.streamKeyCiphertext = await cipher.encrypt(d.id, 'key-one-aaaa-bbbb');
  await repo.create(d);
});
afterEach(async () => db.stop());

function reconciler(streams: StreamSource = sim.ivs): Reconciler {
  return new Reconciler(
    {
      destinations: new DynamoDestinationRepository(db.doc, db.tables.destinations),
      streamStates: states,
      events: new DynamoDestinationEventLog(db.doc, db.tables.events, clock),
      alerts: alertsWithoutChannels(db, clock, quiet),
      streams,
      engine: new MediaLiveRelayEngine(sim.medialive, 'p', sim.timings()),
      queue: new MemoryWorkQueue(clock),
      cipher,
      clock,
      log,
      metrics: { destinationFailed: () => undefined, auxiliaryReadFailed: (what) => void auxiliaryFailures.push(what) },
      sleep: async (ms) => clock.advance(ms),
      ownerId: () => 'r1',
    },
    {
      ...DEFAULT_RECONCILER_CONFIG,
      projectName: 'p',
      mediaLiveRoleArn: 'arn:aws:iam::123456789012:role/x',
      graceSeconds: 120,
      trackedChannelArns: [A, B],
      inlineWaitMs: 0,
    },
  );
}

describe('the ingest configuration of a stream session', () => {
  it('is read from IVS once per stream session, whichever trigger sees the session, and kept with the stream state', async () => {
    const first = sim.goLive(A, { ingest: HIGH });
    await reconciler().reconcile({ kind: 'all' });
    expect(sim.calls['ivs:GetStreamSession']).toBe(1);
    expect((await states.get(A))?.ingest).toEqual({ streamId: first, ...HIGH });

    await reconciler().reconcile({ kind: 'all' });
    await reconciler().reconcile({ kind: 'channel', channelArn: A });
    await reconciler().reconcile({ kind: 'destination', destinationId: 'd1' });
    expect(sim.calls['ivs:GetStreamSession']).toBe(1);

    // An encoder reconnect is a new stream session: read once more.
    const second = sim.goLive(A);
    await reconciler().reconcile({ kind: 'channel', channelArn: A });
    await reconciler().reconcile({ kind: 'all' });
    expect(sim.calls['ivs:GetStreamSession']).toBe(2);
    expect((await states.get(A))?.ingest).toEqual({ streamId: second, ...DEFAULT_SIMULATED_INGEST });
  });

  it('asks nothing of IVS for a channel that is offline', async () => {
    await reconciler().reconcile({ kind: 'all' });
    expect(sim.calls['ivs:GetStreamSession']).toBeUndefined();
    expect((await states.get(A))?.ingest).toBeUndefined();
  });

  it('stays with the stream state after the stream ends, so the warnings outlive the broadcast', async () => {
    const streamId = sim.goLive(A, { ingest: HIGH });
    await reconciler().reconcile({ kind: 'all' });
    sim.goOffline(A);
    await reconciler().reconcile({ kind: 'all' });
    const state = await states.get(A);
    expect(state?.state).toBe('OFFLINE');
    expect(state?.ingest).toEqual({ streamId, ...HIGH });
  });

  it('is recorded as unknown when IVS knows no such session, and not asked again', async () => {
    const streamId = sim.goLive(A, { ingest: () => undefined });
    await reconciler().reconcile({ kind: 'all' });
    await reconciler().reconcile({ kind: 'all' });
    expect(sim.calls['ivs:GetStreamSession']).toBe(1);
    expect((await states.get(A))?.ingest).toEqual({ streamId });
  });

  it('does not hold up the start when IVS refuses the read: the relay starts, the failure is metered, the next pass reads it', async () => {
    const streamId = sim.goLive(A, { ingest: HIGH });
    const throttled: StreamSource = { ...sim.ivs, getIngest: () => Promise.reject(new ThrottledError('GetStreamSession: Rate exceeded')) };
    const result = await reconciler(throttled).reconcile({ kind: 'all' }, { deadline: clock.now() }); // one pass
    expect(result.destinations.filter((d) => d.destinationId === 'd1').map((d) => [d.step, d.outcome])).toEqual([
      ['create-source', 'done'],
    ]);
    expect(auxiliaryFailures).toEqual(['getIngest']);
    expect(warned).toEqual([
      {
        message: 'Could not read the stream session’s ingest configuration; pass-through warnings wait for it',
        channelArn: A,
        streamId,
        errorCode: 'THROTTLED',
      },
    ]);
    expect((await states.get(A))?.state).toBe('LIVE');
    expect((await states.get(A))?.ingest).toBeUndefined();

    await reconciler().reconcile({ kind: 'all' });
    expect((await states.get(A))?.ingest).toEqual({ streamId, ...HIGH });
  });
});
