/**
 * The local stack with real media: an RTMP ingest per channel whose sessions drive the simulated
 * IVS stream state, the channel's HLS served like IVS's playback URL, the "Go live" control pushing
 * the test pattern, and the ingest's server and key in config.json for the UI banner.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeLocalStack, LOCAL_CHANNEL_ARN, type LocalStack } from '../../../../scripts/local-stack';
import { TestPattern, testPatternIngest } from '../../../../scripts/local/media/test-pattern';
import { QUIET_LOG as quiet, startStackHarness, type StackHarness } from '../../../support/local-stack-harness';
import { waitFor } from '../../../support/wait';

let harness: StackHarness;
let stack: LocalStack;
const warnings = (): string[] => harness.logs.filter((l) => l.level === 'warn').map((l) => l.message);

async function streamState(): Promise<string> {
  const body = (await (await fetch(`${stack.url}/stream-status`)).json()) as { channels: { state: string }[] };
  return body.channels[0]!.state;
}

beforeAll(async () => {
  harness = await startStackHarness('local-media', {
    realMedia: true,
    timescale: 1000,
    graceSeconds: 0,
    reconcileIntervalSeconds: 0.5,
  });
  stack = harness.stack;
}, 60_000);

afterAll(async () => {
  await harness?.stop();
}, 30_000);

describe('local stack with real media', () => {
  it('shows the RTMP ingest and the HLS playback URL in config.json and in the start-up text', async () => {
    expect(stack.settings.media.real).toBe(true);
    const config = (await (await fetch(`${stack.url}/config.json`)).json()) as any;
    const [ingest] = config.localMedia.ingests;
    expect(config.localMedia.real).toBe(true);
    expect(ingest.channelArn).toBe(LOCAL_CHANNEL_ARN);
    expect(ingest.server).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/app$/);
    expect(ingest.streamKey).toMatch(/^sk_us-east-1_/);
    expect(ingest.playbackUrl).toBe(`${stack.url}/_local/hls/local/index.m3u8`);
    const text = describeLocalStack(stack);
    expect(text).toContain(`RTMP ingest   ${ingest.server}   stream key ${ingest.streamKey}`);
    expect(text).toContain(ingest.playbackUrl);
  });

  it('goes live when the Go live control pushes the test pattern, serves HLS, and goes offline with the ingest', async () => {
    const live = await fetch(`${stack.url}/_local/ivs/live`, { method: 'POST' });
    expect(live.status).toBe(200);
    expect(await streamState()).toBe('LIVE');
    expect(stack.media!.ingests.get(LOCAL_CHANNEL_ARN)!.testPatternRunning).toBe(true);
    // The local IVS's GetStreamSession describes the session with the test pattern's settings.
    const { streamId } = (await stack.simulator.ivs.getStream(LOCAL_CHANNEL_ARN))!;
    expect(await stack.simulator.ivs.getIngest(LOCAL_CHANNEL_ARN, streamId)).toEqual({ streamId, ...testPatternIngest() });

    await waitFor(async () => (await fetch(`${stack.url}/_local/hls/local/index.m3u8`)).status === 200, {
      what: 'the HLS playlist',
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    const playlist = await (await fetch(`${stack.url}/_local/hls/local/index.m3u8`)).text();
    expect(playlist).toContain('#EXTM3U');
    const segment = playlist.split('\n').find((line) => line.endsWith('.ts'))!;
    const ts = await fetch(`${stack.url}/_local/hls/local/${segment}`);
    expect(ts.status).toBe(200);
    expect(ts.headers.get('content-type')).toBe('video/mp2t');
    expect((await ts.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect((await fetch(`${stack.url}/_local/hls/local/..%2F..%2Fstream-key.key`)).status).toBe(404);

    const offline = await fetch(`${stack.url}/_local/ivs/offline`, { method: 'POST' });
    expect(offline.status).toBe(200);
    expect(await streamState()).toBe('OFFLINE');
    expect((await fetch(`${stack.url}/_local/hls/local/index.m3u8`)).status).toBe(404);
  }, 90_000);

  it('follows an outside encoder: live while it pushes, offline when it stops', async () => {
    const ingest = stack.settings.media.ingests[0]!;
    const encoder = new TestPattern({
      ffmpegPath: stack.media!.tools.ffmpeg,
      publishUrl: `${ingest.server}/${ingest.streamKey}`,
      secrets: [ingest.streamKey],
      log: quiet,
      size: '320x180',
    });
    encoder.start();
    try {
      await waitFor(async () => (await streamState()) === 'LIVE', { what: 'LIVE', timeoutMs: 30_000, intervalMs: 200 });
      expect(stack.media!.ingests.get(LOCAL_CHANNEL_ARN)!.testPatternRunning).toBe(false);
      // GetStreamSession answers with what ffprobe reads from the real ingest.
      const { streamId } = (await stack.simulator.ivs.getStream(LOCAL_CHANNEL_ARN))!;
      expect(await stack.simulator.ivs.getIngest(LOCAL_CHANNEL_ARN, streamId)).toEqual({
        streamId,
        video: { codec: 'h264', profile: 'main', width: 320, height: 180 },
        audio: { codec: 'aac', sampleRate: 48_000, channels: 2 },
      });
    } finally {
      await encoder.stop();
    }
    await waitFor(async () => (await streamState()) === 'OFFLINE', { what: 'OFFLINE', timeoutMs: 20_000, intervalMs: 200 });
  }, 90_000);

  it('refuses a publisher with a wrong stream key', async () => {
    const ingest = stack.settings.media.ingests[0]!;
    const encoder = new TestPattern({
      ffmpegPath: stack.media!.tools.ffmpeg,
      publishUrl: `${ingest.server}/not-the-key`,
      secrets: [],
      log: quiet,
      size: '320x180',
    });
    encoder.start();
    try {
      await waitFor(async () => warnings().some((w) => /refused a publisher with a wrong stream key/.test(w)), {
        what: 'the refusal',
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      // Long enough for an accepted publisher to have gone live (the tests above take 2-4 s).
      await new Promise((r) => setTimeout(r, 6_000));
      expect(await streamState()).toBe('OFFLINE');
    } finally {
      await encoder.stop();
    }
  }, 60_000);
});
