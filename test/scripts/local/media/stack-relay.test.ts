/**
 * `npm start` end to end with real media: a destination pointing at a local RTMP sink receives
 * H.264 + AAC with its profile after go-live (the relay behind the simulated MediaLive channel),
 * and the push ends within the grace period + 5 s after the stream goes offline. The stream key
 * appears in no log line, API answer or relay view.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from '../../../../lambdas/core/ports';
import { encodingProfile } from '../../../../lambdas/adapters/medialive/encoding-profiles';
import { startLocalStack, type LocalStack } from '../../../../scripts/local-stack';
import { probeStreams } from '../../../../scripts/local/media/probe';
import { RtmpSink } from '../../../../scripts/local/media/sink';
import { freeLoopbackPort } from '../../../../scripts/local/media/tools';

const KEY = 'live_stack_sink_key_93ad01';
const GRACE_SECONDS = 3;
const lines: string[] = [];
const record =
  (level: string) =>
  (message: string, attributes?: Record<string, unknown>): void => {
    lines.push(JSON.stringify({ level, message, attributes }));
  };
const log: Log = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };

let root: string;
let stack: LocalStack;
let sink: RtmpSink;

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stack-relay-'));
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(join(root, 'dist', 'index.html'), '<!doctype html><title>admin</title>');
  stack = await startLocalStack({
    port: 0,
    rtmpPort: 0,
    realMedia: true,
    dataDir: join(root, 'data'),
    distDir: join(root, 'dist'),
    buildUiIfMissing: false,
    timescale: 1000,
    graceSeconds: GRACE_SECONDS,
    reconcileIntervalSeconds: 0.5,
    log,
    print: () => undefined,
  });
  sink = new RtmpSink({
    ffmpegPath: stack.media!.tools.ffmpeg,
    port: await freeLoopbackPort(),
    streamKey: KEY,
    outputPrefix: join(root, 'sink'),
    log,
  });
  sink.start();
}, 60_000);

afterAll(async () => {
  await sink?.stop();
  await stack?.stop();
  if (root) await rm(root, { recursive: true, force: true });
}, 30_000);

describe('npm start with real media', () => {
  it('delivers the stream to a destination on go-live and ends the push within the grace period + 5 s after going offline', async () => {
    const profile = '480p30-2000' as const;
    const created = await fetch(`${stack.url}/stream-destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'custom', name: 'Local sink', rtmpUrl: sink.rtmpUrl, streamKey: KEY, profile }),
    });
    expect(created.status).toBe(201);

    const live = await fetch(`${stack.url}/_local/ivs/live`, { method: 'POST' });
    expect(live.status).toBe(200);
    await eventually('media at the sink', () => sink.current?.firstMediaAt !== undefined, 45_000);
    await new Promise((r) => setTimeout(r, 3_000));

    const p = encodingProfile(profile);
    const streams = await probeStreams(stack.media!.tools.ffprobe, sink.current!.file);
    expect(streams.find((s) => s.codecType === 'video')).toMatchObject({ codecName: 'h264', width: p.width, height: p.height });
    expect(streams.find((s) => s.codecType === 'audio')).toMatchObject({ codecName: 'aac', sampleRate: p.audioSampleRateHz });

    const relays = await (await fetch(`${stack.url}/_local/relays`)).text();
    expect(JSON.parse(relays).relays).toEqual([
      expect.objectContaining({ mode: 'transcode', profile, stats: expect.objectContaining({ phase: 'running' }) }),
    ]);
    expect(relays).not.toContain(KEY);
    expect(await (await fetch(`${stack.url}/stream-destinations`)).text()).not.toContain(KEY);

    const offline = await fetch(`${stack.url}/_local/ivs/offline`, { method: 'POST' });
    expect(offline.status).toBe(200);
    const limit = (GRACE_SECONDS + 5) * 1000;
    await eventually(
      'the relay to stop',
      async () => JSON.parse(await (await fetch(`${stack.url}/_local/relays`)).text()).relays.length === 0,
      limit,
    );
    await eventually('the push to end', () => !sink.receiving, 2_000);
    // Nothing is pushed again afterwards.
    const sessions = sink.sessions.length;
    await new Promise((r) => setTimeout(r, 3_000));
    expect(sink.sessions.slice(sessions).some((s) => s.firstMediaAt !== undefined)).toBe(false);

    expect(lines.join('\n')).not.toContain(KEY);
  }, 150_000);
});
