/**
 * An in-process simulator of the two AWS services the reconciler drives: IVS (which channels are
 * live) and MediaLive (inputs and channels with their state machine). It implements the
 * `StreamSource` and `MediaLiveGateway` ports, so the same core code runs against it in reconciler
 * tests, fault tests, the benchmark and the local stack.
 *
 * It imports no AWS SDK. Time comes from an injected clock and every transition is derived from it
 * when state is read, so there are no timers to leak or flush.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type {
  ChannelDirectory,
  ChannelEndpoints,
  Clock,
  ChannelSpec,
  IvsChannelType,
  LiveStream,
  MediaLiveChannel,
  MediaLiveChannelState,
  MediaLiveGateway,
  MediaLiveInput,
  PlaybackSource,
  SourceIngest,
  StreamSource,
} from '../core/ports';
import { TAG_PROJECT } from '../core/ports';
import { PROFILES } from '../core/destination';
import { InvalidConfigurationError, ResourceNotFoundError, ServiceUnavailableError, ThrottledError, WrongStateError } from '../core/errors';
import { deriveRequestId, reattachActionName, resourceName, resourceTags } from '../adapters/medialive/requests';
import { quotaExceededError } from '../adapters/medialive/errors';

/** The faults the simulator can inject. */
export const FAULT_KINDS = ['throttle', 'unavailable', 'wrong-state', 'not-found', 'create-failure', 'lost-response'] as const;

/**
 * - `throttle` → ThrottledError, `unavailable` → ServiceUnavailableError, before any effect.
 * - `wrong-state` → WrongStateError, before any effect (start/stop/delete calls only).
 * - `not-found` → ResourceNotFoundError before any effect on calls that take an id;
 *   DescribeChannel answers `undefined` instead (MediaLive's eventual consistency).
 * - `create-failure` → CreateChannel succeeds but the channel ends in CREATE_FAILED, not IDLE.
 * - `lost-response` → the effect happens, then the caller gets ServiceUnavailableError (mutating
 *   calls only). Idempotent RequestIds exist to survive exactly this.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Fault injection settings. */
export interface FaultOptions {
  /** Probability in [0, 1] that a call gets a fault. 0 switches injection off. */
  rate: number;
  /** The kinds to draw from (default: all of FAULT_KINDS). A call only gets a kind that applies to it. */
  kinds?: readonly FaultKind[];
  /** Seed of the fault RNG (default 1): the same seed and call sequence give the same faults. */
  seed?: number;
}

/** How long each MediaLive transition takes, in milliseconds of the injected clock. */
export interface SimulatorTimings {
  /** CREATING → IDLE (or CREATE_FAILED). Default 5 000. */
  createMs: number;
  /** STARTING → RUNNING. Default 60 000. */
  startMs: number;
  /** STOPPING → IDLE. Default 30 000. */
  stopMs: number;
  /** DELETING → DELETED. Default 10 000. */
  deleteMs: number;
}

/** Options of {@link AwsSimulator}. Every field is optional. */
export interface AwsSimulatorOptions {
  /** Source of time (default: real time). Pass a ManualClock to step through transitions. */
  clock?: Clock;
  /** Transition durations; missing fields keep the MediaLive-like defaults. */
  timings?: Partial<SimulatorTimings>;
  /** Divides every timing, e.g. 60 makes a 60 s start take 1 s (the local stack's SIM_TIMESCALE). Default 1. */
  timescale?: number;
  /** Fault injection; off when absent. Change it at runtime with `setFaults`. */
  faults?: FaultOptions;
  /** Every API call waits this long (real timers) before it acts. For the benchmark. Default 0. */
  latencyMs?: number;
  /** Region in ARNs and playback URLs. Default 'us-east-1'. */
  region?: string;
  /** Account id in ARNs and playback URLs. Default '123456789012'. */
  accountId?: string;
  /** MediaLive channel quota: CreateChannel fails with QuotaExceededError beyond it. Default 100. */
  maxChannels?: number;
  /** MediaLive input quota: CreateInput fails with QuotaExceededError beyond it. Default 100. */
  maxInputs?: number;
  /**
   * When set, `listChannels` returns only channels whose TAG_PROJECT tag equals it (like the real
   * gateway, which is built for one project). Otherwise any channel carrying TAG_PROJECT.
   */
  projectName?: string;
  /** Seed for generated ids (IVS stream ids). Default: the fault seed, else 1. */
  idSeed?: number;
}

/** A MediaLive channel as the simulator holds it, without its stream key. */
export interface SimulatedChannel extends MediaLiveChannel {
  arn: string;
  /** ISO-8601 time the current state began. */
  stateSince: string;
  /** ISO-8601 creation time. */
  createdAt: string;
  /** Successful StartChannel calls (IDLE → STARTING) on this channel. */
  starts: number;
  /** The spec it was created from, minus the stream key. */
  spec: Omit<ChannelSpec, 'streamKey'>;
  /** What the channel sends to its platform now (see {@link ChannelOutput}). */
  output: ChannelOutput;
  /** Immediate input switches that made the RUNNING channel read its input again. */
  inputSwitches: number;
}

/**
 * What a channel sends to its platform:
 * - `none`: the channel is not RUNNING;
 * - `media`: it is ingesting the IVS channel's current stream;
 * - `black`: it is RUNNING but its input has nothing (the IVS channel is offline, or the stream
 *   it was reading ended and no input switch re-read the input since — MediaLive's
 *   `InputEndAction: NONE` keeps showing black "until the next input switch occurs").
 */
export type ChannelOutput = 'none' | 'media' | 'black';

/** Counters for tests and the benchmark. */
export interface SimulatorStats {
  /** Distinct inputs created (idempotent replays not counted). */
  inputsCreated: number;
  /** Distinct channels created (idempotent replays not counted). */
  channelsCreated: number;
  /** Successful starts (IDLE → STARTING) per channel id. */
  starts: Record<string, number>;
  totalStarts: number;
  /** Successful stops (→ STOPPING). */
  totalStops: number;
  channelsDeleted: number;
  inputsDeleted: number;
  /** Injected faults per kind. */
  faults: Record<FaultKind, number>;
}

