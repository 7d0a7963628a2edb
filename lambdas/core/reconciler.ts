/**
 * The reconciler: observe → plan (pure, `planner.ts`) → act. All three triggers (schedule, IVS
 * event, API) call `reconcile` with a scope; none has start/stop logic of its own.
 *
 * Races are made harmless, not unlikely: every item write is conditional on `version`, a lease on
 * the item lets one reconcile act on a destination at a time, MediaLive creates carry a
 * deterministic RequestId, and every step tolerates finding its work already done.
 */
import type { Destination, DestinationError, DestinationStatus } from './destination';
import {
  InvalidConfigurationError,
  QuotaExceededError,
  ResourceNotFoundError,
  RestreamingError,
  VersionConflictError,
  WrongStateError,
} from './errors';
import { mapWithConcurrency } from './concurrency';
import type { ChannelLiveness, DestinationDecision, OrphanDecision, Step } from './planner';
import { desiredState, plan } from './planner';
import { nextVersion, updateDestination } from './destination-updates';
import type {
  ChannelSpec,
  ChannelStreamState,
  Clock,
  DestinationRepository,
  LiveStream,
  Log,
  MediaLiveChannel,
  MediaLiveGateway,
  Metrics,
  PlaybackSource,
  StreamKeyDecrypter,
  StreamSource,
  StreamStateRepository,
} from './ports';
import { livenessOf, nextStreamState } from './stream-state';

export interface ReconcilerConfig {
  projectName: string;
  mediaLiveRoleArn: string;
  graceSeconds: number;
  /** IVS channels to follow even when no destination uses them yet (IVS_CHANNEL_ARNS). */
  trackedChannelArns: readonly string[];
  /** Destinations acted on at once. */
  concurrency: number;
  /** How long a reconcile may hold a destination's lease. */
  leaseSeconds: number;
  /** How long to wait for a new channel to become IDLE (to start it) or a deleted one to go. */
  waitTimeoutMs: number;
  waitIntervalMs: number;
}

export const DEFAULT_RECONCILER_CONFIG = {
  concurrency: 20,
  leaseSeconds: 120,
  waitTimeoutMs: 30_000,
  waitIntervalMs: 2_000,
} as const;

export interface ReconcilerDeps {
  destinations: DestinationRepository;
  streamStates: StreamStateRepository;
  streams: StreamSource;
  mediaLive: MediaLiveGateway;
  cipher: StreamKeyDecrypter;
  clock: Clock;
  log: Log;
  metrics: Metrics;
  /** Waits between polls; tests with a manual clock advance it here. */
  sleep: (ms: number) => Promise<void>;
  /** Names this reconciler in leases, e.g. the Lambda request id. */
  ownerId: () => string;
}

export type ReconcileScope = { kind: 'all' } | { kind: 'channel'; channelArn: string } | { kind: 'destination'; destinationId: string };

export type Outcome = 'done' | 'none' | 'busy' | 'raced' | 'failed';

export interface DestinationOutcome {
  destinationId: string;
  desired: DestinationDecision['desired'];
  status: DestinationStatus;
  step: Step['kind'] | null;
  outcome: Outcome;
  error?: string;
}

export interface ReconcileResult {
  channels: ChannelStreamState[];
  destinations: DestinationOutcome[];
  orphans: { channelId: string; step: string | null; outcome: Outcome }[];
  orphanInputs: { inputId: string; outcome: Outcome }[];
}

const PERMANENT = [InvalidConfigurationError, QuotaExceededError];

/** Records a channel found by its tag on the item, with the config revision its tag names. */
function adopt(d: Destination, found: { channelId: string; inputIds: string[]; configRevision: number | undefined }): void {
  d.mediaLiveChannelId = found.channelId;
  if (found.inputIds[0] !== undefined) d.mediaLiveInputId = found.inputIds[0];
  if (found.configRevision === undefined) delete d.mediaLiveConfigRevision;
  else d.mediaLiveConfigRevision = found.configRevision;
}

export class Reconciler {
  /** The item as this reconciler last wrote it, per leased destination. */
  private readonly held = new Map<string, Destination>();

