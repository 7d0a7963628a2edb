/**
 * The use cases behind the REST API. Each one writes the intent (conditionally on the item's
 * version), puts the destination on the work queue and answers at once: the stream monitor
 * converges it within seconds. The API has no start/stop logic of its own and no access to the
 * relay engine or to stream keys in clear.
 */
import type {
  ChannelStatusView,
  ChannelStreamKeyView,
  ChannelView,
  CreateDestinationInput,
  Destination,
  DestinationList,
  DestinationService,
  DestinationView,
  RelayMode,
  StartOptions,
  UnreadableDestination,
  UpdateDestinationInput,
  UpdateOptions,
} from './destination';
import { channelIdOf, streamKeyHint, toView } from './destination';
import { updateDestination } from './destination-updates';
import type { DestinationEvent, DestinationEventKind, DestinationEventView, EventDetails } from './events';
import { EVENTS_PAGE_DEFAULT, recordEvents, toEventView } from './events';
import {
  ChannelLiveError,
  ChannelNotFoundError,
  ChannelOfflineError,
  DestinationDeletingError,
  DestinationDisabledError,
  DestinationNotFoundError,
  itemProblemFields,
  MalformedItemError,
  PreconditionFailedError,
  RelayModeUnavailableError,
  ValidationError,
  VersionConflictError,
} from './errors';
import { defaultProfile, defaultRtmpUrl } from './platforms';
import { assertPlatformAcceptsUrl, assertPublicRtmpTarget } from './validation';
import type {
  ChannelDirectory,
  ChannelStreamState,
  Clock,
  DestinationEventLog,
  DestinationRepository,
  IdGenerator,
  Log,
  Metrics,
  StreamKeyEncrypter,
  StreamSource,
  StreamStateRepository,
  WorkQueue,
} from './ports';
import { holdsNothing, retireUnusedSource } from './resources';
import { destinationWarnings } from './source-check';
import { broadcastOf, graceEndsAt, nextStreamState, withinGrace } from './stream-state';

export interface DestinationServiceDeps {
  destinations: DestinationRepository;
  streamStates: StreamStateRepository;
  /** Destination history: every API action is recorded (never failing the action). */
  events: DestinationEventLog;
  cipher: StreamKeyEncrypter;
  queue: WorkQueue;
  /** IVS, asked only by a manual stop when the stream-state table does not know the stream yet. */
  streams: Pick<StreamSource, 'getStream'>;
  /** IVS channels' endpoints and stream keys, for the console's encoder settings and preview. */
  channels: ChannelDirectory;
  /** STOP_GRACE_SECONDS: a stream that returns within it continues the broadcast. */
  graceSeconds: number;
  clock: Clock;
  ids: IdGenerator;
  log: Log;
  /** A failed history write is counted here (AuxiliaryReadFailures). */
  metrics: Pick<Metrics, 'auxiliaryReadFailed'>;
  /** The IVS channels this deployment follows (IVS_CHANNEL_ARNS). */
  trackedChannelArns: readonly string[];
  /**
   * Accept `rtmpUrl`s on loopback and private networks (ALLOW_PRIVATE_RTMP_TARGETS; the local
   * stack allows them). Default false. Link-local and metadata addresses are refused regardless.
   */
  allowPrivateRtmpTargets?: boolean;
  /** The relay modes this deployment runs; default TRANSCODE_ONLY. */
  relayModes?: RelayModeSettings;
}

/** Which relay modes a deployment runs, and which one a new destination gets when it names none. */
export interface RelayModeSettings {
  /** `transcode` always; `passthrough` when the deployment has relays (RELAY_CLUSTER_ARN set). */
  offered: readonly RelayMode[];
  /** DEFAULT_RELAY_MODE; must be offered. */
  defaultMode: RelayMode;
}

/** A deployment without pass-through relays. */
export const TRANSCODE_ONLY: RelayModeSettings = { offered: ['transcode'], defaultMode: 'transcode' };

