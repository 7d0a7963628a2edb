/**
 * The reconciler, after controller-runtime's contract: observe → plan (pure, `planner.ts`) → take
 * at most one step per destination → look again. Every trigger (the schedule, IVS and MediaLive
 * events, the work queue) calls `reconcile` with a scope and a deadline; none has start/stop
 * logic of its own.
 *
 * - The **executor** (`execute`) carries out one planned step and returns *done*, *look again
 *   after N ms* or a failure (*terminal* for invalid configuration and quota). It never waits for
 *   an outside system.
 * - The **driver** (`reconcile`) re-observes and re-plans the destinations that asked to be
 *   looked at again, as long as the caller's deadline allows; what is left goes to the work queue
 *   as delayed messages.
 *
 * Races are made harmless, not unlikely: every item write is conditional on `version`, a short
 * lease on the item lets one reconcile act on a destination at a time, creates carry a
 * deterministic RequestId (`resources.ts`), and every step tolerates finding its work done.
 */
import type { Destination, DestinationError, DestinationStatus } from './destination';
import {
  InvalidConfigurationError,
  MalformedItemError,
  QuotaExceededError,
  ResourceNotFoundError,
  RestreamingError,
  VersionConflictError,
  WrongStateError,
} from './errors';
import type { HealthAlerts } from './alerts';
import { directionOf, resumesFlowing } from './alerts';
import { mapWithConcurrency } from './concurrency';
import type { DestinationEvent } from './events';
import { reconcilerEvents, recordEvents } from './events';
import type { RelayTelemetry } from './health';
import { assessHealth, healthChanged, nextHealth } from './health';
import type { ChannelLiveness, DestinationDecision, OrphanDecision, Step, StepKind } from './planner';
import { DEFAULT_IDLE_TTL_SECONDS, plan } from './planner';
import { nextVersion, updateDestination } from './destination-updates';
import type {
  ChannelStreamState,
  Clock,
  DestinationEventLog,
  DestinationRepository,
  LiveStream,
  SourceIngest,
  Log,
  MalformedDestination,
  Metrics,
  PlaybackSource,
  RelayTelemetrySource,
  StreamKeyDecrypter,
  StreamSource,
  StreamStateRepository,
  WorkItem,
  WorkQueue,
} from './ports';
import type { Relay, RelayEngine, RelaySource, RelaySpec } from './relay';
import {
  createRequestId,
  forgetRelay,
  forgetSource,
  markIdleDeleted,
  recordRelay,
  recordSource,
  sourcesDeleted,
  withLease,
  withoutLease,
} from './resources';
import { PartialListingError } from './relay-router';
import { livenessOf, needsIngest, nextStreamState } from './stream-state';

export interface ReconcilerConfig {
  projectName: string;
  mediaLiveRoleArn: string;
  graceSeconds: number;
  /** An idle relay nobody wants is deleted after this long, its source kept (IDLE_CHANNEL_TTL_SECONDS). */
  idleTtlSeconds: number;
  /** IVS channels to follow even when no destination uses them yet (IVS_CHANNEL_ARNS). */
  trackedChannelArns: readonly string[];
  /** Steps taken at once. */
  concurrency: number;
  /** How long one step may hold a destination's lease; a reconcile that dies holds it no longer. */
  leaseSeconds: number;
  /** The driver waits for a look-again itself up to this long; longer ones go to the queue. */
  inlineWaitMs: number;
  /** How long a reconcile may run when its caller gives no deadline. */
  defaultBudgetMs: number;
  /** A pass is not begun when less than this is left before the deadline. */
  passReserveMs: number;
  /** After a failure that may pass (throttling, a service error): look again after this. */
  retryAfterMs: number;
  /** Passes within one reconcile, at most. */
  maxPasses: number;
  /** Look-agains chained through the queue for one destination before the schedule takes over. */
  maxAttempts: number;
}

export const DEFAULT_RECONCILER_CONFIG = {
  idleTtlSeconds: DEFAULT_IDLE_TTL_SECONDS,
  concurrency: 20,
  leaseSeconds: 30,
  inlineWaitMs: 15_000,
  defaultBudgetMs: 60_000,
  passReserveMs: 5_000,
  retryAfterMs: 10_000,
  maxPasses: 25,
  maxAttempts: 10,
} as const;

export interface ReconcilerDeps {
  destinations: DestinationRepository;
  streamStates: StreamStateRepository;
  /** Destination history: what each write changed (started, stopped, failed, recovered). */
  events: DestinationEventLog;
  /**
   * A destination that turns failing while its stream is live, or recovers, alerts: a relay step
   * failing or recovering (`onRelayTransition`), or its health entering or leaving `failing`
   * (`onHealthChange`). Rate-limited, never throws; the reconcile never waits for a delivery
   * before its next step (see `Reconciler.notify`).
   */
  alerts: Pick<HealthAlerts, 'onRelayTransition' | 'onHealthChange'>;
  streams: StreamSource;
  engine: RelayEngine;
  queue: WorkQueue;
  cipher: StreamKeyDecrypter;
  clock: Clock;
  log: Log;
  metrics: Metrics;
  /** The driver's wait between passes; tests with a manual clock advance it here. */
  sleep: (ms: number) => Promise<void>;
  /** Names this reconciler in leases, e.g. the Lambda request id. */
  ownerId: () => string;
  /**
   * The data plane's figures for running relays, read once per reconcile (`health.ts`). Without
   * it health is not measured and says so.
   */
  telemetry?: RelayTelemetrySource;
}

export type ReconcileScope =
  { kind: 'all' } | { kind: 'channel'; channelArn: string } | { kind: 'destination'; destinationId: string; relay?: Relay };

export interface ReconcileOptions {
  /** The latest time a pass may end; what is left then goes to the queue. */
  deadline?: Date;
  /** How many look-agains led here (from the queue message); 0 for a fresh trigger. */
  attempt?: number;
}

