/**
 * `npm run bench:monitor` — how many AWS calls the stream monitor makes, and how fast a go-live is,
 * side by side with a model of the original system's algorithm (bench/original.ts).
 *
 * Timing figures on simulated time (bench/timing.ts; 50 ms per IVS/MediaLive call, 10 ms per
 * DynamoDB call): MediaLive seconds billed past the grace end per stream end (target <= 5 s),
 * the first go-live of 100 new destinations with a 5 s create (target <= 10 s) and of 1000 (issue 8:
 * it finishes in one monitor run or continues from the queue), and the API's
 * answer time for start/stop/delete (target p99 < 300 ms). Then the counts below.
 *
 * 1. AWS calls per scheduled tick for 1, 10, 100 and 1000 destinations (spread over at most 100
 *    IVS channels), on the go-live tick and in steady state (everything running). DynamoDB calls
 *    are counted by a middleware on a real DynamoDB API server (dynalite on loopback); IVS and
 *    MediaLive calls by the simulator. Aim: a steady tick's calls grow with result pages, not with
 *    destinations (at most 5 for up to 100 destinations on up to 100 channels).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../lambdas/adapters/dynamodb/tables';
import { DynamoDestinationRepository } from '../lambdas/adapters/dynamodb/destination-repository';
import { LocalStreamKeyCipher } from '../lambdas/adapters/local-stream-key-cipher';
import { ManualClock } from '../lambdas/testing/manual-clock';
import { AwsSimulator } from '../lambdas/testing/simulator';
import { createSimulatedDependencies } from '../lambdas/testing/simulated-dependencies';
import { createReconciler } from '../lambdas/adapters/lambda/aws-dependencies';
import { MemoryWorkQueue } from '../lambdas/testing/memory-work-queue';
import type { Destination } from '../lambdas/core/destination';
import { streamKeyHint } from '../lambdas/core/destination';
import type { Clock, Log } from '../lambdas/core/ports';
import { DEFAULT_RECONCILER_CONFIG } from '../lambdas/core/reconciler';
import { OriginalSystem } from './original';
import type { Sample } from './timing';
import { apiAnswerTimes, billedPastGrace, firstGoLive, SYSTEMS } from './timing';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const metrics = { destinationFailed: () => undefined, auxiliaryReadFailed: () => undefined, flush: () => undefined };

/** A free loopback port, for the dynalite child process. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * DynamoDB as a separate process on loopback (as the real one is remote), so its CPU time does
 * not queue behind the reconciler's on one event loop.
 */
async function startDb() {
  const port = await freePort();
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('dynalite')), 'cli.js');
  const child = spawn(
    process.execPath,
    [cli, '--host', '127.0.0.1', '--port', String(port), '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const tables = {
    destinations: `${prefix}-streaming-destinations`,
    streamState: `${prefix}-stream-state`,
    events: `${prefix}-destination-events`,
  };
  await ensureTables(client, tables);
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = `dynamodb:${String(context.commandName).replace(/Command$/, '')}`;
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return {
    doc,
    tables,
    counts,
    stop: async () => {
      client.destroy();
      child.kill();
    },
  };
}

function channelArn(i: number): string {
  return `arn:aws:ivs:us-east-1:123456789012:channel/bench${String(i).padStart(7, '0')}`;
}