/**
 * IVS's `IVS Stream State Change` EventBridge event as the simulator announces it on goLive and
 * goOffline, in the shape the monitor Lambda receives.
 */
export interface IvsStreamStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'IVS Stream State Change';
  source: 'aws.ivs';
  account: string;
  /** ISO-8601 time of the change. */
  time: string;
  region: string;
  /** `[channelArn]`. */
  resources: [string];
  detail: { event_name: 'Stream Start' | 'Stream End'; channel_name: string; stream_id: string };
}

/**
 * MediaLive's `MediaLive Channel State Change` EventBridge event as the simulator announces it
 * when a channel's state changes, in the shape AWS documents
 * (https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-state-change.html).
 */
export interface MediaLiveChannelStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'MediaLive Channel State Change';
  source: 'aws.medialive';
  account: string;
  time: string;
  region: string;
  /** `[channelArn]`. */
  resources: [string];
  detail: { channel_arn: string; state: string; message: string; pipelines_running_count: number };
}

/** One injected fault, in order. */
export interface InjectedFault {
  /** 1-based index of the API call (since the last `resetCounters`). */
  call: number;
  action: string;
  kind: FaultKind;
}

const DEFAULT_TIMINGS: SimulatorTimings = { createMs: 5_000, startMs: 60_000, stopMs: 30_000, deleteMs: 10_000 };
/** IVS ListStreams returns at most 100 streams per page. */
const IVS_LIST_STREAMS_PAGE_SIZE = 100;
/** MediaLive ListChannels MaxResults is 1..1000 (AWS API model). */
const MEDIALIVE_LIST_PAGE_SIZE = 1000;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const MUTATING: readonly FaultKind[] = ['throttle', 'unavailable', 'lost-response'];
const READ: readonly FaultKind[] = ['throttle', 'unavailable'];
const BY_ID: readonly FaultKind[] = [...MUTATING, 'not-found'];
const STATE_CHANGE: readonly FaultKind[] = [...BY_ID, 'wrong-state'];

/** What an encoder sends, as GetStreamSession reports it (without the stream id). */
export type IngestSettings = Omit<SourceIngest, 'streamId'>;
/** A channel's ingest: fixed settings, or read when IVS is first asked about a session (the local stack probes its real ingest). */
export type IngestProvider = IngestSettings | ((streamId: string) => IngestSettings | undefined | Promise<IngestSettings | undefined>);

/**
 * What a simulated encoder sends unless a test says otherwise: H.264 Main 720p30 at 3.5 Mbit/s
 * with 2-second keyframes and AAC stereo — inside every platform's published limits.
 */
export const DEFAULT_SIMULATED_INGEST: IngestSettings = {
  video: { codec: 'h264', profile: 'main', width: 1280, height: 720, bitrateBps: 3_500_000, framerate: 30, keyframeIntervalSeconds: 2 },
  audio: { codec: 'aac', bitrateBps: 128_000, sampleRate: 48_000, channels: 2 },
};

interface IvsChannelRecord {
  arn: string;
  /** What the next stream sessions send. */
  ingest: IngestProvider;
  /** Every stream session's ingest, by stream id (read once, then kept, as IVS keeps sessions). */
  sessions: Map<string, () => Promise<IngestSettings | undefined>>;
  name: string;
  playbackUrl: string;
  authorized: boolean;
  type: IvsChannelType;
  playbackRestrictionPolicyArn?: string;
  stream?: LiveStream;
  /** The encoder's server (`rtmps://<ingestEndpoint>:443/app/` in IVS). */
  ingestServer: string;
  /** The channel's one stream key. */
  streamKey: string;
}

interface InputRecord {
  id: string;
  requestId: string;
  fingerprint: string;
  tags: Record<string, string>;
  deleted: boolean;
}

interface ChannelRecord {
  id: string;
  arn: string;
  name: string;
  requestId: string;
  fingerprint: string;
  inputId: string;
  tags: Record<string, string>;
  spec: Omit<ChannelSpec, 'streamKey'>;
  keyDigest: string;
  state: MediaLiveChannelState;
  stateSince: number;
  /** A transition in progress: the state becomes `to` at time `at`. */
  pending?: { to: MediaLiveChannelState; at: number };
  createdAt: number;
  starts: number;
  /**
   * The input's read of the IVS source while RUNNING: `waiting` until a stream is there, then
   * `reading` that stream id, then `ended` once that stream ends — black until an input switch.
   */
  ingest: { phase: 'waiting' } | { phase: 'reading'; streamId: string } | { phase: 'ended' };
  /** Names of the schedule actions created on the channel (BatchUpdateSchedule). */
  scheduleActions: Set<string>;
  /** Input switches that re-read the input (immediate switches while RUNNING). */
  inputSwitches: number;
}

/** mulberry32: a tiny, fast, seeded PRNG; good enough for fault dice and ids. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const realClock: Clock = { now: () => new Date() };

function emptyFaultCounts(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
}

function emptyStats(): SimulatorStats {
  return {
    inputsCreated: 0,
    channelsCreated: 0,
    starts: {},
    totalStarts: 0,
    totalStops: 0,
    channelsDeleted: 0,
    inputsDeleted: 0,
    faults: emptyFaultCounts(),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A faithful in-process IVS + MediaLive for tests, the benchmark and the local stack.
 *
 * - `sim.ivs` is a `StreamSource`; drive it with `addIvsChannel`, `goLive`, `goOffline`.
 * - `sim.medialive` is a `MediaLiveGateway` with MediaLive's rules: the channel state machine
 *   CREATING → IDLE → STARTING → RUNNING → STOPPING → IDLE, DELETING → DELETED, WrongStateError
 *   for calls in the wrong state, quotas, and creates idempotent by RequestId. The RequestId is
 *   derived exactly as the real gateway does (destination id + `spec.requestId` + operation); a
 *   replay returns the first resource even after it was deleted, so a caller that recreates must
 *   change `spec.requestId`. Names and tags are the real gateway's too.
 * - Transitions complete when the injected clock passes their end; with a ManualClock a test calls
 *   `clock.advance(ms)`.
 * - Faults are injected from a seeded RNG (`faults` option, `setFaults`).
 * - `calls`, `stats()`, `channels()`, `runningChannels()` let tests and the benchmark observe it.
 *
 * Stream keys are held only as a keyed digest; `streamKeyMatches` checks one. Nothing the simulator
 * prints, serialises or throws contains a key.
 *
 * @example
 * const clock = new ManualClock();
 * const sim = new AwsSimulator({ clock, faults: { rate: 0.1, seed: 7 } });
 * const arn = sim.ivsChannelArn('abcdEFGH1234');
 * sim.addIvsChannel(arn);
 * const streamId = sim.goLive(arn);
 * await reconcile({ streams: sim.ivs, mediaLive: sim.medialive, clock });
 * clock.advance(60_000);
 */