  constructor(
    private readonly deps: ReconcilerDeps,
    private readonly config: ReconcilerConfig,
  ) {}

  /** Observes, plans and acts for the scope, and reports what it did. */
  async reconcile(scope: ReconcileScope): Promise<ReconcileResult> {
    const observed = await this.observe(scope);
    const now = this.deps.clock.now();
    const channels = await this.updateStreamStates(observed.channelArns, observed.previous, observed.live, now);
    const streams = new Map<string, ChannelLiveness>(channels.map((c) => [c.id, livenessOf(c)]));
    const { decisions, orphans, orphanInputIds } = plan({
      destinations: observed.destinations,
      streams,
      channels: observed.mediaLive,
      inputs: observed.inputs,
      now,
      graceSeconds: this.config.graceSeconds,
      complete: scope.kind === 'all',
    });
    const playbackUrls = new Map<string, Promise<PlaybackSource>>();
    const destinations = await mapWithConcurrency(decisions, this.config.concurrency, (d) => this.apply(d, playbackUrls));
    const orphanOutcomes = await mapWithConcurrency(orphans, this.config.concurrency, (o) => this.cleanOrphan(o));
    const orphanInputs = await mapWithConcurrency(orphanInputIds, this.config.concurrency, (id) => this.deleteOrphanInput(id));
    return { channels, destinations, orphans: orphanOutcomes, orphanInputs };
  }

  // ---------------------------------------------------------------- observe

  private async observe(scope: ReconcileScope) {
    const { destinations, streamStates, streams, mediaLive } = this.deps;
    if (scope.kind === 'all') {
      // MediaLive is listed before the destinations are read, so a channel seen here always
      // has its destination in the list (destinations exist before their channels).
      const [live, previous, channels, inputs] = await Promise.all([
        streams.listLiveStreams(),
        streamStates.listAll(),
        mediaLive.listChannels(),
        mediaLive.listInputs(),
      ]);
      const items = await destinations.listAll();
      const channelArns = new Set([...this.config.trackedChannelArns, ...items.map((d) => d.channelArn)]);
      return { live, previous, mediaLive: channels, inputs, destinations: items, channelArns: [...channelArns] };
    }
    if (scope.kind === 'channel') {
      const [stream, previous, channels] = await Promise.all([
        streams.getStream(scope.channelArn),
        streamStates.get(scope.channelArn),
        mediaLive.listChannels(),
      ]);
      const items = await destinations.listByChannel(scope.channelArn);
      return {
        live: stream ? [stream] : [],
        previous: previous ? [previous] : [],
        mediaLive: channels,
        destinations: items.filter((d) => d.channelArn === scope.channelArn),
        channelArns: [scope.channelArn],
      };
    }
    const item = await destinations.get(scope.destinationId);
    if (!item) return { live: [], previous: [], mediaLive: [], destinations: [], channelArns: [] };
    const [stream, previous, channels] = await Promise.all([
      streams.getStream(item.channelArn),
      streamStates.get(item.channelArn),
      this.channelsOf(item),
    ]);
    return {
      live: stream ? [stream] : [],
      previous: previous ? [previous] : [],
      mediaLive: channels,
      destinations: [item],
      channelArns: [item.channelArn],
    };
  }

  /** One destination's channel: described when recorded, else found by tag in the listing. */
  private async channelsOf(d: Destination): Promise<MediaLiveChannel[]> {
    if (d.mediaLiveChannelId === undefined) return this.deps.mediaLive.listChannels();
    const channel = await this.deps.mediaLive.describeChannel(d.mediaLiveChannelId);
    return channel ? [channel] : this.deps.mediaLive.listChannels();
  }

