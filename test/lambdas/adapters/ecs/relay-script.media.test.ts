/**
 * The Fargate relay's container program for real, on loopback: `sh` running RELAY_SCRIPT with the
 * system's ffmpeg and awk, an HLS source served over HTTP, and a local RTMP sink that refuses any
 * other stream key (it closes the connection on publish, as platforms do). What the program prints
 * is what CloudWatch Logs receives: embedded-metric-format lines (checked against the format's
 * rules) that the monitor's GetMetricData reads, and ffmpeg's log with the key masked.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FAILURE_METRICS, RELAY_METRICS_NAMESPACE } from '../../../../lambdas/adapters/cloudwatch/relay-telemetry';
import { RELAY_SCRIPT } from '../../../../lambdas/adapters/ecs/requests';
import type { Log } from '../../../../lambdas/core/ports';
import { serveHlsFile } from '../../../../scripts/local/media/hls-files';
import { RtmpSink } from '../../../../scripts/local/media/sink';
import { findMediaTools, freeLoopbackPort, type MediaTools } from '../../../../scripts/local/media/tools';

const KEY = 'live_container_key_61af20';
const WRONG_KEY = 'live_container_wrong_3e9b77';
const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let tools: MediaTools;
let dir: string;
let server: Server;
let sourceUrl: string;
let sink: RtmpSink;

interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/** The embedded-metric lines of the output, each checked against the specification's rules. */
function emfLines(stdout: string): Emf[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => {
      const doc = JSON.parse(line) as Emf;
      expect(typeof doc._aws.Timestamp).toBe('number');
      expect(Math.abs(doc._aws.Timestamp - Date.now())).toBeLessThan(120_000);
      for (const directive of doc._aws.CloudWatchMetrics) {
        expect(directive.Namespace).toBe(RELAY_METRICS_NAMESPACE);
        // Every dimension and metric a directive names is a member of the root object.
        for (const name of directive.Dimensions.flat()) expect(typeof doc[name]).toBe('string');
        for (const metric of directive.Metrics) expect(typeof doc[metric.Name]).toBe('number');
      }
      return doc;
    });
}

async function runScript(streamKey: string, ms: number) {
  return execa('sh', ['-c', RELAY_SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      SOURCE_URL: sourceUrl,
      RTMP_URL: sink.rtmpUrl,
      STREAM_KEY: streamKey,
      PROJECT_NAME: 'restream',
      DESTINATION_ID: 'dest-1',
    },
    timeout: ms,
    reject: false,
    stdin: 'ignore',
  });
}

beforeAll(async () => {
  const found = await findMediaTools();
  if (!('ffmpeg' in found)) throw new Error(`This test needs ffmpeg (${found.missing}); npm test installs it.`);
  tools = found;
  dir = await mkdtemp(join(tmpdir(), 'relay-script-'));
  const hls = join(dir, 'hls');
  await mkdir(hls);
  // A short H.264 + AAC source as an HLS playlist, like the IVS playback the container reads.
  await execa(
    tools.ffmpeg,
    [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=320x180:rate=30',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440',
      ],
      ...['-t', '12', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-c:a', 'aac', '-f', 'hls', '-hls_time', '2'],
      ...['-hls_list_size', '0', join(hls, 'index.m3u8')],
    ],
    { stdin: 'ignore' },
  );
  expect((await readdir(hls)).length).toBeGreaterThan(3);
  server = createServer((req, res) => void serveHlsFile(req, res, hls, (req.url ?? '').split('/').pop() ?? ''));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  sourceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hls/index.m3u8`;
  sink = new RtmpSink({
    ffmpegPath: tools.ffmpeg,
    port: await freeLoopbackPort(),
    streamKey: KEY,
    outputPrefix: join(dir, 'sink'),
    log: quiet,
  });
  sink.start();
}, 60_000);

afterAll(async () => {
  await sink?.stop();
  await new Promise((r) => server?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('the relay container program', () => {
  it('counts a run the platform refused as PublishRefused, and never prints the key', async () => {
    const run = await runScript(WRONG_KEY, 8_000);
    const metrics = emfLines(run.stdout);
    const refused = metrics.filter((m) => m[FAILURE_METRICS.refused] === 1);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ Project: 'restream', DestinationId: 'dest-1' });
    expect(metrics.some((m) => typeof m.Frames === 'number' && (m.Frames as number) > 0)).toBe(false);
    expect(sink.sessions.some((s) => s.refused)).toBe(true);
    expect(run.stdout).toContain('****');
    expect(run.stdout).not.toContain(WRONG_KEY);
    expect(`${run.stdout}${run.stderr}`).not.toContain(WRONG_KEY);
  }, 30_000);

  it('reports the frames and bit rate it sends with the right key', async () => {
    const run = await runScript(KEY, 8_000);
    const metrics = emfLines(run.stdout);
    const frames = metrics.reduce((sum, m) => sum + ((m.Frames as number | undefined) ?? 0), 0);
    expect(frames).toBeGreaterThanOrEqual(300);
    const bitrates = metrics.flatMap((m) => (typeof m.BitrateKbps === 'number' ? [m.BitrateKbps] : []));
    expect(bitrates.length).toBeGreaterThan(0);
    expect(Math.max(...bitrates)).toBeGreaterThan(10);
    expect(metrics.some((m) => m[FAILURE_METRICS.refused] === 1)).toBe(false);
    expect(sink.sessions.some((s) => s.firstMediaAt !== undefined)).toBe(true);
    expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
  }, 30_000);
});