/** What the 409 says when pass-through is asked of a deployment without relays. */
export const PASSTHROUGH_UNAVAILABLE_MESSAGE =
  'mode: passthrough is not enabled in this deployment, which has no pass-through relays. Enable them with enableRelays: true in deployment.config.ts (the stream-restreaming module\'s create_relays = true; infra/: enable_relays = true) and deploy again, or send "mode": "transcode" to use MediaLive.';

const MAX_WRITE_ATTEMPTS = 4;
/**
 * An edit without If-Match retries its read-modify-write until it wins: every round at least one
 * racing writer does, so N racing edits (plus the reconciler's writes) finish within N+ rounds.
 */
const MAX_EDIT_ATTEMPTS = 32;

export class RestreamingDestinationService implements DestinationService {
  constructor(private readonly deps: DestinationServiceDeps) {}

  async list(): Promise<DestinationList> {
    const [scan, states] = await Promise.all([this.deps.destinations.scanAll(), this.deps.streamStates.listAll()]);
    const stateByArn = new Map(states.map((s) => [s.id, s]));
    const destinations = scan.destinations
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .map((d) => toView(d, destinationWarnings(d, stateByArn.get(d.channelArn))));
    if (scan.malformed.length === 0) return { destinations };
    const problems = scan.malformed
      .map((m): UnreadableDestination => {
        const error = new MalformedItemError(m.id, m.problems);
        // An operator has to fix it; the reconciler reports it on the item and meters it too.
        this.deps.log.error('Stored destination item is unreadable; listed under problems', {
          destinationId: m.id,
          problems: m.problems,
        });
        return { id: m.id, code: error.code, message: error.message, fields: itemProblemFields(m.problems) };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
    return { destinations, problems };
  }

  async get(id: string): Promise<DestinationView> {
    return this.view(await this.load(id));
  }

  async create(input: CreateDestinationInput): Promise<DestinationView> {
    const channelArn = this.channelFor(input.channelArn);
    assertPlatformAcceptsUrl(input.platform, input.rtmpUrl);
    if (input.rtmpUrl !== undefined && this.deps.allowPrivateRtmpTargets !== true) assertPublicRtmpTarget(input.rtmpUrl);
    const rtmpUrl = input.rtmpUrl ?? (defaultRtmpUrl(input.platform) as string);
    const mode = this.modeFor(input.mode);
    const id = this.deps.ids.newId();
    const now = this.deps.clock.now().toISOString();
    const destination: Destination = {
      id,
      platform: input.platform,
      name: input.name,
      enabled: input.enabled ?? true,
      status: 'inactive',
      statusSince: now,
      channelArn,
      rtmpUrl,
      streamKeyCiphertext: await this.deps.cipher.encrypt(id, input.streamKey),
      streamKeyHint: streamKeyHint(input.streamKey),
      profile: input.profile ?? defaultProfile(input.platform),
      mode,
      configRevision: 1,
      generation: 0,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.destinations.create(destination);
    this.deps.log.info('Destination created', {
      destinationId: id,
      destinationName: destination.name,
      channelArn,
      platform: destination.platform,
      mode,
    });
    await this.history(id, 'created', `Created (${destination.platform}, ${destination.enabled ? 'enabled' : 'disabled'}).`, {
      platform: destination.platform,
      enabled: destination.enabled,
      profile: destination.profile,
    });
    return this.converge(id);
  }

  async update(id: string, input: UpdateDestinationInput, options: UpdateOptions = {}): Promise<DestinationView> {
    const channelArn = input.channelArn === undefined ? undefined : this.channelFor(input.channelArn);
    if (input.mode !== undefined) this.modeFor(input.mode);
    if (input.rtmpUrl !== undefined && this.deps.allowPrivateRtmpTargets !== true) assertPublicRtmpTarget(input.rtmpUrl);
    const encrypted = input.streamKey === undefined ? undefined : await this.deps.cipher.encrypt(id, input.streamKey);
    await this.write(
      id,
      (current) => {
        if (options.ifVersion !== undefined && current.version !== options.ifVersion) {
          throw new PreconditionFailedError(
            `Destination "${id}" changed since version ${options.ifVersion} (it is at version ${current.version}): GET it again, then repeat the change with the new ETag.`,
            { details: { currentVersion: current.version } },
          );
        }
        const next: Destination = { ...current };
        if (input.name !== undefined) next.name = input.name;
        if (input.enabled !== undefined) next.enabled = input.enabled;
        if (input.platform !== undefined && input.platform !== current.platform) {
          next.platform = input.platform;
          // Follow the new platform's ingest unless the URL was set by hand.
          if (input.rtmpUrl === undefined && current.rtmpUrl === defaultRtmpUrl(current.platform)) {
            const preset = defaultRtmpUrl(input.platform);
            if (preset !== undefined) next.rtmpUrl = preset;
          }
        }
        if (input.rtmpUrl !== undefined) next.rtmpUrl = input.rtmpUrl;
        if (input.profile !== undefined) next.profile = input.profile;
        if (input.mode !== undefined) next.mode = input.mode;
        if (channelArn !== undefined) next.channelArn = channelArn;
        if (encrypted !== undefined && input.streamKey !== undefined) {
          next.streamKeyCiphertext = encrypted;
          next.streamKeyHint = streamKeyHint(input.streamKey);
        }
        assertPlatformAcceptsUrl(next.platform, next.rtmpUrl);
        const configChanged =
          encrypted !== undefined ||
          next.rtmpUrl !== current.rtmpUrl ||
          next.profile !== current.profile ||
          next.mode !== current.mode ||
          next.channelArn !== current.channelArn;
        if (configChanged) {
          next.configRevision = current.configRevision + 1;
          // A source left by an interrupted create pulls the old IVS channel: retire it, and let
          // the next create make a new one under a new RequestId.
          return retireUnusedSource(next);
        }
        return next;
      },
      { attempts: MAX_EDIT_ATTEMPTS },
    );
    // Field names only: a value (the stream key above all) never goes into a log line or an event.
    const fields = Object.keys(input).sort();
    this.deps.log.info('Destination updated', { destinationId: id, fields });
    await this.history(id, 'edited', `Edited: ${fields.join(', ')}.`, { fields });
    return this.converge(id);
  }

  async remove(id: string): Promise<{ done: true } | { done: false; destination: DestinationView }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.load(id);
      if (!holdsNothing(current, this.deps.clock.now())) break;
      try {
        await this.deps.destinations.delete(id, current.version);
        this.deps.log.info('Destination deleted', { destinationId: id, destinationName: current.name, channelArn: current.channelArn });
        await this.history(id, 'deleted', 'Deleted.');
        return { done: true };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= MAX_WRITE_ATTEMPTS) throw error;
      }
    }
    await this.write(
      id,
      (current) =>
        current.deleteRequested
          ? undefined
          : { ...current, deleteRequested: true, enabled: false, status: 'deleting', statusSince: this.deps.clock.now().toISOString() },
      { allowDeleting: true },
    );
    this.deps.log.info('Destination deletion requested', { destinationId: id });
    await this.history(id, 'delete-requested', 'Deletion requested: its relay is being stopped and removed.');
    await this.enqueue(id, 'deleted');
    return { done: false, destination: await this.view(await this.load(id)) };
  }