  private async updateStreamStates(
    channelArns: readonly string[],
    previous: readonly ChannelStreamState[],
    live: readonly LiveStream[],
    now: Date,
  ): Promise<ChannelStreamState[]> {
    const before = new Map(previous.map((s) => [s.id, s]));
    const liveByArn = new Map(live.map((s) => [s.channelArn, s]));
    return Promise.all(
      channelArns.map(async (arn) => {
        const change = nextStreamState(arn, before.get(arn), liveByArn.get(arn), now);
        if (change.changed) {
          await this.deps.streamStates.put(change.next);
          if (change.transition) {
            this.deps.log.info('Stream state changed', {
              channelArn: arn,
              previousState: change.transition.from,
              currentState: change.transition.to,
              streamId: change.transition.streamId,
            });
          }
        }
        return change.next;
      }),
    );
  }

  // ---------------------------------------------------------------- act

  /** Acts on one destination; whatever fails is reported as its outcome, never thrown. */
  private async apply(decision: DestinationDecision, playbackUrls: Map<string, Promise<PlaybackSource>>): Promise<DestinationOutcome> {
    try {
      return await this.applyOrThrow(decision, playbackUrls);
    } catch (error) {
      const d = decision.destination;
      const code = error instanceof RestreamingError ? error.code : 'UNEXPECTED';
      this.deps.log.warn('Reconcile of destination failed', {
        destinationId: d.id,
        destinationName: d.name,
        channelArn: d.channelArn,
        errorCode: code,
      });
      this.deps.metrics.destinationFailed(d.id, code);
      return {
        destinationId: d.id,
        desired: decision.desired,
        status: decision.status,
        step: decision.step?.kind ?? null,
        outcome: 'failed',
        error: code,
      };
    }
  }

  private async applyOrThrow(
    decision: DestinationDecision,
    playbackUrls: Map<string, Promise<PlaybackSource>>,
  ): Promise<DestinationOutcome> {
    const d = decision.destination;
    const base = { destinationId: d.id, desired: decision.desired, status: decision.status, step: decision.step?.kind ?? null };
    const logKeys = { destinationId: d.id, destinationName: d.name, channelArn: d.channelArn };
    if (decision.busy) return { ...base, outcome: 'busy' };
    if (!decision.step) {
      await this.record(d, decision).catch((error: unknown) => {
        if (!(error instanceof VersionConflictError)) throw error;
      });
      return { ...base, outcome: 'none' };
    }

    const leased = await this.acquire(d, decision);
    if (!leased) return { ...base, outcome: 'busy' };
    this.deps.log.info('Reconciling destination', {
      ...logKeys,
      action: decision.step.kind,
      reason: decision.reason,
      previousStatus: d.status,
      status: decision.status,
      mediaLiveChannelId: d.mediaLiveChannelId,
    });
    try {
      const outcome = await this.perform(leased, decision.step, playbackUrls);
      return { ...base, outcome };
    } catch (error) {
      return { ...base, outcome: 'failed', error: await this.fail(leased.id, decision.step, error) };
    } finally {
      await this.release(d.id).catch((error: unknown) => {
        this.deps.log.warn('Could not release lease; it expires by itself', { ...logKeys, error: String(error) });
      });
    }
  }

  /** Writes the observed status (and adopted channel) when it differs from the item. */
  private async record(d: Destination, decision: DestinationDecision): Promise<void> {
    const next = this.withStatus(d, decision.status, decision.lastError);
    if (decision.adopt) adopt(next, decision.adopt);
    if (!decision.adopt && next.status === d.status && next.lastError === d.lastError) return;
    if (next.status !== d.status) {
      this.deps.log.info('Destination status changed', {
        destinationId: d.id,
        destinationName: d.name,
        channelArn: d.channelArn,
        previousStatus: d.status,
        status: next.status,
      });
    }
    await this.deps.destinations.put(nextVersion(next, this.deps.clock.now()));
  }

  private withStatus(d: Destination, status: DestinationStatus, lastError: DestinationError | null | undefined): Destination {
    const next: Destination = { ...d, status };
    if (status !== d.status) next.statusSince = this.deps.clock.now().toISOString();
    if (lastError === null) delete next.lastError;
    else if (lastError !== undefined) next.lastError = lastError;
    return next;
  }

