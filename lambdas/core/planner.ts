/**
 * The desired-state planner (DESIGN.md, "The rule at the centre").
 *
 *     desired(d) = d.enabled ∧ live(c) ∧ d.pausedStreamId ≠ streamId(c)
 *
 * Pure: given the destinations, what IVS says about each channel, what MediaLive says about each
 * channel, and the time, it decides one step per destination and the status to record. The
 * executor (`reconciler.ts`) carries the steps out; every step is safe to repeat, so the same
 * inputs planned twice, or by two racing reconciles, converge on the same state.
 */
import type { Destination, DestinationError, DestinationStatus } from './destination';
import type { MediaLiveChannel, MediaLiveChannelState, MediaLiveInput } from './ports';
import { TAG_CONFIG_REVISION, TAG_DESTINATION } from './ports';

/** What IVS says about one channel, plus the remembered time it went offline. */
export interface ChannelLiveness {
  live: boolean;
  /** The current stream id while live; the last stream id while offline (if known). */
  streamId?: string;
  /** ISO-8601 time the channel went offline after being live; absent if never seen live. */
  offlineSince?: string;
}

export interface PlanInput {
  destinations: readonly Destination[];
  /** Keyed by IVS channel ARN. A channel missing here is offline. */
  streams: ReadonlyMap<string, ChannelLiveness>;
  /** The project's MediaLive channels that were observed (not DELETED). */
  channels: readonly MediaLiveChannel[];
  /** The project's MediaLive inputs; listed only by the full reconcile. */
  inputs?: readonly MediaLiveInput[];
  now: Date;
  graceSeconds: number;
  /**
   * True when `destinations` holds every destination of the project, so a tagged MediaLive
   * channel without one is an orphan that can be cleaned up. Only the full reconcile sets it.
   */
  complete: boolean;
}

export type Desired = 'on' | 'off' | 'hold';

export type Step =
  /** Create the input (unless `inputId` is given) and the channel, then start it once IDLE. */
  | { kind: 'create'; inputId?: string }
  | { kind: 'start'; channelId: string }
  | { kind: 'stop'; channelId: string }
  /** Delete the channel; its inputs are retired and deleted once detached. */
  | { kind: 'delete-channel'; channelId: string; inputIds: string[] }
  | { kind: 'delete-inputs'; inputIds: string[] }
  /** Nothing is left in MediaLive: delete the destination item. */
  | { kind: 'remove' };

export interface DestinationDecision {
  destination: Destination;
  desired: Desired;
  /** Why, in a few words, for logs. */
  reason: string;
  /** The status to record now: what was observed, or what the step leads to. */
  status: DestinationStatus;
  /** `null` clears lastError, `undefined` leaves it as it is. */
  lastError: DestinationError | null | undefined;
  /** A channel of this destination found by its tag but not recorded on the item. */
  adopt?: { channelId: string; inputIds: string[]; configRevision: number | undefined };
  /** Another reconcile holds the destination's lease: nothing is done or written. */
  busy?: true;
  step: Step | null;
}

export interface OrphanDecision {
  channel: MediaLiveChannel;
  step: { kind: 'stop'; channelId: string } | { kind: 'delete-channel'; channelId: string; inputIds: string[] } | null;
}

export interface Plan {
  decisions: DestinationDecision[];
  orphans: OrphanDecision[];
  /** Inputs of the project that nothing uses or will use: delete them (they count against a quota). */
  orphanInputIds: string[];
}

const RUNNING_STATES: ReadonlySet<MediaLiveChannelState> = new Set(['STARTING', 'RUNNING', 'RECOVERING']);
const FAILED_STATES: ReadonlySet<MediaLiveChannelState> = new Set(['CREATE_FAILED', 'UPDATE_FAILED']);
/** States that end by themselves; the only right action is to look again later. */
const TRANSIENT_STATES: ReadonlySet<MediaLiveChannelState> = new Set(['CREATING', 'STOPPING', 'DELETING', 'UPDATING']);

export function isRunning(state: MediaLiveChannelState): boolean {
  return RUNNING_STATES.has(state);
}

/** desired(d), with the grace period: a channel that just went offline holds what runs. */
export function desiredState(
  d: Destination,
  stream: ChannelLiveness | undefined,
  now: Date,
  graceSeconds: number,
): { desired: Desired; reason: string } {
  if (d.deleteRequested) return { desired: 'off', reason: 'destination deleted' };
  if (!d.enabled) return { desired: 'off', reason: 'destination disabled' };
  if (stream?.live) {
    if (d.pausedStreamId !== undefined && d.pausedStreamId === stream.streamId) {
      return { desired: 'off', reason: 'stopped manually for this stream' };
    }
    return { desired: 'on', reason: 'stream live' };
  }
  if (stream?.offlineSince !== undefined && !(d.pausedStreamId !== undefined && d.pausedStreamId === stream.streamId)) {
    const offlineMs = now.getTime() - Date.parse(stream.offlineSince);
    if (offlineMs < graceSeconds * 1000) return { desired: 'hold', reason: 'stream offline, within grace period' };
  }
  return { desired: 'off', reason: 'stream offline' };
}