  async start(id: string, options: StartOptions = {}): Promise<DestinationView> {
    const current = await this.load(id);
    if (current.deleteRequested) throw deleting(id);
    if (!current.enabled && options.enable !== true) throw disabled(id);
    // What the monitor last learnt from IVS (within seconds of IVS's stream events): no IVS call.
    const stream = await this.deps.streamStates.get(current.channelArn);
    if (stream?.state !== 'LIVE') {
      throw new ChannelOfflineError(
        `The IVS channel ${current.channelArn} is not live, so there is nothing to send. Start streaming to IVS; enabled destinations start by themselves when the stream goes live.`,
      );
    }
    await this.write(id, (cur) => {
      if (!cur.enabled && options.enable !== true) throw disabled(id);
      if (cur.enabled && cur.pausedStreamId === undefined) return undefined;
      const next: Destination = { ...cur, enabled: true };
      delete next.pausedStreamId;
      return next;
    });
    this.deps.log.info('Destination start requested', { destinationId: id, channelArn: current.channelArn, streamId: stream.streamId });
    await this.history(id, 'start-requested', 'Started by hand for the live stream.', {
      ...(options.enable === true ? { enable: true } : {}),
      ...(stream.streamId === undefined ? {} : { streamId: stream.streamId }),
    });
    return this.converge(id);
  }

