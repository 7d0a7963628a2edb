/**
 * The whole control plane over dynalite and the simulator: API, monitor, reconciler.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ThrottledError } from '../../lambdas/core/errors';
import type { System } from '../support/system';
import { CHANNEL_A, CHANNEL_B, startSystem } from '../support/system';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';

const KEY = 'test-key-aaaa-bbbb-cccc-dddd';

let system: System;

/** Ten seconds pass: due queue messages and MediaLive events are delivered, the schedule runs. */
async function tick(times = 1, advanceMs = 10_000): Promise<void> {
  for (let i = 0; i < times; i++) await system.tick(advanceMs);
}

async function createYouTube(extra: Record<string, unknown> = {}) {
  const res = await system.api('POST', '/stream-destinations', { platform: 'youtube', name: 'YouTube', streamKey: KEY, ...extra });
  expect(res.statusCode).toBe(201);
  return res.json as { id: string };
}

/** Someone deletes a destination item directly in DynamoDB, leaving its MediaLive channel orphaned. */
function deleteItemBehindItsBack(id: string) {
  return system.db.doc.send(new DeleteCommand({ TableName: system.db.tables.destinations, Key: { id } }));
}

async function statusOf(id: string): Promise<string> {
  return (await system.api('GET', `/stream-destinations/${id}`)).json.status;
}

