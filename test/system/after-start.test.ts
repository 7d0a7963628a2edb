/**
 * What follows a `start` step (docs/architecture.md, "The reconcile contract"). A step asks to be
 * looked at again when a step will be due once the engine's transition ends (create → start,
 * stop → delete or rebuild). When a start's transition ends as it should, no step is due: only the
 * status `active` is left to record, and the MediaLive state-change event does that at once, as
 * issue 8 asks ("running → record active, instead of polling"). So `start` returns done and queues
 * no look-again: one per start would double the DescribeChannel calls of a go-live (each event
 * already costs one) at the moment MediaLive is busiest. Events are best effort
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-medialive.html); when the RUNNING
 * event is lost, the one-minute schedule records `active`, within a minute.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { WorkItem } from '../../lambdas/core/ports';
import { CHANNEL_A, startSystem, type System } from '../support/system';

let system: System | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

async function goLiveAndStart(s: System): Promise<string> {
  const created = await s.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: 'key-aaaa-bbbb-cccc' });
  expect(created.statusCode).toBe(201);
  s.sim.goLive(CHANNEL_A);
  // One invocation creates the input and the channel, waits out the 5 s create inline, starts it.
  await s.monitor(s.ivsEvent(CHANNEL_A, 'Stream Start'));
  expect(s.sim.stats().totalStarts).toBe(1);
  return created.json.id as string;
}

const status = async (s: System, id: string) =>
  (await s.api('GET', `/stream-destinations/${id}`, undefined, undefined, {}, false)).json.status as string;
const lookAgains = (s: System, id: string): WorkItem[] =>
  s.queue.sent.filter((m) => m.kind === 'destination' && m.destinationId === id && m.reason === 'look again');

describe('after a start', () => {
  it('queues no look-again: the MediaLive RUNNING event records active at once', async () => {
    system = await startSystem();
    const id = await goLiveAndStart(system);
    expect(lookAgains(system, id)).toEqual([]);
    expect(await status(system, id)).toBe('starting');

    system.clock.advance(61_000); // MediaLive's start (the simulator's 60 s)
    system.sim.pollStateChanges();
    expect(await system.deliverEvents()).toBeGreaterThan(0);
    expect(await status(system, id)).toBe('active');
  });

  it('leaves recording active to the next scheduled run when the RUNNING event is lost', async () => {
    system = await startSystem();
    const id = await goLiveAndStart(system);
    // Time passes second by second: the queue delivers what is due (the create's guard at the
    // lease end finds the channel still starting); EventBridge loses every MediaLive event.
    for (let second = 0; second < 61; second++) {
      system.clock.advance(1_000);
      system.sim.pollStateChanges();
      system.events.splice(0);
      await system.flushQueue();
    }
    expect(system.sim.channels().map((c) => c.state)).toEqual(['RUNNING']);
    expect(await status(system, id)).toBe('starting');

    await system.monitor(); // the one-minute schedule
    expect(await status(system, id)).toBe('active');
    expect(system.sim.stats().totalStarts).toBe(1);
  });
});
