/**
 * `npm run bench:monitor` — how many AWS calls the stream monitor makes, and how fast a go-live is.
 *
 * 1. AWS calls per scheduled tick for 1, 10, 100 and 1000 destinations (spread over at most 100
 *    IVS channels), on the go-live tick and in steady state (everything running). DynamoDB calls
 *    are counted by a middleware on a real DynamoDB API server (dynalite on loopback); IVS and
 *    MediaLive calls by the simulator. Aim: a steady tick's calls grow with result pages, not with
 *    destinations (at most 5 for up to 100 destinations on up to 100 channels).
 * 2. Wall time of a go-live reconcile of 100 destinations with 50 ms latency on every IVS and
 *    MediaLive call, with the default bounded concurrency and one destination at a time.
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
import { createReconciler, systemClock } from '../lambdas/adapters/lambda/aws-dependencies';
import type { Destination } from '../lambdas/core/destination';
import { streamKeyHint } from '../lambdas/core/destination';
import type { ChannelStreamState, Clock, DestinationRepository, Log, StreamStateRepository } from '../lambdas/core/ports';
import { VersionConflictError } from '../lambdas/core/errors';
import { DEFAULT_RECONCILER_CONFIG } from '../lambdas/core/reconciler';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const metrics = { destinationFailed: () => undefined, flush: () => undefined };

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
  const tables = { destinations: `${prefix}-streaming-destinations`, streamState: `${prefix}-stream-state` };
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

/**
 * DynamoDB modelled as the service behaves: every call takes `latencyMs` and calls run in
 * parallel. Same conditional-write semantics as DynamoDestinationRepository (version checks).
 * Used only for the wall-time figure; dynalite serialises requests (about 12 ms each here),
 * which would turn that figure into a measure of dynalite.
 */
class LatentDestinations implements DestinationRepository {
  private readonly items = new Map<string, Destination>();
  constructor(private readonly latencyMs: number) {}
  private wait = () => new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  async get(id: string) {
    await this.wait();
    const d = this.items.get(id);
    return d ? structuredClone(d) : undefined;
  }
  async listAll() {
    await this.wait();
    return [...this.items.values()].map((d) => structuredClone(d));
  }
  async listByChannel(channelArn: string) {
    return (await this.listAll()).filter((d) => d.channelArn === channelArn);
  }
  async create(d: Destination) {
    await this.wait();
    if (this.items.has(d.id)) throw new VersionConflictError('exists');
    this.items.set(d.id, structuredClone(d));
  }
  async put(next: Destination) {
    await this.wait();
    if (this.items.get(next.id)?.version !== next.version - 1) throw new VersionConflictError('version');
    this.items.set(next.id, structuredClone(next));
  }
  async delete(id: string, expectedVersion: number) {
    await this.wait();
    if (this.items.get(id)?.version !== expectedVersion) throw new VersionConflictError('version');
    this.items.delete(id);
  }
}

class LatentStreamStates implements StreamStateRepository {
  private readonly items = new Map<string, ChannelStreamState>();
  constructor(private readonly latencyMs: number) {}
  private wait = () => new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  async listAll() {
    await this.wait();
    return [...this.items.values()];
  }
  async get(id: string) {
    await this.wait();
    return this.items.get(id);
  }
  async put(state: ChannelStreamState) {
    await this.wait();
    this.items.set(state.id, state);
  }
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
    dynamoLatencyMs?: number;
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
  const latent =
    options.dynamoLatencyMs === undefined
      ? undefined
      : { destinations: new LatentDestinations(options.dynamoLatencyMs), streamStates: new LatentStreamStates(options.dynamoLatencyMs) };
  const repo = latent?.destinations ?? new DynamoDestinationRepository(db.doc, db.tables.destinations);
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
  if (latent) Object.assign(deps, latent);
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

async function goLiveWallTime(concurrency: number, dynamoLatencyMs?: number) {
  const s = await setup(100, {
    clock: systemClock,
    latencyMs: 50,
    concurrency,
    createMs: 0,
    ...(dynamoLatencyMs === undefined ? {} : { dynamoLatencyMs }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  for (const arn of s.channels) s.sim.goLive(arn);
  const started = performance.now();
  const result = await createReconciler(s.deps, randomUUID()).reconcile({ kind: 'all' });
  const ms = performance.now() - started;
  const done = result.destinations.filter((d) => d.outcome === 'done').length;
  await s.db.stop();
  return { concurrency, ms, started: s.sim.stats().totalStarts, done };
}

async function main(): Promise<void> {
  console.log('AWS calls per scheduled reconcile (DynamoDB + IVS + MediaLive)');
  console.log('destinations  channels  go-live tick  steady tick  steady-tick calls');
  for (const n of [1, 10, 100, 1000]) {
    const r = await callsPerTick(n);
    const detail = Object.entries(r.steady.byAction)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ');
    console.log(
      `${String(n).padStart(12)}  ${String(r.channels).padStart(8)}  ${String(r.goLive.total).padStart(12)}  ${String(r.steady.total).padStart(11)}  ${detail}  (running: ${r.running})`,
    );
  }
  console.log('');
  console.log('Go-live reconcile of 100 destinations, 50 ms latency per IVS/MediaLive call');
  for (const [label, dynamoLatencyMs] of [
    ['DynamoDB modelled: 10 ms per call, parallel', 10],
    ['DynamoDB = dynalite (serialises requests)', undefined],
  ] as const) {
    const bounded = await goLiveWallTime(DEFAULT_RECONCILER_CONFIG.concurrency, dynamoLatencyMs);
    const serial = await goLiveWallTime(1, dynamoLatencyMs);
    console.log(`  ${label}`);
    console.log(`    concurrency ${bounded.concurrency}: ${(bounded.ms / 1000).toFixed(2)} s (${bounded.started} channels started)`);
    console.log(`    one at a time:  ${(serial.ms / 1000).toFixed(2)} s (${serial.started} channels started)`);
    console.log(`    speed-up: ${(serial.ms / bounded.ms).toFixed(1)}×`);
  }
}

await main();