  /** Takes the lease with the status the step leads to; false when another reconcile won. */
  private async acquire(d: Destination, decision: DestinationDecision): Promise<Destination | undefined> {
    const until = new Date(this.deps.clock.now().getTime() + this.config.leaseSeconds * 1000).toISOString();
    const leased = { ...this.withStatus(d, decision.status, decision.lastError), lease: { owner: this.deps.ownerId(), until } };
    const next = nextVersion(leased, this.deps.clock.now());
    if (decision.adopt) adopt(next, decision.adopt);
    try {
      await this.deps.destinations.put(next);
      this.held.set(d.id, next);
      return next;
    } catch (error) {
      if (error instanceof VersionConflictError) return undefined;
      throw error;
    }
  }

  private async release(id: string): Promise<void> {
    const owner = this.deps.ownerId();
    const known = this.held.get(id);
    this.held.delete(id);
    await this.mutate(
      id,
      (d) => {
        if (d.lease?.owner !== owner) return undefined;
        const next = { ...d };
        delete next.lease;
        return next;
      },
      known,
    );
  }

  /**
   * Read-modify-write with the version condition, retried on conflict; `change` returns
   * undefined to write nothing. Returns the item as stored afterwards (undefined if gone).
   */
  /** Read-modify-write of the item (see updateDestination); `known` saves the read when current. */
  private mutate(id: string, change: (d: Destination) => Destination | undefined, known?: Destination): Promise<Destination | undefined> {
    return updateDestination(this.deps.destinations, this.deps.clock, id, change, { attempts: 7, ...(known ? { known } : {}) });
  }

  private async perform(d: Destination, step: Step, playbackUrls: Map<string, Promise<PlaybackSource>>): Promise<Outcome> {
    const { mediaLive, log } = this.deps;
    const logKeys = { destinationId: d.id, destinationName: d.name, channelArn: d.channelArn };
    switch (step.kind) {
      case 'create':
        return this.createAndStart(d, step.inputId, playbackUrls);
      case 'start':
        try {
          await mediaLive.startChannel(step.channelId);
        } catch (error) {
          if (error instanceof WrongStateError) return 'raced';
          if (error instanceof ResourceNotFoundError) {
            await this.forgetChannel(d.id, step.channelId, []);
            return 'raced';
          }
          throw error;
        }
        log.info('Started MediaLive channel', { ...logKeys, mediaLiveChannelId: step.channelId });
        return 'done';
      case 'stop':
        try {
          await mediaLive.stopChannel(step.channelId);
        } catch (error) {
          if (error instanceof WrongStateError || error instanceof ResourceNotFoundError) return 'raced';
          throw error;
        }
        log.info('Stopped MediaLive channel', { ...logKeys, mediaLiveChannelId: step.channelId });
        if (d.deleteRequested) {
          const idle = await this.waitFor(step.channelId, (c) => c?.state === 'IDLE' || c === undefined);
          if (idle) return this.deleteChannel(d, step.channelId, (await mediaLive.describeChannel(step.channelId))?.inputIds ?? []);
        }
        return 'done';
      case 'delete-channel':
        return this.deleteChannel(d, step.channelId, step.inputIds);
      case 'delete-inputs':
        await this.deleteInputs(d.id, step.inputIds);
        if (d.deleteRequested) await this.removeIfEmpty(d.id);
        return 'done';
      case 'remove':
        await this.removeIfEmpty(d.id);
        return 'done';
    }
  }

