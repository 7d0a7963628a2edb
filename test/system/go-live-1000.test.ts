/**
 * Issue 8, item 5: a go-live of 1000 new destinations on one IVS channel finishes in one monitor
 * run or continues from the work queue, and creating channels never holds a concurrency slot
 * while MediaLive works (create all, then start). Real monitor handler and reconciler driver over
 * dynalite, the simulator and the in-process work queue; simulated time.
 */
import { afterEach, expect, it } from '@jest/globals';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { makeDestination } from '../support/fixtures';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

const DESTINATIONS = 1000;
/** The simulator's CREATING → IDLE time and STARTING → RUNNING time (its defaults, named here). */
const CREATE_MS = 5_000;
const START_MS = 60_000;

let system: System;
afterEach(async () => system.stop());

/** Simulated time of each MediaLive CreateChannel and StartChannel call. */
function recordCalls(): { creates: number[]; starts: number[] } {
  const calls = { creates: [] as number[], starts: [] as number[] };
  const ml = system.sim.medialive;
  const createChannel = ml.createChannel.bind(ml);
  const startChannel = ml.startChannel.bind(ml);
  ml.createChannel = async (...args) => {
    const channel = await createChannel(...args);
    calls.creates.push(system.clock.now().getTime());
    return channel;
  };
  ml.startChannel = async (...args) => {
    await startChannel(...args);
    calls.starts.push(system.clock.now().getTime());
  };
  return calls;
}

/** New, enabled destinations on channel A (1000 unless told), written as the API writes them (25 per BatchWriteItem). */
async function seed(count = DESTINATIONS): Promise<void> {
  const now = system.clock.now().toISOString();
  const items = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `dest-${String(i).padStart(4, '0')}`;
      const streamKeyCiphertext = await system.cipher.encrypt(id, `key-${i}-aaaa-bbbb`);
      return makeDestination({
        id,
        name: `Dest ${i}`,
        channelArn: CHANNEL_A,
        streamKeyCiphertext,
        statusSince: now,
        createdAt: now,
        updatedAt: now,
      });
    }),
  );
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    const out = await system.db.doc.send(new BatchWriteCommand({ RequestItems: { [system.db.tables.destinations]: batch } }));
    expect(Object.keys(out.UnprocessedItems ?? {})).toEqual([]);
  }
}

async function statuses(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let start: Record<string, unknown> | undefined;
  do {
    const page = await system.db.doc.send(
      new ScanCommand({ TableName: system.db.tables.destinations, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of page.Items ?? []) counts[String(item.status)] = (counts[String(item.status)] ?? 0) + 1;
    start = page.LastEvaluatedKey;
  } while (start);
  return counts;
}

it('a go-live of 1000 new destinations: one run creates every channel, then starts every one; events and the queue finish the rest', async () => {
  system = await startSystem({ simulator: { maxChannels: 2 * DESTINATIONS, maxInputs: 2 * DESTINATIONS } });
  await seed();
  const calls = recordCalls();

  system.sim.goLive(CHANNEL_A);
  const liveAt = system.clock.now().getTime();
  // The IVS event's run, with the monitor's 120 s timeout left.
  const summary = await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'), 120_000);
  expect(summary.failures).toBe(0);
  // The run ended inside its deadline (the time left less the 15 s hand-off margin).
  expect(system.clock.now().getTime() - liveAt).toBeLessThanOrEqual(105_000);
  expect({ creates: calls.creates.length, starts: calls.starts.length }).toEqual({ creates: DESTINATIONS, starts: DESTINATIONS });
  // No create held a concurrency slot while MediaLive made its channel: all 1000 were sent before
  // the first could have become IDLE (with slots held, 20 at a time, they would take 250 s), and
  // no start came before the last create: create all, then start.
  expect(Math.max(...calls.creates) - liveAt).toBeLessThan(CREATE_MS);
  expect(Math.min(...calls.starts)).toBeGreaterThanOrEqual(Math.max(...calls.creates));
  // Each create queued its guard (a look at the end of its lease), to resume it should the run die.
  expect(summary.queued).toBeGreaterThanOrEqual(DESTINATIONS);

  // What AWS delivers while MediaLive starts the channels (no scheduled run): the queued
  // look-agains and create guards, and the RUNNING state-change events that record them active.
  for (let t = 0; t < START_MS + 20_000; t += 10_000) {
    system.clock.advance(10_000);
    system.sim.pollStateChanges();
    await system.deliverEvents();
    await system.flushQueue();
  }
  expect(await statuses()).toEqual({ active: DESTINATIONS });
  expect(system.sim.runningChannels()).toHaveLength(DESTINATIONS);
  expect(system.sim.stats()).toMatchObject({ channelsCreated: DESTINATIONS, totalStarts: DESTINATIONS });
  expect(system.failures).toEqual([]);
}, 600_000);

it('a run whose deadline leaves one pass hands the rest to the queue, and the queue and events alone finish the go-live', async () => {
  const count = 100; // enough for the many-destination path (a scan per pass); 1000 would only take longer
  system = await startSystem({ simulator: { maxChannels: 2 * count, maxInputs: 2 * count } });
  await seed(count);
  const calls = recordCalls();
  system.sim.goLive(CHANNEL_A);
  // 20 s left, less the 15 s hand-off margin: one pass (the inputs), then everything goes to the queue.
  const summary = await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'), 20_000);
  expect(summary).toMatchObject({ passes: 1, failures: 0 });
  expect(summary.queued).toBeGreaterThanOrEqual(count);
  expect(system.sim.stats().inputsCreated).toBe(count);
  expect(calls.creates).toHaveLength(0);

  for (let t = 0; t < 5 * 60_000; t += 10_000) {
    system.clock.advance(10_000);
    system.sim.pollStateChanges();
    await system.deliverEvents();
    await system.flushQueue();
  }
  expect(await statuses()).toEqual({ active: count });
  expect(system.sim.stats()).toMatchObject({ channelsCreated: count, inputsCreated: count, totalStarts: count });
  expect(system.failures).toEqual([]);
}, 600_000);
