/**
 * A random-history model of the whole back end: histories of creator, operator and AWS actions run
 * against the real API and monitor handlers over dynalite and the simulator (test/support/system.ts),
 * then a quiet period, then the invariants of DESIGN.md's desired-state rule are checked against
 * what the relay engines hold: MediaLive channels (mode transcode) and ECS tasks (mode
 * passthrough; the simulated ECS moves one task state per 10 s of clock time). Used by test/system/model.test.ts (random histories, fast-check) and by
 * the example tests that keep shrunk counterexamples.
 *
 * The harness only uses the stable entry points (API handler, monitor handler, simulator,
 * DynamoDB), so it survives changes inside the reconciler.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import type { Destination, RelayMode } from '../../lambdas/core/destination';
import type { MediaLiveChannelState } from '../../lambdas/core/ports';
import { TAG_DESTINATION } from '../../lambdas/core/ports';
import type { FaultKind, IvsStreamStateChangeEvent, SimulatedChannel } from '../../lambdas/testing/simulator';
import { FAULT_KINDS } from '../../lambdas/testing/simulator';
import { DynaliteServer } from './dynalite';
import type { System } from './system';
import { CHANNEL_A, CHANNEL_B, startSystem } from './system';

export const GRACE_SECONDS = 120;
const GRACE_MS = GRACE_SECONDS * 1000;
/** IDLE_CHANNEL_TTL_SECONDS here: short, so that the quiet period sees idle channels go. */
export const IDLE_TTL_SECONDS = 150;
const IDLE_TTL_MS = IDLE_TTL_SECONDS * 1000;
const CHANNELS = [CHANNEL_A, CHANNEL_B] as const;
const SLOTS = 4;
/** Clock jumps backwards are at most this long; the model's timing margins cover them. */
const MAX_BACKWARD_JUMP_MS = 5_000;
const MARGIN_MS = 2 * MAX_BACKWARD_JUMP_MS;
const SCHEDULE_MS = 60_000;
/** Clock time per step of a simulated Fargate task (three from RunTask to RUNNING, four to STOPPED). */
const ECS_STEP_MS = 10_000;
/**
 * Issue 13 finding 2: a manual stop holds until the broadcast really ends, through encoder
 * reconnects inside the grace period. Until the reconciler does that, a reconnect after a stop
 * may go either way here (the regression histories in test/support/model-counterexamples.ts pin it).
 */
export const STOP_HOLDS_ACROSS_RECONNECTS = true;

export type EventFate = 'delivered' | 'lost' | 'twice' | 'late';
export type Invocation = 'tick' | 'start' | 'stop' | 'delete' | 'disable' | 'enable' | 'event';
export type Malformation = 'staleInputIds-string' | 'staleInputIds-map' | 'generation-string' | 'lease-string' | 'status-unknown';

/** One step of a history. `slot` names one of a few destinations; `channel` one of two IVS channels. */
export type Action =
  | { kind: 'create'; slot: number; channel: number; enabled: boolean; mode?: RelayMode }
  /** `mode` switches the destination to the other relay mode (its relay moves to the other engine). */
  | { kind: 'update'; slot: number; change: 'enable' | 'disable' | 'profile' | 'key' | 'url' | 'rename' | 'mode' }
  /** A manual start; `enable` also enables a disabled destination (else it answers 409). */
  | { kind: 'start'; slot: number; enable: boolean }
  | { kind: 'stop'; slot: number }
  | { kind: 'delete'; slot: number }
  | { kind: 'goLive'; channel: number; event: EventFate }
  | { kind: 'goOffline'; channel: number; event: EventFate }
  /** The encoder drops and comes back after `gapMs` (the schedule runs meanwhile): a new IVS stream id. */
  | { kind: 'reconnect'; channel: number; gapMs: number; event: EventFate }
  /** Delivers the oldest event held back by a `late` fate (reordered, delayed). */
  | { kind: 'deliverLate' }
  /** A stale or duplicated IVS event for a channel, whatever its state. */
  | { kind: 'staleEvent'; channel: number; name: 'Stream Start' | 'Stream End' }
  /** A scheduled monitor run now. */
  | { kind: 'tick' }
  /**
   * Work-queue deliveries gone wrong: a batch delivered twice at once, or received and then lost
   * by its invocation (SQS delivers it again after the visibility timeout).
   */
  | { kind: 'queue'; how: 'twice' | 'lost' }
  /** The MediaLive state-change events so far: lost, delivered in reverse order, or twice. */
  | { kind: 'mediaLiveEvents'; how: 'lost' | 'reversed' | 'twice' }
  /** Time passes; the one-minute schedule runs meanwhile. */
  | { kind: 'wait'; ms: number }
  /** The clock jumps (forwards, or a few seconds backwards); nothing runs meanwhile. */
  | { kind: 'jump'; ms: number }
  | { kind: 'faults'; rate: number; seed: number; kinds: FaultKind[] }
  | { kind: 'noFaults' }
  /** An attribute of the slot's item overwritten behind the system's back. */
  | { kind: 'malform'; slot: number; how: Malformation }
  /** An invocation that dies at its `atCall`-th AWS call (IVS, MediaLive or DynamoDB), before or after the call takes effect. */
  | { kind: 'kill'; invocation: Invocation; slot: number; channel: number; atCall: number; when: 'before' | 'after' };

const slot = fc.integer({ min: 0, max: SLOTS - 1 });
/** Mostly the first IVS channel, so that histories meet on it. */
const channel = fc.constantFrom(0, 0, 0, 1);
const fate = fc.constantFrom<EventFate>('delivered', 'delivered', 'delivered', 'lost', 'twice', 'late');