export class AwsSimulator {
  /** API calls by AWS action name (`ivs:ListStreams`, `medialive:StartChannel`, ...), pages counted separately. */
  readonly calls: Record<string, number> = {};
  /** The IVS ports. Methods are bound: they can be passed around on their own. */
  readonly ivs: StreamSource & ChannelDirectory;
  /** The MediaLive port. Methods are bound: they can be passed around on their own. */
  readonly medialive: MediaLiveGateway;

  readonly #clock: Clock;
  readonly #timings: SimulatorTimings;
  readonly #region: string;
  readonly #accountId: string;
  readonly #maxChannels: number;
  readonly #maxInputs: number;
  readonly #projectName: string | undefined;
  readonly #keySecret = randomBytes(32);
  readonly #idRandom: () => number;
  #latencyMs: number;
  #faults: { rate: number; kinds: readonly FaultKind[] } = { rate: 0, kinds: FAULT_KINDS };
  #faultRandom: () => number = mulberry32(1);
  #stats: SimulatorStats = emptyStats();
  #faultLog: InjectedFault[] = [];
  #callIndex = 0;

  readonly #ivsChannels = new Map<string, IvsChannelRecord>();
  readonly #streamIds = new Set<string>();
  readonly #inputs = new Map<string, InputRecord>();
  readonly #inputsByRequest = new Map<string, string>();
  readonly #channels = new Map<string, ChannelRecord>();
  readonly #channelsByRequest = new Map<string, string>();
  #nextInputId = 1_000_001;
  #nextChannelId = 2_000_001;
  #nextEventId = 1;
  readonly #streamListeners = new Set<(event: IvsStreamStateChangeEvent) => void>();
  readonly #channelListeners = new Set<(event: MediaLiveChannelStateChangeEvent) => void>();
  /** The state last announced per channel id. */
  readonly #announced = new Map<string, MediaLiveChannelState>();

  constructor(options: AwsSimulatorOptions = {}) {
    const timescale = options.timescale ?? 1;
    if (!(timescale > 0) || !Number.isFinite(timescale)) {
      throw new RangeError(`timescale must be a positive number, got ${timescale}`);
    }
    const timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.#timings = {
      createMs: timings.createMs / timescale,
      startMs: timings.startMs / timescale,
      stopMs: timings.stopMs / timescale,
      deleteMs: timings.deleteMs / timescale,
    };
    this.#clock = options.clock ?? realClock;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '123456789012';
    this.#maxChannels = options.maxChannels ?? 100;
    this.#maxInputs = options.maxInputs ?? 100;
    this.#projectName = options.projectName;
    this.#idRandom = mulberry32((options.idSeed ?? options.faults?.seed ?? 1) ^ 0x9e3779b9);
    if (options.faults) this.setFaults(options.faults);