async function setup(
  destinations: number,
  options: {
    clock: Clock;
    latencyMs: number;
    concurrency: number;
    sleep: (ms: number) => Promise<void>;
    createMs?: number;
  },
) {
  const db = await startDb();
  const sim = new AwsSimulator({
    clock: options.clock,
    projectName: 'bench',
    maxChannels: 5000,
    maxInputs: 5000,
    ...(options.createMs !== undefined ? { timings: { createMs: options.createMs } } : {}),
  });
  const channels = Array.from({ length: Math.min(destinations, 100) }, (_, i) => channelArn(i));
  for (const arn of channels) sim.addIvsChannel(arn);
  const cipher = new LocalStreamKeyCipher(randomBytes(32));
  const repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  const now = options.clock.now().toISOString();
  for (let i = 0; i < destinations; i++) {
    const id = randomUUID();
    const key = `bench-key-${i}-${randomUUID()}`;
    const d: Destination = {
      id,
      platform: 'youtube',
      name: `Bench ${i}`,
      enabled: true,
      status: 'inactive',
      statusSince: now,
      channelArn: channels[i % channels.length] as string,
      rtmpUrl: 'rtmps://a.rtmps.youtube.com/live2',
      streamKeyCiphertext: await cipher.encrypt(id, key),
      streamKeyHint: streamKeyHint(key),
      profile: '1080p30-6000',
      mode: 'transcode',
      configRevision: 1,
      generation: 0,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await repo.create(d);
  }
  const deps = createSimulatedDependencies({
    doc: db.doc,
    tables: db.tables,
    simulator: sim,
    queue: new MemoryWorkQueue(options.clock),
    cipher,
    clock: options.clock,
    log: quiet,
    metrics,
    sleep: options.sleep,
    projectName: 'bench',
    trackedChannelArns: channels,
    graceSeconds: 120,
    reconciler: { concurrency: options.concurrency },
  });
  sim.setLatency(options.latencyMs);
  const reset = () => {
    sim.resetCounters();
    for (const k of Object.keys(db.counts)) delete db.counts[k];
  };
  const calls = () => {
    const all = { ...sim.calls, ...db.counts };
    return { total: Object.values(all).reduce((a, b) => a + b, 0), byAction: all };
  };
  return { db, sim, deps, channels, reset, calls };
}

async function callsPerTick(destinations: number) {
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  const s = await setup(destinations, {
    clock,
    latencyMs: 0,
    concurrency: DEFAULT_RECONCILER_CONFIG.concurrency,
    sleep: async (ms) => clock.advance(ms),
  });
  const tick = () => createReconciler(s.deps, randomUUID()).reconcile({ kind: 'all' });
  await tick(); // first sight of the channels (stream-state rows written)
  for (const arn of s.channels) s.sim.goLive(arn);
  clock.advance(60_000);
  s.reset();
  await tick();
  const goLive = s.calls();
  for (let i = 0; i < 5; i++) {
    clock.advance(60_000);
    await tick();
  }
  const running = s.sim.runningChannels().length;
  clock.advance(60_000);
  s.reset();
  await tick();
  const steady = s.calls();
  await s.db.stop();
  return { destinations, channels: s.channels.length, running, goLive, steady };
}

/** The original's calls per steady tick (no transition) and on the go-live tick. */
async function originalCallsPerTick(destinations: number) {
  const channels = Array.from({ length: Math.min(destinations, 100) }, (_, i) => channelArn(i));
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  const sim = new AwsSimulator({ clock, projectName: 'bench', maxChannels: 5000, maxInputs: 5000 });
  for (const arn of channels) sim.addIvsChannel(arn);
  const original = new OriginalSystem({
    streams: sim.ivs,
    mediaLive: sim.medialive,
    sleep: async (ms) => clock.advance(ms),
    dynamoLatencyMs: 0,
    channelArns: channels,
  });
  for (let i = 0; i < destinations; i++) original.addDestination(randomUUID(), channels[i % channels.length] as string);
  const total = () => Object.values(original.calls).reduce((a, b) => a + b, 0);
  await original.tick();
  for (const arn of channels) sim.goLive(arn);
  let before = total();
  await original.tick();
  const goLive = total() - before;
  before = total();
  await original.tick();
  return { goLive, steady: total() - before };
}

const seconds = (s: Sample) => `mean ${s.mean.toFixed(1)} s, max ${s.max.toFixed(1)} s`;
const millis = (s: Sample) => `p50 ${s.p50.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms`;

async function timing(): Promise<void> {
  console.log('Simulated time; 50 ms per IVS/MediaLive call, 10 ms per DynamoDB call');
  console.log('');
  console.log('MediaLive seconds billed past the grace end, per channel and stream end (20 stream ends, 5 destinations; target <= 5 s)');
  console.log(`  original (60 s poll, no grace period): ${seconds(await billedPastGrace(SYSTEMS.original, 20))}`);
  console.log(`  this system:                           ${seconds(await billedPastGrace(SYSTEMS.current, 20))}`);
  console.log('');
  console.log('First go-live of 100 new destinations, 5 s MediaLive create: stream start to the last StartChannel (target <= 10 s)');
  for (const [label, make] of [
    ['original (60 s poll, one at a time):', SYSTEMS.original],
    ['this system:                        ', SYSTEMS.current],
  ] as const) {
    const r = await firstGoLive(make, 100);
    console.log(`  ${label} ${r.seconds.toFixed(1)} s${r.complete ? '' : ' (not all started within an hour)'}`);
  }
  console.log('');
  console.log(
    'First go-live of 1000 new destinations, 5 s MediaLive create: stream start to the last StartChannel (issue 8: one run or the queue)',
  );
  for (const [label, make] of [
    ['original (60 s poll, one at a time):', SYSTEMS.original],
    ['this system:                        ', SYSTEMS.current],
  ] as const) {
    const r = await firstGoLive(make, 1000, 6 * 60 * 60_000);
    console.log(`  ${label} ${r.seconds.toFixed(1)} s${r.complete ? '' : ' (not all started within six hours)'}`);
  }
  console.log('');
  console.log('API answer time, 50 destinations one request after another (target p99 < 300 ms)');
  for (const [label, make] of [
    ['original:   ', SYSTEMS.original],
    ['this system:', SYSTEMS.current],
  ] as const) {
    const r = await apiAnswerTimes(make, 50);
    console.log(`  ${label} start ${millis(r.start)}; stop ${millis(r.stop)}; delete ${millis(r.delete)}`);
  }
  console.log('');
}

async function main(): Promise<void> {
  await timing();
  console.log('AWS calls per scheduled reconcile (DynamoDB + IVS + MediaLive; real page sizes)');
  console.log('destinations  channels  go-live tick  steady tick  original go-live  original steady  steady-tick calls');
  for (const n of [1, 10, 100, 1000, 5000]) {
    const o = await originalCallsPerTick(n);
    const r = await callsPerTick(n);
    const detail = Object.entries(r.steady.byAction)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ');
    console.log(
      `${String(n).padStart(12)}  ${String(r.channels).padStart(8)}  ${String(r.goLive.total).padStart(12)}  ${String(r.steady.total).padStart(11)}  ${String(o.goLive).padStart(16)}  ${String(o.steady).padStart(15)}  ${detail}  (running: ${r.running})`,
    );
  }
}

await main();
