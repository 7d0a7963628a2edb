/**
 * Relay modes through the whole back end (API and monitor handlers, dynalite, the IVS/MediaLive
 * simulator and the simulated ECS): the mode a destination gets, the 409 of a deployment without
 * relays, both engines behind one reconciler, a mode change moving the relay to the other engine,
 * items stored before modes, and one engine's listing failing without stopping the other.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../../lambdas/core/errors';
import { closeModelServer, runHistory } from '../support/model';
import { CHANNEL_A, startSystem, type System } from '../support/system';

let system: System | undefined;
// runHistory shares one dynalite server per process; left open, it keeps Jest from exiting.
afterAll(closeModelServer);
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

const KEY = 'live_5566_ModeTestKey';
const body = (extra: Record<string, unknown> = {}) => ({
  platform: 'custom',
  name: 'Studio',
  rtmpUrl: 'rtmps://live.example.com/app',
  streamKey: KEY,
  ...extra,
});

async function settle(s: System, rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await s.tick(10_000);
}

const runningTasks = (s: System) => [...s.ecs.tasks.values()].filter((t) => t.lastStatus === 'RUNNING');
const runningChannels = (s: System) => s.sim.channels().filter((c) => c.state === 'RUNNING');

describe('a deployment without relays', () => {
  it('gives new destinations mode transcode and refuses passthrough with a 409 that says how to enable it', async () => {
    system = await startSystem();
    const refused = await system.api('POST', '/stream-destinations', body({ mode: 'passthrough' }));
    expect(refused.statusCode).toBe(409);
    expect(refused.json.error.code).toBe('RELAY_MODE_UNAVAILABLE');
    expect(refused.json.error.message).toContain('mode: passthrough is not enabled in this deployment');
    expect(refused.json.error.message).toContain('enableRelays: true');
    expect(refused.json.error.message).toContain('create_relays = true');
    expect(refused.json.error.details.fields).toEqual([{ field: 'mode', message: expect.stringContaining('enableRelays') }]);
    // Nothing was written.
    expect((await system.api('GET', '/stream-destinations')).json.destinations).toEqual([]);

    const created = await system.api('POST', '/stream-destinations', body());
    expect(created.statusCode).toBe(201);
    expect(created.json.mode).toBe('transcode');
    const before = (await system.api('GET', `/stream-destinations/${created.json.id}`)).json.version as number;
    const changed = await system.api('PUT', `/stream-destinations/${created.json.id}`, { mode: 'passthrough' });
    expect(changed.statusCode).toBe(409);
    expect(changed.json.error.code).toBe('RELAY_MODE_UNAVAILABLE');
    expect((await system.api('GET', `/stream-destinations/${created.json.id}`)).json).toMatchObject({ mode: 'transcode', version: before });
  });

  it('answers a mode that does not exist with a 400 naming the field', async () => {
    system = await startSystem();
    const bad = await system.api('POST', '/stream-destinations', body({ mode: 'copy' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json.error.details.fields).toEqual([
      { field: 'mode', message: expect.stringContaining('must be one of passthrough, transcode') },
    ]);
    const typed = await system.api('POST', '/stream-destinations', body({ mode: 1 }));
    expect(typed.json.error.details.fields).toEqual([{ field: 'mode', message: expect.stringContaining('expected a string, got number') }]);
  });
});

describe('a deployment with relays', () => {
  it('runs a new destination as a pass-through ECS task by default, with no MediaLive channel', async () => {
    system = await startSystem({ passthrough: true, defaultMode: 'passthrough' });
    const created = await system.api('POST', '/stream-destinations', body());
    expect(created.json.mode).toBe('passthrough');
    system.sim.goLive(CHANNEL_A);
    await settle(system);
    const view = (await system.api('GET', `/stream-destinations/${created.json.id}`)).json;
    expect(view).toMatchObject({ status: 'active', mode: 'passthrough', mediaLiveChannelId: null });
    expect(runningTasks(system)).toHaveLength(1);
    expect(system.sim.channels()).toEqual([]);
    expect(runningTasks(system)[0]?.resolvedEnvironment?.STREAM_KEY).toBe(KEY);
  });

  it('moves a live destination to the other engine when its mode changes, and back', async () => {
    system = await startSystem({ passthrough: true, defaultMode: 'passthrough' });
    const { id } = (await system.api('POST', '/stream-destinations', body())).json;
    system.sim.goLive(CHANNEL_A);
    await settle(system);
    expect(runningTasks(system)).toHaveLength(1);

    const toTranscode = await system.api('PUT', `/stream-destinations/${id}`, { mode: 'transcode' });
    expect(toTranscode.statusCode).toBe(200);
    expect(toTranscode.json.mode).toBe('transcode');
    await settle(system, 14);
    let view = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect(view.status).toBe('active');
    expect(runningChannels(system)).toHaveLength(1);
    expect(view.mediaLiveChannelId).toBe(runningChannels(system)[0]?.id);
    expect(runningTasks(system)).toHaveLength(0);
    // The old engine's source is gone too: the task definition deregistered, the key's parameter deleted.
    expect(system.ecs.taskDefinitions.every((d) => d.status === 'INACTIVE')).toBe(true);
    expect(system.ecs.parameters.size).toBe(0);

    await system.api('PUT', `/stream-destinations/${id}`, { mode: 'passthrough' });
    await settle(system, 14);
    view = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect(view).toMatchObject({ status: 'active', mode: 'passthrough', mediaLiveChannelId: null });
    expect(runningTasks(system)).toHaveLength(1);
    expect(system.sim.channels()).toEqual([]);
    expect(system.sim.inputIds()).toEqual([]);
  });

  it('keeps starting pass-through destinations while MediaLive cannot be listed, and forgets no MediaLive channel', async () => {
    system = await startSystem({ passthrough: true, defaultMode: 'passthrough' });
    const transcode = (await system.api('POST', '/stream-destinations', body({ name: 'ML', mode: 'transcode' }))).json;
    system.sim.goLive(CHANNEL_A);
    await settle(system);
    const channelId = (await system.api('GET', `/stream-destinations/${transcode.id}`)).json.mediaLiveChannelId;
    expect(channelId).not.toBeNull();

    // MediaLive's ListChannels fails (an outage of that one service); IVS and ECS answer.
    const listChannels = system.sim.medialive.listChannels;
    system.sim.medialive.listChannels = () => Promise.reject(new ServiceUnavailableError('ListChannels: Service unavailable'));
    const copy = (await system.api('POST', '/stream-destinations', body({ name: 'Copy' }))).json;
    await settle(system, 4);
    expect((await system.api('GET', `/stream-destinations/${copy.id}`)).json.status).toBe('active');
    expect(runningTasks(system)).toHaveLength(1);
    // The MediaLive destination was left alone: its channel is still recorded, none was made twice.
    expect((await system.api('GET', `/stream-destinations/${transcode.id}`)).json.mediaLiveChannelId).toBe(channelId);
    expect(system.failures.some((f) => f.destinationId === '(listRelays:medialive)')).toBe(true);
    system.sim.medialive.listChannels = listChannels;
    await settle(system, 3);
    expect(runningChannels(system).map((c) => c.id)).toEqual([channelId]);
  });
});

describe('items stored before relay modes', () => {
  it('read as transcode and keep running on MediaLive', async () => {
    system = await startSystem({ passthrough: true, defaultMode: 'passthrough' });
    const created = (await system.api('POST', '/stream-destinations', body({ mode: 'transcode' }))).json;
    // The same item as an older version wrote it: no `mode` attribute.
    const key = { TableName: system.db.tables.destinations, Key: { id: created.id } };
    const stored = (await system.db.doc.send(new GetCommand(key))).Item as Record<string, unknown>;
    delete stored.mode;
    await system.db.doc.send(new PutCommand({ TableName: system.db.tables.destinations, Item: stored }));

    expect((await system.api('GET', `/stream-destinations/${created.id}`)).json.mode).toBe('transcode');
    system.sim.goLive(CHANNEL_A);
    await settle(system);
    expect((await system.api('GET', `/stream-destinations/${created.id}`)).json).toMatchObject({ status: 'active', mode: 'transcode' });
    expect(runningChannels(system)).toHaveLength(1);
    expect(system.ecs.tasks.size).toBe(0);
  });
});

describe('the model harness with both engines', () => {
  it('checks a pass-through destination against ECS and follows it through mode switches', async () => {
    const outcome = await runHistory([
      { kind: 'create', slot: 0, channel: 0, enabled: true, mode: 'passthrough' },
      { kind: 'create', slot: 1, channel: 0, enabled: true, mode: 'transcode' },
      { kind: 'goLive', channel: 0, event: 'delivered' },
      { kind: 'wait', ms: 120_000 },
      { kind: 'update', slot: 0, change: 'mode' },
      { kind: 'update', slot: 1, change: 'mode' },
      { kind: 'wait', ms: 60_000 },
      { kind: 'update', slot: 0, change: 'mode' },
    ]);
    expect(outcome.violations).toEqual([]);
    const picture = JSON.parse(outcome.picture) as { items: { mode: string }[]; tasks: unknown[]; channels: { state: string }[] };
    // Slot 0 is back on pass-through, slot 1 moved to it: two running tasks, no MediaLive channel.
    expect(picture.items.map((i) => i.mode)).toEqual(['passthrough', 'passthrough']);
    expect(picture.tasks).toHaveLength(2);
    expect(picture.channels).toEqual([]);
  }, 60_000);
});