  private async createAndStart(
    d: Destination,
    existingInputId: string | undefined,
    playbackUrls: Map<string, Promise<PlaybackSource>>,
  ): Promise<Outcome> {
    const { mediaLive, streams, cipher, log } = this.deps;
    const logKeys = { destinationId: d.id, destinationName: d.name, channelArn: d.channelArn };

    // A recorded channel missing from a listing may only be lagging: look before creating.
    if (d.mediaLiveChannelId !== undefined) {
      const existing = await mediaLive.describeChannel(d.mediaLiveChannelId);
      if (existing) return 'raced';
      // It is gone (deleted outside this system): forget it, so the new channel gets a new
      // RequestId — replaying the old one would only return the deleted channel.
      log.warn('Recorded MediaLive channel no longer exists; creating a new one', { ...logKeys, mediaLiveChannelId: d.mediaLiveChannelId });
      await this.forgetChannel(d.id, d.mediaLiveChannelId, []);
      const fresh = await this.deps.destinations.get(d.id);
      if (!fresh) return 'raced';
      this.held.set(d.id, fresh);
      return this.createAndStart(fresh, undefined, playbackUrls);
    }
    let pending = playbackUrls.get(d.channelArn);
    if (!pending) {
      pending = streams.getPlaybackSource(d.channelArn);
      playbackUrls.set(d.channelArn, pending);
      pending.catch(() => playbackUrls.delete(d.channelArn));
    }
    const source = await pending;
    const spec: ChannelSpec = {
      projectName: this.config.projectName,
      destinationId: d.id,
      destinationName: d.name,
      requestId: `${this.config.projectName}-${d.id}-g${d.generation}-r${d.configRevision}`,
      sourceUrl: source.url,
      sourceType: source.channelType,
      platform: d.platform,
      rtmpUrl: d.rtmpUrl,
      streamKey: await cipher.decrypt(d.id, d.streamKeyCiphertext),
      profile: d.profile,
      configRevision: d.configRevision,
      roleArn: this.config.mediaLiveRoleArn,
    };

    let item: Destination = d;
    let inputId = existingInputId;
    if (inputId === undefined) {
      inputId = (await mediaLive.createInput(spec)).inputId;
      const created = inputId;
      item =
        (await this.mutate(d.id, (cur) => (cur.mediaLiveInputId === created ? undefined : { ...cur, mediaLiveInputId: created }), item)) ??
        item;
      log.info('Created MediaLive input', { ...logKeys, mediaLiveInputId: inputId });
    }
    let channel: MediaLiveChannel;
    try {
      channel = await mediaLive.createChannel(spec, inputId);
    } catch (error) {
      if (!(error instanceof ResourceNotFoundError) || existingInputId === undefined) throw error;
      // The recorded input is gone (deleted by hand): forget it, start over with a new one.
      log.warn('Recorded MediaLive input no longer exists; creating a new one', { ...logKeys, mediaLiveInputId: inputId });
      const missing = inputId;
      const fresh = await this.mutate(d.id, (cur) => {
        if (cur.mediaLiveInputId !== missing) return undefined;
        const next: Destination = { ...cur, generation: cur.generation + 1 };
        delete next.mediaLiveInputId;
        return next;
      });
      if (!fresh) return 'raced';
      this.held.set(d.id, fresh);
      return this.createAndStart(fresh, undefined, playbackUrls);
    }
    const attachedInput = inputId;
    item =
      (await this.mutate(
        d.id,
        (cur) => ({ ...cur, mediaLiveChannelId: channel.id, mediaLiveInputId: attachedInput, mediaLiveConfigRevision: d.configRevision }),
        item,
      )) ?? item;
    this.held.set(d.id, item);
    log.info('Created MediaLive channel', { ...logKeys, mediaLiveChannelId: channel.id });

    const ready = await this.waitFor(channel.id, (c) => c === undefined || c.state !== 'CREATING');
    if (!ready || ready.state !== 'IDLE') return 'done'; // the next reconcile starts or repairs it
    // The wait took seconds: a stop, disable, delete, edit or stream end may have landed since.
    if (!(await this.stillWanted(d))) {
      log.info('Not starting the new channel: the destination or its stream changed meanwhile', {
        ...logKeys,
        mediaLiveChannelId: channel.id,
      });
      return 'done';
    }
    try {
      await mediaLive.startChannel(channel.id);
    } catch (error) {
      if (error instanceof WrongStateError) return 'raced';
      throw error;
    }
    log.info('Started MediaLive channel', { ...logKeys, mediaLiveChannelId: channel.id });
    return 'done';
  }

  /** True when the destination, read again, still wants to run with the config it was built from. */
  private async stillWanted(built: Destination): Promise<boolean> {
    const current = await this.deps.destinations.get(built.id);
    if (!current || current.configRevision !== built.configRevision || current.channelArn !== built.channelArn) return false;
    const stream = await this.deps.streams.getStream(current.channelArn);
    const liveness = stream ? { live: true, streamId: stream.streamId } : { live: false };
    return desiredState(current, liveness, this.deps.clock.now(), this.config.graceSeconds).desired === 'on';
  }

