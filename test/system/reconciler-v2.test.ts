/**
 * Reconciler v2 over dynalite and the simulator: MediaLive events, the work queue, stop on the
 * second, auxiliary reads off the essential path, and the regressions of issues 13 and 14.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError, ThrottledError } from '../../lambdas/core/errors';
import type { System } from '../support/system';
import { CHANNEL_A, CHANNEL_B, startSystem } from '../support/system';
import { makeDestination } from '../support/fixtures';

let system: System;
afterEach(async () => system.stop());

async function create(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await system.api('POST', '/stream-destinations', {
    platform: 'youtube',
    name: 'YouTube',
    streamKey: 'key-aaaa-bbbb-cccc',
    ...extra,
  });
  expect(res.statusCode).toBe(201);
  return res.json.id as string;
}

async function item(id: string): Promise<any> {
  return (await system.api('GET', `/stream-destinations/${id}`, undefined, undefined, {}, false)).json;
}

/** Live and running: IVS event, then the MediaLive events until RUNNING. */
async function liveAndRunning(channelArn = CHANNEL_A): Promise<void> {
  system.sim.goLive(channelArn);
  await system.monitor(system.ivsEvent(channelArn, 'Stream Start'));
  for (let i = 0; i < 8; i++) await system.tick(10_000);
}