/** Random steps, weighted towards what happens often. */
const weightedActions: { kind: Action['kind']; weight: number; arbitrary: fc.Arbitrary<Action> }[] = [
  {
    kind: 'create',
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      slot,
      channel,
      enabled: fc.boolean(),
      mode: fc.constantFrom<RelayMode>('transcode', 'passthrough'),
    }),
  },
  {
    kind: 'update',
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      slot,
      change: fc.constantFrom(
        'enable' as const,
        'disable' as const,
        'profile' as const,
        'key' as const,
        'url' as const,
        'rename' as const,
        'mode' as const,
        'mode' as const,
      ),
    }),
  },
  { kind: 'start', weight: 2, arbitrary: fc.record({ kind: fc.constant('start' as const), slot, enable: fc.boolean() }) },
  { kind: 'stop', weight: 3, arbitrary: fc.record({ kind: fc.constant('stop' as const), slot }) },
  { kind: 'delete', weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), slot }) },
  { kind: 'goLive', weight: 4, arbitrary: fc.record({ kind: fc.constant('goLive' as const), channel, event: fate }) },
  { kind: 'goOffline', weight: 3, arbitrary: fc.record({ kind: fc.constant('goOffline' as const), channel, event: fate }) },
  {
    kind: 'reconnect',
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('reconnect' as const),
      channel,
      gapMs: fc.oneof(fc.integer({ min: 1_000, max: GRACE_MS - 20_000 }), fc.integer({ min: GRACE_MS + 70_000, max: 5 * GRACE_MS })),
      event: fate,
    }),
  },
  { kind: 'deliverLate', weight: 1, arbitrary: fc.constant({ kind: 'deliverLate' as const }) },
  {
    kind: 'staleEvent',
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('staleEvent' as const),
      channel,
      name: fc.constantFrom('Stream Start' as const, 'Stream End' as const),
    }),
  },
  { kind: 'tick', weight: 3, arbitrary: fc.constant({ kind: 'tick' as const }) },
  {
    kind: 'queue',
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('queue' as const), how: fc.constantFrom('twice' as const, 'lost' as const) }),
  },
  {
    kind: 'mediaLiveEvents',
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('mediaLiveEvents' as const),
      how: fc.constantFrom('lost' as const, 'reversed' as const, 'twice' as const),
    }),
  },
  {
    kind: 'wait',
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1_000, max: 4 * SCHEDULE_MS }) }),
  },
  {
    kind: 'jump',
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('jump' as const),
      ms: fc.oneof(fc.integer({ min: -MAX_BACKWARD_JUMP_MS, max: -1 }), fc.integer({ min: 60_000, max: 30 * 60_000 })),
    }),
  },
  {
    kind: 'faults',
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('faults' as const),
      rate: fc.constantFrom(0.1, 0.3, 0.5),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      kinds: fc.subarray([...FAULT_KINDS], { minLength: 1 }),
    }),
  },
  { kind: 'noFaults', weight: 1, arbitrary: fc.constant({ kind: 'noFaults' as const }) },
  {
    kind: 'malform',
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('malform' as const),
      slot,
      how: fc.constantFrom<Malformation>(
        'staleInputIds-string',
        'staleInputIds-map',
        'generation-string',
        'lease-string',
        'status-unknown',
      ),
    }),
  },
  {
    kind: 'kill',
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('kill' as const),
      invocation: fc.constantFrom<Invocation>('tick', 'tick', 'start', 'stop', 'delete', 'disable', 'enable', 'event'),
      slot,
      channel,
      atCall: fc.integer({ min: 1, max: 12 }),
      when: fc.constantFrom('before' as const, 'after' as const),
    }),
  },
];

/** Every kind of step the harness knows. */
export const ALL_KINDS: readonly Action['kind'][] = weightedActions.map((a) => a.kind);

/** Random steps of the given kinds (default: all). */
export function actionArbitrary(kinds?: readonly Action['kind'][]): fc.Arbitrary<Action> {
  return fc.oneof(
    ...weightedActions.filter((a) => !kinds || kinds.includes(a.kind)).map(({ weight, arbitrary }) => ({ weight, arbitrary })),
  );
}

/** Two destinations exist from the start, so that most actions have something to act on. */
export const historyArbitrary = (kinds?: readonly Action['kind'][]): fc.Arbitrary<Action[]> =>
  fc
    .tuple(
      fc.boolean(),
      fc.constantFrom<RelayMode>('transcode', 'passthrough'),
      fc.array(actionArbitrary(kinds), { minLength: 1, maxLength: 40 }),
    )
    .map(([secondEnabled, secondMode, actions]) => [
      { kind: 'create', slot: 0, channel: 0, enabled: true, mode: 'transcode' } as const,
      { kind: 'create', slot: 1, channel: 0, enabled: secondEnabled, mode: secondMode } as const,
      ...actions,
    ]);

// ---------------------------------------------------------------------------------------------
// The model: what the creator and the operator asked for, as far as it is known.

/** A stop pauses a broadcast; `streamId` is the IVS stream on air (or just ended) when it was asked. */
type Pause = { kind: 'none' } | { kind: 'paused'; broadcast: number; streamId: string | undefined } | { kind: 'unknown' };

interface SlotModel {
  id: string;
  channel: number;
  /** undefined: unknown (an invocation died mid-change); the item then says what was asked. */
  enabled: boolean | undefined;
  deleted: boolean | undefined;
  pause: Pause;
  malformed: boolean;
  /**
   * The values the history wrote that do not parse, by attribute. The item is malformed while it
   * still holds one of them: the system's own report on the item (status `error`, `lastError`)
   * overwrites a bad `status`, and the item parses again.
   */
  malformedValues: Record<string, unknown>;
  /**
   * The relays of the destination that ran when its item became malformed. Nothing may stop them
   * while it is (a typo in the table must not kill a broadcast): no reconcile can read the item,
   * and the orphan sweep must not take them for orphans.
   */
  runningWhenMalformed?: { channels: string[]; tasks: string[] };
  /** The mode last asked for; undefined when a change's answer was lost. */
  mode: RelayMode | undefined;
}

interface ChannelModel {
  live: boolean;
  /** The broadcast (IVS streams joined by reconnects inside the grace period). */
  broadcast: number;
  /** Broadcasts whose beginning the system could see either way (reconnect gap near the grace period). */
  ambiguous: Set<number>;
  /** True clock time the channel last went offline. */
  offlineAt: number | undefined;
  /** Clock time a monitor run first finished while the channel was offline (it recorded the offline). */
  observedOfflineAt: number | undefined;
  streamId: string | undefined;
}

/** The part of the in-process work queue (SQS's behaviour) the harness drives. */
interface QueueLike {
  nextVisibleAt(): Date | undefined;
  receive(max?: number): { Records: { messageId: string; receiptHandle: string }[] } | undefined;
  /** Deletes the batch's messages except the failed ones, which come back after the visibility timeout. */
  settle(batch: unknown, response: { batchItemFailures?: { itemIdentifier: string }[] } | undefined): void;
}