    this.ivs = {
      listLiveStreams: () => this.#listLiveStreams(),
      getStream: (channelArn) => this.#getStream(channelArn),
      getPlaybackSource: (channelArn) => this.#getPlaybackSource(channelArn),
      endpoints: (channelArn) => this.#endpoints(channelArn),
      streamKey: (channelArn) => this.#streamKey(channelArn),
      getIngest: (channelArn, streamId) => this.#getIngest(channelArn, streamId),
    };
    this.medialive = {
      listChannels: () => this.#listChannels(),
      describeChannel: (channelId) => this.#describeChannel(channelId),
      listInputs: () => this.#listInputs(),
      createInput: (spec) => this.#createInput(spec),
      createChannel: (spec, inputId) => this.#createChannel(spec, inputId),
      startChannel: (channelId) => this.#startChannel(channelId),
      stopChannel: (channelId) => this.#stopChannel(channelId),
      reattachInput: (channelId, streamId) => this.#reattachInput(channelId, streamId),
      deleteChannel: (channelId) => this.#deleteChannel(channelId),
      deleteInput: (inputId) => this.#deleteInput(inputId),
    };
  }

  // ---------------------------------------------------------------- controls

  /**
   * Switches fault injection on, off (`undefined` or rate 0) or to other kinds. A given `seed`
   * restarts the fault RNG; without one the current sequence continues.
   */
  setFaults(faults: FaultOptions | undefined): void {
    if (!faults) {
      this.#faults = { rate: 0, kinds: FAULT_KINDS };
      return;
    }
    if (!(faults.rate >= 0 && faults.rate <= 1)) {
      throw new RangeError(`fault rate must be within [0, 1], got ${faults.rate}`);
    }
    const unknown = (faults.kinds ?? []).filter((k) => !FAULT_KINDS.includes(k));
    if (unknown.length > 0) {
      throw new RangeError(`unknown fault kinds: ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
    }
    this.#faults = { rate: faults.rate, kinds: faults.kinds ?? FAULT_KINDS };
    if (faults.seed !== undefined) this.#faultRandom = mulberry32(faults.seed);
  }

  /** Changes the per-call latency (ms) for subsequent calls. */
  setLatency(latencyMs: number): void {
    this.#latencyMs = latencyMs;
  }

  /** Clears `calls`, the `stats()` counters and the fault log. Resources and their states stay. */
  resetCounters(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    this.#stats = emptyStats();
    this.#faultLog = [];
    this.#callIndex = 0;
  }

  /** The ARN of an IVS channel id in this simulator's region and account. */
  ivsChannelArn(channelId: string): string {
    return `arn:aws:ivs:${this.#region}:${this.#accountId}:channel/${channelId}`;
  }

  /**
   * Registers an IVS channel (offline). Returns its playback URL. `authorized: true` makes it a
   * private channel and `playbackRestrictionPolicyArn` a restricted one; the simulator refuses
   * to hand out the playback source of either (MediaLive cannot pull them). `type` defaults to
   * STANDARD, as in IVS.
   */
  addIvsChannel(
    channelArn: string,
    options: {
      playbackUrl?: string;
      authorized?: boolean;
      name?: string;
      type?: IvsChannelType;
      playbackRestrictionPolicyArn?: string;
      /** The encoder's server; default IVS's form, `rtmps://<id>.global-contribute.live-video.net:443/app/`. */
      ingestServer?: string;
      /** The channel's stream key; default a random `sk_<region>_…`. */
      streamKey?: string;
    } = {},
  ): string {
    const existing = this.#ivsChannels.get(channelArn);
    const playbackUrl = options.playbackUrl ?? existing?.playbackUrl ?? this.#defaultPlaybackUrl(channelArn);
    const name = options.name ?? existing?.name ?? channelArn.split('/').pop() ?? channelArn;
    this.#ivsChannels.set(channelArn, {
      arn: channelArn,
      name,
      playbackUrl,
      authorized: options.authorized ?? false,
      type: options.type ?? existing?.type ?? 'STANDARD',
      ingest: existing?.ingest ?? DEFAULT_SIMULATED_INGEST,
      sessions: existing?.sessions ?? new Map(),
      ...(options.playbackRestrictionPolicyArn ? { playbackRestrictionPolicyArn: options.playbackRestrictionPolicyArn } : {}),
      stream: existing?.stream,
      ingestServer:
        options.ingestServer ??
        existing?.ingestServer ??
        `rtmps://${channelArn.split('/').pop() ?? 'channel'}.global-contribute.live-video.net:443/app/`,
      streamKey: options.streamKey ?? existing?.streamKey ?? `sk_${this.#region}_${randomBytes(12).toString('base64url')}`,
    });
    return playbackUrl;
  }

  /**
   * Starts a broadcast on the channel and returns its new, unique stream id. Going live while
   * already live replaces the stream, as an encoder reconnect does in IVS (Stream End, then
   * Stream Start). Not an API call: not counted, never faulted, no latency.
   */
  goLive(channelArn: string, options: { ingest?: IngestProvider } = {}): string {
    const channel = this.#requireIvsChannel(channelArn);
    if (channel.stream) this.#endStream(channel);
    const streamId = this.#newStreamId();
    const provider = options.ingest ?? channel.ingest;
    let read: Promise<IngestSettings | undefined> | undefined;
    channel.sessions.set(streamId, () => (read ??= Promise.resolve(typeof provider === 'function' ? provider(streamId) : provider)));
    channel.stream = { channelArn, streamId, startTime: this.#clock.now().toISOString(), health: 'HEALTHY' };
    this.#readers(channel).forEach((c) => this.#read(c));
    this.#announce(channel, 'Stream Start', streamId);
    return streamId;
  }

  /** What the channel's next stream sessions send (GetStreamSession's ingest configuration). */
  setIngest(channelArn: string, ingest: IngestProvider): void {
    this.#requireIvsChannel(channelArn).ingest = ingest;
  }

  /** Ends the channel's broadcast, if any. */
  goOffline(channelArn: string): void {
    const channel = this.#requireIvsChannel(channelArn);
    if (channel.stream) this.#endStream(channel);
  }

  /**
   * Calls `listener` synchronously with an `IVS Stream State Change` event on every goLive and
   * goOffline, so the local stack can invoke the monitor as EventBridge would. Asynchronous work
   * is the listener's business; an error it throws propagates to the goLive/goOffline caller.
   * Returns a function that unsubscribes.
   */
  onStreamStateChange(listener: (event: IvsStreamStateChangeEvent) => void): () => void {
    this.#streamListeners.add(listener);
    return () => {
      this.#streamListeners.delete(listener);
    };
  }

  /**
   * Calls `listener` with a `MediaLive Channel State Change` event whenever a channel's state
   * changes: at once for changes an API call makes (STARTING, STOPPING, DELETING, ...), and for
   * transitions that end with time (CREATING → IDLE, STARTING → RUNNING, ...) when the
   * simulator next looks, i.e. on any API call or on `pollStateChanges()` (the local stack calls
   * it on a short timer, tests after advancing the clock). Returns a function that unsubscribes.
   */
  onChannelStateChange(listener: (event: MediaLiveChannelStateChangeEvent) => void): () => void {
    this.#channelListeners.add(listener);
    return () => {
      this.#channelListeners.delete(listener);
    };
  }

  /** Announces the channel state changes that happened since the last look (see onChannelStateChange). */
  pollStateChanges(): void {
    if (this.#channelListeners.size === 0) return;
    const now = this.#nowMs();
    for (const channel of this.#channels.values()) {
      const state = this.#settle(channel, now);
      if (this.#announced.get(channel.id) === state) continue;
      this.#announced.set(channel.id, state);
      const event: MediaLiveChannelStateChangeEvent = {
        version: '0',
        id: `sim-event-${this.#nextEventId++}`,
        'detail-type': 'MediaLive Channel State Change',
        source: 'aws.medialive',
        account: this.#accountId,
        time: new Date(now).toISOString(),
        region: this.#region,
        resources: [channel.arn],
        detail: {
          channel_arn: channel.arn,
          state,
          message: `Channel ${state.toLowerCase()}`,
          pipelines_running_count: state === 'RUNNING' ? 1 : 0,
        },
      };
      for (const listener of [...this.#channelListeners]) listener(event);
    }
  }

  /** The simulated MediaLive transition times (after the timescale), as relay timings. */
  timings(): { provisionMs: number; startMs: number; stopMs: number; deleteMs: number } {
    const t = this.#timings;
    return { provisionMs: t.createMs, startMs: t.startMs, stopMs: t.stopMs, deleteMs: t.deleteMs };
  }

  /**
   * Puts a channel into any state at once, for states the API cannot reach here (RECOVERING,
   * UPDATE_FAILED) or to set up a test. Cancels a transition in progress.
   */
  forceChannelState(channelId: string, state: MediaLiveChannelState): void {
    const channel = this.#channels.get(channelId);
    if (!channel) throw new ResourceNotFoundError(`Simulator has no channel ${channelId}`);
    channel.state = state;
    channel.stateSince = this.#nowMs();
    channel.pending = undefined;
  }

  /** True when `streamKey` is the key the channel was created with. */
  streamKeyMatches(channelId: string, streamKey: string): boolean {
    const channel = this.#channels.get(channelId);
    return channel !== undefined && channel.keyDigest === this.#digest(streamKey);
  }

  // ---------------------------------------------------------------- observation

  /** A copy of the counters since construction or the last `resetCounters`. */
  stats(): SimulatorStats {
    const s = this.#stats;
    return { ...s, starts: { ...s.starts }, faults: { ...s.faults } };
  }

  /** The faults injected so far, in call order. */
  injectedFaults(): InjectedFault[] {
    return this.#faultLog.map((f) => ({ ...f }));
  }

  /** A snapshot of every channel with its current state; DELETED ones only when asked. */
  channels(options: { includeDeleted?: boolean } = {}): SimulatedChannel[] {
    const now = this.#nowMs();
    return [...this.#channels.values()]
      .filter((c) => options.includeDeleted === true || this.#settle(c, now) !== 'DELETED')
      .map((c) => this.#snapshot(c, now));
  }

  /** What the channel sends to its platform now; `none` for an unknown or DELETED channel. */
  channelOutput(channelId: string): ChannelOutput {
    const channel = this.#channels.get(channelId);
    return channel ? this.#output(channel, this.#nowMs()) : 'none';
  }

  /** The channels in state RUNNING now. */
  runningChannels(): SimulatedChannel[] {
    return this.channels().filter((c) => c.state === 'RUNNING');
  }

  /** Input ids that exist (not deleted). */
  inputIds(): string[] {
    return [...this.#inputs.values()].filter((i) => !i.deleted).map((i) => i.id);
  }

  /** The tags of an input that exists; undefined for one that does not (any more). */
  inputTags(inputId: string): Record<string, string> | undefined {
    const input = this.#inputs.get(inputId);
    return input && !input.deleted ? { ...input.tags } : undefined;
  }

  /** A summary without any channel spec or key digest. */
  toJSON(): Record<string, unknown> {
    const now = this.#nowMs();
    return {
      type: 'AwsSimulator',
      ivsChannels: this.#ivsChannels.size,
      inputs: this.inputIds().length,
      channels: [...this.#channels.values()].map((c) => ({ id: c.id, state: this.#settle(c, now) })),
      calls: { ...this.calls },
    };
  }

  toString(): string {
    return `AwsSimulator(${JSON.stringify(this.toJSON())})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---------------------------------------------------------------- IVS

  async #listLiveStreams(): Promise<LiveStream[]> {
    return this.#call('ivs:ListStreams', READ, () => {
      const streams = [...this.#ivsChannels.values()].flatMap((c) => (c.stream ? [{ ...c.stream }] : []));
      this.#countExtraPages('ivs:ListStreams', streams.length, IVS_LIST_STREAMS_PAGE_SIZE);
      return streams;
    });
  }

  async #getStream(channelArn: string): Promise<LiveStream | undefined> {
    return this.#call('ivs:GetStream', READ, () => {
      const channel = this.#ivsChannels.get(channelArn);
      if (!channel) throw new ResourceNotFoundError(`IVS channel ${channelArn} does not exist`);
      return channel.stream ? { ...channel.stream } : undefined;
    });
  }

  async #getIngest(channelArn: string, streamId: string): Promise<SourceIngest | undefined> {
    const session = await this.#call('ivs:GetStreamSession', READ, () => {
      const channel = this.#ivsChannels.get(channelArn);
      if (!channel) throw new ResourceNotFoundError(`IVS channel ${channelArn} does not exist`);
      return channel.sessions.get(streamId);
    });
    if (!session) return undefined;
    const settings = await session();
    return { streamId, ...structuredClone(settings ?? {}) };
  }

  async #getPlaybackSource(channelArn: string): Promise<PlaybackSource> {
    return this.#call('ivs:GetChannel', READ, () => {
      const channel = this.#ivsChannels.get(channelArn);
      if (!channel) throw new ResourceNotFoundError(`IVS channel ${channelArn} does not exist`);
      if (channel.authorized) {
        throw new InvalidConfigurationError(
          `IVS channel ${channelArn} requires playback authorization; MediaLive cannot pull a private channel. Turn off playback authorization for this channel.`,
        );
      }
      if (channel.playbackRestrictionPolicyArn) {
        throw new InvalidConfigurationError(
          `IVS channel ${channelArn} has a playback restriction policy; MediaLive cannot pull a restricted channel. Remove the policy from the channel.`,
        );
      }
      return { url: channel.playbackUrl, channelType: channel.type };
    });
  }

  async #endpoints(channelArn: string): Promise<ChannelEndpoints> {
    return this.#call('ivs:GetChannel', READ, () => {
      const channel = this.#ivsChannels.get(channelArn);
      if (!channel) throw new ResourceNotFoundError(`IVS channel ${channelArn} does not exist`);
      return { ingestServer: channel.ingestServer, playbackUrl: channel.playbackUrl };
    });
  }

  async #streamKey(channelArn: string): Promise<string> {
    const listed = await this.#call('ivs:ListStreamKeys', READ, () => {
      if (!this.#ivsChannels.has(channelArn)) throw new ResourceNotFoundError(`IVS channel ${channelArn} does not exist`);
      return `${channelArn.replace(':channel/', ':stream-key/')}`;
    });
    return this.#call('ivs:GetStreamKey', READ, () => {
      const channel = this.#ivsChannels.get(channelArn);
      if (!channel) throw new ResourceNotFoundError(`IVS stream key ${listed} does not exist`);
      return channel.streamKey;
    });
  }

  // ---------------------------------------------------------------- MediaLive

  async #listChannels(): Promise<MediaLiveChannel[]> {
    return this.#call('medialive:ListChannels', READ, () => {
      const now = this.#nowMs();
      const existing = [...this.#channels.values()].filter((c) => this.#settle(c, now) !== 'DELETED');
      this.#countExtraPages('medialive:ListChannels', existing.length, MEDIALIVE_LIST_PAGE_SIZE);
      return existing
        .filter((c) => {
          const project = c.tags[TAG_PROJECT];
          return project !== undefined && (this.#projectName === undefined || project === this.#projectName);
        })
        .map((c) => this.#view(c, now));
    });
  }

  async #listInputs(): Promise<MediaLiveInput[]> {
    return this.#call('medialive:ListInputs', READ, () => {
      const now = this.#nowMs();
      const existing = [...this.#inputs.values()].filter((i) => !i.deleted);
      this.#countExtraPages('medialive:ListInputs', existing.length, MEDIALIVE_LIST_PAGE_SIZE);
      return existing
        .filter((i) => {
          const project = i.tags[TAG_PROJECT];
          return project !== undefined && (this.#projectName === undefined || project === this.#projectName);
        })
        .map((i) => {
          const holder = this.#attachedChannel(i.id, now);
          return { id: i.id, tags: { ...i.tags }, attachedChannelIds: holder ? [holder.id] : [] };
        });
    });
  }

  async #describeChannel(channelId: string): Promise<MediaLiveChannel | undefined> {
    return this.#call(
      'medialive:DescribeChannel',
      [...READ, 'not-found'],
      () => {
        const channel = this.#channels.get(channelId);
        if (!channel) return undefined;
        const now = this.#nowMs();
        return this.#settle(channel, now) === 'DELETED' ? undefined : this.#view(channel, now);
      },
      () => undefined,
    );
  }

  async #createInput(spec: ChannelSpec): Promise<{ inputId: string }> {
    return this.#call('medialive:CreateInput', MUTATING, () => {
      const fingerprint = JSON.stringify({
        type: 'URL_PULL',
        projectName: spec.projectName,
        destinationId: spec.destinationId,
        destinationName: spec.destinationName,
        sourceUrl: spec.sourceUrl,
      });
      const requestId = deriveRequestId(spec, 'input');
      const known = this.#inputsByRequest.get(requestId);
      if (known !== undefined) {
        if (this.#inputs.get(known)?.fingerprint !== fingerprint) throw idempotencyMismatch('CreateInput', requestId);
        return { inputId: known };
      }
      if (!/^https?:\/\/\S+$/.test(spec.sourceUrl)) {
        throw new InvalidConfigurationError('CreateInput: sources[0].url must be an http(s) URL of an HLS playlist');
      }
      if (this.inputIds().length >= this.#maxInputs) {
        throw quotaExceededError('MediaLive', 'CreateInput', `the input quota of ${this.#maxInputs} inputs per region is reached`);
      }
      const id = String(this.#nextInputId++);
      this.#inputs.set(id, { id, requestId, fingerprint, tags: resourceTags(spec), deleted: false });
      this.#inputsByRequest.set(requestId, id);
      this.#stats.inputsCreated += 1;
      return { inputId: id };
    });
  }

  async #createChannel(spec: ChannelSpec, inputId: string): Promise<MediaLiveChannel> {
    return this.#call('medialive:CreateChannel', [...BY_ID, 'create-failure'], (fault) => {
      const { streamKey, ...specWithoutKey } = spec;
      const keyDigest = this.#digest(streamKey);
      const fingerprint = JSON.stringify({ ...specWithoutKey, inputId, keyDigest });
      const now = this.#nowMs();

      const requestId = deriveRequestId(spec, 'channel');
      const known = this.#channelsByRequest.get(requestId);
      if (known !== undefined) {
        const channel = this.#channels.get(known) as ChannelRecord;
        if (channel.fingerprint !== fingerprint) throw idempotencyMismatch('CreateChannel', requestId);
        this.#settle(channel, now);
        return this.#view(channel, now);
      }

      const input = this.#inputs.get(inputId);
      if (!input || input.deleted) throw new ResourceNotFoundError(`CreateChannel: input ${inputId} does not exist`);
      const holder = this.#attachedChannel(inputId, now);
      if (holder) {
        throw new InvalidConfigurationError(`CreateChannel: input ${inputId} is already attached to channel ${holder.id}`);
      }
      validateChannelSpec(spec);
      const live = [...this.#channels.values()].filter((c) => this.#settle(c, now) !== 'DELETED').length;
      if (live >= this.#maxChannels) {
        throw quotaExceededError('MediaLive', 'CreateChannel', `the channel quota of ${this.#maxChannels} channels per region is reached`);
      }

      const id = String(this.#nextChannelId++);
      const channel: ChannelRecord = {
        id,
        arn: `arn:aws:medialive:${this.#region}:${this.#accountId}:channel:${id}`,
        name: resourceName(spec),
        requestId,
        fingerprint,
        inputId,
        tags: resourceTags(spec),
        spec: specWithoutKey,
        keyDigest,
        state: 'CREATING',
        stateSince: now,
        pending: { to: fault === 'create-failure' ? 'CREATE_FAILED' : 'IDLE', at: now + this.#timings.createMs },
        createdAt: now,
        starts: 0,
        ingest: { phase: 'waiting' },
        scheduleActions: new Set(),
        inputSwitches: 0,
      };
      this.#channels.set(id, channel);
      this.#channelsByRequest.set(requestId, id);
      this.#stats.channelsCreated += 1;
      return this.#view(channel, now);
    });
  }

  async #startChannel(channelId: string): Promise<void> {
    return this.#call('medialive:StartChannel', STATE_CHANGE, () => {
      const now = this.#nowMs();
      const channel = this.#existingChannel(channelId, now, 'StartChannel');
      if (channel.state !== 'IDLE') throw wrongState('StartChannel', channel, 'IDLE');
      this.#transition(channel, now, 'STARTING', 'RUNNING', this.#timings.startMs);
      channel.starts += 1;
      this.#stats.starts[channelId] = (this.#stats.starts[channelId] ?? 0) + 1;
      this.#stats.totalStarts += 1;
    });
  }

  async #stopChannel(channelId: string): Promise<void> {
    return this.#call('medialive:StopChannel', STATE_CHANGE, () => {
      const now = this.#nowMs();
      const channel = this.#existingChannel(channelId, now, 'StopChannel');
      if (channel.state !== 'RUNNING' && channel.state !== 'STARTING' && channel.state !== 'RECOVERING') {
        throw wrongState('StopChannel', channel, 'RUNNING, STARTING or RECOVERING');
      }
      this.#transition(channel, now, 'STOPPING', 'IDLE', this.#timings.stopMs);
      this.#stats.totalStops += 1;
    });
  }

  /**
   * BatchUpdateSchedule with an immediate switch to the channel's input: a RUNNING channel reads
   * its input again (the current IVS stream, or waits for one). MediaLive accepts schedule
   * actions while the channel is idle too; they have no effect here. An action name already in
   * the schedule is a repeat and changes nothing.
   */
  async #reattachInput(channelId: string, streamId: string): Promise<void> {
    return this.#call('medialive:BatchUpdateSchedule', BY_ID, () => {
      const now = this.#nowMs();
      const channel = this.#existingChannel(channelId, now, 'BatchUpdateSchedule');
      const name = reattachActionName(streamId);
      if (channel.scheduleActions.has(name)) return;
      channel.scheduleActions.add(name);
      if (channel.state !== 'RUNNING') return;
      channel.ingest = { phase: 'waiting' };
      channel.inputSwitches += 1;
      this.#read(channel);
    });
  }

  async #deleteChannel(channelId: string): Promise<void> {
    return this.#call('medialive:DeleteChannel', STATE_CHANGE, () => {
      const now = this.#nowMs();
      const channel = this.#existingChannel(channelId, now, 'DeleteChannel');
      if (channel.state !== 'IDLE' && channel.state !== 'CREATE_FAILED' && channel.state !== 'UPDATE_FAILED') {
        throw wrongState('DeleteChannel', channel, 'IDLE, CREATE_FAILED or UPDATE_FAILED');
      }
      this.#transition(channel, now, 'DELETING', 'DELETED', this.#timings.deleteMs);
      this.#stats.channelsDeleted += 1;
    });
  }

  async #deleteInput(inputId: string): Promise<void> {
    return this.#call('medialive:DeleteInput', STATE_CHANGE, () => {
      const input = this.#inputs.get(inputId);
      if (!input || input.deleted) throw new ResourceNotFoundError(`DeleteInput: input ${inputId} does not exist`);
      const holder = this.#attachedChannel(inputId, this.#nowMs());
      if (holder) {
        throw new WrongStateError(
          `DeleteInput: input ${inputId} is attached to channel ${holder.id} (state ${holder.state}); delete the channel first`,
        );
      }
      input.deleted = true;
      this.#stats.inputsDeleted += 1;
    });
  }

  // ---------------------------------------------------------------- machinery

  /**
   * One API call: count it, draw a fault, wait the latency, then fail before the effect, or run
   * the effect (and, for `lost-response`, fail after it).
   */
  async #call<T>(action: string, applicable: readonly FaultKind[], effect: (fault?: FaultKind) => T, onNotFound?: () => T): Promise<T> {
    this.calls[action] = (this.calls[action] ?? 0) + 1;
    this.#callIndex += 1;
    const fault = this.#drawFault(action, applicable);
    if (this.#latencyMs > 0) await sleep(this.#latencyMs);
    switch (fault) {
      case 'throttle':
        throw new ThrottledError(`${action}: Too many requests (simulated fault)`);
      case 'unavailable':
        throw new ServiceUnavailableError(`${action}: Service unavailable (simulated fault)`);
      case 'wrong-state':
        throw new WrongStateError(`${action}: the resource is in a state that does not allow this call (simulated fault)`);
      case 'not-found':
        if (onNotFound) return onNotFound();
        throw new ResourceNotFoundError(`${action}: the resource does not exist (simulated fault)`);
      default:
        break;
    }
    const result = effect(fault);
    this.pollStateChanges();
    if (fault === 'lost-response') {
      throw new ServiceUnavailableError(`${action}: Gateway timeout; the request may have succeeded (simulated fault)`);
    }
    return result;
  }

  #drawFault(action: string, applicable: readonly FaultKind[]): FaultKind | undefined {
    const { rate, kinds } = this.#faults;
    if (rate <= 0) return undefined;
    if (this.#faultRandom() >= rate) return undefined;
    const candidates = kinds.filter((k) => applicable.includes(k));
    if (candidates.length === 0) return undefined;
    const kind = candidates[Math.floor(this.#faultRandom() * candidates.length)] as FaultKind;
    this.#stats.faults[kind] += 1;
    this.#faultLog.push({ call: this.#callIndex, action, kind });
    return kind;
  }

  #countExtraPages(action: string, items: number, pageSize: number): void {
    const pages = Math.max(1, Math.ceil(items / pageSize));
    this.calls[action] = (this.calls[action] ?? 0) + pages - 1;
  }

  #nowMs(): number {
    return this.#clock.now().getTime();
  }

  /** Completes a transition whose time has come; returns the current state. */
  #settle(channel: ChannelRecord, now: number): MediaLiveChannelState {
    if (channel.pending && now >= channel.pending.at) {
      channel.state = channel.pending.to;
      channel.stateSince = channel.pending.at;
      channel.pending = undefined;
      // A channel that starts running reads its input afresh; one that stops forgets it.
      channel.ingest = { phase: 'waiting' };
      if (channel.state === 'RUNNING') this.#read(channel);
    }
    return channel.state;
  }

  /** The IVS channel a MediaLive channel pulls from (by playback URL), if the simulator knows it. */
  #source(channel: ChannelRecord): IvsChannelRecord | undefined {
    return [...this.#ivsChannels.values()].find((c) => c.playbackUrl === channel.spec.sourceUrl);
  }

  /** RUNNING channels pulling from this IVS channel. */
  #readers(ivsChannel: IvsChannelRecord): ChannelRecord[] {
    const now = this.#nowMs();
    return [...this.#channels.values()].filter((c) => this.#settle(c, now) === 'RUNNING' && c.spec.sourceUrl === ivsChannel.playbackUrl);
  }

  /** A waiting input latches onto the source's current stream, if there is one. */
  #read(channel: ChannelRecord): void {
    const stream = this.#source(channel)?.stream;
    if (channel.ingest.phase === 'waiting' && stream) channel.ingest = { phase: 'reading', streamId: stream.streamId };
  }

  #output(channel: ChannelRecord, now: number): ChannelOutput {
    if (this.#settle(channel, now) !== 'RUNNING') return 'none';
    const stream = this.#source(channel)?.stream;
    return channel.ingest.phase === 'reading' && stream?.streamId === channel.ingest.streamId ? 'media' : 'black';
  }

  #transition(channel: ChannelRecord, now: number, during: MediaLiveChannelState, after: MediaLiveChannelState, ms: number): void {
    channel.state = during;
    channel.stateSince = now;
    channel.pending = { to: after, at: now + ms };
    this.#settle(channel, now);
  }

  /** The channel, settled; ResourceNotFoundError when unknown or DELETED. */
  #existingChannel(channelId: string, now: number, operation: string): ChannelRecord {
    const channel = this.#channels.get(channelId);
    if (!channel || this.#settle(channel, now) === 'DELETED') {
      throw new ResourceNotFoundError(`${operation}: channel ${channelId} does not exist`);
    }
    return channel;
  }

  #attachedChannel(inputId: string, now: number): ChannelRecord | undefined {
    return [...this.#channels.values()].find((c) => c.inputId === inputId && this.#settle(c, now) !== 'DELETED');
  }

  #view(channel: ChannelRecord, now: number): MediaLiveChannel {
    return {
      id: channel.id,
      name: channel.name,
      state: this.#settle(channel, now),
      tags: { ...channel.tags },
      inputIds: [channel.inputId],
    };
  }

  #snapshot(channel: ChannelRecord, now: number): SimulatedChannel {
    return {
      ...this.#view(channel, now),
      arn: channel.arn,
      stateSince: new Date(channel.stateSince).toISOString(),
      createdAt: new Date(channel.createdAt).toISOString(),
      starts: channel.starts,
      spec: { ...channel.spec },
      output: this.#output(channel, now),
      inputSwitches: channel.inputSwitches,
    };
  }

  #digest(streamKey: string): string {
    return createHmac('sha256', this.#keySecret).update(streamKey).digest('hex');
  }

  #endStream(channel: IvsChannelRecord): void {
    const streamId = channel.stream?.streamId;
    // The HLS source of every channel reading this stream ends: its input has ended.
    for (const reader of this.#readers(channel)) {
      if (reader.ingest.phase === 'reading' && reader.ingest.streamId === streamId) reader.ingest = { phase: 'ended' };
    }
    channel.stream = undefined;
    if (streamId !== undefined) this.#announce(channel, 'Stream End', streamId);
  }

  #announce(channel: IvsChannelRecord, eventName: 'Stream Start' | 'Stream End', streamId: string): void {
    if (this.#streamListeners.size === 0) return;
    const event: IvsStreamStateChangeEvent = {
      version: '0',
      id: `sim-event-${this.#nextEventId++}`,
      'detail-type': 'IVS Stream State Change',
      source: 'aws.ivs',
      account: this.#accountId,
      time: this.#clock.now().toISOString(),
      region: this.#region,
      resources: [channel.arn],
      detail: { event_name: eventName, channel_name: channel.name, stream_id: streamId },
    };
    for (const listener of [...this.#streamListeners]) listener(event);
  }

  #requireIvsChannel(channelArn: string): IvsChannelRecord {
    const channel = this.#ivsChannels.get(channelArn);
    if (!channel) throw new Error(`Simulator has no IVS channel ${channelArn}; call addIvsChannel first`);
    return channel;
  }

  #defaultPlaybackUrl(channelArn: string): string {
    const channelId = channelArn.split('/').pop() ?? channelArn;
    const host = createHmac('sha256', 'playback-host').update(channelArn).digest('hex').slice(0, 12);
    return `https://${host}.${this.#region}.playback.live-video.net/api/video/v1/${this.#region}.${this.#accountId}.channel.${channelId}.m3u8`;
  }

  /**
   * "st-" and 23 letters or digits: IVS stream ids have a "Fixed length of 26" and the pattern
   * `st-[a-zA-Z0-9]+` (https://docs.aws.amazon.com/ivs/latest/APIReference/API_GetStreamSession.html).
   */
  #newStreamId(): string {
    for (;;) {
      let id = 'st-';
      for (let i = 0; i < 23; i += 1) id += BASE62[Math.floor(this.#idRandom() * BASE62.length)];
      if (!this.#streamIds.has(id)) {
        this.#streamIds.add(id);
        return id;
      }
    }
  }
}