  async stop(id: string): Promise<DestinationView> {
    const current = await this.load(id);
    if (current.deleteRequested) throw deleting(id);
    // Paused for the broadcast that is live now, or for the one that just ended (grace period):
    // an encoder reconnect inside the grace period continues the broadcast, and the pause holds.
    const broadcastId = await this.broadcastOnAir(current.channelArn);
    if (broadcastId !== undefined) {
      await this.write(id, (cur) => (cur.pausedStreamId === broadcastId ? undefined : { ...cur, pausedStreamId: broadcastId }));
    }
    this.deps.log.info('Destination stop requested', { destinationId: id, channelArn: current.channelArn, broadcastId });
    await this.history(
      id,
      'stop-requested',
      broadcastId === undefined
        ? 'Stopped by hand (nothing was on air).'
        : 'Stopped by hand for this broadcast; it starts again with the next.',
      broadcastId === undefined ? {} : { broadcastId },
    );
    return this.converge(id);
  }

  /**
   * What the reconciler last learnt from IVS, from the stream-state table: refreshed within
   * seconds by IVS's stream events and every minute by the schedule. The admin UI polls this
   * every few seconds per open tab, so it must cost no IVS call: IVS rate limits are per
   * account and shared with the monitor's ListStreams.
   */
  async streamStatus(): Promise<{ channels: ChannelStatusView[] }> {
    const [states, arns] = await Promise.all([this.deps.streamStates.listAll(), this.channelArns()]);
    const stateByArn = new Map(states.map((s) => [s.id, s]));
    return { channels: arns.map((channelArn) => this.statusOf(channelArn, stateByArn.get(channelArn))) };
  }

  async endGrace(channelId: string): Promise<ChannelStatusView> {
    const channelArn = await this.channelArnOf(channelId);
    for (let attempt = 1; ; attempt++) {
      const state = await this.deps.streamStates.get(channelArn);
      if (state?.state === 'LIVE') {
        throw new ChannelLiveError(
          `The IVS channel ${channelArn} is live, so there is no grace period to end. Stop its destinations one by one (POST /stream-destinations/{id}/stop), or end the stream in the encoder.`,
        );
      }
      const now = this.deps.clock.now();
      // Idempotent: a channel past its grace period (or never live) has nothing to end.
      if (!withinGrace(state, now, this.deps.graceSeconds) || state?.offlineSince === undefined) return this.statusOf(channelArn, state);
      if (await this.deps.streamStates.endGrace(channelArn, state.offlineSince, now.toISOString())) break;
      // The monitor recorded a change in between (live again, or offline anew): look again.
      if (attempt >= MAX_WRITE_ATTEMPTS) {
        throw new VersionConflictError(`The stream state of ${channelArn} kept changing; try again.`);
      }
    }
    this.deps.log.info('Grace period ended through the API', { channelArn });
    try {
      const notBefore = this.deps.clock.now().toISOString();
      await this.deps.queue.enqueue([{ kind: 'channel', channelArn, notBefore, reason: 'grace period ended through the API' }]);
    } catch (error) {
      this.deps.log.warn('Could not put the channel on the work queue; the schedule will stop its destinations', {
        channelArn,
        errorName: error instanceof Error ? error.name : typeof error,
      });
    }
    return this.statusOf(channelArn, await this.deps.streamStates.get(channelArn));
  }

  async channel(channelId: string): Promise<ChannelView> {
    const channelArn = await this.channelArnOf(channelId);
    const endpoints = await this.deps.channels.endpoints(channelArn);
    return { channelArn, channelId: channelIdOf(channelArn), ingestServer: endpoints.ingestServer, playbackUrl: endpoints.playbackUrl };
  }