export type Outcome = 'done' | 'none' | 'busy' | 'raced' | 'failed';

export interface DestinationOutcome {
  destinationId: string;
  desired: DestinationDecision['desired'];
  status: DestinationStatus;
  step: StepKind | null;
  outcome: Outcome;
  /** 1-based pass of the reconcile that took it. */
  pass: number;
  error?: string;
  /** Asked to be looked at again after this long. */
  requeueAfterMs?: number;
}

export interface ReconcileResult {
  /** The stream states the first pass observed. */
  channels: ChannelStreamState[];
  destinations: DestinationOutcome[];
  orphans: { relayId: string; step: string | null; outcome: Outcome }[];
  orphanSources: { sourceId: string; outcome: Outcome }[];
  /** Items that do not parse, reported on themselves. */
  malformed: string[];
  /** The orphan sweep's read: `failed` leaves everything else working. */
  sweep: 'done' | 'failed' | 'skipped';
  passes: number;
  /** What was handed to the work queue. */
  queued: WorkItem[];
}

/** What one step did: the change to record with the lease's release, and when to look again. */
interface StepResult {
  outcome: Outcome;
  change?: (current: Destination) => Destination;
  requeueAfterMs?: number;
  error?: string;
}

const TERMINAL = [InvalidConfigurationError, QuotaExceededError];
const CREATES: ReadonlySet<StepKind> = new Set(['create-source', 'create-relay']);

interface Observation {
  destinations: Destination[];
  malformed: MalformedDestination[];
  streams: Map<string, ChannelLiveness>;
  states: ChannelStreamState[];
  relays: Relay[];
  sources: RelaySource[] | undefined;
  sweep: ReconcileResult['sweep'];
  complete: boolean;
}

/** A narrowed pass: these destinations, with stream states read the way the first pass read them. */
interface Narrowed {
  destinationIds: string[];
  /** `list`: IVS ListStreams; `get`: IVS GetStream per channel; `table`: the stream-state table. */
  streams: 'list' | 'get' | 'table';
}

/** The figures of one reconcile: read, not available here, or the read failed (health then stays as it was). */
type TelemetryRead = { kind: 'read'; figures: Map<string, RelayTelemetry> } | { kind: 'unmeasured' } | { kind: 'failed' };