function idempotencyMismatch(operation: string, requestId: string): InvalidConfigurationError {
  return new InvalidConfigurationError(
    `${operation}: RequestId ${requestId} was already used with different parameters (idempotency mismatch)`,
  );
}

function wrongState(operation: string, channel: ChannelRecord, allowed: string): WrongStateError {
  return new WrongStateError(`${operation}: channel ${channel.id} is ${channel.state}; this call needs ${allowed}`);
}

/** The checks MediaLive makes on CreateChannel that the spec can fail. Messages never carry the key. */
function validateChannelSpec(spec: ChannelSpec): void {
  const problems: string[] = [];
  if (!/^rtmps?:\/\/\S+$/.test(spec.rtmpUrl)) problems.push('destinations[0].settings[0].url must be an rtmp:// or rtmps:// URL');
  if (spec.streamKey.length === 0) problems.push('destinations[0].settings[0].streamName must not be empty');
  if (!(PROFILES as readonly string[]).includes(spec.profile)) problems.push(`unknown encoding profile ${spec.profile}`);
  if (!IAM_ROLE_ARN.test(spec.roleArn)) problems.push('roleArn must be an IAM role ARN');
  if (problems.length > 0) throw new InvalidConfigurationError(`CreateChannel: ${problems.join('; ')}`);
}