  async streamKey(channelId: string): Promise<ChannelStreamKeyView> {
    const channelArn = await this.channelArnOf(channelId);
    const [endpoints, streamKey] = await Promise.all([this.deps.channels.endpoints(channelArn), this.deps.channels.streamKey(channelArn)]);
    // Who read it, never what: the key itself is in no log line.
    this.deps.log.info('IVS stream key revealed', { channelArn });
    return { channelArn, channelId: channelIdOf(channelArn), ingestServer: endpoints.ingestServer, streamKey };
  }

  /** What a channel's remembered state says, with the end of its grace period. */
  private statusOf(channelArn: string, state: ChannelStreamState | undefined): ChannelStatusView {
    const channelId = channelIdOf(channelArn);
    if (!state) return { channelArn, channelId, state: 'OFFLINE', streamId: null, since: null, stopsAt: null };
    const stopsAt = graceEndsAt(state, this.deps.graceSeconds);
    return {
      channelArn,
      channelId,
      state: state.state,
      streamId: state.state === 'LIVE' ? (state.streamId ?? null) : null,
      since: state.timestamp,
      stopsAt: stopsAt !== undefined && Date.parse(stopsAt) > this.deps.clock.now().getTime() ? stopsAt : null,
    };
  }

  /**
   * The channels of this deployment: IVS_CHANNEL_ARNS, or (when none is configured) those the
   * destinations follow.
   */
  private async channelArns(): Promise<string[]> {
    if (this.deps.trackedChannelArns.length > 0) return [...new Set(this.deps.trackedChannelArns)].sort();
    const destinations = await this.deps.destinations.listAll();
    return [...new Set(destinations.map((d) => d.channelArn))].sort();
  }

  /** The ARN of one of this deployment's channels by its id; 404 for any other id. */
  private async channelArnOf(channelId: string): Promise<string> {
    const arns = await this.channelArns();
    const found = arns.find((arn) => channelIdOf(arn) === channelId);
    if (found === undefined) {
      const known = arns.map(channelIdOf);
      throw new ChannelNotFoundError(
        `No IVS channel of this deployment has the id "${channelId}"${known.length > 0 ? `; use one of ${known.join(', ')}` : ''} (the last part of the channel ARN, as GET /stream-status lists it).`,
      );
    }
    return found;
  }

  async events(
    id: string,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ events: DestinationEventView[]; nextToken: string | null }> {
    await this.load(id);
    const page = await this.deps.events.list(id, {
      limit: options.limit ?? EVENTS_PAGE_DEFAULT,
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    });
    return { events: page.events.map(toEventView), nextToken: page.nextCursor ?? null };
  }

  // ------------------------------------------------------------------------------------------

  /** Records an API action in the destination's history; a failed write never fails the action. */
  private async history(id: string, kind: DestinationEventKind, message: string, details?: EventDetails): Promise<void> {
    const event: DestinationEvent = { destinationId: id, at: this.deps.clock.now().toISOString(), kind, source: 'api', message };
    if (details !== undefined && Object.keys(details).length > 0) event.details = details;
    await recordEvents(this.deps, [event]);
  }

  private async load(id: string): Promise<Destination> {
    const item = await this.deps.destinations.get(id);
    if (!item) throw new DestinationNotFoundError(id);
    return item;
  }

  /** The mode asked for, or the deployment's default; RelayModeUnavailableError (409) when not offered. */
  private modeFor(requested: RelayMode | undefined): RelayMode {
    const modes = this.deps.relayModes ?? TRANSCODE_ONLY;
    const mode = requested ?? modes.defaultMode;
    if (!modes.offered.includes(mode)) {
      throw new RelayModeUnavailableError(PASSTHROUGH_UNAVAILABLE_MESSAGE, {
        details: {
          fields: [{ field: 'mode', message: PASSTHROUGH_UNAVAILABLE_MESSAGE.replace(/^mode: /, '') }],
          offered: [...modes.offered],
        },
      });
    }
    return mode;
  }