describe('go live and stream end', () => {
  beforeEach(async () => {
    system = await startSystem({ graceSeconds: 120 });
  });
  afterEach(async () => system.stop());

  it('starts an enabled destination when the IVS event arrives and shows it active once MediaLive runs', async () => {
    const { id } = await createYouTube();
    expect(await statusOf(id)).toBe('inactive');
    system.sim.goLive(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    expect(system.sim.stats().channelsCreated).toBe(1);
    expect(system.sim.stats().totalStarts).toBe(1);
    expect(await statusOf(id)).toBe('starting');
    await tick(7);
    expect(await statusOf(id)).toBe('active');
    const [channel] = system.sim.runningChannels();
    expect(system.sim.streamKeyMatches(channel!.id, KEY)).toBe(true);
  });

  it('starts from the schedule alone when the IVS event is lost', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    expect(await statusOf(id)).toBe('active');
  });

  it('keeps running through the grace period after the stream ends, then stops', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    system.sim.goOffline(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    await tick(11); // 110 s
    expect(system.sim.runningChannels()).toHaveLength(1);
    expect(await statusOf(id)).toBe('active');
    await tick(2); // past 120 s
    expect(system.sim.stats().totalStops).toBe(1);
    await tick(4);
    expect(await statusOf(id)).toBe('inactive');
    expect(system.sim.runningChannels()).toHaveLength(0);
  });

  it('says when the grace period ends, and ending it now stops the destination at once', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    system.sim.goOffline(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    const offline = (await system.api('GET', '/stream-status')).json.channels[0];
    expect(offline.state).toBe('OFFLINE');
    expect(Date.parse(offline.stopsAt) - Date.parse(offline.since)).toBe(120_000);
    await tick(1); // 10 s into the grace period: still running
    expect(system.sim.runningChannels()).toHaveLength(1);

    const ended = await system.api('POST', '/channels/AbCdEf123456/end-grace');
    expect(ended.statusCode).toBe(202);
    expect(ended.json).toMatchObject({ channelArn: CHANNEL_A, state: 'OFFLINE', stopsAt: null });
    // The API's queue message alone makes the monitor stop it: no schedule run, no clock advance.
    expect(system.sim.stats().totalStops).toBe(1);
    await tick(4); // MediaLive's stop takes a while
    expect(await statusOf(id)).toBe('inactive');
    expect(system.sim.runningChannels()).toHaveLength(0);

    // Idempotent: once more answers the same, and changes nothing.
    const again = await system.api('POST', '/channels/AbCdEf123456/end-grace', {});
    expect(again.statusCode).toBe(202);
    expect(again.json.stopsAt).toBeNull();
    expect(system.sim.stats().totalStops).toBe(1);

    // A stream that comes back now begins a new broadcast, and the destination starts again.
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    expect(system.sim.runningChannels()).toHaveLength(1);
    expect((await system.api('GET', '/stream-status')).json.channels[0].stopsAt).toBeNull();
  });

  it('refuses to end the grace period of a live channel (409) and names unknown channels (404)', async () => {
    await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    const live = await system.api('POST', '/channels/AbCdEf123456/end-grace');
    expect(live.statusCode).toBe(409);
    expect(live.json.error.code).toBe('CHANNEL_LIVE');
    expect(system.sim.runningChannels()).toHaveLength(1);

    const unknown = await system.api('POST', '/channels/NoSuchChannel/end-grace');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'CHANNEL_NOT_FOUND', message: expect.stringContaining('use one of AbCdEf123456') });
    const arn = await system.api('POST', `/channels/${encodeURIComponent(CHANNEL_A)}/end-grace`);
    expect(arn.statusCode).toBe(404);
    expect(arn.json.error.message).toContain('last part of the channel ARN');
    const body = await system.api('POST', '/channels/AbCdEf123456/end-grace', { now: true });
    expect(body.statusCode).toBe(400);
    expect(body.json.error.details.fields).toEqual([{ field: 'now', message: 'is not a known field; send no body or {}' }]);
  });

  it("reveals the channel's encoder settings and IVS stream key, never cached and never logged", async () => {
    const settings = await system.api('GET', '/channels/AbCdEf123456');
    expect(settings.statusCode).toBe(200);
    expect(settings.json).toEqual({
      channelArn: CHANNEL_A,
      channelId: 'AbCdEf123456',
      ingestServer: expect.stringMatching(/^rtmps:\/\/.+:443\/app\/$/),
      playbackUrl: expect.stringMatching(/^https:\/\/.+\.m3u8$/),
    });
    const key = await system.api('GET', '/channels/AbCdEf123456/stream-key');
    expect(key.statusCode).toBe(200);
    expect(key.headers?.['Cache-Control']).toBe('no-store');
    const ivsKey = await system.sim.ivs.streamKey(CHANNEL_A);
    expect(key.json).toEqual({
      channelArn: CHANNEL_A,
      channelId: 'AbCdEf123456',
      ingestServer: settings.json.ingestServer,
      streamKey: ivsKey,
    });
    expect(JSON.stringify(system.logs)).not.toContain(ivsKey);
    expect(system.logs.some((l) => l.message === 'IVS stream key revealed')).toBe(true);
  });

  it('continues the same broadcast when the encoder reconnects within the grace period', async () => {
    await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    system.sim.goOffline(CHANNEL_A);
    await tick(3);
    system.sim.goLive(CHANNEL_A);
    await tick(20);
    expect(system.sim.stats().totalStops).toBe(0);
    expect(system.sim.runningChannels()).toHaveLength(1);
    // The returned stream reaches the platform: the channel re-read its input, it is not black.
    expect(system.sim.runningChannels()[0]!.output).toBe('media');
  });

  it('restarts a destination whose start failed, instead of waiting for the next stream', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    // MediaLive throttles every create for a while; observation keeps working.
    const createInput = jest
      .spyOn(system.sim.medialive, 'createInput')
      .mockRejectedValue(new ThrottledError('medialive:CreateInput: Too many requests'));
    await tick(2);
    const failed = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect(failed.lastError).toMatchObject({ code: 'THROTTLED' });
    expect(system.failures.length).toBeGreaterThan(0);
    createInput.mockRestore();
    await tick(9);
    const healed = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect(healed.status).toBe('active');
    expect(healed.lastError).toBeNull();
  });

  it('records a failed channel creation and recreates the channel at the next desired start', async () => {
    const { id } = await createYouTube();
    system.sim.setFaults({ rate: 1, kinds: ['create-failure'] });
    system.sim.goLive(CHANNEL_A);
    await tick(2);
    const failed = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect(failed.status).toBe('error');
    expect(failed.lastError.code).toBe('MEDIALIVE_CREATE_FAILED');
    system.sim.setFaults(undefined);
    // Recreated no sooner than a minute after the failure (no create-fail-delete loop), then started.
    await tick(15);
    expect(await statusOf(id)).toBe('active');
    expect(system.sim.channels().filter((c) => c.state !== 'DELETED')).toHaveLength(1);
  });

  it('stops and removes an orphaned channel whose destination item is gone', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    const item = await deleteItemBehindItsBack(id);
    expect(item).toBeDefined();
    await tick(1);
    expect(system.sim.stats().totalStops).toBe(1);
    await tick(6);
    expect(system.sim.channels()).toHaveLength(0);
  });
});