describe('MediaLive events', () => {
  it('starts a new channel when its MediaLive event says it is created, without a scheduled run', async () => {
    // Nobody waits inline: the created channel is left to its event (and the queue, later).
    system = await startSystem({ reconciler: { inlineWaitMs: 0 } });
    const id = await create();
    system.sim.goLive(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    await system.flushQueue();
    expect(system.sim.stats().channelsCreated).toBe(1);
    expect(system.sim.stats().totalStarts).toBe(0);

    system.clock.advance(5_000);
    system.sim.pollStateChanges();
    expect(system.events.map((e) => e.detail.state)).toContain('IDLE');
    await system.deliverEvents();
    expect(system.sim.stats().totalStarts).toBe(1);

    system.clock.advance(60_000);
    system.sim.pollStateChanges();
    await system.deliverEvents();
    expect((await item(id)).status).toBe('active');
  });

  it('ignores the event of a channel that is not this project’s', async () => {
    system = await startSystem();
    const summary = await system.monitor({
      source: 'aws.medialive',
      'detail-type': 'MediaLive Channel State Change',
      resources: ['arn:aws:medialive:us-east-1:123456789012:channel:9999999'],
      detail: { channel_arn: 'arn:aws:medialive:us-east-1:123456789012:channel:9999999', state: 'RUNNING' },
    });
    expect(summary).toMatchObject({ scope: 'ignore', actions: 0 });
    expect(system.sim.calls['medialive:DescribeChannel']).toBe(1);
    expect(system.sim.calls['medialive:ListChannels']).toBeUndefined();
  });
});

describe('the work queue', () => {
  it('a message delivered twice changes nothing', async () => {
    system = await startSystem();
    const id = await create();
    await liveAndRunning();
    const before = await item(id);
    system.sim.resetCounters();
    const message = { kind: 'destination' as const, destinationId: id, notBefore: system.clock.now().toISOString(), reason: 'test' };
    await system.queue.enqueue([message, message]);
    await system.flushQueue();
    const mutating = Object.keys(system.sim.calls).filter((a) => !/Describe|List|Get/.test(a));
    expect(mutating).toEqual([]);
    expect((await item(id)).updatedAt).toBe(before.updatedAt);
  });

  it('stops within seconds of the grace end, from the queue, without a scheduled run', async () => {
    system = await startSystem({ graceSeconds: 120 });
    await create();
    await liveAndRunning();
    system.sim.goOffline(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    const offlineAt = system.clock.now().getTime();
    system.clock.advance(119_000);
    await system.flushQueue();
    expect(system.sim.stats().totalStops).toBe(0);
    system.clock.advance(2_000); // the grace ends 120 s after the stream
    await system.flushQueue();
    expect(system.sim.stats().totalStops).toBe(1);
    expect(system.clock.now().getTime() - offlineAt).toBeLessThanOrEqual(125_000);
  });
});

describe('auxiliary reads never block the essential path', () => {
  it('the orphan sweep failing does not stop a go-live (logged and metered)', async () => {
    system = await startSystem();
    const id = await create();
    jest.spyOn(system.sim.medialive, 'listInputs').mockRejectedValue(new ThrottledError('medialive:ListInputs: Too many requests'));
    system.sim.goLive(CHANNEL_A);
    for (let i = 0; i < 8; i++) await system.tick(10_000);
    expect((await item(id)).status).toBe('active');
    expect(system.failures).toContainEqual({ destinationId: '(listSources)', code: 'THROTTLED' });
    expect(system.logs.some((l) => l.message.startsWith('Orphan sweep skipped'))).toBe(true);
  });

  it('asks IVS once per channel per reconcile, never per destination', async () => {
    system = await startSystem();
    for (let i = 0; i < 5; i++) await create({ name: `YouTube ${i}` });
    system.sim.goLive(CHANNEL_A);
    system.sim.resetCounters();
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    const result = system.logs.filter((l) => l.message === 'Reconcile finished').at(-1)?.attributes as { passes: number };
    expect(system.sim.calls['ivs:GetStream']).toBeLessThanOrEqual(result.passes);
    expect(system.sim.calls['ivs:GetChannel']).toBe(1);
  });
});

describe('issue 13 regressions', () => {
  it('(1) a malformed item is reported on itself and every other destination reconciles as usual', async () => {
    system = await startSystem();
    const good = await create();
    const bad = makeDestination({ id: 'malformed-1', channelArn: CHANNEL_A });
    await system.db.doc.send(new PutCommand({ TableName: system.db.tables.destinations, Item: { ...bad, staleInputIds: 'not-a-list' } }));
    system.sim.goLive(CHANNEL_A);
    for (let i = 0; i < 8; i++) await system.tick(10_000);
    expect((await item(good)).status).toBe('active');
    const stored = (await system.db.doc.send(new GetCommand({ TableName: system.db.tables.destinations, Key: { id: 'malformed-1' } })))
      .Item!;
    expect(stored.status).toBe('error');
    expect(stored.lastError.code).toBe('MALFORMED_ITEM');
    expect(stored.lastError.message).toContain('staleInputIds');
    expect(system.failures).toContainEqual({ destinationId: 'malformed-1', code: 'MALFORMED_ITEM' });
  });

  it('(2) a manual stop holds across an encoder reconnect inside the grace period, and the next broadcast starts it', async () => {
    system = await startSystem({ graceSeconds: 120 });
    const id = await create();
    await liveAndRunning();
    expect((await system.api('POST', `/stream-destinations/${id}/stop`)).statusCode).toBe(202);
    for (let i = 0; i < 5; i++) await system.tick(10_000);
    expect(system.sim.runningChannels()).toHaveLength(0);

    // The encoder drops and comes back 5 s later: IVS gives it a new stream id.
    system.sim.goOffline(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    system.clock.advance(5_000);
    system.sim.goLive(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    for (let i = 0; i < 10; i++) await system.tick(10_000);
    expect(system.sim.stats().totalStarts).toBe(1);
    expect((await item(id)).status).toBe('inactive');

    // The broadcast really ends (offline past the grace period); the next one starts it again.
    system.sim.goOffline(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    for (let i = 0; i < 14; i++) await system.tick(10_000);
    system.sim.goLive(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    for (let i = 0; i < 8; i++) await system.tick(10_000);
    expect(system.sim.stats().totalStarts).toBe(2);
    expect((await item(id)).status).toBe('active');
  });

  it('(6) after a quiet period the recorded channel id matches what exists', async () => {
    system = await startSystem();
    const id = await create();
    await liveAndRunning();
    await system.api('PUT', `/stream-destinations/${id}`, { enabled: false });
    for (let i = 0; i < 5; i++) await system.tick(10_000);
    // Someone deletes the idle channel by hand; nobody wants the destination now.
    const [channel] = system.sim.channels();
    await system.sim.medialive.deleteChannel(channel!.id);
    for (let i = 0; i < 6; i++) await system.tick(10_000);
    expect(system.sim.channels()).toEqual([]);
    expect((await item(id)).mediaLiveChannelId).toBeNull();
  });

  it('(8) a reconcile that dies after CreateChannel is resumed within 60 s, creating nothing twice', async () => {
    system = await startSystem();
    const id = await create();
    const put = system.db.doc.send.bind(system.db.doc);
    let failWrites = false;
    const createChannel = system.sim.medialive.createChannel;
    jest.spyOn(system.sim.medialive, 'createChannel').mockImplementation(async (spec, inputId) => {
      const channel = await createChannel(spec, inputId);
      failWrites = true; // the invocation loses DynamoDB (or dies) right after the create
      return channel;
    });
    // As if the invocation were killed: nothing it tries after CreateChannel lands, not even a
    // message to the queue; only what it queued before the create can bring it back.
    const enqueue = system.queue.enqueue.bind(system.queue);
    jest.spyOn(system.queue, 'enqueue').mockImplementation(async (items) => {
      if (failWrites) throw new ServiceUnavailableError('SQS unavailable');
      return enqueue(items);
    });
    jest.spyOn(system.db.doc, 'send').mockImplementation((async (command: unknown) => {
      if (failWrites && command instanceof PutCommand) throw new ServiceUnavailableError('DynamoDB PutItem unavailable');
      return put(command as never);
    }) as never);
    system.sim.goLive(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    expect(system.sim.stats().channelsCreated).toBe(1);
    failWrites = false;
    (system.db.doc.send as jest.Mock).mockRestore();
    (system.sim.medialive.createChannel as jest.Mock).mockRestore();
    (system.queue.enqueue as jest.Mock).mockRestore();

    const diedAt = system.clock.now().getTime();
    for (let t = 0; t < 60_000 && system.sim.stats().totalStarts === 0; t += 5_000) {
      system.clock.advance(5_000);
      await system.flushQueue(); // no scheduled run: the queue alone resumes it
    }
    expect(system.sim.stats().totalStarts).toBe(1);
    expect(system.clock.now().getTime() - diedAt).toBeLessThanOrEqual(60_000);
    expect(system.sim.stats().channelsCreated).toBe(1);
    expect((await item(id)).mediaLiveChannelId).toBe(system.sim.channels()[0]!.id);
  });
});

describe('issue 14: what a mutation run showed missing', () => {
  it('an event for channel A never stops a destination on B', async () => {
    system = await startSystem({ channels: [CHANNEL_A, CHANNEL_B] });
    await create({ channelArn: CHANNEL_A, name: 'A' });
    await create({ channelArn: CHANNEL_B, name: 'B' });
    system.sim.goLive(CHANNEL_B);
    await liveAndRunning(CHANNEL_B);
    expect(system.sim.runningChannels()).toHaveLength(1);
    system.sim.resetCounters();
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    expect(system.sim.stats().totalStops).toBe(0);
    expect(system.sim.stats().channelsDeleted).toBe(0);
    expect(system.sim.runningChannels()).toHaveLength(1);
  });

  it('records a newly created input and channel on the item at once', async () => {
    system = await startSystem();
    const id = await create();
    jest.spyOn(system.sim.medialive, 'listChannels'); // adoption through tags must not be what finds it
    await system.db.doc.send(
      new PutCommand({
        TableName: system.db.tables.streamState,
        Item: { id: CHANNEL_A, state: 'LIVE', streamId: system.sim.goLive(CHANNEL_A), timestamp: system.clock.now().toISOString() },
      }),
    );
    // One queued look at the destination: it reads the item and describes only what it records.
    await system.queue.enqueue([{ kind: 'destination', destinationId: id, notBefore: system.clock.now().toISOString(), reason: 'test' }]);
    await system.flushQueue();
    expect(system.sim.medialive.listChannels).not.toHaveBeenCalled();
    const [channel] = system.sim.channels();
    const stored = await item(id);
    expect(stored.mediaLiveChannelId).toBe(channel!.id);
    expect(system.sim.stats().totalStarts).toBe(1);
  });
});
