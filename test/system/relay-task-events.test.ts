/**
 * ECS `ECS Task State Change` events through the monitor handler (dynalite, the simulated ECS,
 * which emits the events in EventBridge's shape): a pass-through destination shows `active` as
 * soon as its task is RUNNING, and gets a new task as soon as its task STOPPED, without waiting for
 * the schedule or a queued look; a repeated event changes nothing; another cluster's task is
 * ignored without a call.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { EcsTaskStateChangeEvent } from '../../lambdas/adapters/ecs/task-events';
import { CHANNEL_A, startSystem, type System } from '../support/system';

let system: System | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

const body = { platform: 'custom', name: 'Studio', rtmpUrl: 'rtmps://live.example.com/app', streamKey: 'live_5566_TaskEventKey' };

/** A passthrough destination whose task was just run (PROVISIONING) by the IVS event's reconcile. */
async function liveDestination(): Promise<{ s: System; id: string }> {
  const s = await startSystem({ passthrough: true, defaultMode: 'passthrough' });
  system = s;
  const created = await s.api('POST', '/stream-destinations', body, undefined, {}, false);
  s.sim.goLive(CHANNEL_A);
  await s.monitor(s.ivsEvent(CHANNEL_A, 'Stream Start'));
  return { s, id: created.json.id as string };
}

const view = async (s: System, id: string) => (await s.api('GET', `/stream-destinations/${id}`, undefined, undefined, {}, false)).json;
const operations = (s: System, from: number) => s.ecs.requests.slice(from).map((r) => r.operation);

/** Moves the simulated tasks until their next state and hands over the events that made. */
function tickEcs(s: System, times: number): EcsTaskStateChangeEvent[] {
  for (let i = 0; i < times; i++) s.ecs.tick();
  return s.ecsEvents.splice(0);
}

describe('ECS task state change events', () => {
  it('shows the destination active as soon as its task reaches RUNNING, without a scheduled run', async () => {
    const { s, id } = await liveDestination();
    expect((await view(s, id)).status).toBe('starting');
    s.ecsEvents.splice(0);

    const events = tickEcs(s, 3);
    expect(events.map((e) => e.detail.lastStatus)).toEqual(['PENDING', 'ACTIVATING', 'RUNNING']);
    const running = events.at(-1) as EcsTaskStateChangeEvent;
    const before = s.ecs.requests.length;
    const summary = await s.monitor(running as unknown as Record<string, unknown>);

    expect(summary.scope).toBe('destination');
    expect((await view(s, id)).status).toBe('active');
    // One destination, looked at directly: the task described, no listing of the cluster.
    expect(operations(s, before)).toEqual(['DescribeTasks']);
  });

  it('changes nothing when the same event arrives twice', async () => {
    const { s, id } = await liveDestination();
    const running = tickEcs(s, 3).at(-1) as EcsTaskStateChangeEvent;
    await s.monitor(running as unknown as Record<string, unknown>);
    const first = await view(s, id);
    const requests = s.ecs.requests.length;
    const history = (await s.api('GET', `/stream-destinations/${id}/events`, undefined, undefined, {}, false)).json.events.length;

    const summary = await s.monitor(running as unknown as Record<string, unknown>);

    expect(summary.actions).toBe(0);
    expect(await view(s, id)).toEqual(first);
    expect(operations(s, requests)).toEqual(['DescribeTasks']);
    expect((await s.api('GET', `/stream-destinations/${id}/events`, undefined, undefined, {}, false)).json.events).toHaveLength(history);
  });

  it('runs a new task at once when the destination’s task stopped by itself while it is still wanted', async () => {
    const { s, id } = await liveDestination();
    await s.monitor(tickEcs(s, 3).at(-1) as unknown as Record<string, unknown>);
    const task = [...s.ecs.tasks.values()][0]!.taskArn as string;
    s.ecs.exitTask(task);
    const stopped = tickEcs(s, 4).find((e) => e.detail.lastStatus === 'STOPPED');
    expect(stopped?.detail).toMatchObject({ taskArn: task, desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
    const before = s.ecs.requests.length;

    const summary = await s.monitor(stopped as unknown as Record<string, unknown>);

    // The one destination, not a full reconcile.
    expect(summary.scope).toBe('destination');
    expect(operations(s, before)).toContain('RunTask');
    const replacement = [...s.ecs.tasks.values()].find((t) => t.taskArn !== task);
    expect(replacement?.lastStatus).not.toBe('STOPPED');
    expect((await view(s, id)).status).toBe('starting');
  });

  it('ignores the event of a task on another cluster, or of another family, without any call', async () => {
    const { s, id } = await liveDestination();
    const running = tickEcs(s, 3).at(-1) as EcsTaskStateChangeEvent;
    const status = (await view(s, id)).status;
    const before = s.ecs.requests.length;
    const foreignCluster = {
      ...running,
      detail: { ...running.detail, clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/someone-elses' },
    };
    const foreignFamily = {
      ...running,
      detail: { ...running.detail, taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web-app:3' },
    };

    for (const event of [foreignCluster, foreignFamily]) {
      expect((await s.monitor(event as unknown as Record<string, unknown>)).scope).toBe('ignore');
    }

    expect(s.ecs.requests.length).toBe(before);
    expect((await view(s, id)).status).toBe(status);
  });
});