function statusOf(state: MediaLiveChannelState | undefined): DestinationStatus {
  switch (state) {
    case 'CREATING':
    case 'STARTING':
      return 'starting';
    case 'RUNNING':
    case 'RECOVERING':
      return 'active';
    case 'STOPPING':
      return 'stopping';
    case 'CREATE_FAILED':
    case 'UPDATE_FAILED':
      return 'error';
    default:
      return 'inactive';
  }
}

function failureError(channel: MediaLiveChannel, now: Date): DestinationError {
  const what = channel.state === 'CREATE_FAILED' ? 'creation' : 'update';
  return {
    code: `MEDIALIVE_${channel.state}`,
    message: `MediaLive channel ${channel.id} ${what} failed; it will be deleted and created again at the next start.`,
    at: now.toISOString(),
  };
}

/** The configRevision a channel's tag says it was built from; undefined when absent (stale). */
export function tagRevision(channel: MediaLiveChannel): number | undefined {
  const value = Number(channel.tags[TAG_CONFIG_REVISION]);
  return Number.isInteger(value) ? value : undefined;
}

export interface FoundChannel {
  channel: MediaLiveChannel | undefined;
  /** Found by its tag, not recorded on the item (a create was interrupted before recording it). */
  adopted: boolean;
  /** A channel of this destination is still DELETING: wait until it is gone. */
  draining: boolean;
}

/**
 * The channel of a destination: the recorded one, else one carrying its tag. A DELETING channel
 * is never adopted: it is on its way out, and recording it again would resurrect it on the item.
 */
function findChannel(d: Destination, byId: Map<string, MediaLiveChannel>, byTag: Map<string, MediaLiveChannel[]>): FoundChannel {
  const tagged = byTag.get(d.id) ?? [];
  const draining = tagged.some((c) => c.state === 'DELETING');
  if (d.mediaLiveChannelId !== undefined) {
    const recorded = byId.get(d.mediaLiveChannelId);
    if (recorded) return { channel: recorded, adopted: false, draining };
  }
  const adoptable = tagged.find((c) => c.state !== 'DELETING' && c.state !== 'DELETED');
  return adoptable ? { channel: adoptable, adopted: true, draining } : { channel: undefined, adopted: false, draining };
}

export function planDestination(
  d: Destination,
  input: Omit<PlanInput, 'destinations' | 'channels'>,
  found: FoundChannel,
  attachedInputIds: ReadonlySet<string>,
): DestinationDecision {
  const decision = decideDestination(d, input, found, attachedInputIds);
  // Inputs of deleted channels go as soon as nothing uses them and nothing else is due.
  const stale = (d.staleInputIds ?? []).filter((id) => !attachedInputIds.has(id));
  if (decision.step === null && stale.length > 0 && !decision.busy) {
    return { ...decision, step: { kind: 'delete-inputs', inputIds: stale } };
  }
  return decision;
}