interface KillSwitch {
  atCall: number;
  when: 'before' | 'after';
  calls: number;
  dead: boolean;
  onDeath: () => void;
}

/** A history run against a fresh system; `violations` is empty when every invariant held. */
export interface HistoryOutcome {
  violations: string[];
  /** What the system looked like at the end, for the failure message. */
  picture: string;
}

/**
 * What a call of a dead invocation returns: a promise that never settles. A new one each time:
 * continuations awaiting one shared promise would stay reachable from it, and with them every
 * dead invocation's system, for as long as the process runs.
 */
const never = (): Promise<never> => new Promise<never>(() => undefined);

export interface HistoryOptions {
  /** Whether a stop must hold through reconnects inside the grace period (default STOP_HOLDS_ACROSS_RECONNECTS). */
  stopHoldsAcrossReconnects?: boolean;
  /**
   * A dynalite server of the history's own, with fresh tables, over loopback HTTP: how every
   * history ran before they shared one server (`npm run bench:model` measures both).
   */
  ownServer?: boolean;
}

let server: Promise<DynaliteServer> | undefined;

/**
 * The kill switch of the invocation an AWS call belongs to. One for the process, not one per
 * history: Node keeps every AsyncLocalStorage that has run until `disable()` and hands each one
 * every new async resource, so one per history made each later history slower (measured on
 * Node 20: 20 000 awaits take 57 ms with none, 6.4 s after 1000 histories' worth).
 */
const invocations = new AsyncLocalStorage<KillSwitch>();

/**
 * The dynalite server the histories of this process share, started once, not once per history.
 * Each history gets tables emptied for it (recycled: emptying is cheaper than making tables), so
 * no state passes from one history to the next, and its DynamoDB client calls dynalite in process
 * (no TCP round trip; the same signed requests and answers). Close it with `closeModelServer`
 * when the histories are done. Cost per history: `npm run bench:model`.
 */
function sharedServer(): Promise<DynaliteServer> {
  server ??= DynaliteServer.start();
  return server;
}

/** Closes the dynalite server the histories shared (a later `runHistory` starts a new one). */
export async function closeModelServer(): Promise<void> {
  const running = server;
  server = undefined;
  await (await running)?.close();
}

/** Runs one history on a fresh system, then a quiet period, and checks the invariants. */
export async function runHistory(actions: readonly Action[], options: HistoryOptions = {}): Promise<HistoryOutcome> {
  const system = await startSystem({
    channels: [...CHANNELS],
    graceSeconds: GRACE_SECONDS,
    reconciler: { idleTtlSeconds: IDLE_TTL_SECONDS },
    passthrough: true,
    ...(options.ownServer ? {} : { dynalite: await sharedServer(), recycleTables: true, dynamoTransport: 'in-process' as const }),
  });
  try {
    return await new Harness(system, options.stopHoldsAcrossReconnects ?? STOP_HOLDS_ACROSS_RECONNECTS).run(actions);
  } finally {
    await system.stop();
  }
}

class Harness {
  private readonly slots: (SlotModel | undefined)[] = Array.from({ length: SLOTS }, () => undefined);
  /** Every destination id the API ever answered with, so that removed ones can be checked too. */
  private readonly created = new Set<string>();
  private readonly channels: ChannelModel[] = CHANNELS.map(() => ({
    live: false,
    broadcast: 0,
    ambiguous: new Set<number>(),
    offlineAt: undefined,
    observedOfflineAt: undefined,
    streamId: undefined,
  }));
  private readonly heldEvents: IvsStreamStateChangeEvent[] = [];
  private readonly violations: string[] = [];
  private nextTickAt: number;
  private lastEvents: IvsStreamStateChangeEvent[] = [];

  constructor(
    private readonly system: System,
    private readonly stopHoldsAcrossReconnects: boolean,
  ) {
    this.nextTickAt = system.clock.now().getTime() + SCHEDULE_MS;
    system.sim.onStreamStateChange((event) => this.lastEvents.push(event));
    this.gateAwsCalls();
  }

  async run(actions: readonly Action[]): Promise<HistoryOutcome> {
    for (const action of actions) await this.apply(action);
    await this.quietPeriod();
    return { violations: this.violations, picture: await this.picture() };
  }

  // ------------------------------------------------------------------ killing invocations

  /**
   * Every IVS, MediaLive and DynamoDB call of an invocation that has a kill switch counts towards
   * it; at its `atCall`-th call the invocation dies: that call and every later one of it never
   * return, as when Lambda ends an invocation (time-out, crash, redeploy).
   */
  private gateAwsCalls(): void {
    const gate = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => {
      return async (...args: A): Promise<R> => {
        const kill = invocations.getStore();
        if (!kill) return call(...args);
        if (kill.dead) return never();
        kill.calls += 1;
        if (kill.calls < kill.atCall) return call(...args);
        kill.dead = true;
        kill.onDeath();
        if (kill.when === 'after') await call(...args).catch(() => undefined);
        return never();
      };
    };
    for (const port of [this.system.sim.medialive, this.system.sim.ivs] as unknown as Record<string, unknown>[]) {
      for (const [name, fn] of Object.entries(port)) {
        if (typeof fn === 'function') port[name] = gate(fn as (...args: unknown[]) => Promise<unknown>);
      }
    }
    for (const client of [this.system.ecs.ecs, this.system.ecs.ssm] as unknown as { send: (command: unknown) => Promise<unknown> }[]) {
      client.send = gate(client.send);
    }
    this.system.db.client.middlewareStack.add(
      (next) => async (args) => {
        const kill = invocations.getStore();
        if (!kill) return next(args);
        if (kill.dead) return never();
        kill.calls += 1;
        if (kill.calls < kill.atCall) return next(args);
        kill.dead = true;
        kill.onDeath();
        if (kill.when === 'after') await next(args).catch(() => undefined);
        return never();
      },
      { step: 'initialize', name: 'modelKillSwitch' },
    );
  }

  /** Runs `work` as one invocation that dies as the action says; true when it died. */
  private async killable(action: Extract<Action, { kind: 'kill' }>, work: () => Promise<unknown>): Promise<boolean> {
    let died!: () => void;
    const death = new Promise<'died'>((resolve) => (died = () => resolve('died')));
    const kill: KillSwitch = { atCall: action.atCall, when: action.when, calls: 0, dead: false, onDeath: () => died() };
    const outcome = await Promise.race([
      invocations.run(kill, () =>
        work().then(
          () => 'finished' as const,
          () => 'finished' as const,
        ),
      ),
      death,
    ]);
    // Let every branch of the dead invocation reach its next call, where it stays.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    return outcome === 'died';
  }

