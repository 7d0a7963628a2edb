/**
 * Real media on loopback: the local ingest (an ffmpeg RTMP listener writing HLS) with the
 * generated test pattern, one ffmpeg relay per mode pulling that HLS, and an RTMP sink (ffmpeg
 * `-listen 1` writing FLV) standing in for a platform. ffprobe checks what arrived.
 *
 * Light on purpose (the machine is shared): a 320×180 source, the smallest profile, a few seconds
 * of media, one mode at a time, generous deadlines.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from '../../../../lambdas/core/ports';
import { encodingProfile } from '../../../../lambdas/adapters/medialive/encoding-profiles';
import { serveHlsFile } from '../../../../scripts/local/media/hls-files';
import { HLS_PLAYLIST, LocalIngest } from '../../../../scripts/local/media/ingest';
import {
  keyframeIntervals,
  probePackets,
  probeStreams,
  streamBitrateKbps,
  decodedFrameHashes,
} from '../../../../scripts/local/media/probe';
import { FfmpegRelay } from '../../../../scripts/local/media/relay';
import { RtmpSink } from '../../../../scripts/local/media/sink';
import { findMediaTools, freeLoopbackPort, type MediaTools } from '../../../../scripts/local/media/tools';

const DESTINATION_KEY = 'live_sink_key_7f3a9c1e5b';
const INGEST_KEY = 'sk_us-east-1_localIngestKey42';
const PROFILE = '480p30-2000' as const;

const lines: string[] = [];
const log: Log = {
  debug: (m, a) => lines.push(JSON.stringify({ m, a })),
  info: (m, a) => lines.push(JSON.stringify({ m, a })),
  warn: (m, a) => lines.push(JSON.stringify({ m, a })),
  error: (m, a) => lines.push(JSON.stringify({ m, a })),
};

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let tools: MediaTools;
let dir: string;
let hlsServer: Server;
let sourceUrl: string;
let ingest: LocalIngest;

beforeAll(async () => {
  const found = await findMediaTools();
  if (!('ffmpeg' in found)) throw new Error(`Real-media tests need ffmpeg and ffprobe (${found.missing}); npm test installs them.`);
  tools = found;
  dir = await mkdtemp(join(tmpdir(), 'relay-media-'));
  const hlsDir = join(dir, 'hls');
  hlsServer = createServer((req, res) => void serveHlsFile(req, res, hlsDir, (req.url ?? '').split('/').pop() ?? ''));
  await new Promise<void>((r) => hlsServer.listen(0, '127.0.0.1', () => r()));
  sourceUrl = `http://127.0.0.1:${(hlsServer.address() as AddressInfo).port}/hls/${HLS_PLAYLIST}`;
  ingest = new LocalIngest({
    ffmpegPath: tools.ffmpeg,
    channelArn: 'arn:aws:ivs:us-east-1:000000000000:channel/media',
    port: await freeLoopbackPort(),
    streamKey: INGEST_KEY,
    hlsDir,
    log,
    testPatternSize: '320x180',
    onLiveChange: () => undefined,
  });
  await ingest.start();
}, 60_000);

const running: { stop(): Promise<void> }[] = [];

afterAll(async () => {
  // Whatever a failed test left running.
  await Promise.all(running.map((r) => r.stop()));
  await ingest?.stop();
  await new Promise((r) => hlsServer?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

async function startMode(mode: 'passthrough' | 'transcode') {
  const sink = new RtmpSink({
    ffmpegPath: tools.ffmpeg,
    port: await freeLoopbackPort(),
    streamKey: DESTINATION_KEY,
    outputPrefix: join(dir, `sink-${mode}`),
    log,
  });
  sink.start();
  running.push(sink);
  const relay = new FfmpegRelay({
    ffmpegPath: tools.ffmpeg,
    destinationId: `dest-${mode}`,
    mode,
    profile: PROFILE,
    platform: 'custom',
    sourceUrl,
    rtmpUrl: sink.rtmpUrl,
    streamKey: DESTINATION_KEY,
    log,
    preset: 'veryfast',
  });
  running.push(relay);
  const goLiveAt = Date.now();
  expect(await ingest.goLive(30_000)).toBe(true);
  // What the engine does when the reconciler starts a relay for a live channel.
  relay.start();
  await waitFor(`${mode}: first media at the sink`, () => sink.current?.firstMediaAt !== undefined, 30_000);
  return { sink, relay, firstMediaMs: sink.current!.firstMediaAt! - goLiveAt };
}

async function offlineAndStop(relay: FfmpegRelay, sink: RtmpSink) {
  const graceMs = 2_000;
  expect(await ingest.goOffline(15_000)).toBe(true);
  const offlineAt = Date.now();
  await sleep(graceMs);
  // The reconciler stops the relay at the end of the grace period.
  await relay.stop();
  const sessions = sink.sessions.length;
  await waitFor('the push to end', () => sink.current?.endedAt !== undefined || !sink.receiving, 10_000);
  expect(Date.now() - offlineAt).toBeLessThan(graceMs + 5_000);
  // A stopped relay stays stopped: no new session reaches the sink.
  await sleep(3_000);
  expect(sink.sessions.slice(sessions - 1).some((s, i) => i > 0 && s.firstMediaAt !== undefined)).toBe(false);
  expect(relay.stats.phase).toBe('stopped');
  await sink.stop();
}

function expectNoKeyIn(text: string) {
  expect(text).not.toContain(DESTINATION_KEY);
  expect(text).not.toContain(INGEST_KEY);
}

describe('real media through ffmpeg relays on loopback', () => {
  it('passthrough copies the source packets unchanged to the destination, reconnects after the sink drops, and ends with the relay', async () => {
    const { sink, relay, firstMediaMs } = await startMode('passthrough');
    expect(firstMediaMs).toBeLessThan(20_000);
    await sleep(4_000);

    // Snapshot the source HLS segments now (the ingest deletes old ones as it goes).
    const snapshot = join(dir, 'source-snapshot');
    await cp(join(dir, 'hls'), snapshot, { recursive: true });
    const file = sink.current!.file;

    const streams = await probeStreams(tools.ffprobe, file);
    const video = streams.find((s) => s.codecType === 'video')!;
    const audio = streams.find((s) => s.codecType === 'audio')!;
    expect(video).toMatchObject({ codecName: 'h264', width: 320, height: 180, profile: 'Main' });
    expect(audio).toMatchObject({ codecName: 'aac' });

    // Copy, not a new encode: the pictures at the sink are exactly the source's.
    const segments = (await readdir(snapshot)).filter((n) => n.endsWith('.ts'));
    const sourceHashes = new Set((await Promise.all(segments.map((n) => decodedFrameHashes(tools.ffmpeg, join(snapshot, n))))).flat());
    const sinkHashes = await decodedFrameHashes(tools.ffmpeg, file);
    const copied = sinkHashes.filter((h) => sourceHashes.has(h)).length;
    expect(copied).toBeGreaterThanOrEqual(30);

    // The sink goes away for 5 s; the relay pushes again within 15 s of its return.
    const sessionsBefore = sink.sessions.length;
    await sink.stop();
    await sleep(5_000);
    sink.start();
    const backAfter = await waitFor(
      'the relay to push again',
      () => sink.sessions.length > sessionsBefore && sink.current?.firstMediaAt !== undefined,
      15_000,
    );
    expect(backAfter).toBeLessThan(15_000);
    expect(relay.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(relay.stats.phase).toBe('running');
    expect(relay.stats.frames).toBeGreaterThan(0);
    await waitFor('a bit rate in the progress', () => (relay.stats.bitrateKbps ?? 0) > 0, 10_000);
    expectNoKeyIn(JSON.stringify(relay.stats));

    await offlineAndStop(relay, sink);
    expectNoKeyIn(lines.join('\n'));
  }, 180_000);

  it("transcode sends the profile's resolution, High profile and level, CBR bit rate and a keyframe every 2 s, with AAC", async () => {
    const p = encodingProfile(PROFILE);
    const { sink, relay, firstMediaMs } = await startMode('transcode');
    expect(firstMediaMs).toBeLessThan(20_000);
    await sleep(9_000);
    const file = sink.current!.file;

    const streams = await probeStreams(tools.ffprobe, file);
    const vIndex = streams.findIndex((s) => s.codecType === 'video');
    const aIndex = streams.findIndex((s) => s.codecType === 'audio');
    expect(streams[vIndex]).toMatchObject({ codecName: 'h264', width: p.width, height: p.height, profile: 'High', level: 31 });
    expect(streams[aIndex]).toMatchObject({ codecName: 'aac', sampleRate: p.audioSampleRateHz, channels: 2 });

    const packets = await probePackets(tools.ffprobe, file);
    const intervals = keyframeIntervals(packets, vIndex);
    expect(intervals.length).toBeGreaterThanOrEqual(3);
    for (const interval of intervals) expect(Math.abs(interval - p.gopSeconds)).toBeLessThanOrEqual(0.05);
    const kbps = streamBitrateKbps(packets, vIndex)!;
    expect(kbps).toBeGreaterThan(p.videoBitrateKbps * 0.75);
    expect(kbps).toBeLessThan(p.videoBitrateKbps * 1.25);

    // A new encode: none of the source's packets arrive as they were.
    const segments = (await readdir(join(dir, 'hls'))).filter((n) => n.endsWith('.ts'));
    const sourceHashes = new Set(
      (await Promise.all(segments.map((n) => decodedFrameHashes(tools.ffmpeg, join(dir, 'hls', n)).catch(() => [])))).flat(),
    );
    expect((await decodedFrameHashes(tools.ffmpeg, file)).filter((h) => sourceHashes.has(h))).toHaveLength(0);

    await offlineAndStop(relay, sink);
    expectNoKeyIn(lines.join('\n'));
  }, 180_000);
});
