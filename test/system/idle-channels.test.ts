/**
 * Idle channels (issue 9, item 5) over dynalite and the simulator: a stopped MediaLive channel
 * nobody wants is deleted once it has been idle for IDLE_CHANNEL_TTL_SECONDS, on time (a delayed
 * queue message, no scheduled run), its input kept; the next go-live creates a channel on that
 * same input.
 */
import { afterEach, expect, it } from '@jest/globals';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

const TTL_SECONDS = 600;
const GRACE_SECONDS = 120;

let system: System;
afterEach(async () => system.stop());

async function item(id: string): Promise<any> {
  return (await system.api('GET', `/stream-destinations/${id}`, undefined, undefined, {}, false)).json;
}

async function stored(id: string): Promise<Record<string, unknown>> {
  const got = await system.db.doc.send(new GetCommand({ TableName: system.db.tables.destinations, Key: { id } }));
  return got.Item as Record<string, unknown>;
}

/**
 * Time passes as it does in AWS, without the schedule: MediaLive's state-change events and the
 * queue's due messages reach the monitor, nothing else runs.
 */
async function eventsOnly(ms: number, stepMs = 1_000): Promise<void> {
  for (let left = ms; left > 0; left -= stepMs) {
    system.clock.advance(Math.min(stepMs, left));
    system.sim.pollStateChanges();
    await system.deliverEvents();
    await system.flushQueue();
  }
}

async function goLiveUntilActive(id: string): Promise<void> {
  system.sim.goLive(CHANNEL_A);
  await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
  await eventsOnly(90_000, 5_000);
  expect((await item(id)).status).toBe('active');
}

it('deletes a channel idle for the TTL from the queue, keeps its input, and the next go-live creates a channel on it', async () => {
  system = await startSystem({ graceSeconds: GRACE_SECONDS, reconciler: { idleTtlSeconds: TTL_SECONDS } });
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: 'key-aaaa-bbbb-cccc' });
  const id = res.json.id as string;
  await goLiveUntilActive(id);
  const [first] = system.sim.channels();
  const inputId = first!.inputIds[0]!;

  // The stream ends; the grace period passes; the channel stops and goes IDLE.
  system.sim.goOffline(CHANNEL_A);
  await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
  await eventsOnly((GRACE_SECONDS + 35) * 1000);
  const idle = system.sim.channels().find((c) => c.id === first!.id)!;
  expect(idle.state).toBe('IDLE');
  const idleSince = Date.parse(idle.stateSince);
  expect((await item(id)).status).toBe('inactive');

  // Just before the TTL ends nothing is deleted; within seconds after it, the channel is.
  await eventsOnly(idleSince + TTL_SECONDS * 1000 - 2_000 - system.clock.now().getTime());
  expect(system.sim.stats().channelsDeleted).toBe(0);
  await eventsOnly(5_000);
  expect(system.sim.stats().channelsDeleted).toBe(1);

  // Once MediaLive has deleted it, the item forgets the channel and keeps the input.
  await eventsOnly(30_000);
  expect(system.sim.channels()).toEqual([]);
  expect(system.sim.inputIds()).toEqual([inputId]);
  const after = await stored(id);
  expect(after.mediaLiveChannelId).toBeUndefined();
  expect(after.mediaLiveInputId).toBe(inputId);
  expect(after.staleInputIds).toBeUndefined();
  expect(after.status).toBe('inactive');
  // The schedule running now changes none of it (the orphan sweep keeps a recorded input).
  await system.tick(60_000);
  expect(system.sim.inputIds()).toEqual([inputId]);

  // The next go-live creates a new channel on the kept input, with a new RequestId.
  const inputsCreated = system.sim.stats().inputsCreated;
  await goLiveUntilActive(id);
  const [second] = system.sim.channels();
  expect(second!.id).not.toBe(first!.id);
  expect(second!.inputIds).toEqual([inputId]);
  expect(second!.state).toBe('RUNNING');
  expect(system.sim.stats().inputsCreated).toBe(inputsCreated);
  expect((await stored(id)).mediaLiveChannelId).toBe(second!.id);
});

it('a go-live while the idle channel is being deleted waits for it, then creates the next channel on the same input', async () => {
  // Nobody waits inline, so the go-live meets the channel DELETING.
  system = await startSystem({ graceSeconds: 0, reconciler: { idleTtlSeconds: 0, inlineWaitMs: 0 } });
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: 'key-aaaa-bbbb-cccc' });
  const id = res.json.id as string;
  await goLiveUntilActive(id);
  const [first] = system.sim.channels();
  system.sim.goOffline(CHANNEL_A);
  await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
  // Stopping takes 30 s; TTL 0 deletes the channel as soon as it is seen IDLE.
  for (let i = 0; i < 40 && system.sim.stats().channelsDeleted === 0; i++) await eventsOnly(1_000);
  expect(system.sim.channels({ includeDeleted: true }).find((c) => c.id === first!.id)?.state).toBe('DELETING');

  await goLiveUntilActive(id);
  const [second] = system.sim.channels();
  expect(second!.id).not.toBe(first!.id);
  expect(second!.inputIds).toEqual(first!.inputIds);
  expect(system.failures).toEqual([]);
});

it('deleting the destination afterwards deletes the kept input too', async () => {
  system = await startSystem({ graceSeconds: 0, reconciler: { idleTtlSeconds: 0 } });
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: 'key-aaaa-bbbb-cccc' });
  const id = res.json.id as string;
  await goLiveUntilActive(id);
  system.sim.goOffline(CHANNEL_A);
  await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
  await eventsOnly(90_000, 5_000);
  expect(system.sim.channels()).toEqual([]);
  expect(system.sim.inputIds()).toHaveLength(1);

  const removed = await system.api('DELETE', `/stream-destinations/${id}`);
  expect(removed.statusCode).toBe(202);
  await eventsOnly(30_000, 5_000);
  expect(system.sim.inputIds()).toEqual([]);
  expect((await system.api('GET', `/stream-destinations/${id}`, undefined, undefined, {}, false)).statusCode).toBe(404);
});