  // ------------------------------------------------------------------ actions

  private now(): number {
    return this.system.clock.now().getTime();
  }

  /** Clock time not yet turned into ECS task steps. */
  private ecsDebtMs = 0;

  /** Advances the clock; the simulated ECS moves one task state per ECS_STEP_MS of it. */
  private advance(ms: number): void {
    this.system.clock.advance(ms);
    this.ecsDebtMs += ms;
    for (; this.ecsDebtMs >= ECS_STEP_MS; this.ecsDebtMs -= ECS_STEP_MS) this.system.ecs.tick();
  }

  private async apply(action: Action): Promise<void> {
    switch (action.kind) {
      case 'create':
        return this.create(action.slot, action.channel, action.enabled, action.mode ?? 'transcode');
      case 'update':
        return this.update(action.slot, action.change);
      case 'start':
        return this.start(action.slot, action.enable);
      case 'stop':
        return this.stop(action.slot);
      case 'delete':
        return this.remove(action.slot);
      case 'goLive':
        this.goLive(action.channel);
        return this.announce(action.event);
      case 'goOffline':
        this.goOffline(action.channel);
        return this.announce(action.event);
      case 'reconnect':
        if (!this.channels[action.channel]?.live) this.goLive(action.channel);
        this.goOffline(action.channel);
        await this.announce(action.event);
        await this.wait(action.gapMs);
        this.goLive(action.channel);
        return this.announce(action.event);
      case 'deliverLate': {
        const event = this.heldEvents.shift();
        if (event) await this.monitor(event);
        return;
      }
      case 'staleEvent':
        await this.monitor(this.system.ivsEvent(CHANNELS[action.channel] as string, action.name));
        return;
      case 'tick':
        await this.monitor();
        return;
      case 'queue':
        return this.queueChaos(action.how);
      case 'mediaLiveEvents':
        return this.mediaLiveEventChaos(action.how);
      case 'wait':
        return this.wait(action.ms);
      case 'jump':
        if (action.ms >= 0) this.advance(action.ms);
        else this.system.clock.set(this.now() + action.ms);
        this.nextTickAt = Math.ceil((this.now() + 1) / SCHEDULE_MS) * SCHEDULE_MS;
        return;
      case 'faults':
        this.system.sim.setFaults({ rate: action.rate, seed: action.seed, kinds: action.kinds });
        return;
      case 'noFaults':
        this.system.sim.setFaults(undefined);
        return;
      case 'malform':
        return this.malform(action.slot, action.how);
      case 'kill':
        return this.kill(action);
    }
  }

  private async create(slotIndex: number, channelIndex: number, enabled: boolean, mode: RelayMode): Promise<void> {
    const existing = this.slots[slotIndex];
    if (existing && existing.deleted === false) return;
    const res = await this.api('POST', '/stream-destinations', {
      platform: 'custom',
      name: `Slot ${slotIndex}`,
      rtmpUrl: 'rtmps://live.example.com/app',
      streamKey: `model_key_${slotIndex}_${this.created.size}_abcdef`,
      channelArn: CHANNELS[channelIndex],
      enabled,
      mode,
    });
    if (res.statusCode !== 201) return;
    this.created.add(res.json.id);
    this.slots[slotIndex] = {
      id: res.json.id,
      channel: channelIndex,
      enabled,
      deleted: false,
      pause: { kind: 'none' },
      malformed: false,
      malformedValues: {},
      mode,
    };
  }

  private liveSlot(slotIndex: number): SlotModel | undefined {
    const s = this.slots[slotIndex];
    return s && s.deleted !== true ? s : undefined;
  }

  private async update(slotIndex: number, change: Extract<Action, { kind: 'update' }>['change']): Promise<void> {
    const s = this.liveSlot(slotIndex);
    if (!s) return;
    const body =
      change === 'enable'
        ? { enabled: true }
        : change === 'disable'
          ? { enabled: false }
          : change === 'profile'
            ? { profile: (this.created.size + this.now()) % 2 === 0 ? '720p30-4500' : '480p30-2000' }
            : change === 'key'
              ? { streamKey: `model_key_rotated_${this.now()}_abcdef` }
              : change === 'url'
                ? { rtmpUrl: `rtmps://live${this.now() % 7}.example.com/app` }
                : change === 'mode'
                  ? { mode: s.mode === 'passthrough' ? ('transcode' as const) : ('passthrough' as const) }
                  : { name: `Renamed ${this.now()}` };
    const res = await this.api('PUT', `/stream-destinations/${s.id}`, body);
    if (res.statusCode === 200 && 'enabled' in body) s.enabled = body.enabled;
    if (res.statusCode === 200 && 'mode' in body) s.mode = body.mode;
  }

  private async start(slotIndex: number, enable: boolean): Promise<void> {
    const s = this.liveSlot(slotIndex);
    if (!s) return;
    const res = await this.api('POST', `/stream-destinations/${s.id}/start`, enable ? { enable: true } : undefined);
    if (res.statusCode === 202) {
      if (enable) s.enabled = true;
      s.pause = { kind: 'none' };
    }
  }

  private async stop(slotIndex: number): Promise<void> {
    const s = this.liveSlot(slotIndex);
    if (!s) return;
    const c = this.channels[s.channel] as ChannelModel;
    const recorded = c.live ? undefined : await this.recordedStreamId(s.channel);
    const res = await this.api('POST', `/stream-destinations/${s.id}/stop`);
    if (res.statusCode !== 202) return;
    s.pause = this.pauseOfStop(s.channel, recorded, s.pause);
  }

  /** What a stop does now: pauses the broadcast on air, or the one that just ended if the system knows its stream. */
  private pauseOfStop(channelIndex: number, recordedStreamId: string | undefined, before: Pause): Pause {
    const c = this.channels[channelIndex] as ChannelModel;
    if (c.live) return { kind: 'paused', broadcast: c.broadcast, streamId: c.streamId };
    if (c.streamId === undefined) return before; // never live: nothing to pause
    if (recordedStreamId === c.streamId) return { kind: 'paused', broadcast: c.broadcast, streamId: c.streamId };
    return { kind: 'unknown' };
  }

