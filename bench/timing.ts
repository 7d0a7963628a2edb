/**
 * Timing figures of `npm run bench:monitor`, for this system and for a model of the original one
 * (bench/original.ts), on simulated time (bench/virtual-time.ts): AWS latency, MediaLive
 * transitions and the one-minute schedule pass on the clock, not on this machine.
 *
 * - Stream end: MediaLive seconds billed past the grace end (the StopChannel call minus the
 *   moment the grace period ends; the original had no grace period, so its end is the stream end).
 * - First go-live of new destinations: from the stream start to the last StartChannel.
 * - API answer time of start, stop and delete.
 */
import { MemoryWorkQueue } from '../lambdas/testing/memory-work-queue';
import { randomBytes, randomUUID } from 'node:crypto';
import { httpApiEvent } from '../test/support/api-gateway-events';
import { createApiLambda } from '../lambdas/api/handler';
import { createMonitorHandler } from '../lambdas/monitor/handler';
import { LocalStreamKeyCipher } from '../lambdas/adapters/local-stream-key-cipher';
import type { Log } from '../lambdas/core/ports';
import { ManualClock } from '../lambdas/testing/manual-clock';
import { AwsSimulator } from '../lambdas/testing/simulator';
import { createSimulatedDependencies } from '../lambdas/testing/simulated-dependencies';
import { startDynalite } from '../test/support/dynalite';
import { OriginalSystem } from './original';
import { VirtualTime } from './virtual-time';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const SCHEDULE_MS = 60_000;
export const AWS_LATENCY_MS = 50;
export const DYNAMO_LATENCY_MS = 10;

export interface Sample {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarise(values: readonly number[]): Sample {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length), p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** Deterministic phases (mulberry32) so both systems see the same stream ends. */
function phases(count: number, seed = 42): number[] {
  let a = seed;
  return Array.from({ length: count }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * SCHEDULE_MS);
  });
}

const IVS_CHANNEL = 'arn:aws:ivs:us-east-1:123456789012:channel/benchTiming01';

/** What a world needs from a system under test. */
interface Driver {
  vt: VirtualTime;
  sim: AwsSimulator;
  graceMs: number;
  /** The scheduled run. */
  schedule(): Promise<unknown>;
  /** What SQS and EventBridge deliver meanwhile: due queue messages, MediaLive events (polled each simulated second). */
  pump?(): Promise<unknown>;
  /** The IVS Stream State Change event, if the system listens to it. */
  ivsEvent?(name: 'Stream Start' | 'Stream End'): Promise<unknown>;
  /** API calls (answer time is measured around them). */
  start(id: string): Promise<unknown>;
  stop(id: string): Promise<unknown>;
  remove(id: string): Promise<unknown>;
  ids: string[];
  close(): Promise<void>;
}

interface Recorder {
  starts: { id: string; at: number }[];
  stops: { id: string; at: number }[];
}

function record(sim: AwsSimulator, vt: VirtualTime): Recorder {
  const r: Recorder = { starts: [], stops: [] };
  const ml = sim.medialive as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const [name, list] of [
    ['startChannel', r.starts],
    ['stopChannel', r.stops],
  ] as const) {
    const call = ml[name] as (id: string) => Promise<unknown>;
    ml[name] = async (...args: unknown[]) => {
      const result = await call(args[0] as string);
      list.push({ id: args[0] as string, at: vt.now() });
      return result;
    };
  }
  return r;
}

// ------------------------------------------------------------------------------ the systems

interface Setup {
  destinations: number;
  enabled: boolean;
  createMs?: number;
}

/** IVS and MediaLive as both systems meet them: the simulator on simulated time, each call delayed and recorded. */
function simulatedAws(setup: Setup): { clock: ManualClock; vt: VirtualTime; sim: AwsSimulator; recorder: Recorder } {
  const clock = new ManualClock('2026-01-01T00:00:30.000Z');
  const vt = new VirtualTime(clock);
  const sim = new AwsSimulator({
    clock,
    projectName: 'bench',
    maxChannels: 5000,
    maxInputs: 5000,
    ...(setup.createMs === undefined ? {} : { timings: { createMs: setup.createMs } }),
  });
  sim.addIvsChannel(IVS_CHANNEL);
  const recorder = record(sim, vt);
  vt.delayPorts(sim, AWS_LATENCY_MS);
  return { clock, vt, sim, recorder };
}