export class Reconciler {
  private readonly playbackSources = new Map<string, Promise<PlaybackSource>>();
  private telemetry: TelemetryRead = { kind: 'unmeasured' };
  /** Whether each channel seen in the last pass is live (what a health alert is sent on). */
  private readonly liveness = new Map<string, boolean>();
  /** Alert deliveries under way, the last one per destination (the next one queues behind it). */
  private readonly deliveries = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly config: ReconcilerConfig,
  ) {}

  /**
   * The driver: passes of observe → plan → one step per destination, until nothing asks to be
   * looked at again soon or the deadline is near; the rest goes to the queue.
   */
  async reconcile(scope: ReconcileScope, options: ReconcileOptions = {}): Promise<ReconcileResult> {
    const { clock } = this.deps;
    const deadline = options.deadline?.getTime() ?? clock.now().getTime() + this.config.defaultBudgetMs;
    const attempt = options.attempt ?? 0;
    const result: ReconcileResult = {
      channels: [],
      destinations: [],
      orphans: [],
      orphanSources: [],
      malformed: [],
      sweep: 'skipped',
      passes: 0,
      queued: [],
    };
    let narrowed: Narrowed | undefined;
    let later = new Map<string, number>();
    for (;;) {
      result.passes += 1;
      const observed = narrowed ? await this.observeNarrowed(narrowed, result) : await this.observe(scope, result);
      if (result.passes === 1) {
        result.sweep = observed.sweep;
        result.channels = observed.states;
        this.telemetry = await this.readTelemetry(observed.destinations, observed.relays);
      }
      await this.reportMalformed(observed.malformed, result);
      for (const [arn, liveness] of observed.streams) this.liveness.set(arn, liveness.live);
      const now = clock.now();
      const { decisions, orphans, orphanSourceIds } = plan({
        destinations: observed.destinations,
        streams: observed.streams,
        relays: observed.relays,
        ...(observed.sources ? { sources: observed.sources } : {}),
        now,
        graceSeconds: this.config.graceSeconds,
        idleTtlSeconds: this.config.idleTtlSeconds,
        timings: this.deps.engine.timings,
        complete: observed.complete,
        malformedIds: new Set(observed.malformed.map((m) => m.id)),
      });
      await this.guardCreates(decisions, attempt, result);
      const outcomes = await mapWithConcurrency(decisions, this.config.concurrency, (d) => this.apply(d, result.passes));
      result.destinations.push(...outcomes);
      await this.scheduleIdleEnds(decisions, outcomes, result);
      if (observed.complete) {
        result.orphans.push(...(await mapWithConcurrency(orphans, this.config.concurrency, (o) => this.cleanOrphan(o))));
        result.orphanSources.push(
          ...(await mapWithConcurrency(orphanSourceIds, this.config.concurrency, (id) => this.deleteOrphanSource(id))),
        );
      }

      const requeue = new Map<string, number>();
      for (const o of outcomes) {
        if (o.requeueAfterMs === undefined) continue;
        // A failure is retried from the queue, backing off, never in a tight loop here.
        if (o.outcome === 'failed') later.set(o.destinationId, this.backoff(o.requeueAfterMs, attempt));
        else requeue.set(o.destinationId, o.requeueAfterMs);
      }
      const inline = [...requeue].filter(([, ms]) => ms <= this.config.inlineWaitMs);
      for (const [id, ms] of requeue) if (ms > this.config.inlineWaitMs) later.set(id, ms);
      const wait = inline.length > 0 ? Math.min(...inline.map(([, ms]) => ms)) : 0;
      const fits = clock.now().getTime() + wait + this.config.passReserveMs < deadline;
      if (inline.length === 0 || !fits || result.passes >= this.config.maxPasses) {
        for (const [id, ms] of inline) later.set(id, ms);
        break;
      }
      if (wait > 0) {
        // Time has passed for the ones queued for later, too.
        later = new Map([...later].map(([id, ms]) => [id, Math.max(0, ms - wait)]));
        await this.deps.sleep(wait);
      }
      const streams = scope.kind === 'all' ? 'list' : scope.kind === 'channel' ? 'get' : 'table';
      narrowed = { destinationIds: inline.map(([id]) => id), streams };
    }
    await this.handOff(later, attempt, result);
    await this.deliveriesDone();
    return result;
  }

  // ---------------------------------------------------------------- observe

  private async observe(scope: ReconcileScope, result: ReconcileResult): Promise<Observation> {
    const { destinations, streamStates, streams } = this.deps;
    if (scope.kind === 'all') {
      // The engine is listed before the destinations are read, so a relay seen here always has
      // its destination in the list (destinations exist before their relays).
      const [live, previous, listing, sweep] = await Promise.all([
        streams.listLiveStreams(),
        streamStates.listAll(),
        this.listRelays(),
        this.listSourcesForSweep(),
      ]);
      const scan = await destinations.scanAll();
      const arns = new Set([...this.config.trackedChannelArns, ...scan.destinations.map((d) => d.channelArn)]);
      const states = await this.updateStreamStates([...arns], previous, live, result);
      return {
        ...scan,
        destinations: listing.coveredOnly(scan.destinations),
        streams: livenessMap(states),
        states,
        relays: listing.relays,
        sources: sweep,
        sweep: sweep ? 'done' : 'failed',
        // An engine that could not be listed may run relays no destination records: no orphan
        // clean-up on a partial view.
        complete: listing.complete,
      };
    }
    if (scope.kind === 'channel') {
      const [stream, previous, listing] = await Promise.all([
        streams.getStream(scope.channelArn),
        streamStates.get(scope.channelArn),
        this.listRelays(),
      ]);
      const scan = await destinations.listByChannel(scope.channelArn);
      const states = await this.updateStreamStates([scope.channelArn], previous ? [previous] : [], stream ? [stream] : [], result);
      return {
        destinations: listing.coveredOnly(scan.destinations.filter((d) => d.channelArn === scope.channelArn)),
        malformed: scan.malformed,
        streams: livenessMap(states),
        states,
        relays: listing.relays,
        sources: undefined,
        sweep: 'skipped',
        complete: false,
      };
    }
    return this.observeNarrowed(
      { destinationIds: [scope.destinationId], streams: 'table' },
      result,
      scope.relay ? new Map([[scope.relay.id, scope.relay]]) : undefined,
    );
  }

  /** Some destinations: their items, their channels' stream states, their relays. */
  private async observeNarrowed(scope: Narrowed, result: ReconcileResult, known?: Map<string, Relay>): Promise<Observation> {
    const { destinations, streamStates, streams, engine } = this.deps;
    const wanted = new Set(scope.destinationIds);
    const many = wanted.size > 10;
    let scan: { destinations: Destination[]; malformed: MalformedDestination[] };
    if (many) {
      const all = await destinations.scanAll();
      scan = { destinations: all.destinations.filter((d) => wanted.has(d.id)), malformed: all.malformed.filter((m) => wanted.has(m.id)) };
    } else {
      scan = { destinations: [], malformed: [] };
      for (const id of wanted) {
        try {
          const item = await destinations.get(id);
          if (item) scan.destinations.push(item);
        } catch (error) {
          if (!(error instanceof MalformedItemError)) throw error;
          scan.malformed.push({ id, problems: error.problems, recordedError: undefined });
        }
      }
    }
    const arns = [...new Set(scan.destinations.map((d) => d.channelArn))];
    const previous = (await Promise.all(arns.map((arn) => streamStates.get(arn)))).flatMap((s) => (s ? [s] : []));
    let states: ChannelStreamState[] = previous;
    if (scope.streams !== 'table' && arns.length > 0) {
      const live =
        scope.streams === 'list'
          ? await streams.listLiveStreams()
          : (await Promise.all(arns.map((arn) => streams.getStream(arn)))).flatMap((s) => (s ? [s] : []));
      states = await this.updateStreamStates(arns, previous, live, result);
    }
    let relays: Relay[];
    if (many) {
      const listing = await this.listRelays();
      relays = listing.relays;
      scan.destinations = listing.coveredOnly(scan.destinations);
    } else {
      relays = [];
      for (const d of scan.destinations) {
        if (d.mediaLiveChannelId === undefined) continue;
        const relay = known?.get(d.mediaLiveChannelId) ?? (await engine.describeRelay(d.mediaLiveChannelId));
        if (relay) relays.push(relay);
      }
    }
    return { ...scan, streams: livenessMap(states), states, relays, sources: undefined, sweep: 'skipped', complete: false };
  }

  /**
   * The figures of the running relays of these destinations, in one read (one batched CloudWatch
   * request in AWS). Off the essential path: a failure is logged and metered, and health stays
   * as it was recorded.
   */
  private async readTelemetry(destinations: readonly Destination[], relays: readonly Relay[]): Promise<TelemetryRead> {
    const source = this.deps.telemetry;
    if (!source) return { kind: 'unmeasured' };
    const wanted = new Set(destinations.map((d) => d.id));
    const targets = relays
      .filter((r) => r.state === 'running' && r.destinationId !== undefined && wanted.has(r.destinationId))
      .map((r) => ({
        engine: this.deps.engine.engineOf?.(r.id) ?? this.deps.engine.name,
        relayId: r.id,
        destinationId: r.destinationId as string,
      }));
    if (targets.length === 0) return { kind: 'read', figures: new Map() };
    try {
      return { kind: 'read', figures: await source.read(targets, this.deps.clock.now()) };
    } catch (error) {
      const code = codeOf(error);
      this.deps.log.warn('Reading relay figures failed; health stays as recorded', { errorCode: code, relays: targets.length });
      this.deps.metrics.auxiliaryReadFailed('relayTelemetry', code);
      return { kind: 'failed' };
    }
  }

  /**
   * Every relay, from every engine. When one engine's listing fails (`relay-router.ts`), the other
   * engines' destinations go on: a destination whose recorded relay is on the failed engine is
   * left out of this pass (its relay was not seen, and must not be taken for gone), the failure is
   * logged and metered, and the view is not complete (no orphan clean-up).
   */
  private async listRelays(): Promise<{ relays: Relay[]; complete: boolean; coveredOnly: (ds: Destination[]) => Destination[] }> {
    try {
      return { relays: await this.deps.engine.listRelays(), complete: true, coveredOnly: (ds) => ds };
    } catch (error) {
      if (!(error instanceof PartialListingError)) throw error;
      const partial = error as PartialListingError<Relay>;
      for (const failure of partial.failed) {
        const code = codeOf(failure.error);
        this.deps.log.warn('Listing the relays of one engine failed; destinations on the other engines go on', {
          engine: failure.engine,
          errorCode: code,
        });
        this.deps.metrics.auxiliaryReadFailed(`listRelays:${failure.engine}`, code);
      }
      return {
        relays: partial.items,
        complete: false,
        coveredOnly: (ds) => ds.filter((d) => d.mediaLiveChannelId === undefined || partial.covers(d.mediaLiveChannelId)),
      };
    }
  }

  /** The orphan sweep's read. It is not on the essential path: a failure is logged and metered. */
  private async listSourcesForSweep(): Promise<RelaySource[] | undefined> {
    try {
      return await this.deps.engine.listSources();
    } catch (error) {
      if (error instanceof PartialListingError) {
        // Sources of the engines that answered can still be swept: an orphan is never attached.
        const partial = error as PartialListingError<RelaySource>;
        for (const failure of partial.failed) {
          const code = codeOf(failure.error);
          this.deps.log.warn('Orphan sweep of one engine skipped: listing its relay sources failed', {
            engine: failure.engine,
            errorCode: code,
          });
          this.deps.metrics.auxiliaryReadFailed(`listSources:${failure.engine}`, code);
        }
        return partial.items;
      }
      const code = codeOf(error);
      this.deps.log.warn('Orphan sweep skipped: listing the relay sources failed; starts and stops go on', { errorCode: code });
      this.deps.metrics.auxiliaryReadFailed('listSources', code);
      return undefined;
    }
  }

  private async updateStreamStates(
    channelArns: readonly string[],
    previous: readonly ChannelStreamState[],
    live: readonly LiveStream[],
    result: ReconcileResult,
  ): Promise<ChannelStreamState[]> {
    const before = new Map(previous.map((s) => [s.id, s]));
    const liveByArn = new Map(live.map((s) => [s.channelArn, s]));
    const now = this.deps.clock.now();
    const graceEnds: WorkItem[] = [];
    const states = await Promise.all(
      channelArns.map(async (arn) => {
        let change = nextStreamState(arn, before.get(arn), liveByArn.get(arn), now, this.config.graceSeconds);
        if (needsIngest(change.next)) {
          const ingest = await this.readIngest(arn, change.next.streamId);
          if (ingest) change = { ...change, next: { ...change.next, ingest }, changed: true };
        }
        if (!change.changed) return change.next;
        await this.deps.streamStates.put(change.next);
        if (change.transition) {
          this.deps.log.info('Stream state changed', {
            channelArn: arn,
            previousState: change.transition.from,
            currentState: change.transition.to,
            streamId: change.transition.streamId,
            broadcastId: change.next.broadcastId,
          });
        }
        if (change.next.state === 'OFFLINE' && change.next.offlineSince !== undefined && change.transition) {
          // Stop on the second: look at the channel again when its grace period ends.
          const at = Date.parse(change.next.offlineSince) + this.config.graceSeconds * 1000 + 1_000;
          graceEnds.push({ kind: 'channel', channelArn: arn, notBefore: new Date(at).toISOString(), reason: 'grace period ends' });
        }
        return change.next;
      }),
    );
    if (graceEnds.length > 0) await this.enqueue(graceEnds, result);
    return states;
  }

  /**
   * The stream session's ingest configuration, read once per session (the answer is kept with
   * the stream state). Not on the essential path: a failure is logged and metered, and the next
   * reconcile that sees the session asks again.
   */
  private async readIngest(channelArn: string, streamId: string): Promise<SourceIngest | undefined> {
    try {
      // Recorded even when IVS knows nothing of the session, so it is not asked again.
      return (await this.deps.streams.getIngest(channelArn, streamId)) ?? { streamId };
    } catch (error) {
      const code = codeOf(error);
      this.deps.log.warn('Could not read the stream session’s ingest configuration; pass-through warnings wait for it', {
        channelArn,
        streamId,
        errorCode: code,
      });
      this.deps.metrics.auxiliaryReadFailed('getIngest', code);
      return undefined;
    }
  }

  private async reportMalformed(malformed: readonly MalformedDestination[], result: ReconcileResult): Promise<void> {
    for (const m of malformed) {
      if (!result.malformed.includes(m.id)) result.malformed.push(m.id);
      const error = new MalformedItemError(m.id, m.problems);
      this.deps.log.warn('Destination item is malformed; reconciling the others', { destinationId: m.id, problems: m.problems });
      this.deps.metrics.destinationFailed(m.id, error.code);
      if (m.recordedError === error.message) continue;
      await this.deps.destinations
        .markMalformed(m.id, { code: error.code, message: error.message, at: this.deps.clock.now().toISOString() })
        .catch((e: unknown) =>
          this.deps.log.warn('Could not report the malformed item on itself', { destinationId: m.id, errorCode: codeOf(e) }),
        );
    }
  }

  // ---------------------------------------------------------------- queue

  /**
   * A create is two calls and a write; should this invocation die in between, a look-again at
   * the end of the lease resumes it (the RequestId makes the repeat safe) instead of the schedule.
   */
  private async guardCreates(decisions: readonly DestinationDecision[], attempt: number, result: ReconcileResult): Promise<void> {
    if (attempt >= this.config.maxAttempts) return;
    const at = new Date(this.deps.clock.now().getTime() + this.config.leaseSeconds * 1000 + 1_000).toISOString();
    const items: WorkItem[] = decisions
      .filter((d) => d.step !== null && CREATES.has(d.step.kind) && !d.busy)
      .map((d) => ({
        kind: 'destination',
        destinationId: d.destination.id,
        notBefore: at,
        reason: 'resume an interrupted create',
        attempt: attempt + 1,
      }));
    if (items.length > 0) await this.enqueue(items, result);
  }

  /**
   * Delete on time: a relay just recorded as idle and unwanted is looked at again when its idle
   * TTL ends (a delayed queue message, like a grace end), not at the next scheduled run. A fresh
   * message (attempt 0), sent once per transition; the schedule is the safety net.
   */
  private async scheduleIdleEnds(
    decisions: readonly DestinationDecision[],
    outcomes: readonly DestinationOutcome[],
    result: ReconcileResult,
  ): Promise<void> {
    const items: WorkItem[] = decisions.flatMap((d, i) => {
      const outcome = outcomes[i]?.outcome;
      if (d.idleTtlEndsAt === undefined || (outcome !== 'none' && outcome !== 'done')) return [];
      const at = new Date(Date.parse(d.idleTtlEndsAt) + 1_000).toISOString();
      return [{ kind: 'destination', destinationId: d.destination.id, notBefore: at, reason: 'idle channel TTL ends' } satisfies WorkItem];
    });
    if (items.length > 0) await this.enqueue(items, result);
  }

  /** Exponential back-off for retries from the queue: retryAfterMs, doubled per attempt, at most 5 minutes. */
  private backoff(ms: number, attempt: number): number {
    return Math.min(300_000, ms * 2 ** Math.min(attempt, 10));
  }

  private async handOff(later: ReadonlyMap<string, number>, attempt: number, result: ReconcileResult): Promise<void> {
    if (later.size === 0) return;
    if (attempt >= this.config.maxAttempts) {
      this.deps.log.warn('Look-agains exhausted; the schedule takes over', { destinationIds: [...later.keys()], attempt });
      return;
    }
    const now = this.deps.clock.now().getTime();
    const items: WorkItem[] = [...later].map(([destinationId, ms]) => ({
      kind: 'destination',
      destinationId,
      notBefore: new Date(now + ms).toISOString(),
      reason: 'look again',
      attempt: attempt + 1,
    }));
    await this.enqueue(items, result);
  }

  /** Hands work to the queue; a failure is logged (the schedule is the safety net), never thrown. */
  private async enqueue(items: WorkItem[], result: ReconcileResult): Promise<void> {
    try {
      await this.deps.queue.enqueue(items);
      result.queued.push(...items);
    } catch (error) {
      const code = codeOf(error);
      this.deps.log.warn('Could not enqueue; the schedule will look again', { items: items.length, errorCode: code });
      this.deps.metrics.auxiliaryReadFailed('enqueue', code);
    }
  }

  // ---------------------------------------------------------------- act

  /** Acts on one destination; whatever fails is reported as its outcome, never thrown. */
  private async apply(decision: DestinationDecision, pass: number): Promise<DestinationOutcome> {
    const d = decision.destination;
    const base = { destinationId: d.id, desired: decision.desired, status: decision.status, step: decision.step?.kind ?? null, pass };
    const again = decision.recheckAfterMs !== undefined ? { requeueAfterMs: decision.recheckAfterMs } : {};
    try {
      if (decision.busy) return { ...base, outcome: 'busy', ...again };
      if (!decision.step) {
        await this.record(d, decision).catch((error: unknown) => {
          if (!(error instanceof VersionConflictError)) throw error;
        });
        return { ...base, outcome: 'none', ...again };
      }
      if (decision.step.kind === 'remove') return { ...base, ...(await this.remove(d)) };
      const leased = await this.acquire(d, decision);
      if (!leased) return { ...base, outcome: 'raced', requeueAfterMs: 0 };
      this.deps.log.info('Reconciling destination', {
        ...logKeys(d),
        action: decision.step.kind,
        reason: decision.reason,
        previousStatus: d.status,
        status: decision.status,
        mediaLiveChannelId: d.mediaLiveChannelId,
      });
      const step = await this.execute(leased, decision.step);
      await this.release(leased, step.change);
      const { change: _change, ...rest } = step;
      return { ...base, ...rest };
    } catch (error) {
      const code = codeOf(error);
      this.deps.log.warn('Reconcile of destination failed', { ...logKeys(d), errorCode: code });
      this.deps.metrics.destinationFailed(d.id, code);
      return { ...base, outcome: 'failed', error: code, requeueAfterMs: this.config.retryAfterMs };
    }
  }

  /**
   * The executor: one step, then return. The change it returns is recorded on the item together
   * with the release of the lease.
   */
  private async execute(d: Destination, step: Step): Promise<StepResult> {
    const { engine, log } = this.deps;
    const keys = logKeys(d);
    try {
      switch (step.kind) {
        case 'create-source': {
          const sourceId = await engine.createSource(await this.spec(d));
          log.info('Created relay source', { ...keys, mediaLiveInputId: sourceId });
          return { outcome: 'done', change: (cur) => recordSource(cur, sourceId), requeueAfterMs: 0 };
        }
        case 'create-relay': {
          const spec = await this.spec(d);
          let relay: Relay;
          try {
            relay = await engine.createRelay(spec, step.sourceId);
          } catch (error) {
            if (!(error instanceof ResourceNotFoundError)) throw error;
            // A "not found" may be a lagging read of a source just made: only a listing says it is
            // gone. Forgetting on the error alone moved the generation on, so the next create
            // (a new RequestId) made a second channel beside the one an earlier create had made
            // before its response was lost (fault seed 89).
            if (await this.sourceListed(step.sourceId)) return { outcome: 'raced', requeueAfterMs: this.config.retryAfterMs };
            // The recorded source is gone (deleted by hand): forget it; the next pass makes a new one.
            log.warn('Recorded relay source no longer exists; creating a new one', { ...keys, mediaLiveInputId: step.sourceId });
            return { outcome: 'raced', change: (cur) => forgetSource(cur, step.sourceId), requeueAfterMs: 0 };
          }
          log.info('Created relay', { ...keys, mediaLiveChannelId: relay.id, engineState: relay.engineState });
          return {
            outcome: 'done',
            change: (cur) => recordRelay(cur, relay, spec.configRevision),
            requeueAfterMs: relay.state === 'provisioning' ? engine.timings.provisionMs : 0,
          };
        }
        case 'start':
          await engine.startRelay(step.relayId);
          log.info('Started relay', { ...keys, mediaLiveChannelId: step.relayId });
          return { outcome: 'done' };
        case 'reattach':
          await engine.reattachSource?.(step.relayId, step.streamId);
          log.info('Re-attached relay source to the returned stream', {
            ...keys,
            mediaLiveChannelId: step.relayId,
            streamId: step.streamId,
          });
          return {
            outcome: 'done',
            change: (cur) => (cur.reattachedStreamId === step.streamId ? cur : { ...cur, reattachedStreamId: step.streamId }),
          };
        case 'stop':
          await engine.stopRelay(step.relayId);
          log.info('Stopped relay', { ...keys, mediaLiveChannelId: step.relayId });
          // A deletion or a rebuild has a next step once it is stopped.
          return {
            outcome: 'done',
            // A stopped relay's alerts are over; MediaLive sends no CLEARED for them.
            change: (cur) => {
              if (cur.relayAlerts === undefined) return cur;
              const { relayAlerts: _gone, ...rest } = cur;
              return rest;
            },
            ...(d.deleteRequested || d.mediaLiveConfigRevision !== d.configRevision ? { requeueAfterMs: engine.timings.stopMs } : {}),
          };
        case 'delete-relay':
          await engine.deleteRelay(step.relayId);
          if (step.keepSource) {
            log.info('Deleting relay idle longer than the TTL; keeping its source', {
              ...keys,
              mediaLiveChannelId: step.relayId,
              mediaLiveInputId: d.mediaLiveInputId,
              idleTtlSeconds: this.config.idleTtlSeconds,
            });
            return { outcome: 'done', change: (cur) => markIdleDeleted(cur, step.relayId), requeueAfterMs: engine.timings.deleteMs };
          }
          log.info('Deleting relay', { ...keys, mediaLiveChannelId: step.relayId });
          return { outcome: 'done', requeueAfterMs: engine.timings.deleteMs };
        case 'forget-relay': {
          // The relay may be missing only from a lagging or failing read (a describe can answer a
          // spurious "not found"): a listing decides. Forgetting on two describes made a second
          // channel for a destination whose first still ran (fault seeds 15, 17 and 89).
          let listed: Relay[];
          try {
            listed = await engine.listRelays();
          } catch (error) {
            // Only a listing that covers the relay's own engine may say it is gone.
            if (!(error instanceof PartialListingError) || !error.covers(step.relayId)) throw error;
            listed = (error as PartialListingError<Relay>).items;
          }
          const existing = listed.some((r) => r.id === step.relayId);
          if (existing) return { outcome: 'raced', requeueAfterMs: 0 };
          log.info('Recorded relay no longer exists; forgetting it', { ...keys, mediaLiveChannelId: step.relayId });
          return { outcome: 'done', change: (cur) => forgetRelay(cur, step.relayId, []), requeueAfterMs: 0 };
        }
        case 'delete-sources': {
          const deleted: string[] = [];
          for (const sourceId of step.sourceIds) {
            try {
              await engine.deleteSource(sourceId);
              deleted.push(sourceId);
            } catch (error) {
              if (error instanceof ResourceNotFoundError) deleted.push(sourceId);
              else if (!(error instanceof WrongStateError)) throw error; // still attached: later
            }
          }
          if (deleted.length === 0) return { outcome: 'raced', requeueAfterMs: engine.timings.deleteMs };
          log.info('Deleted relay sources', { ...keys, mediaLiveInputIds: deleted });
          return { outcome: 'done', change: (cur) => sourcesDeleted(cur, deleted), requeueAfterMs: 0 };
        }
        case 'remove':
          return { outcome: 'none' }; // handled without a lease in `remove`
      }
    } catch (error) {
      if (error instanceof WrongStateError) return { outcome: 'raced', requeueAfterMs: this.config.retryAfterMs };
      if (error instanceof ResourceNotFoundError && step.kind !== 'create-source') return { outcome: 'raced', requeueAfterMs: 0 };
      return this.failure(d, step, error);
    }
  }

  /** Whether the engine lists the source; only a listing that covers the source's own engine may say no. */
  private async sourceListed(sourceId: string): Promise<boolean> {
    let listed: RelaySource[];
    try {
      listed = await this.deps.engine.listSources();
    } catch (error) {
      if (!(error instanceof PartialListingError) || !error.covers(sourceId)) throw error;
      listed = (error as PartialListingError<RelaySource>).items;
    }
    return listed.some((s) => s.id === sourceId);
  }

  /** A failed step: recorded on the item (terminal ones set status `error`) and in the metric. */
  private failure(d: Destination, step: Step, error: unknown): StepResult {
    const known = error instanceof RestreamingError;
    const code = codeOf(error);
    const message = known ? error.message : 'Unexpected error while reconciling; see the stream monitor logs.';
    const terminal = TERMINAL.some((kind) => error instanceof kind);
    this.deps.log.warn('Reconcile step failed', {
      ...logKeys(d),
      action: step.kind,
      errorCode: code,
      errorMessage: message,
      terminal,
      ...(known ? {} : { errorName: error instanceof Error ? error.name : typeof error }),
    });
    this.deps.metrics.destinationFailed(d.id, code);
    const at = this.deps.clock.now().toISOString();
    return {
      outcome: 'failed',
      error: code,
      change: (cur) => this.withStatus(cur, terminal ? 'error' : cur.status, { code, message, at }),
      // A terminal failure is not retried soon: the schedule tries again within a minute.
      ...(terminal ? {} : { requeueAfterMs: this.config.retryAfterMs }),
    };
  }

  /** Everything the engine needs to build the relay; the key is decrypted only for this. */
  private async spec(d: Destination): Promise<RelaySpec> {
    let pending = this.playbackSources.get(d.channelArn);
    if (!pending) {
      pending = this.deps.streams.getPlaybackSource(d.channelArn);
      this.playbackSources.set(d.channelArn, pending);
      pending.catch(() => this.playbackSources.delete(d.channelArn));
    }
    const source = await pending;
    return {
      projectName: this.config.projectName,
      destinationId: d.id,
      destinationName: d.name,
      requestId: createRequestId(this.config.projectName, d),
      sourceUrl: source.url,
      sourceType: source.channelType,
      platform: d.platform,
      rtmpUrl: d.rtmpUrl,
      streamKey: await this.deps.cipher.decrypt(d.id, d.streamKeyCiphertext),
      profile: d.profile,
      mode: d.mode,
      configRevision: d.configRevision,
      roleArn: this.config.mediaLiveRoleArn,
    };
  }

  /** Writes the observed status, health (and an adopted relay) when it differs from the item. */
  private async record(d: Destination, decision: DestinationDecision): Promise<void> {
    let next = this.withHealth(this.withStatus(d, decision.status, decision.lastError));
    if (decision.adopt) next = recordRelay(next, decision.adopt, decision.adopt.configRevision);
    if (!decision.adopt && next.status === d.status && next.lastError === d.lastError && next.health === d.health) return;
    if (next.status !== d.status) {
      this.deps.log.info('Destination status changed', { ...logKeys(d), previousStatus: d.status, status: next.status });
    }
    const stored = nextVersion(next, this.deps.clock.now());
    await this.deps.destinations.put(stored);
    await this.history(d, stored);
  }

  /**
   * Records what a successful write changed, and alerts when a relay failed or recovered, or its
   * health entered or left `failing` (while its stream is live). Never throws (core/events.ts,
   * core/alerts.ts); never waits for an alert to be delivered.
   */
  private async history(before: Destination, after: Destination | undefined, extra: DestinationEvent[] = []): Promise<void> {
    const now = this.deps.clock.now();
    const events = [...(after ? reconcilerEvents(before, after, now.toISOString()) : []), ...extra];
    if (events.length > 0) await recordEvents(this.deps, events);
    if (!after) return;
    for (const event of events) {
      if (event.kind === 'failed' || event.kind === 'recovered') {
        const message = event.kind === 'failed' ? event.message : 'The relay runs again.';
        this.notify(after.id, () =>
          this.deps.alerts.onRelayTransition(after, event.kind === 'failed' ? 'failing' : 'recovered', message, now),
        );
      }
    }
    // Health is written in one place (`withHealth`, through `record` and `acquire`), so a change of
    // its state is seen here once per write that made it; the alert gate keeps it to one alert
    // per destination and direction per five minutes, whichever path (relay or health) came first.
    const previous = before.health;
    const next = after.health;
    // A relay restarted by an edit starts without a stored health: its first `ok` is a recovery
    // if the last alert sent said `failing` (HealthAlerts asks the gate; `resumesFlowing`).
    if (
      next !== undefined &&
      next.state !== previous?.state &&
      (directionOf(previous, next) !== undefined || resumesFlowing(previous, next))
    ) {
      const live = this.liveness.get(after.channelArn);
      this.notify(after.id, () => this.deps.alerts.onHealthChange(after, previous, next, now, live === undefined ? {} : { live }));
    }
  }

  /**
   * Starts an alert without waiting for it: the reconcile goes on with its next step at once. A
   * destination's alerts go out in the order they were raised (each waits for the one before).
   * What is under way when the reconcile ends is awaited then ({@link deliveriesDone}), so a
   * Lambda is not frozen mid-delivery; each delivery is bounded by its channel's timeout
   * (adapters/alerts/notifiers.ts), and `HealthAlerts` logs and meters a failure instead of
   * throwing. Should it throw anyway, that is logged and metered here.
   */
  private notify(destinationId: string, send: () => Promise<unknown>): void {
    const previous = this.deliveries.get(destinationId) ?? Promise.resolve();
    const delivery: Promise<void> = previous
      .then(send)
      .then(
        () => undefined,
        (error: unknown) => {
          const code = codeOf(error);
          this.deps.log.warn('Alert failed unexpectedly; the destination is not affected', { destinationId, errorCode: code });
          this.deps.metrics.auxiliaryReadFailed('alert', code);
        },
      )
      .finally(() => {
        if (this.deliveries.get(destinationId) === delivery) this.deliveries.delete(destinationId);
      });
    this.deliveries.set(destinationId, delivery);
  }

  /** Lets the alert deliveries started by this reconcile finish (each one is bounded; none throws). */
  private async deliveriesDone(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries.values()]);
  }

  /**
   * The destination with its health assessed from this reconcile's figures (`health.ts`); the
   * same object when the health did not change enough to be worth a write, or when the figures
   * could not be read.
   */
  private withHealth(d: Destination): Destination {
    // Health is stored only while a relay runs; for any other status the view derives it from the
    // status, and a new item gets no write of its own for it.
    if (d.status !== 'active') {
      if (d.health === undefined) return d;
      const { health: _gone, ...rest } = d;
      return rest;
    }
    if (this.telemetry.kind === 'failed') return d;
    const now = this.deps.clock.now();
    const relayId = d.mediaLiveChannelId;
    const assessed =
      this.telemetry.kind === 'unmeasured' && (d.relayAlerts ?? []).length === 0
        ? { state: 'unknown' as const, bitrateKbps: null, message: 'Health is not measured here: no relay figures are available.' }
        : assessHealth({
            status: d.status,
            statusSince: d.statusSince,
            ...(d.lastError ? { lastErrorMessage: d.lastError.message } : {}),
            telemetry: this.telemetry.kind === 'read' && relayId !== undefined ? this.telemetry.figures.get(relayId) : undefined,
            alerts: d.relayAlerts ?? [],
            now,
          });
    const health = nextHealth(d.health, assessed, now);
    if (!healthChanged(d.health, health)) return d;
    if (d.health?.state !== health.state) {
      this.deps.log.info('Destination health changed', {
        ...logKeys(d),
        previousHealth: d.health?.state ?? null,
        health: health.state,
        healthMessage: health.message,
      });
    }
    return { ...d, health };
  }

  private withStatus(d: Destination, status: DestinationStatus, lastError: DestinationError | null | undefined): Destination {
    const next: Destination = { ...d, status };
    if (status !== d.status) next.statusSince = this.deps.clock.now().toISOString();
    if (lastError === null) delete next.lastError;
    else if (lastError !== undefined) next.lastError = lastError;
    return next;
  }

  /**
   * Takes the lease with the status the step leads to, in one write conditional on the version
   * that was planned from. Undefined when another writer came first: then nothing is done.
   */
  private async acquire(d: Destination, decision: DestinationDecision): Promise<Destination | undefined> {
    const now = this.deps.clock.now();
    let next = withLease(
      this.withHealth(this.withStatus(d, decision.status, decision.lastError)),
      this.deps.ownerId(),
      now,
      this.config.leaseSeconds,
    );
    if (decision.adopt) next = recordRelay(next, decision.adopt, decision.adopt.configRevision);
    const stored = nextVersion(next, now);
    try {
      await this.deps.destinations.put(stored);
    } catch (error) {
      if (error instanceof VersionConflictError) return undefined;
      throw error;
    }
    await this.history(d, stored);
    return stored;
  }

  /**
   * Records what the step did and lets go of the lease, in one write. What the step created is
   * recorded even if the lease was lost meanwhile; only our own lease is removed.
   */
  private async release(known: Destination, change: ((current: Destination) => Destination) | undefined): Promise<void> {
    const owner = this.deps.ownerId();
    const stored = await updateDestination(
      this.deps.destinations,
      this.deps.clock,
      known.id,
      (cur) => {
        const changed = change ? change(cur) : cur;
        return withoutLease(changed, owner) ?? (change ? changed : undefined);
      },
      { attempts: 7, known },
    );
    await this.history(known, stored);
  }

  /** Deletes a deleted destination's item, which holds nothing any more (the plan saw to that). */
  private async remove(d: Destination): Promise<Omit<StepResult, 'change'>> {
    try {
      await this.deps.destinations.delete(d.id, d.version);
      this.deps.log.info('Destination removed', logKeys(d));
      const at = this.deps.clock.now().toISOString();
      await this.history(d, undefined, [
        { destinationId: d.id, at, kind: 'deleted', source: 'monitor', message: 'Deleted: its relay and sources are removed.' },
      ]);
      return { outcome: 'done' };
    } catch (error) {
      if (error instanceof VersionConflictError) return { outcome: 'raced', requeueAfterMs: 0 };
      throw error;
    }
  }

  private async deleteOrphanSource(sourceId: string): Promise<{ sourceId: string; outcome: Outcome }> {
    try {
      await this.deps.engine.deleteSource(sourceId);
      this.deps.log.info('Deleted orphaned relay source', { mediaLiveInputId: sourceId });
      return { sourceId, outcome: 'done' };
    } catch (error) {
      if (error instanceof WrongStateError || error instanceof ResourceNotFoundError) return { sourceId, outcome: 'raced' };
      this.deps.log.warn('Orphaned source clean-up failed', { mediaLiveInputId: sourceId, errorCode: codeOf(error) });
      return { sourceId, outcome: 'failed' };
    }
  }

  /** Stops, then (a later pass) deletes a relay no destination owns; its sources go with the sweep. */
  private async cleanOrphan(o: OrphanDecision): Promise<{ relayId: string; step: string | null; outcome: Outcome }> {
    const base = { relayId: o.relay.id, step: o.step?.kind ?? null };
    if (!o.step) return { ...base, outcome: 'none' };
    const { engine, log } = this.deps;
    log.info('Cleaning up orphaned relay', { mediaLiveChannelId: o.relay.id, action: o.step.kind, state: o.relay.engineState });
    try {
      if (o.step.kind === 'stop') await engine.stopRelay(o.relay.id);
      else await engine.deleteRelay(o.relay.id);
      return { ...base, outcome: 'done' };
    } catch (error) {
      if (error instanceof WrongStateError || error instanceof ResourceNotFoundError) return { ...base, outcome: 'raced' };
      log.warn('Orphan clean-up failed', { mediaLiveChannelId: o.relay.id, errorCode: codeOf(error) });
      return { ...base, outcome: 'failed' };
    }
  }
}

function livenessMap(states: readonly ChannelStreamState[]): Map<string, ChannelLiveness> {
  return new Map(states.map((s) => [s.id, livenessOf(s)]));
}

function logKeys(d: Destination): Record<string, unknown> {
  return { destinationId: d.id, destinationName: d.name, channelArn: d.channelArn };
}

function codeOf(error: unknown): string {
  return error instanceof RestreamingError ? error.code : 'UNEXPECTED';
}