function decideDestination(
  d: Destination,
  input: Omit<PlanInput, 'destinations' | 'channels'>,
  found: FoundChannel,
  attachedInputIds: ReadonlySet<string>,
): DestinationDecision {
  const { now, graceSeconds } = input;
  const { desired, reason } = desiredState(d, input.streams.get(d.channelArn), now, graceSeconds);
  if (d.lease !== undefined && Date.parse(d.lease.until) > now.getTime()) {
    // Another reconcile is acting on it: touch nothing, not even what is recorded on the item.
    return {
      destination: d,
      desired,
      reason: `${reason}; another reconcile is acting`,
      status: d.status,
      lastError: undefined,
      step: null,
      busy: true,
    };
  }

  const channel = found.channel;
  const adopt =
    found.adopted && channel ? { adopt: { channelId: channel.id, inputIds: channel.inputIds, configRevision: tagRevision(channel) } } : {};
  const decide = (
    status: DestinationStatus,
    step: Step | null,
    lastError: DestinationError | null | undefined = undefined,
  ): DestinationDecision => ({ destination: d, desired, reason, status, lastError, step, ...adopt });

  if (!channel && found.draining) {
    return decide(d.deleteRequested ? 'deleting' : desired === 'on' ? 'starting' : 'inactive', null);
  }

  // Inputs of deleted channels go as soon as nothing uses them any more.
  const staleInputs = (d.staleInputIds ?? []).filter((id) => !attachedInputIds.has(id));

  if (d.deleteRequested) {
    if (!channel) {
      const inputs = [...staleInputs, ...(d.mediaLiveInputId !== undefined ? [d.mediaLiveInputId] : [])];
      if (inputs.length > 0) return decide('deleting', { kind: 'delete-inputs', inputIds: inputs });
      if ((d.staleInputIds ?? []).length > 0) return decide('deleting', null); // still attached somewhere
      return decide('deleting', { kind: 'remove' });
    }
    if (isRunning(channel.state)) return decide('deleting', { kind: 'stop', channelId: channel.id });
    if (channel.state === 'IDLE' || FAILED_STATES.has(channel.state)) {
      return decide('deleting', { kind: 'delete-channel', channelId: channel.id, inputIds: channel.inputIds });
    }
    return decide('deleting', null);
  }

  if (!channel) {
    if (staleInputs.length > 0) {
      return decide(desired === 'on' ? 'starting' : 'inactive', { kind: 'delete-inputs', inputIds: staleInputs });
    }
    if (desired === 'on') {
      // A create that was interrupted after its input was made resumes with that input.
      const resume = d.mediaLiveInputId !== undefined ? { inputId: d.mediaLiveInputId } : {};
      return decide('starting', { kind: 'create', ...resume });
    }
    if (d.mediaLiveInputId !== undefined && d.mediaLiveChannelId === undefined) {
      // An input whose channel was never made, and no one wants it now.
      return decide('inactive', { kind: 'delete-inputs', inputIds: [d.mediaLiveInputId] });
    }
    return decide('inactive', null);
  }

  if (FAILED_STATES.has(channel.state)) {
    const error = failureError(channel, now);
    if (desired === 'on') {
      return decide('error', { kind: 'delete-channel', channelId: channel.id, inputIds: channel.inputIds }, error);
    }
    return decide('error', null, d.lastError?.code === error.code ? undefined : error);
  }

  // An adopted channel was made by an interrupted create, from the config its tag names.
  const builtFrom = found.adopted && channel ? tagRevision(channel) : d.mediaLiveConfigRevision;
  const configChanged = builtFrom !== d.configRevision;
  if (TRANSIENT_STATES.has(channel.state)) {
    return decide(desired === 'on' && channel.state === 'CREATING' ? 'starting' : statusOf(channel.state), null);
  }

  if (isRunning(channel.state)) {
    if (desired === 'off' || configChanged) {
      // A changed URL, key or profile takes effect now: stop, rebuild, start again.
      return decide('stopping', { kind: 'stop', channelId: channel.id });
    }
    return decide(statusOf(channel.state), null, channel.state === 'RUNNING' ? null : undefined);
  }

  // IDLE
  if (configChanged) {
    return decide(desired === 'on' ? 'starting' : 'inactive', {
      kind: 'delete-channel',
      channelId: channel.id,
      inputIds: channel.inputIds,
    });
  }
  if (desired === 'on') return decide('starting', { kind: 'start', channelId: channel.id });
  return decide('inactive', null);
}

/** Plans every destination given, and on a complete view, the orphaned channels of the project. */
export function plan(input: PlanInput): Plan {
  const byId = new Map(input.channels.map((c) => [c.id, c]));
  const byTag = new Map<string, MediaLiveChannel[]>();
  for (const c of input.channels) {
    const owner = c.tags[TAG_DESTINATION];
    if (owner === undefined) continue;
    byTag.set(owner, [...(byTag.get(owner) ?? []), c]);
  }
  const attached = new Set(input.channels.flatMap((c) => c.inputIds));

  const owned = new Set<string>();
  const decisions = input.destinations.map((d) => {
    const found = findChannel(d, byId, byTag);
    if (found.channel) owned.add(found.channel.id);
    return planDestination(d, input, found, attached);
  });

  const orphans: OrphanDecision[] = [];
  if (input.complete) {
    for (const c of input.channels) {
      if (owned.has(c.id)) continue;
      if (isRunning(c.state)) orphans.push({ channel: c, step: { kind: 'stop', channelId: c.id } });
      else if (c.state === 'IDLE' || FAILED_STATES.has(c.state)) {
        orphans.push({ channel: c, step: { kind: 'delete-channel', channelId: c.id, inputIds: c.inputIds } });
      } else orphans.push({ channel: c, step: null });
    }
  }
  return { decisions, orphans, orphanInputIds: input.complete ? orphanInputs(input, attached) : [] };
}

/**
 * Unattached inputs that no destination records. An input whose destination holds a lease is
 * left alone: a create may have made it and not recorded it yet.
 */
function orphanInputs(input: PlanInput, attached: ReadonlySet<string>): string[] {
  const byId = new Map(input.destinations.map((d) => [d.id, d]));
  const now = input.now.getTime();
  return (input.inputs ?? [])
    .filter((i) => {
      if (i.attachedChannelIds.length > 0 || attached.has(i.id)) return false;
      const owner = byId.get(i.tags[TAG_DESTINATION] ?? '');
      if (!owner) return true;
      if (owner.lease !== undefined && Date.parse(owner.lease.until) > now) return false;
      return owner.mediaLiveInputId !== i.id && !(owner.staleInputIds ?? []).includes(i.id);
    })
    .map((i) => i.id);
}