describe('manual start and stop', () => {
  beforeEach(async () => {
    system = await startSystem();
  });
  afterEach(async () => system.stop());

  it('refuses a manual start while the channel is offline, with a clear 409', async () => {
    const { id } = await createYouTube();
    const res = await system.api('POST', `/stream-destinations/${id}/start`);
    expect(res.statusCode).toBe(409);
    expect(res.json.error.code).toBe('CHANNEL_OFFLINE');
    expect(res.json.error.message).toMatch(/not live/);
  });

  it('keeps a manually stopped destination off for the current stream and brings it back on the next', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    const stop = await system.api('POST', `/stream-destinations/${id}/stop`);
    expect(stop.statusCode).toBe(202);
    // The API answers at once; the monitor, fed by the queue, stops it right after.
    expect(await statusOf(id)).toBe('stopping');
    await tick(10);
    expect(await statusOf(id)).toBe('inactive');
    expect(system.sim.stats().totalStarts).toBe(1);

    system.sim.goOffline(CHANNEL_A);
    await tick(15);
    system.sim.goLive(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    await tick(8);
    expect(await statusOf(id)).toBe('active');
    expect(system.sim.stats().totalStarts).toBe(2);
  });

  it('a manual start after a manual stop sends the current stream again', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    await system.api('POST', `/stream-destinations/${id}/stop`);
    await tick(5);
    const start = await system.api('POST', `/stream-destinations/${id}/start`);
    expect(start.statusCode).toBe(202);
    expect(start.json.pausedStreamId).toBeNull();
    await tick(8);
    expect(await statusOf(id)).toBe('active');
  });

  it('disabling a live destination stops it at once; enabling starts it again', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    await system.api('PUT', `/stream-destinations/${id}`, { enabled: false });
    expect(system.sim.stats().totalStops).toBe(1);
    await tick(5);
    await system.api('PUT', `/stream-destinations/${id}`, { enabled: true });
    await tick(8);
    expect(await statusOf(id)).toBe('active');
  });
});