  private async deleteChannel(d: Destination, channelId: string, inputIds: readonly string[]): Promise<Outcome> {
    const { mediaLive, log } = this.deps;
    try {
      await mediaLive.deleteChannel(channelId);
    } catch (error) {
      if (error instanceof WrongStateError) return 'raced';
      if (!(error instanceof ResourceNotFoundError)) throw error;
    }
    log.info('Deleted MediaLive channel', {
      destinationId: d.id,
      destinationName: d.name,
      channelArn: d.channelArn,
      mediaLiveChannelId: channelId,
    });
    await this.forgetChannel(d.id, channelId, inputIds);
    const gone = await this.waitFor(channelId, (c) => c === undefined);
    if (gone === null) return 'done'; // inputs are deleted by a later reconcile once detached
    const current = await this.deps.destinations.get(d.id);
    await this.deleteInputs(d.id, current?.staleInputIds ?? []);
    if (d.deleteRequested) await this.removeIfEmpty(d.id);
    return 'done';
  }

  /** Clears the channel from the item and retires its inputs; the next create gets a new RequestId. */
  private async forgetChannel(id: string, channelId: string, inputIds: readonly string[]): Promise<void> {
    await this.mutate(id, (cur) => {
      const next: Destination = { ...cur, generation: cur.generation + 1 };
      const retired = new Set([...(cur.staleInputIds ?? []), ...inputIds]);
      if (cur.mediaLiveChannelId === channelId || cur.mediaLiveChannelId === undefined) {
        if (cur.mediaLiveInputId !== undefined) retired.add(cur.mediaLiveInputId);
        delete next.mediaLiveChannelId;
        delete next.mediaLiveInputId;
        delete next.mediaLiveConfigRevision;
      }
      if (retired.size > 0) next.staleInputIds = [...retired];
      return next;
    });
  }

  private async deleteInputs(id: string, inputIds: readonly string[]): Promise<void> {
    const deleted: string[] = [];
    for (const inputId of inputIds) {
      try {
        await this.deps.mediaLive.deleteInput(inputId);
        deleted.push(inputId);
      } catch (error) {
        if (error instanceof ResourceNotFoundError) deleted.push(inputId);
        else if (!(error instanceof WrongStateError)) throw error; // still attached: later
      }
    }
    if (deleted.length === 0) return;
    this.deps.log.info('Deleted MediaLive inputs', { destinationId: id, mediaLiveInputIds: deleted });
    await this.mutate(id, (cur) => {
      // A new generation: a later create must not replay the RequestId of a deleted input.
      const next = { ...cur, generation: cur.generation + 1 };
      const stale = (cur.staleInputIds ?? []).filter((i) => !deleted.includes(i));
      if (stale.length > 0) next.staleInputIds = stale;
      else delete next.staleInputIds;
      if (cur.mediaLiveInputId !== undefined && deleted.includes(cur.mediaLiveInputId)) delete next.mediaLiveInputId;
      return next;
    });
  }

