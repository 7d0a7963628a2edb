/**
 * `npm start` end to end with real media, in both relay modes: a destination pointing at a local
 * RTMP sink receives H.264 + AAC after go-live — encoded with its profile (transcode: an ffmpeg
 * encode behind the simulated MediaLive channel), or copied unchanged (passthrough: an ffmpeg copy
 * standing in for the simulated ECS task's container, checked frame by frame against the source) —
 * and the push ends within the grace period + 5 s after the stream goes offline. The stream key
 * appears in no log line, API answer or relay view, and in no ECS/SSM request but the PutParameter.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encodingProfile } from '../../../../lambdas/adapters/medialive/encoding-profiles';
import { LOCAL_CHANNEL_ARN, type LocalStack } from '../../../../scripts/local-stack';
import { channelIdOf } from '../../../../scripts/local/media/local-media';
import { decodedFrameHashes, probeStreams } from '../../../../scripts/local/media/probe';
import type { RtmpSink } from '../../../../scripts/local/media/sink';
import { waitFor } from '../../../support/wait';
import { startStackHarness, type StackHarness } from '../../../support/local-stack-harness';

const KEY = 'live_stack_sink_key_93ad01';
const GRACE_SECONDS = 3;
let harness: StackHarness;
let stack: LocalStack;
let sink: RtmpSink;
const logged = (): string => JSON.stringify(harness.logs);

beforeAll(async () => {
  harness = await startStackHarness('stack-relay', {
    realMedia: true,
    timescale: 1000,
    graceSeconds: GRACE_SECONDS,
    reconcileIntervalSeconds: 0.5,
  });
  stack = harness.stack;
  sink = await harness.startSink({ streamKey: KEY });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
}, 30_000);

async function relays(): Promise<{ text: string; list: any[] }> {
  const text = await (await fetch(`${stack.url}/_local/relays`)).text();
  return { text, list: JSON.parse(text).relays };
}

/** Offline: the relay stops and the push ends within the grace period + 5 s; nothing is pushed again. */
async function expectOfflineEndsThePush(to: RtmpSink): Promise<void> {
  const offline = await fetch(`${stack.url}/_local/ivs/offline`, { method: 'POST' });
  expect(offline.status).toBe(200);
  const limit = (GRACE_SECONDS + 5) * 1000;
  await waitFor(async () => (await relays()).list.length === 0, { what: 'the relay to stop', timeoutMs: limit, intervalMs: 100 });
  await waitFor(() => !to.receiving, { what: 'the push to end', timeoutMs: 2_000, intervalMs: 100 });
  const sessions = to.sessions.length;
  await new Promise((r) => setTimeout(r, 3_000));
  expect(to.sessions.slice(sessions).some((x) => x.firstMediaAt !== undefined)).toBe(false);
}

async function remove(id: string): Promise<void> {
  expect((await fetch(`${stack.url}/stream-destinations/${id}`, { method: 'DELETE' })).status).toBeLessThan(300);
  await waitFor(async () => (await fetch(`${stack.url}/stream-destinations/${id}`)).status === 404, {
    what: 'the destination to be removed',
    timeoutMs: 20_000,
    intervalMs: 100,
  });
}