async function thisSystem(setup: Setup): Promise<Driver & { recorder: Recorder }> {
  const { clock, vt, sim, recorder } = simulatedAws(setup);
  const db = await startDynalite();
  vt.delayDynamo(db.client, DYNAMO_LATENCY_MS);
  const graceSeconds = 120;
  const queue = new MemoryWorkQueue(clock);
  const mediaLiveEvents: unknown[] = [];
  sim.onChannelStateChange((event) => mediaLiveEvents.push(event));
  const deps = createSimulatedDependencies({
    doc: db.doc,
    tables: db.tables,
    simulator: sim,
    queue,
    cipher: new LocalStreamKeyCipher(randomBytes(32)),
    clock,
    log: quiet,
    metrics: { destinationFailed: () => undefined, auxiliaryReadFailed: () => undefined, flush: () => undefined },
    sleep: vt.sleep,
    projectName: 'bench',
    trackedChannelArns: [IVS_CHANNEL],
    graceSeconds,
    corsAllowOrigins: ['http://localhost:8787'],
  });
  const monitor = createMonitorHandler(deps);
  const api = createApiLambda(deps);
  let request = 0;
  const call = async (method: string, path: string, body?: unknown) => {
    request += 1;
    const event = httpApiEvent({
      method,
      path,
      headers: { 'content-type': 'application/json', origin: 'http://localhost:8787' },
      requestId: `bench-${request}`,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const res = await api(event, { awsRequestId: `bench-${request}` });
    if (res.statusCode >= 400) throw new Error(`${method} ${path} answered ${res.statusCode}: ${res.body}`);
    return res.body ? JSON.parse(res.body) : undefined;
  };
  const ids: string[] = [];
  await vt.run(async () => {
    for (let i = 0; i < setup.destinations; i++) {
      const created = await call('POST', '/stream-destinations', {
        platform: 'youtube',
        name: `Bench ${i}`,
        streamKey: `bench-key-${i}-${randomUUID()}`,
        enabled: setup.enabled,
      });
      ids.push(created.id);
    }
  });
  return {
    vt,
    sim,
    recorder,
    graceMs: graceSeconds * 1000,
    ids,
    schedule: () => monitor({ source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [] }, { awsRequestId: randomUUID() }),
    pump: async () => {
      for (const event of mediaLiveEvents.splice(0)) await monitor(event as Parameters<typeof monitor>[0], { awsRequestId: randomUUID() });
      await queue.deliverDue(
        (event) => monitor(event as unknown as Parameters<typeof monitor>[0], { awsRequestId: randomUUID() }) as never,
      );
    },
    ivsEvent: (name) =>
      monitor(
        { source: 'aws.ivs', 'detail-type': 'IVS Stream State Change', resources: [IVS_CHANNEL], detail: { event_name: name } },
        { awsRequestId: randomUUID() },
      ),
    start: (id) => call('POST', `/stream-destinations/${id}/start`, { enable: true }),
    stop: (id) => call('POST', `/stream-destinations/${id}/stop`),
    remove: (id) => call('DELETE', `/stream-destinations/${id}`),
    close: () => db.stop(),
  };
}

async function originalSystem(setup: Setup): Promise<Driver & { recorder: Recorder }> {
  const { vt, sim, recorder } = simulatedAws(setup);
  const original = new OriginalSystem({
    streams: sim.ivs,
    mediaLive: sim.medialive,
    sleep: vt.sleep,
    dynamoLatencyMs: DYNAMO_LATENCY_MS,
    channelArns: [IVS_CHANNEL],
  });
  const ids = Array.from({ length: setup.destinations }, () => randomUUID());
  for (const id of ids) original.addDestination(id, IVS_CHANNEL, setup.enabled);
  return {
    vt,
    sim,
    recorder,
    graceMs: 0,
    ids,
    schedule: () => original.tick(),
    start: (id) => original.apiStart(id),
    stop: (id) => original.apiStop(id),
    remove: (id) => original.apiDelete(id),
    close: async () => undefined,
  };
}

// ------------------------------------------------------------------------------ worlds

/**
 * Runs `story` in simulated time with the schedule firing every minute (on the minute) and the
 * system's own invocations running concurrently, as Lambda runs them.
 */
async function world<T>(d: Driver, story: (spawn: (p: Promise<unknown>) => void) => Promise<T>): Promise<T> {
  let over = false;
  const spawn = (p: Promise<unknown>) => {
    p.catch(() => undefined);
  };
  return d.vt.run(async () => {
    const schedule = async () => {
      for (;;) {
        await d.vt.sleep(SCHEDULE_MS - (d.vt.now() % SCHEDULE_MS));
        if (over) return;
        spawn(d.schedule());
      }
    };
    void schedule();
    const pump = async () => {
      let pumping = false;
      while (d.pump) {
        await d.vt.sleep(1_000);
        if (over) return;
        if (pumping) continue;
        pumping = true;
        spawn(d.pump().finally(() => (pumping = false)));
      }
    };
    void pump();
    try {
      return await story(spawn);
    } finally {
      over = true;
    }
  });
}

async function until(d: Driver, done: () => boolean, limitMs: number): Promise<boolean> {
  const end = d.vt.now() + limitMs;
  while (!done()) {
    if (d.vt.now() >= end) return false;
    await d.vt.sleep(1_000);
  }
  return true;
}

const running = (d: Driver) => d.sim.channels().filter((c) => c.state === 'RUNNING').length;
const onAir = (d: Driver) => d.sim.channels().filter((c) => c.state === 'RUNNING' || c.state === 'STARTING').length;

/** Seconds billed past the grace end, per channel and stream end, over `trials` stream ends. */
export async function billedPastGrace(make: (s: Setup) => Promise<Driver & { recorder: Recorder }>, trials: number, destinations = 5) {
  const d = await make({ destinations, enabled: true });
  const late: number[] = [];
  await world(d, async (spawn) => {
    d.sim.goLive(IVS_CHANNEL);
    if (d.ivsEvent) spawn(d.ivsEvent('Stream Start'));
    await until(d, () => running(d) === destinations, 30 * 60_000);
    for (const phase of phases(trials)) {
      await d.vt.sleep(SCHEDULE_MS + phase - (d.vt.now() % SCHEDULE_MS));
      const offlineAt = d.vt.now();
      d.sim.goOffline(IVS_CHANNEL);
      if (d.ivsEvent) spawn(d.ivsEvent('Stream End'));
      const stopsBefore = d.recorder.stops.length;
      await until(d, () => onAir(d) === 0, 30 * 60_000);
      for (const stop of d.recorder.stops.slice(stopsBefore)) late.push((stop.at - (offlineAt + d.graceMs)) / 1000);
      d.sim.goLive(IVS_CHANNEL);
      if (d.ivsEvent) spawn(d.ivsEvent('Stream Start'));
      await until(d, () => running(d) === destinations, 30 * 60_000);
    }
  });
  await d.close();
  return summarise(late);
}

/** Seconds from the stream start to the last StartChannel of `destinations` new destinations. */
export async function firstGoLive(
  make: (s: Setup) => Promise<Driver & { recorder: Recorder }>,
  destinations: number,
  limitMs = 60 * 60_000,
) {
  const d = await make({ destinations, enabled: true, createMs: 5_000 });
  const result = await world(d, async (spawn) => {
    // The stream starts half a minute before the next scheduled run (the mean wait for a poll).
    await d.vt.sleep(SCHEDULE_MS + SCHEDULE_MS / 2 - (d.vt.now() % SCHEDULE_MS));
    const liveAt = d.vt.now();
    d.sim.goLive(IVS_CHANNEL);
    if (d.ivsEvent) spawn(d.ivsEvent('Stream Start'));
    const ok = await until(d, () => new Set(d.recorder.starts.map((s) => s.id)).size >= destinations, limitMs);
    return { seconds: ((d.recorder.starts.at(-1)?.at ?? NaN) - liveAt) / 1000, complete: ok };
  });
  await d.close();
  return result;
}

/** API answer times (simulated ms) of start, stop and delete, one request after another. */
export async function apiAnswerTimes(make: (s: Setup) => Promise<Driver & { recorder: Recorder }>, destinations: number) {
  const d = await make({ destinations, enabled: false });
  const times = { start: [] as number[], stop: [] as number[], delete: [] as number[] };
  await world(d, async () => {
    d.sim.goLive(IVS_CHANNEL);
    await d.vt.sleep(SCHEDULE_MS);
    const timed = async (list: number[], request: () => Promise<unknown>) => {
      const before = d.vt.now();
      await request();
      list.push(d.vt.now() - before);
    };
    for (const id of d.ids) await timed(times.start, () => d.start(id));
    await d.vt.sleep(3 * SCHEDULE_MS);
    for (const id of d.ids) await timed(times.stop, () => d.stop(id));
    await d.vt.sleep(3 * SCHEDULE_MS);
    for (const id of d.ids) await timed(times.delete, () => d.remove(id));
  });
  await d.close();
  return { start: summarise(times.start), stop: summarise(times.stop), delete: summarise(times.delete) };
}

export const SYSTEMS = { original: originalSystem, current: thisSystem } as const;
