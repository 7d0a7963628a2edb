/**
 * Pass-through warnings end to end: IVS's ingest configuration of the stream session, read by
 * the monitor, kept in the stream-state table, compared with each destination's platform in the
 * API's answers.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { System } from '../support/system';
import { CHANNEL_A, startSystem } from '../support/system';

const KEY = 'test-key-aaaa-bbbb-cccc-dddd';
/** 1080p60 at 8 Mbit/s, H.264 High: fine for YouTube, too much for Twitch. */
const HOT_SOURCE = {
  video: { codec: 'h264', profile: 'high', width: 1920, height: 1080, bitrateBps: 8_000_000, framerate: 60 },
  audio: { codec: 'aac', bitrateBps: 160_000, sampleRate: 48_000, channels: 2 },
};

let system: System;

beforeEach(async () => {
  system = await startSystem({ graceSeconds: 120 });
});
afterEach(async () => system.stop());

async function create(platform: string): Promise<string> {
  const res = await system.api('POST', '/stream-destinations', { platform, name: platform, streamKey: KEY });
  expect(res.statusCode).toBe(201);
  expect(res.json.warnings).toEqual([]);
  return res.json.id as string;
}

async function warningCodes(): Promise<Record<string, string[]>> {
  const res = await system.api('GET', '/stream-destinations');
  return Object.fromEntries(
    (res.json.destinations as { name: string; warnings: { code: string }[] }[]).map((d) => [d.name, d.warnings.map((w) => w.code)]),
  );
}

describe('warnings when pass-through will not do', () => {
  it('names the Twitch limits a 1080p60 8 Mbit/s H.264 High source crosses, and none for YouTube', async () => {
    const twitch = await create('twitch');
    await create('youtube');
    system.sim.goLive(CHANNEL_A, { ingest: HOT_SOURCE });
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));

    expect(await warningCodes()).toEqual({ twitch: ['SOURCE_H264_PROFILE', 'SOURCE_VIDEO_BITRATE'], youtube: [] });
    const one = await system.api('GET', `/stream-destinations/${twitch}`);
    expect(one.json.warnings).toContainEqual({
      code: 'SOURCE_VIDEO_BITRATE',
      message:
        'Twitch takes at most 6000 kbit/s of video at this resolution; the IVS source sends 8000 kbit/s. Pass-through sends the stream as it is: use transcode for this destination.',
      field: 'mode',
    });
    // Every destination answer carries them, a change's answer too.
    const renamed = await system.api('PUT', `/stream-destinations/${twitch}`, { name: 'twitch' });
    expect(renamed.json.warnings.map((w: { code: string }) => w.code)).toEqual(['SOURCE_H264_PROFILE', 'SOURCE_VIDEO_BITRATE']);
  });

  it('keeps the last session’s warnings after the stream ends, and clears them when a session that fits begins', async () => {
    await create('twitch');
    system.sim.goLive(CHANNEL_A, { ingest: HOT_SOURCE });
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    system.sim.goOffline(CHANNEL_A);
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream End'));
    expect((await warningCodes()).twitch).toEqual(['SOURCE_H264_PROFILE', 'SOURCE_VIDEO_BITRATE']);

    system.sim.goLive(CHANNEL_A); // the simulator's default source: 720p30 Main, 3.5 Mbit/s
    await system.monitor(system.ivsEvent(CHANNEL_A, 'Stream Start'));
    expect((await warningCodes()).twitch).toEqual([]);
  });

  it('costs the API no IVS call: the warnings come from the stream-state table', async () => {
    await create('twitch');
    system.sim.goLive(CHANNEL_A, { ingest: HOT_SOURCE });
    await system.tick();
    const before = { ...system.sim.calls };
    for (let i = 0; i < 5; i++) await system.api('GET', '/stream-destinations');
    expect(system.sim.calls).toEqual(before);
    expect(system.sim.calls['ivs:GetStreamSession']).toBe(1);
  });
});