describe('npm start with real media', () => {
  it('transcode: delivers the profile to a destination on go-live and ends the push within the grace period + 5 s after going offline', async () => {
    const profile = '480p30-2000' as const;
    const created = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'custom', name: 'Local sink', rtmpUrl: sink.rtmpUrl, streamKey: KEY, profile, mode: 'transcode' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const live = await fetch(`${stack.url}/_local/ivs/live`, { method: 'POST' });
    expect(live.status).toBe(200);
    await waitFor(() => sink.current?.firstMediaAt !== undefined, { what: 'media at the sink', timeoutMs: 45_000, intervalMs: 100 });
    await new Promise((r) => setTimeout(r, 3_000));

    const p = encodingProfile(profile);
    const streams = await probeStreams(stack.media!.tools.ffprobe, sink.current!.file);
    expect(streams.find((x) => x.codecType === 'video')).toMatchObject({ codecName: 'h264', width: p.width, height: p.height });
    expect(streams.find((x) => x.codecType === 'audio')).toMatchObject({ codecName: 'aac', sampleRate: p.audioSampleRateHz });

    const view = await relays();
    expect(view.list).toEqual([
      expect.objectContaining({ mode: 'transcode', profile, stats: expect.objectContaining({ phase: 'running' }) }),
    ]);
    expect(view.text).not.toContain(KEY);
    expect(stack.simulator.runningChannels()).toHaveLength(1);
    expect(await (await fetch(`${stack.url}/stream-destinations`)).text()).not.toContain(KEY);

    await expectOfflineEndsThePush(sink);
    await remove(id);
    expect(logged()).not.toContain(KEY);
  }, 150_000);

  it('passthrough (the default): copies the IVS stream unchanged through a simulated ECS task and ends the push after going offline', async () => {
    const created = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'custom', name: 'Local sink (copy)', rtmpUrl: sink.rtmpUrl, streamKey: KEY }),
    });
    expect(created.status).toBe(201);
    const destination = (await created.json()) as { id: string; mode: string };
    expect(destination.mode).toBe('passthrough');

    const wentLive = Date.now();
    const live = await fetch(`${stack.url}/_local/ivs/live`, { method: 'POST' });
    expect(live.status).toBe(200);
    await waitFor(() => (sink.current?.firstMediaAt ?? 0) >= wentLive, { what: 'media at the sink', timeoutMs: 45_000, intervalMs: 100 });
    await new Promise((r) => setTimeout(r, 4_000));

    // Snapshot the source HLS now (the ingest deletes old segments as it goes).
    const hls = join(harness.work, 'data', 'hls', channelIdOf(LOCAL_CHANNEL_ARN));
    const snapshot = join(harness.work, 'source-snapshot');
    await cp(hls, snapshot, { recursive: true });
    const file = sink.current!.file;
    const tools = stack.media!.tools;
    const streams = await probeStreams(tools.ffprobe, file);
    const video = streams.find((x) => x.codecType === 'video');
    const source = await probeStreams(
      tools.ffprobe,
      join(
        snapshot,
        (await readdir(snapshot)).find((n) => n.endsWith('.ts'))!,
      ),
    );
    const sourceVideo = source.find((x) => x.codecType === 'video');
    // The source's own resolution and profile, no re-encode to a destination profile...
    expect(video).toMatchObject({
      codecName: 'h264',
      width: sourceVideo?.width,
      height: sourceVideo?.height,
      profile: sourceVideo?.profile,
    });
    expect(streams.find((x) => x.codecType === 'audio')).toMatchObject({ codecName: 'aac' });
    // ...and copy, not a new encode: the pictures at the sink are exactly the source's.
    const segments = (await readdir(snapshot)).filter((n) => n.endsWith('.ts'));
    const sourceHashes = new Set((await Promise.all(segments.map((n) => decodedFrameHashes(tools.ffmpeg, join(snapshot, n))))).flat());
    const copied = (await decodedFrameHashes(tools.ffmpeg, file)).filter((h) => sourceHashes.has(h)).length;
    expect(copied).toBeGreaterThanOrEqual(30);

    const view = await relays();
    expect(view.list).toEqual([
      expect.objectContaining({ mode: 'passthrough', destinationId: destination.id, stats: expect.objectContaining({ phase: 'running' }) }),
    ]);
    expect(view.text).not.toContain(KEY);
    // The relay is an ECS task: no MediaLive channel; the key reached it only through the SSM parameter.
    expect(stack.simulator.runningChannels()).toEqual([]);
    const [task] = [...stack.ecs.tasks.values()].filter((t) => t.lastStatus === 'RUNNING');
    expect(task?.resolvedEnvironment?.STREAM_KEY).toBe(KEY);
    expect(stack.ecs.requests.filter((r) => JSON.stringify(r.input).includes(KEY)).map((r) => r.operation)).toEqual(['PutParameter']);
    const api = await (await fetch(`${stack.url}/stream-destinations/${destination.id}`)).text();
    expect(JSON.parse(api)).toMatchObject({ status: 'active', mode: 'passthrough', mediaLiveChannelId: null });
    expect(api).not.toContain(KEY);

    await expectOfflineEndsThePush(sink);
    await remove(destination.id);
    expect(logged()).not.toContain(KEY);
  }, 150_000);
});
