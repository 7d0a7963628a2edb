/**
 * `npm run bench:relay` — local ffmpeg relays, copy vs transcode, on loopback.
 *
 * 1. Go-live → first frame at the destination, per mode (median of 5): from the moment the test
 *    pattern starts pushing into the local RTMP ingest until an RTMP sink (ffmpeg `-listen 1`,
 *    standing in for a platform) has written its first frame. The relay pulls the ingest's HLS as
 *    it would pull IVS's, and is started as soon as the ingest reports live (what the reconciler
 *    does on the IVS event).
 * 2. CPU per relay in steady state, per mode, from /proc/<pid>/stat (user + system time of the
 *    relay's ffmpeg over 10 s), and the relays one core holds (1 / cores per relay).
 *
 * Baseline: MediaLive, whose channel start the simulator models at 60 s (CREATING 5 s, STARTING
 * 60 s; AWS's documentation says "a few minutes") and which bills about $1/h per destination.
 * The figures depend on this machine's load (shown); the source is a 640×360 test pattern, so
 * copy costs what a 1080p source would cost (copy does not touch pixels) while transcode is
 * measured for each profile.
 *
 * Environment: BENCH_RUNS (5), BENCH_CPU_SECONDS (10), BENCH_PROFILES (480p30-2000,720p30-4500,1080p30-6000).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILES, type Profile } from '../lambdas/core/destination';
import type { Log } from '../lambdas/core/ports';
import { serveHlsFile } from '../scripts/local/media/hls-files';
import { HLS_PLAYLIST, LocalIngest } from '../scripts/local/media/ingest';
import { FfmpegRelay } from '../scripts/local/media/relay';
import { RtmpSink } from '../scripts/local/media/sink';
import { findMediaTools, freeLoopbackPort, processCpuSeconds, type MediaTools } from '../scripts/local/media/tools';
import type { RelayMode } from '../scripts/local/media/encode-settings';
import { median } from './stats';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 10);
const CPU_PROFILES = (process.env.BENCH_PROFILES ?? PROFILES.join(','))
  .split(',')
  .filter((p): p is Profile => (PROFILES as readonly string[]).includes(p));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
}

interface Rig {
  tools: MediaTools;
  dir: string;
  ingest: LocalIngest;
  sourceUrl: string;
  close(): Promise<void>;
}

async function rig(tools: MediaTools): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-relay-'));
  const hlsDir = join(dir, 'hls');
  const server = createServer((req, res) => void serveHlsFile(req, res, hlsDir, (req.url ?? '').split('/').pop() ?? ''));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const ingest = new LocalIngest({
    ffmpegPath: tools.ffmpeg,
    channelArn: 'arn:aws:ivs:us-east-1:000000000000:channel/bench',
    port: await freeLoopbackPort(),
    streamKey: 'sk_us-east-1_benchIngestKey',
    hlsDir,
    log: quiet,
    onLiveChange: () => undefined,
  });
  await ingest.start();
  return {
    tools,
    dir,
    ingest,
    sourceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${HLS_PLAYLIST}`,
    async close() {
      await ingest.stop();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function withRelay<T>(
  r: Rig,
  mode: RelayMode,
  profile: Profile,
  body: (relay: FfmpegRelay, sink: RtmpSink) => Promise<T>,
): Promise<T> {
  const sink = new RtmpSink({
    ffmpegPath: r.tools.ffmpeg,
    port: await freeLoopbackPort(),
    streamKey: 'bench-key',
    outputPrefix: join(r.dir, 'sink'),
    log: quiet,
  });
  sink.start();
  const relay = new FfmpegRelay({
    ffmpegPath: r.tools.ffmpeg,
    destinationId: 'bench',
    mode,
    profile,
    platform: 'youtube',
    sourceUrl: r.sourceUrl,
    rtmpUrl: sink.rtmpUrl,
    streamKey: 'bench-key',
    log: quiet,
  });
  try {
    return await body(relay, sink);
  } finally {
    await relay.stop();
    await sink.stop();
  }
}

async function firstFrameMs(r: Rig, mode: RelayMode, profile: Profile): Promise<number> {
  return withRelay(r, mode, profile, async (relay, sink) => {
    const t0 = Date.now();
    const live = r.ingest.goLive(30_000);
    await waitFor(() => r.ingest.live, 30_000, 'ingest live');
    relay.start();
    await live;
    await waitFor(() => sink.current?.firstMediaAt !== undefined, 60_000, 'first frame at the sink');
    const ms = sink.current!.firstMediaAt! - t0;
    await r.ingest.goOffline(15_000);
    return ms;
  });
}

async function cpuPerRelay(r: Rig, mode: RelayMode, profile: Profile): Promise<{ cores: number; speed: number | undefined }> {
  await r.ingest.goLive(30_000);
  try {
    return await withRelay(r, mode, profile, async (relay, sink) => {
      relay.start();
      await waitFor(() => sink.current?.firstMediaAt !== undefined, 60_000, 'media at the sink');
      await sleep(3_000);
      const pid = relay.pid!;
      const c0 = (await processCpuSeconds(pid))!;
      const t0 = Date.now();
      const f0 = relay.stats.outTimeMs;
      await sleep(CPU_SECONDS * 1000);
      const c1 = await processCpuSeconds(pid);
      if (c1 === undefined || relay.pid !== pid) throw new Error(`the ${mode} relay restarted during the measurement`);
      const wall = (Date.now() - t0) / 1000;
      return { cores: (c1 - c0) / wall, speed: (relay.stats.outTimeMs - f0) / 1000 / wall };
    });
  } finally {
    await r.ingest.goOffline(15_000);
  }
}

async function main(): Promise<void> {
  const tools = await findMediaTools();
  if ('missing' in tools) {
    console.error(`bench:relay needs ffmpeg and ffprobe: ${tools.missing}.`);
    process.exitCode = 1;
    return;
  }
  const r = await rig(tools);
  try {
    console.log(
      `bench:relay — ${tools.version}; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on this machine\n`,
    );
    const firstFrames: Record<string, number[]> = {};
    const modes: [RelayMode, Profile][] = [
      ['passthrough', '1080p30-6000'],
      ['transcode', '720p30-4500'],
    ];
    for (const [mode, profile] of modes) {
      firstFrames[mode] = [];
      for (let i = 0; i < RUNS; i += 1) firstFrames[mode].push(await firstFrameMs(r, mode, profile));
    }
    console.log(`Go-live → first frame at the sink (median of ${RUNS}; min–max)`);
    console.log('  mode                    median      range');
    for (const [mode, profile] of modes) {
      const xs = firstFrames[mode]!;
      const label = mode === 'transcode' ? `transcode ${profile}` : 'passthrough (copy)';
      console.log(
        `  ${label.padEnd(22)} ${(median(xs) / 1000).toFixed(1).padStart(6)} s   ${(Math.min(...xs) / 1000).toFixed(1)}–${(Math.max(...xs) / 1000).toFixed(1)} s`,
      );
    }
    console.log(
      `  ${'MediaLive (baseline)'.padEnd(22)} ${'~65'.padStart(6)} s   CREATING 5 s + STARTING 60 s as the simulator models it; minutes in AWS`,
    );

    console.log(`\nCPU per relay in steady state (${CPU_SECONDS} s, /proc/<pid>/stat) and relays per core`);
    console.log('  relay                   cores   relays/core   speed');
    const rows: [string, RelayMode, Profile][] = [
      ['passthrough (copy)', 'passthrough', '1080p30-6000'],
      ...CPU_PROFILES.map((p): [string, RelayMode, Profile] => [`transcode ${p}`, 'transcode', p]),
    ];
    for (const [label, mode, profile] of rows) {
      const { cores, speed } = await cpuPerRelay(r, mode, profile);
      const perCore = cores > 0 ? Math.floor(1 / cores) : Infinity;
      console.log(
        `  ${label.padEnd(22)} ${cores.toFixed(3).padStart(6)}   ${String(perCore).padStart(11)}   ${speed === undefined ? 'n/a' : `${speed.toFixed(2)}×`}${speed !== undefined && speed < 0.95 ? '  (slower than real time: this core cannot hold even one)' : ''}`,
      );
    }
    console.log('\nA relay that runs slower than real time (speed < 1×) falls behind; relays/core is then at most 0.');
  } finally {
    await r.close();
  }
}

void main();