  /** Deletes a deleted destination's item once it holds nothing in MediaLive. */
  private async removeIfEmpty(id: string): Promise<void> {
    let current = await this.deps.destinations.get(id);
    if (!current?.deleteRequested) return;
    if (current.mediaLiveChannelId !== undefined) {
      // Recorded but absent from the listing: forget it only once MediaLive confirms it is gone.
      const channelId = current.mediaLiveChannelId;
      if (await this.deps.mediaLive.describeChannel(channelId)) return;
      await this.forgetChannel(id, channelId, []);
      current = await this.deps.destinations.get(id);
      if (!current) return;
      if (current.mediaLiveInputId !== undefined || (current.staleInputIds ?? []).length > 0) {
        await this.deleteInputs(id, [...(current.staleInputIds ?? [])]);
        current = await this.deps.destinations.get(id);
        if (!current) return;
      }
    }
    if (current.mediaLiveChannelId !== undefined || current.mediaLiveInputId !== undefined) return;
    if ((current.staleInputIds ?? []).length > 0) return;
    try {
      await this.deps.destinations.delete(id, current.version);
      this.deps.log.info('Destination removed', { destinationId: id, destinationName: current.name, channelArn: current.channelArn });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }

  /** Polls a channel until `done` holds; returns the last observation, or null on time-out. */
  private async waitFor(
    channelId: string,
    done: (c: MediaLiveChannel | undefined) => boolean,
  ): Promise<MediaLiveChannel | undefined | null> {
    const deadline = this.deps.clock.now().getTime() + this.config.waitTimeoutMs;
    for (;;) {
      const channel = await this.deps.mediaLive.describeChannel(channelId);
      if (done(channel)) return channel;
      if (this.deps.clock.now().getTime() >= deadline) return null;
      await this.deps.sleep(this.config.waitIntervalMs);
    }
  }

  /** Records a failed step on the item and in the metric; returns the error's code. */
  private async fail(id: string, step: Step, error: unknown): Promise<string> {
    const known = error instanceof RestreamingError;
    const code = known ? error.code : 'UNEXPECTED';
    const message = known ? error.message : 'Unexpected error while reconciling; see the stream monitor logs.';
    const permanent = PERMANENT.some((kind) => error instanceof kind);
    this.deps.log.warn('Reconcile step failed', {
      destinationId: id,
      action: step.kind,
      errorCode: code,
      errorMessage: message,
      ...(known ? {} : { errorName: error instanceof Error ? error.name : typeof error }),
    });
    this.deps.metrics.destinationFailed(id, code);
    const at = this.deps.clock.now().toISOString();
    await this.mutate(id, (cur) => {
      const next = this.withStatus(cur, permanent ? 'error' : cur.status, { code, message, at });
      return next;
    }).catch(() => undefined);
    return code;
  }

  private async deleteOrphanInput(inputId: string): Promise<{ inputId: string; outcome: Outcome }> {
    try {
      await this.deps.mediaLive.deleteInput(inputId);
      this.deps.log.info('Deleted orphaned MediaLive input', { mediaLiveInputId: inputId });
      return { inputId, outcome: 'done' };
    } catch (error) {
      if (error instanceof WrongStateError || error instanceof ResourceNotFoundError) return { inputId, outcome: 'raced' };
      const errorCode = error instanceof RestreamingError ? error.code : 'UNEXPECTED';
      this.deps.log.warn('Orphaned input clean-up failed', { mediaLiveInputId: inputId, errorCode });
      return { inputId, outcome: 'failed' };
    }
  }

  private async cleanOrphan(o: OrphanDecision): Promise<{ channelId: string; step: string | null; outcome: Outcome }> {
    const base = { channelId: o.channel.id, step: o.step?.kind ?? null };
    if (!o.step) return { ...base, outcome: 'none' };
    const { mediaLive, log } = this.deps;
    log.info('Cleaning up orphaned MediaLive channel', { mediaLiveChannelId: o.channel.id, action: o.step.kind, state: o.channel.state });
    try {
      if (o.step.kind === 'stop') {
        await mediaLive.stopChannel(o.channel.id);
        return { ...base, outcome: 'done' };
      }
      await mediaLive.deleteChannel(o.channel.id);
      const gone = await this.waitFor(o.channel.id, (c) => c === undefined);
      if (gone !== null) {
        for (const inputId of o.step.inputIds) {
          await mediaLive.deleteInput(inputId).catch((error: unknown) => {
            if (!(error instanceof ResourceNotFoundError)) throw error;
          });
        }
      }
      return { ...base, outcome: 'done' };
    } catch (error) {
      if (error instanceof WrongStateError || error instanceof ResourceNotFoundError) return { ...base, outcome: 'raced' };
      log.warn('Orphan clean-up failed', {
        mediaLiveChannelId: o.channel.id,
        errorCode: error instanceof RestreamingError ? error.code : 'UNEXPECTED',
      });
      return { ...base, outcome: 'failed' };
    }
  }
}