  /** The channel a destination follows: the one given (if tracked), or the only tracked one. */
  private channelFor(requested: string | undefined): string {
    const tracked = this.deps.trackedChannelArns;
    if (requested === undefined) {
      if (tracked.length === 1) return tracked[0] as string;
      throw fieldError(
        'channelArn',
        tracked.length === 0
          ? 'required; give the ARN of the IVS channel this destination follows'
          : `required because ${tracked.length} IVS channels are configured; use one of ${tracked.join(', ')}`,
      );
    }
    if (tracked.length > 0 && !tracked.includes(requested)) {
      throw fieldError('channelArn', `${requested} is not an IVS channel of this deployment; use one of ${tracked.join(', ')}`);
    }
    return requested;
  }

  /** Read-modify-write conditional on version (see updateDestination); refuses deleted destinations. */
  private async write(
    id: string,
    change: (current: Destination) => Destination | undefined,
    options: { allowDeleting?: boolean; attempts?: number } = {},
  ): Promise<void> {
    const stored = await updateDestination(
      this.deps.destinations,
      this.deps.clock,
      id,
      (current) => {
        if (current.deleteRequested && !options.allowDeleting) throw deleting(id);
        return change(current);
      },
      { attempts: options.attempts ?? MAX_WRITE_ATTEMPTS },
    );
    if (!stored) throw new DestinationNotFoundError(id);
  }

  /**
   * The broadcast a stop pauses: the one the stream-state table records while live. The table
   * lags IVS by an event (or, when one is lost, by a scheduled run), so when it does not say
   * live, IVS is asked: a stream on air that the table has not seen yet is paused too.
   */
  private async broadcastOnAir(channelArn: string): Promise<string | undefined> {
    const state = await this.deps.streamStates.get(channelArn);
    if (state?.state === 'LIVE') return broadcastOf(state);
    const stream = await this.deps.streams.getStream(channelArn);
    if (!stream) return broadcastOf(state); // the broadcast that just ended (grace period)
    // IVS is live but the table has not heard yet (a late event): record what was seen, so the
    // broadcast the pause names is the one a later reconnect continues. Without it the next
    // stream of the same broadcast looks like a new one and the pause is lost (model test,
    // counterexample "a manual stop is undone when the go-live event comes late").
    const change = nextStreamState(channelArn, state, stream, this.deps.clock.now(), this.deps.graceSeconds);
    if (change.changed) await this.deps.streamStates.put(change.next);
    return broadcastOf(change.next);
  }

  /** Puts the destination on the work queue and returns it as written. */
  private async converge(id: string): Promise<DestinationView> {
    await this.enqueue(id, 'changed through the API');
    return this.view(await this.load(id));
  }

  /** The answer for one destination, with the warnings its channel's last stream session gives. */
  private async view(d: Destination): Promise<DestinationView> {
    return toView(d, destinationWarnings(d, await this.deps.streamStates.get(d.channelArn)));
  }

  /**
   * A failed enqueue does not fail the request: the change is stored and the scheduled reconcile
   * converges it within a minute.
   */
  private async enqueue(id: string, reason: string): Promise<void> {
    try {
      const notBefore = this.deps.clock.now().toISOString();
      await this.deps.queue.enqueue([{ kind: 'destination', destinationId: id, notBefore, reason }]);
    } catch (error) {
      this.deps.log.warn('Could not put the destination on the work queue; the schedule will converge it', {
        destinationId: id,
        errorName: error instanceof Error ? error.name : typeof error,
        errorCode: (error as { code?: unknown }).code,
      });
    }
  }
}

/** `message` says what is wrong without the field name; the summary prefixes it once. */
function fieldError(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}`, [{ field, message }]);
}

function disabled(id: string): DestinationDisabledError {
  return new DestinationDisabledError(
    `Destination "${id}" is disabled, and a start does not enable it: enable it first (PUT /stream-destinations/${id} with {"enabled": true}), or send {"enable": true} with the start.`,
  );
}

function deleting(id: string): DestinationDeletingError {
  return new DestinationDeletingError(`Destination "${id}" is being deleted; it can no longer be changed.`);
}