describe('changes and deletion', () => {
  beforeEach(async () => {
    system = await startSystem({ channels: [CHANNEL_A, CHANNEL_B] });
  });
  afterEach(async () => system.stop());

  it('applies a new stream key by rebuilding the channel, and the new channel carries the new key', async () => {
    const { id } = await createYouTube({ channelArn: CHANNEL_A });
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    const res = await system.api('PUT', `/stream-destinations/${id}`, { streamKey: 'another-key-eeee-ffff' });
    expect(res.statusCode).toBe(200);
    expect(res.json.streamKeyMasked).toBe('••••ffff');
    await tick(20);
    const running = system.sim.runningChannels();
    expect(running).toHaveLength(1);
    expect(system.sim.streamKeyMatches(running[0]!.id, 'another-key-eeee-ffff')).toBe(true);
    expect(system.sim.channels()).toHaveLength(1);
    expect(await statusOf(id)).toBe('active');
  });

  it('follows only its own IVS channel', async () => {
    const a = await createYouTube({ channelArn: CHANNEL_A, name: 'A' });
    const b = await createYouTube({ channelArn: CHANNEL_B, name: 'B' });
    system.sim.goLive(CHANNEL_B);
    await system.monitor(system.ivsEvent(CHANNEL_B, 'Stream Start'));
    await tick(8);
    expect(await statusOf(a.id)).toBe('inactive');
    expect(await statusOf(b.id)).toBe('active');
    const status = (await system.api('GET', '/stream-status')).json;
    expect(status.channels).toEqual([
      { channelArn: CHANNEL_A, channelId: 'AbCdEf123456', state: 'OFFLINE', streamId: null, since: expect.any(String), stopsAt: null },
      {
        channelArn: CHANNEL_B,
        channelId: 'GhIjKl789012',
        state: 'LIVE',
        streamId: expect.any(String),
        since: expect.any(String),
        stopsAt: null,
      },
    ]);
  });

  it('deletes a destination with nothing in MediaLive at once (204)', async () => {
    const { id } = await createYouTube({ channelArn: CHANNEL_A });
    const res = await system.api('DELETE', `/stream-destinations/${id}`);
    expect(res.statusCode).toBe(204);
    expect((await system.api('GET', `/stream-destinations/${id}`)).statusCode).toBe(404);
  });

  it('deletes a live destination in the background (202), leaving nothing in MediaLive', async () => {
    const { id } = await createYouTube({ channelArn: CHANNEL_A });
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    const res = await system.api('DELETE', `/stream-destinations/${id}`);
    expect(res.statusCode).toBe(202);
    expect(res.json.status).toBe('deleting');
    expect((await system.api('PUT', `/stream-destinations/${id}`, { name: 'x' })).statusCode).toBe(409);
    await tick(10);
    expect((await system.api('GET', `/stream-destinations/${id}`)).statusCode).toBe(404);
    expect(system.sim.channels()).toHaveLength(0);
    expect(system.sim.inputIds()).toHaveLength(0);
  });
});

describe('repairs', () => {
  beforeEach(async () => {
    system = await startSystem();
  });
  afterEach(async () => system.stop());

  it('finishes a deletion while scheduled reconciles run during it, leaving nothing behind', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    // The API deletes (stop, wait, delete, wait) while the schedule keeps firing.
    const results = await Promise.all([
      system.api('DELETE', `/stream-destinations/${id}`),
      system.monitor(),
      system.monitor(),
      system.monitor(),
    ]);
    expect([202, 204]).toContain((results[0] as { statusCode: number }).statusCode);
    for (let i = 0; i < 10 && (await system.api('GET', `/stream-destinations/${id}`)).statusCode !== 404; i++) {
      await Promise.all([tick(1, 3_000), system.monitor()]);
    }
    expect((await system.api('GET', `/stream-destinations/${id}`)).statusCode).toBe(404);
    expect(system.sim.channels()).toHaveLength(0);
    expect(system.sim.inputIds()).toHaveLength(0);
  });

  it('deletes the inputs of an orphaned channel even when the channel takes longer to go than one reconcile waits', async () => {
    await system.stop();
    system = await startSystem({ simulator: { timings: { deleteMs: 45_000 } } });
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    await deleteItemBehindItsBack(id);
    await tick(12);
    expect(system.sim.channels()).toHaveLength(0);
    expect(system.sim.inputIds()).toEqual([]);
  });

  it('creates a new input when the recorded one was deleted behind its back', async () => {
    const { id } = await createYouTube();
    system.sim.goLive(CHANNEL_A);
    await tick(8);
    await system.api('PUT', `/stream-destinations/${id}`, { enabled: false });
    await tick(5);
    // Someone deletes the channel and its input by hand in the MediaLive console.
    const [channel] = system.sim.channels();
    await system.sim.medialive.deleteChannel(channel!.id);
    system.clock.advance(60_000);
    for (const inputId of system.sim.inputIds()) await system.sim.medialive.deleteInput(inputId);
    await system.api('PUT', `/stream-destinations/${id}`, { enabled: true });
    await tick(10);
    const view = (await system.api('GET', `/stream-destinations/${id}`)).json;
    expect({ status: view.status, lastError: view.lastError }).toEqual({ status: 'active', lastError: null });
    expect(system.sim.runningChannels()).toHaveLength(1);
  });
});