  private async recordedStreamId(channelIndex: number): Promise<string | undefined> {
    const res = await this.system.db.doc.send(
      new GetCommand({ TableName: this.system.db.tables.streamState, Key: { id: CHANNELS[channelIndex] } }),
    );
    const streamId = res.Item?.streamId;
    return typeof streamId === 'string' ? streamId : undefined;
  }

  private async remove(slotIndex: number): Promise<void> {
    const s = this.liveSlot(slotIndex);
    if (!s) return;
    const res = await this.api('DELETE', `/stream-destinations/${s.id}`);
    if (res.statusCode === 204 || res.statusCode === 202) s.deleted = true;
  }

  private goLive(channelIndex: number): void {
    const c = this.channels[channelIndex] as ChannelModel;
    if (c.offlineAt !== undefined) {
      const gap = this.now() - c.offlineAt;
      const seenGap = c.observedOfflineAt === undefined ? undefined : this.now() - c.observedOfflineAt;
      if (gap < GRACE_MS - MARGIN_MS) {
        // A reconnect inside the grace period: the same broadcast goes on.
      } else if (seenGap !== undefined && seenGap >= GRACE_MS + MARGIN_MS) {
        c.broadcast += 1;
      } else {
        c.broadcast += 1;
        c.ambiguous.add(c.broadcast);
      }
    } else if (c.streamId !== undefined) {
      // Live again without ever going offline: IVS replaced the stream (goLive while live).
    } else {
      c.broadcast += 1;
    }
    c.streamId = this.system.sim.goLive(CHANNELS[channelIndex] as string);
    c.live = true;
    c.offlineAt = undefined;
    c.observedOfflineAt = undefined;
  }

  private goOffline(channelIndex: number): void {
    const c = this.channels[channelIndex] as ChannelModel;
    if (!c.live) return;
    this.system.sim.goOffline(CHANNELS[channelIndex] as string);
    c.live = false;
    c.offlineAt = this.now();
    c.observedOfflineAt = undefined;
  }

  /** Delivers (or not) the IVS events of the last goLive/goOffline. */
  private async announce(fateOfEvents: EventFate): Promise<void> {
    const events = this.lastEvents;
    this.lastEvents = [];
    for (const event of events) {
      if (fateOfEvents === 'lost') continue;
      if (fateOfEvents === 'late') {
        this.heldEvents.push(event);
        continue;
      }
      await this.monitor(event);
      if (fateOfEvents === 'twice') await this.monitor(event);
    }
  }

  /** Time passes in steps; the schedule runs at each minute it crosses. */
  private async wait(ms: number): Promise<void> {
    const until = this.now() + ms;
    for (;;) {
      await this.deliverDue();
      const queued = this.queue()?.nextVisibleAt()?.getTime();
      const next = Math.min(this.nextTickAt, until, queued !== undefined && queued > this.now() ? queued : Infinity);
      if (next > until) break;
      if (next > this.now()) this.advance(next - this.now());
      if (this.nextTickAt <= this.now()) {
        this.nextTickAt += SCHEDULE_MS;
        await this.monitor();
      }
      if (next >= until) {
        await this.deliverDue();
        break;
      }
    }
    if (until > this.now()) this.advance(until - this.now());
  }

  // ------------------------------------------------------------------ the work queue and MediaLive events

  /** The system's work queue and MediaLive events, where it has them (the reconciler v2). */
  private queue(): QueueLike | undefined {
    return (this.system as unknown as { queue?: QueueLike }).queue;
  }

  private mediaLiveEvents(): Record<string, unknown>[] {
    return (this.system as unknown as { events?: Record<string, unknown>[] }).events ?? [];
  }

  /** What AWS does while time passes: due queue messages and MediaLive events reach the monitor. */
  private async deliverDue(): Promise<void> {
    const events = this.mediaLiveEvents().splice(0);
    for (const event of events) await this.monitor(event);
    for (let round = 0; round < 20; round++) {
      const batch = this.queue()?.receive(10);
      if (!batch) return;
      await this.monitorBatch(batch);
    }
  }

  /** Delivers an SQS batch; what the monitor reports failed, or everything if it throws, comes back later. */
  private async monitorBatch(batch: { Records: { messageId: string; receiptHandle: string }[] }): Promise<void> {
    try {
      const answer = (await this.system.monitor(batch as unknown as Record<string, unknown>)) as
        { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
      this.queue()?.settle(batch, answer);
    } catch {
      // The whole batch comes back after the visibility timeout.
    }
  }

  private async queueChaos(how: 'twice' | 'lost'): Promise<void> {
    const batch = this.queue()?.receive(10);
    if (!batch || how === 'lost') return;
    await this.system.monitor(batch as unknown as Record<string, unknown>).catch(() => undefined);
    await this.monitorBatch(batch);
  }

  private async mediaLiveEventChaos(how: 'lost' | 'reversed' | 'twice'): Promise<void> {
    const events = this.mediaLiveEvents().splice(0);
    if (how === 'lost') return;
    for (const event of how === 'reversed' ? events.reverse() : events) {
      await this.monitor(event);
      if (how === 'twice') await this.monitor(event);
    }
  }

  /** A monitor run; a failed run is retried by the next one, as with EventBridge. */
  private async monitor(event?: Record<string, unknown> | IvsStreamStateChangeEvent): Promise<boolean> {
    try {
      await this.system.monitor(event as Record<string, unknown> | undefined);
    } catch {
      return false;
    }
    const source = (event as { source?: string; resources?: string[] } | undefined)?.source;
    if (event === undefined) this.observed();
    else if (source === 'aws.ivs') this.observed((event as { resources?: string[] }).resources?.[0]);
    return true;
  }

  /** A finished scheduled run (or IVS event for one channel) has recorded the offline channels it looked at. */
  private observed(channelArn?: string): void {
    for (const [i, c] of this.channels.entries()) {
      if (channelArn !== undefined && CHANNELS[i] !== channelArn) continue;
      if (!c.live && c.offlineAt !== undefined && c.observedOfflineAt === undefined) c.observedOfflineAt = this.now();
    }
  }

  private async api(method: string, path: string, body?: unknown): Promise<{ statusCode: number; json: any }> {
    const res = await this.system.api(method, path, body);
    // Never a 500: a stored item that fails its schema answers 409 MALFORMED_ITEM naming its attributes.
    if (res.statusCode >= 500 && res.statusCode !== 503 && res.statusCode !== 504) {
      this.violations.push(`${method} ${path} answered ${res.statusCode}: ${res.body}`);
    }
    return res;
  }

  private async malform(slotIndex: number, how: Malformation): Promise<void> {
    const s = this.slots[slotIndex];
    if (!s) return;
    const [name, value] = (
      {
        'staleInputIds-string': ['staleInputIds', '1000001'],
        'staleInputIds-map': ['staleInputIds', { '0': '1000001' }],
        'generation-string': ['generation', 'two'],
        'lease-string': ['lease', 'held'],
        'status-unknown': ['status', 'paused'],
      } as const
    )[how];
    const before = (
      await this.system.db.doc.send(
        new GetCommand({ TableName: this.system.db.tables.destinations, Key: { id: s.id }, ConsistentRead: true }),
      )
    ).Item;
    try {
      await this.system.db.doc.send(
        new UpdateCommand({
          TableName: this.system.db.tables.destinations,
          Key: { id: s.id },
          UpdateExpression: 'SET #a = :v',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeNames: { '#a': name },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
      if (!stillMalformed(s, before)) {
        const running: readonly MediaLiveChannelState[] = ['STARTING', 'RUNNING', 'RECOVERING'];
        s.runningWhenMalformed = {
          channels: this.system.sim
            .channels()
            .filter((c) => c.tags[TAG_DESTINATION] === s.id && running.includes(c.state))
            .map((c) => c.id),
          tasks: [...this.system.ecs.tasks.values()]
            .filter((t) => t.desiredStatus === 'RUNNING' && t.tags?.some((tag) => tag.key === TAG_DESTINATION && tag.value === s.id))
            .map((t) => t.taskArn ?? ''),
        };
      }
      s.malformed = true;
      s.malformedValues[name] = value;
    } catch {
      // The item is gone already.
    }
  }

  private async kill(action: Extract<Action, { kind: 'kill' }>): Promise<void> {
    const s = this.liveSlot(action.slot);
    const channelArn = CHANNELS[action.channel] as string;
    switch (action.invocation) {
      case 'tick':
        if (!(await this.killable(action, () => this.system.monitor()))) this.observed();
        return;
      case 'event':
        if (!(await this.killable(action, () => this.system.monitor(this.system.ivsEvent(channelArn, 'Stream Start'))))) {
          this.observed(channelArn);
        }
        return;
      default:
        break;
    }
    if (!s) return;
    const c = this.channels[s.channel] as ChannelModel;
    const recorded = c.live ? undefined : await this.recordedStreamId(s.channel);
    let status = 0;
    const path = `/stream-destinations/${s.id}`;
    const work = async () => {
      const res =
        action.invocation === 'start'
          ? await this.system.api('POST', `${path}/start`, { enable: true })
          : action.invocation === 'stop'
            ? await this.system.api('POST', `${path}/stop`)
            : action.invocation === 'delete'
              ? await this.system.api('DELETE', path)
              : await this.system.api('PUT', path, { enabled: action.invocation === 'enable' });
      status = res.statusCode;
    };
    const died = await this.killable(action, work);
    // A dead request may or may not have written its change: the item says what happened.
    switch (action.invocation) {
      case 'start':
        if (died) {
          s.enabled = undefined;
          s.pause = { kind: 'unknown' };
        } else if (status === 202) {
          s.enabled = true;
          s.pause = { kind: 'none' };
        }
        return;
      case 'stop':
        if (died) s.pause = { kind: 'unknown' };
        else if (status === 202) s.pause = this.pauseOfStop(s.channel, recorded, s.pause);
        return;
      case 'delete':
        if (died) s.deleted = undefined;
        else if (status === 202 || status === 204) s.deleted = true;
        return;
      default:
        if (died) s.enabled = undefined;
        else if (status === 200) s.enabled = action.invocation === 'enable';
        return;
    }
  }

  // ------------------------------------------------------------------ quiet period and invariants

  /**
   * No faults, no kills, IVS as it is: the schedule runs every minute. From seven minutes on
   * (past the grace period, a lease, a start or a stop, and the idle TTL of a channel stopped
   * then), the invariants must hold at two ticks in a row; the last check after fifteen minutes
   * reports what does not.
   */
  private async quietPeriod(): Promise<void> {
    this.system.sim.setFaults(undefined);
    for (const event of this.heldEvents.splice(0)) await this.monitor(event);
    const start = this.now();
    let passes = 0;
    for (let minute = 1; minute <= 15; minute++) {
      await this.wait(SCHEDULE_MS);
      if (this.now() - start < 7 * SCHEDULE_MS) continue;
      const problems = await this.check();
      passes = problems.length === 0 ? passes + 1 : 0;
      if (passes >= 2) return;
      if (minute === 15) this.violations.push(...problems);
    }
  }

  private async items(): Promise<Record<string, unknown>[]> {
    const res = await this.system.db.doc.send(new ScanCommand({ TableName: this.system.db.tables.destinations, ConsistentRead: true }));
    return (res.Items ?? []) as Record<string, unknown>[];
  }

  private async check(): Promise<string[]> {
    const problems: string[] = [];
    const items = await this.items();
    const channels = this.system.sim.channels();
    const inputs = new Set(this.system.sim.inputIds());
    const ecs = this.system.ecs;
    // Tasks that are not STOPPED, and ACTIVE task definitions: the pass-through engine's relays and sources.
    const tasks = [...ecs.tasks.values()].filter((t) => t.lastStatus !== 'STOPPED');
    const taskDefinitions = new Set(ecs.taskDefinitions.filter((d) => d.status === 'ACTIVE').map((d) => d.arn));
    const bySlotId = new Map(this.slots.flatMap((s) => (s ? [[s.id, s] as const] : [])));
    const itemIds = new Set(items.map((i) => String(i.id)));
    const itemById = new Map(items.map((i) => [String(i.id), i]));
    const malformedIds = new Set(this.slots.flatMap((s) => (s && stillMalformed(s, itemById.get(s.id)) ? [s.id] : [])));
    const ownerOf = (c: SimulatedChannel) => c.tags[TAG_DESTINATION] ?? '';
    const taskOwner = (t: (typeof tasks)[number]) => t.tags?.find((tag) => tag.key === TAG_DESTINATION)?.value ?? '';
    const exempt = (c: SimulatedChannel) => malformedIds.has(ownerOf(c));
    const running = (state: MediaLiveChannelState) => state === 'STARTING' || state === 'RUNNING' || state === 'RECOVERING';
    const taskRunning = (t: (typeof tasks)[number]) => t.desiredStatus === 'RUNNING';
    const ownerOfInput = (inputId: string) => this.system.sim.inputTags(inputId)?.[TAG_DESTINATION];

    // A malformed item's relays run on as they ran (nothing can read the item to decide otherwise).
    for (const s of this.slots) {
      if (!s || !malformedIds.has(s.id) || !s.runningWhenMalformed || !itemIds.has(s.id)) continue;
      for (const id of s.runningWhenMalformed.channels) {
        const c = channels.find((x) => x.id === id);
        if (!c || !running(c.state)) problems.push(`malformed destination ${s.id}: its channel ${id} was stopped (${c?.state ?? 'gone'})`);
      }
      for (const arn of s.runningWhenMalformed.tasks) {
        const t = tasks.find((x) => x.taskArn === arn);
        if (!t || !taskRunning(t)) problems.push(`malformed destination ${s.id}: its task ${arn} was stopped (${t?.lastStatus ?? 'gone'})`);
      }
    }

    // Idle channels are deleted after IDLE_TTL (a queued look at the TTL end; the schedule, a
    // minute later at most, if that message was lost); nobody's channel stays idle for longer.
    for (const c of channels) {
      if (c.state !== 'IDLE' || exempt(c)) continue;
      const idleMs = this.now() - Date.parse(c.stateSince);
      if (idleMs > IDLE_TTL_MS + SCHEDULE_MS + MARGIN_MS) {
        problems.push(
          `channel ${c.id} of ${ownerOf(c)} idle for ${Math.round(idleMs / 1000)} s, past the idle TTL of ${IDLE_TTL_SECONDS} s`,
        );
      }
    }

    for (const raw of items) {
      const d = raw as unknown as Destination;
      if (malformedIds.has(d.id)) continue;
      const model = bySlotId.get(d.id);
      const own = channels.filter((c) => ownerOf(c) === d.id);
      const ownTasks = tasks.filter((t) => taskOwner(t) === d.id);
      const relays = [
        ...own.map((c) => `channel ${c.id} ${c.state}`),
        ...ownTasks.map((t) => `task ${t.taskArn ?? ''} ${t.lastStatus ?? ''}`),
      ];
      const mode = (raw.mode as RelayMode | undefined) ?? 'transcode';
      const deleted = model?.deleted ?? d.deleteRequested === true;
      const enabled = model?.enabled ?? d.enabled;
      const c = this.channels[CHANNELS.indexOf(d.channelArn as (typeof CHANNELS)[number])];
      const live = c?.live === true;
      const paused = this.pausedNow(model, c);
      const desired = paused === undefined ? undefined : !deleted && enabled && live && !paused;
      const name = `destination ${d.id} (${mode}, ${deleted ? 'deleted' : enabled ? 'enabled' : 'disabled'}, stream ${live ? 'live' : 'offline'}, ${paused === undefined ? 'pause unknown' : paused ? 'paused' : 'not paused'})`;

      if (model?.mode !== undefined && model.mode !== mode) problems.push(`${name}: mode ${mode}, but ${model.mode} was asked for`);
      if (deleted) problems.push(`${name}: its item still exists after the quiet period (status ${d.status})`);
      if (desired === false && (own.some((x) => running(x.state)) || ownTasks.some(taskRunning))) {
        problems.push(`${name}: a relay runs although it is not wanted: ${relays.join(', ')}`);
      }
      if (desired === true) {
        const ok =
          mode === 'transcode'
            ? own.length === 1 && own[0]?.state === 'RUNNING' && ownTasks.length === 0
            : ownTasks.length === 1 && ownTasks[0]?.lastStatus === 'RUNNING' && taskRunning(ownTasks[0]) && own.length === 0;
        if (!ok)
          problems.push(
            `${name}: wanted, so exactly one RUNNING ${mode === 'transcode' ? 'channel' : 'task'} expected, found ${relays.join(', ') || 'none'}`,
          );
      }
      if (own.length > 1) problems.push(`${name}: more than one channel: ${describe(own)}`);
      if (ownTasks.length > 1) problems.push(`${name}: more than one task: ${relays.join(', ')}`);

      const recordedId = d.mediaLiveChannelId;
      const onEcs = recordedId?.startsWith('ecs:') === true;
      const recorded = recordedId === undefined || onEcs ? undefined : channels.find((x) => x.id === recordedId);
      const recordedTask = onEcs ? tasks.find((t) => t.taskArn === recordedId?.slice(4)) : undefined;
      if (recordedId !== undefined && !recorded && !recordedTask) {
        problems.push(`${name}: the item records relay ${recordedId}, which ${onEcs ? 'ECS does not run' : 'MediaLive does not have'}`);
      }
      if (recorded && ownerOf(recorded) !== d.id)
        problems.push(`${name}: the recorded channel ${recorded.id} belongs to ${ownerOf(recorded)}`);
      if (recordedTask && taskOwner(recordedTask) !== d.id)
        problems.push(`${name}: the recorded task belongs to ${taskOwner(recordedTask)}`);
      if (recordedId === undefined && relays.length > 0)
        problems.push(`${name}: the engines hold ${relays.join(', ')}, the item records none`);
      const inputId = d.mediaLiveInputId;
      if (inputId !== undefined) {
        const exists = inputId.startsWith('ecs:') ? taskDefinitions.has(inputId.slice(4)) : inputs.has(inputId);
        if (!exists) problems.push(`${name}: the item records source ${inputId}, which its engine does not have`);
        const uses = recorded ? recorded.inputIds[0] : recordedTask ? `ecs:${recordedTask.taskDefinitionArn ?? ''}` : undefined;
        if ((recorded || recordedTask) && uses !== inputId)
          problems.push(`${name}: the item records source ${inputId}, its relay uses ${uses ?? 'none'}`);
        // A source without a relay is kept on purpose (its idle channel was deleted): it must be this destination's.
        const sourceOwner = inputId.startsWith('ecs:')
          ? (/:task-definition\/[A-Za-z0-9_-]+-relay-(.+):\d+$/.exec(inputId)?.[1] ?? '')
          : ownerOfInput(inputId);
        if (!recorded && !recordedTask && sourceOwner !== d.id)
          problems.push(`${name}: the item records source ${inputId}, which belongs to ${sourceOwner ?? 'nobody'}`);
      }
      if ((d.staleInputIds ?? []).length > 0) problems.push(`${name}: stale sources left: ${String(d.staleInputIds)}`);
      const expected = recordedTask
        ? recordedTask.lastStatus === 'RUNNING' && taskRunning(recordedTask)
          ? 'active'
          : `settled (not ${recordedTask.lastStatus ?? ''})`
        : statusFor(recorded?.state);
      if (d.status !== expected) {
        const engineSays = recordedTask
          ? `ECS says ${recordedTask.lastStatus ?? ''}`
          : `MediaLive says ${recorded ? recorded.state : 'no channel'}`;
        problems.push(`${name}: status ${d.status}, but ${engineSays} (expected ${expected})`);
      }
    }

    for (const id of this.created) {
      if (itemIds.has(id)) continue;
      const left = channels.filter((c) => ownerOf(c) === id);
      if (left.length > 0) problems.push(`removed destination ${id} left ${describe(left)}`);
      if (tasks.some((t) => taskOwner(t) === id)) problems.push(`removed destination ${id} left a task`);
      if ([...ecs.parameters.keys()].some((name) => name.endsWith(`/${id}`)))
        problems.push(`removed destination ${id} left its stream-key parameter`);
    }
    for (const c of channels) {
      if (!exempt(c) && !itemIds.has(ownerOf(c)) && !this.created.has(ownerOf(c)))
        problems.push(`orphaned channel ${c.id} (${c.state}) of ${ownerOf(c)}`);
    }
    for (const t of tasks) {
      if (!malformedIds.has(taskOwner(t)) && !itemIds.has(taskOwner(t)))
        problems.push(`orphaned task ${t.taskArn ?? ''} (${t.lastStatus ?? ''}) of ${taskOwner(t)}`);
    }
    const usedInputs = new Set(channels.flatMap((c) => c.inputIds));
    const malformedInputs = new Set(
      items
        .filter((i) => malformedIds.has(String(i.id)))
        .flatMap((i) => [i.mediaLiveInputId, ...(Array.isArray(i.staleInputIds) ? i.staleInputIds : [])]),
    );
    const recordedInputs = new Set(items.map((i) => i.mediaLiveInputId));
    // A source tagged with a malformed item's id is that item's, recorded or not (the orphan sweep leaves it).
    const definitionOwner = (arn: string) => /:task-definition\/[A-Za-z0-9_-]+-relay-(.+):\d+$/.exec(arn)?.[1] ?? '';
    for (const input of inputs) {
      if (malformedIds.has(ownerOfInput(input) ?? '')) continue;
      if (!usedInputs.has(input) && !malformedInputs.has(input) && !recordedInputs.has(input)) problems.push(`orphaned input ${input}`);
    }
    const usedDefinitions = new Set(tasks.map((t) => t.taskDefinitionArn));
    for (const arn of taskDefinitions) {
      if (malformedIds.has(definitionOwner(arn))) continue;
      if (!usedDefinitions.has(arn) && !malformedInputs.has(`ecs:${arn}`) && !recordedInputs.has(`ecs:${arn}`))
        problems.push(`orphaned task definition ${arn}`);
    }
    return problems;
  }

  /** Whether the destination is paused for what is on air now; undefined when the history leaves it open. */
  private pausedNow(model: SlotModel | undefined, c: ChannelModel | undefined): boolean | undefined {
    if (!c || !c.live) return false; // offline past the grace period: off anyway
    if (!model) return undefined;
    const pause = model.pause;
    if (pause.kind === 'none') return false;
    if (pause.kind === 'unknown') return undefined;
    if (pause.broadcast === c.broadcast) {
      if (pause.streamId === c.streamId) return true;
      return this.stopHoldsAcrossReconnects ? true : undefined;
    }
    for (let b = pause.broadcast + 1; b <= c.broadcast; b++) if (c.ambiguous.has(b)) return undefined;
    return false;
  }

  private async picture(): Promise<string> {
    const items = await this.items();
    const view = items.map((i) => ({
      id: i.id,
      status: i.status,
      enabled: i.enabled,
      deleteRequested: i.deleteRequested,
      pausedStreamId: i.pausedStreamId,
      mode: i.mode,
      mediaLiveChannelId: i.mediaLiveChannelId,
      mediaLiveInputId: i.mediaLiveInputId,
      staleInputIds: i.staleInputIds,
      lease: i.lease,
      lastError: (i.lastError as { code?: string } | undefined)?.code,
    }));
    const channels = this.system.sim
      .channels()
      .map((c) => ({ id: c.id, state: c.state, owner: c.tags[TAG_DESTINATION], inputs: c.inputIds }));
    return JSON.stringify(
      {
        time: this.system.clock.now().toISOString(),
        ivs: this.channels.map((c) => ({ live: c.live, broadcast: c.broadcast, streamId: c.streamId })),
        items: view,
        channels,
        inputs: this.system.sim.inputIds(),
        tasks: [...this.system.ecs.tasks.values()]
          .filter((t) => t.lastStatus !== 'STOPPED')
          .map((t) => ({ arn: t.taskArn, status: t.lastStatus, desired: t.desiredStatus, definition: t.taskDefinitionArn })),
        taskDefinitions: this.system.ecs.taskDefinitions.filter((d) => d.status === 'ACTIVE').map((d) => d.arn),
      },
      null,
      1,
    );
  }
}

/** Whether the item (as read) still holds a value the history wrote that does not parse; a missing item keeps what was known. */
function stillMalformed(slot: SlotModel, item: Record<string, unknown> | undefined): boolean {
  if (!slot.malformed) return false;
  if (!item) return true;
  return Object.entries(slot.malformedValues).some(([name, value]) => JSON.stringify(item[name]) === JSON.stringify(value));
}

function statusFor(state: MediaLiveChannelState | undefined): string {
  switch (state) {
    case 'RUNNING':
      return 'active';
    case 'CREATE_FAILED':
    case 'UPDATE_FAILED':
      return 'error';
    case undefined:
    case 'IDLE':
      return 'inactive';
    default:
      return `settled (not ${state})`;
  }
}

function describe(channels: readonly SimulatedChannel[]): string {
  return channels.length === 0 ? 'no channel' : channels.map((c) => `${c.id} ${c.state}`).join(', ');
}
