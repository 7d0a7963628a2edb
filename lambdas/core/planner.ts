/**
 * The desired-state planner: the one place that knows the transition table (docs/architecture.md).
 *
 *     desired(d) = d.enabled ∧ live(c) ∧ d.pausedStreamId ≠ broadcast(c)
 *
 * Pure: given the destinations, what IVS says about each channel, the relays the engine reports
 * (engine-neutral states, see `relay.ts`) and the time, it decides at most ONE step per
 * destination and the status to record. The executor (`reconciler.ts`) carries a step out and
 * the driver plans again; every step is safe to repeat, so the same inputs planned twice, or by
 * two racing reconciles, converge on the same state.
 */
import type { Destination, DestinationError, DestinationStatus } from './destination';
import type { Relay, RelaySource, RelayState, RelayTimings } from './relay';
import { leaseActive, recordedSources } from './resources';

/** What IVS says about one channel, plus the remembered time it went offline. */
export interface ChannelLiveness {
  live: boolean;
  /** The current stream id while live; the last stream id while offline (if known). */
  streamId?: string;
  /** The stream id that began the current (or last) broadcast; see `stream-state.ts`. */
  broadcastId?: string;
  /** ISO-8601 time the channel went offline after being live; absent if never seen live. */
  offlineSince?: string;
}

export interface PlanInput {
  destinations: readonly Destination[];
  /** Keyed by IVS channel ARN. A channel missing here is offline. */
  streams: ReadonlyMap<string, ChannelLiveness>;
  /** The project's relays that were observed. */
  relays: readonly Relay[];
  /** The project's sources; listed only by the full reconcile, undefined when not (or the read failed). */
  sources?: readonly RelaySource[];
  now: Date;
  graceSeconds: number;
  /**
   * An idle relay nobody wants is deleted after this long (IDLE_CHANNEL_TTL_SECONDS): MediaLive
   * charges for idle channels and counts them against a per-region quota; its source is kept.
   */
  idleTtlSeconds: number;
  /** How long the engine's transitions take: when to look again. */
  timings: RelayTimings;
  /**
   * True when `destinations` holds every destination of the project and `relays` every relay, so
   * a relay without a destination is an orphan that can be cleaned up. Only the full reconcile
   * sets it: a scoped pass never touches a relay it did not look at.
   */
  complete: boolean;
  /**
   * Destinations whose items exist but do not parse (MALFORMED_ITEM). Their relays and sources
   * are theirs, not orphans: a typo in the table must not stop a running broadcast. They are left
   * as they are until the item is mended. Looked up with a relay's or source's destination tag,
   * which an untagged one lacks (`has(undefined)` is false).
   */
  malformedIds?: ReadonlySet<string | undefined>;
}

export type Desired = 'on' | 'off' | 'hold';

export type Step =
  /** Create the relay's source (a MediaLive input); recorded on the item. */
  | { kind: 'create-source' }
  /** Create the relay on the recorded source; recorded on the item. */
  | { kind: 'create-relay'; sourceId: string }
  | { kind: 'start'; relayId: string }
  | { kind: 'stop'; relayId: string }
  /** The stream came back with a new id while the relay runs: make it read its source again. */
  | { kind: 'reattach'; relayId: string; streamId: string }
  /**
   * Delete the relay; the item keeps it until it is seen gone. `keepSource`: it is deleted for
   * having been idle longer than the TTL, and its source stays recorded for the next relay.
   */
  | { kind: 'delete-relay'; relayId: string; keepSource?: true }
  /** The recorded relay is gone: forget it and retire its sources (a new generation). */
  | { kind: 'forget-relay'; relayId: string }
  | { kind: 'delete-sources'; sourceIds: string[] }
  /** Nothing is left in the engine: delete the destination item. */
  | { kind: 'remove' };

export type StepKind = Step['kind'];

export interface DestinationDecision {
  destination: Destination;
  desired: Desired;
  /** Why, in a few words, for logs. */
  reason: string;
  /** The status to record now: what was observed, or what the step leads to. */
  status: DestinationStatus;
  /** `null` clears lastError, `undefined` leaves it as it is. */
  lastError: DestinationError | null | undefined;
  /** A relay of this destination found by its tag but not recorded on the item. */
  adopt?: Relay;
  /** Another reconcile holds the destination's lease: nothing is done or written. */
  busy?: true;
  step: Step | null;
  /** Set when a step will be due once an engine transition ends: look again after this. */
  recheckAfterMs?: number;
  /**
   * Set when this pass records an idle relay nobody wants (the status becomes `inactive`): the
   * ISO-8601 time its idle TTL ends and it is due for deletion. The reconciler queues a look at
   * the destination for then, as it does for a grace end, so the deletion is not left to a tick.
   */
  idleTtlEndsAt?: string;
}

export interface OrphanDecision {
  relay: Relay;
  step: { kind: 'stop'; relayId: string } | { kind: 'delete-relay'; relayId: string } | null;
}

export interface Plan {
  decisions: DestinationDecision[];
  orphans: OrphanDecision[];
  /** Sources of the project that nothing uses or will use: delete them (they count against a quota). */
  orphanSourceIds: string[];
}

const ACTIVE: ReadonlySet<RelayState> = new Set(['starting', 'running']);

/**
 * After a relay failed (MediaLive CREATE_FAILED), a new one is made no sooner than this: a
 * configuration MediaLive keeps failing must not become a create-fail-delete loop.
 */
export const RECREATE_AFTER_FAILURE_MS = 60_000;

/** IDLE_CHANNEL_TTL_SECONDS when unset: ten minutes (docs/aws-notes.md, "Idle channels"). */
export const DEFAULT_IDLE_TTL_SECONDS = 600;

/** True for the error a failed relay leaves on the item (see relayOf in the engine adapter). */
function isRelayFailure(error: DestinationError | undefined): error is DestinationError {
  // Stryker disable next-line Regex: no error code has `_FAILED` anywhere but at its end.
  return error !== undefined && /_FAILED$/.test(error.code);
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
  const broadcast = stream?.broadcastId ?? stream?.streamId;
  const paused = d.pausedStreamId !== undefined && d.pausedStreamId === broadcast;
  if (stream?.live) {
    if (paused) return { desired: 'off', reason: 'stopped manually for this broadcast' };
    return { desired: 'on', reason: 'stream live' };
  }
  if (stream?.offlineSince !== undefined && !paused) {
    const offlineMs = now.getTime() - Date.parse(stream.offlineSince);
    if (offlineMs < graceSeconds * 1000) return { desired: 'hold', reason: 'stream offline, within grace period' };
  }
  return { desired: 'off', reason: 'stream offline' };
}

/**
 * True when the live stream is not the one that began the broadcast (the encoder reconnected
 * inside the grace period, with a new stream id) and the relay has not been re-attached to it:
 * a relay started on the earlier stream keeps sending black until it reads its source again
 * (docs/aws-notes.md, "A stream that comes back inside the grace period").
 */
function needsReattach(d: Destination, stream: ChannelLiveness | undefined): boolean {
  // Stryker disable next-line OptionalChaining: its one caller runs only while desired is on or hold, which needs a stream.
  if (!stream?.live || stream.streamId === undefined || stream.broadcastId === undefined) return false;
  return stream.streamId !== stream.broadcastId && d.reattachedStreamId !== stream.streamId;
}

function failureError(relay: Relay, now: Date): DestinationError {
  return {
    code: relay.failure?.code ?? 'RELAY_FAILED',
    message: relay.failure?.message ?? `Relay ${relay.id} failed; it will be deleted and created again at the next start.`,
    at: now.toISOString(),
  };
}

interface Found {
  relay: Relay | undefined;
  /** Found by its tag, not recorded on the item (a create was interrupted before recording it). */
  adopted: boolean;
  /** A relay of this destination, not recorded, is still deleting: wait until it is gone. */
  draining: boolean;
}

/**
 * The relay of a destination: the recorded one, else one carrying its tag. A deleting relay is
 * never adopted: it is on its way out, and recording it again would resurrect it on the item.
 */
function findRelay(d: Destination, byId: Map<string, Relay>, byTag: Map<string, Relay[]>): Found {
  const tagged = byTag.get(d.id) ?? [];
  // Read only when no relay is found: every tagged relay is then deleting, and none is the recorded one.
  const draining = tagged.length > 0;
  // Stryker disable next-line ConditionalExpression: byId.get(undefined) is undefined too; the test narrows the type.
  if (d.mediaLiveChannelId !== undefined) {
    const recorded = byId.get(d.mediaLiveChannelId);
    if (recorded) return { relay: recorded, adopted: false, draining };
  }
  const adoptable = tagged.find((r) => r.state !== 'deleting');
  // Stryker disable next-line ConditionalExpression: `adopted` without a relay adopts nothing (planDestination checks for one).
  if (adoptable) return { relay: adoptable, adopted: true, draining };
  // Stryker disable next-line BooleanLiteral: without a relay there is nothing to adopt (decide() checks for one).
  return { relay: undefined, adopted: false, draining };
}

export function planDestination(
  d: Destination,
  input: Omit<PlanInput, 'destinations' | 'relays'>,
  found: Found,
  attachedSourceIds: ReadonlySet<string>,
): DestinationDecision {
  const decision = decideDestination(d, input, found, attachedSourceIds);
  // Retired sources go as soon as nothing uses them and nothing else is due.
  const stale = (d.staleInputIds ?? []).filter((id) => !attachedSourceIds.has(id));
  if (decision.step === null && stale.length > 0 && !decision.busy) {
    return { ...decision, step: { kind: 'delete-sources', sourceIds: stale } };
  }
  return decision;
}

function decideDestination(
  d: Destination,
  input: Omit<PlanInput, 'destinations' | 'relays'>,
  found: Found,
  attachedSourceIds: ReadonlySet<string>,
): DestinationDecision {
  const { now, graceSeconds, timings } = input;
  const { desired, reason } = desiredState(d, input.streams.get(d.channelArn), now, graceSeconds);
  if (leaseActive(d, now)) {
    // Another reconcile is acting on it: touch nothing, not even what is recorded on the item.
    return {
      destination: d,
      desired,
      reason: `${reason}; another reconcile is acting`,
      status: d.status,
      lastError: undefined,
      step: null,
      busy: true,
      recheckAfterMs: Math.max(0, Date.parse(d.lease.until) - now.getTime()) + 1_000,
    };
  }

  const relay = found.relay;
  const adopt = found.adopted && relay ? { adopt: relay } : {};
  const decide = (
    status: DestinationStatus,
    step: Step | null,
    extra: { lastError?: DestinationError | null; recheckAfterMs?: number; idleTtlEndsAt?: string } = {},
  ): DestinationDecision => ({
    destination: d,
    desired,
    reason,
    status: d.deleteRequested ? 'deleting' : status,
    lastError: extra.lastError,
    step,
    ...adopt,
    recheckAfterMs: extra.recheckAfterMs,
    idleTtlEndsAt: extra.idleTtlEndsAt,
  });
  const wanted = desired === 'on';

  if (!relay) {
    if (d.mediaLiveChannelId !== undefined) {
      // The recorded relay is gone (deleted, or behind the system's back): forget it first.
      return decide(wanted ? 'starting' : 'inactive', { kind: 'forget-relay', relayId: d.mediaLiveChannelId });
    }
    if (found.draining) {
      return decide(wanted ? 'starting' : 'inactive', null, wanted || d.deleteRequested ? { recheckAfterMs: timings.deleteMs } : {});
    }
    const staleSources = (d.staleInputIds ?? []).filter((id) => !attachedSourceIds.has(id));
    if (d.deleteRequested) {
      const sources = [...staleSources, ...(d.mediaLiveInputId !== undefined ? [d.mediaLiveInputId] : [])];
      if (sources.length > 0) return decide('deleting', { kind: 'delete-sources', sourceIds: sources });
      if (recordedSources(d).length > 0) return decide('deleting', null, { recheckAfterMs: timings.deleteMs }); // still attached
      return decide('deleting', { kind: 'remove' });
    }
    if (staleSources.length > 0) return decide(wanted ? 'starting' : 'inactive', { kind: 'delete-sources', sourceIds: staleSources });
    if (wanted && isRelayFailure(d.lastError)) {
      const wait = Date.parse(d.lastError.at) + RECREATE_AFTER_FAILURE_MS - now.getTime();
      if (wait > 0) return decide('error', null, { recheckAfterMs: wait });
    }
    if (wanted) {
      // A create that was interrupted after its source was made resumes with that source.
      if (d.mediaLiveInputId !== undefined) return decide('starting', { kind: 'create-relay', sourceId: d.mediaLiveInputId });
      return decide('starting', { kind: 'create-source' });
    }
    // A recorded source without a relay (its idle relay was deleted, or a create was interrupted)
    // stays: the next go-live creates the relay on it, and it goes with the destination.
    return decide('inactive', null);
  }

  // An adopted relay was made by an interrupted create, from the config its tag names.
  const builtFrom = found.adopted ? relay.configRevision : d.mediaLiveConfigRevision;
  const configChanged = builtFrom !== d.configRevision;

  switch (relay.state) {
    case 'failed': {
      const error = failureError(relay, now);
      if (wanted || d.deleteRequested) return decide('error', { kind: 'delete-relay', relayId: relay.id }, { lastError: error });
      return decide('error', null, { lastError: d.lastError?.code === error.code ? undefined : error });
    }
    case 'provisioning':
      return decide('starting', null, wanted || d.deleteRequested || configChanged ? { recheckAfterMs: timings.provisionMs } : {});
    case 'stopping':
      return decide('stopping', null, d.deleteRequested || configChanged ? { recheckAfterMs: timings.stopMs } : {});
    case 'deleting':
      return decide(wanted ? 'starting' : 'inactive', null, { recheckAfterMs: timings.deleteMs });
    case 'starting':
    case 'running':
      if (!wanted && desired !== 'hold') return decide('stopping', { kind: 'stop', relayId: relay.id });
      if (configChanged || d.deleteRequested) {
        // A changed URL, key or profile takes effect now: stop, rebuild, start again.
        return decide('stopping', { kind: 'stop', relayId: relay.id });
      }
      if (relay.state === 'running' && needsReattach(d, input.streams.get(d.channelArn))) {
        const streamId = input.streams.get(d.channelArn)?.streamId as string;
        return decide('active', { kind: 'reattach', relayId: relay.id, streamId }, { lastError: null });
      }
      if (relay.state === 'running') return decide('active', null, { lastError: null });
      return decide('starting', null);
    case 'idle':
      if (configChanged || d.deleteRequested) return decide(wanted ? 'starting' : 'inactive', { kind: 'delete-relay', relayId: relay.id });
      if (wanted) return decide('starting', { kind: 'start', relayId: relay.id });
      return idleUnwanted(d, relay, input, decide);
  }
}

/**
 * An idle relay nobody wants (stopped, disabled, paused, offline or in the grace period). It is
 * deleted once it has been idle longer than `idleTtlSeconds`, keeping its source. "Idle since" is
 * the item's `statusSince` while its status is `inactive`: the reconcile that first sees the relay
 * idle and unwanted records `inactive` (MediaLive reports no time of the channel's last state
 * change), so the TTL counts from that observation, never from before it.
 */
function idleUnwanted(
  d: Destination,
  relay: Relay,
  input: Omit<PlanInput, 'destinations' | 'relays'>,
  decide: (status: DestinationStatus, step: Step | null, extra?: { idleTtlEndsAt?: string }) => DestinationDecision,
): DestinationDecision {
  const now = input.now.getTime();
  const idleSince = d.status === 'inactive' ? Date.parse(d.statusSince) : now;
  const endsAt = idleSince + input.idleTtlSeconds * 1000;
  if (endsAt <= now) return decide('inactive', { kind: 'delete-relay', relayId: relay.id, keepSource: true });
  return decide('inactive', null, d.status === 'inactive' ? {} : { idleTtlEndsAt: new Date(endsAt).toISOString() });
}

/** Plans every destination given, and on a complete view, the orphaned relays and sources. */
export function plan(input: PlanInput): Plan {
  const byId = new Map(input.relays.map((r) => [r.id, r]));
  const byTag = new Map<string, Relay[]>();
  for (const r of input.relays) {
    // Stryker disable next-line ConditionalExpression: an untagged relay filed under `undefined` is never looked up.
    if (r.destinationId === undefined) continue;
    byTag.set(r.destinationId, [...(byTag.get(r.destinationId) ?? []), r]);
  }
  const attached = new Set(input.relays.flatMap((r) => r.sourceIds));

  const owned = new Set<string>();
  const decisions = input.destinations.map((d) => {
    const found = findRelay(d, byId, byTag);
    if (found.relay) owned.add(found.relay.id);
    return planDestination(d, input, found, attached);
  });

  const orphans: OrphanDecision[] = [];
  if (input.complete) {
    const leased = new Set<string | undefined>(input.destinations.filter((d) => leaseActive(d, input.now)).map((d) => d.id));
    for (const r of input.relays) {
      if (owned.has(r.id)) continue;
      // A create holding the lease may have made it and not recorded it yet.
      if (leased.has(r.destinationId)) continue;
      // Its destination exists, but its item does not parse: not an orphan.
      if (input.malformedIds?.has(r.destinationId)) continue;
      if (ACTIVE.has(r.state)) orphans.push({ relay: r, step: { kind: 'stop', relayId: r.id } });
      else if (r.state === 'idle' || r.state === 'failed') orphans.push({ relay: r, step: { kind: 'delete-relay', relayId: r.id } });
      else orphans.push({ relay: r, step: null });
    }
  }
  return { decisions, orphans, orphanSourceIds: input.complete ? orphanSources(input, attached) : [] };
}

/**
 * Unattached sources that no destination records. A source whose destination holds a lease is
 * left alone: a create may have made it and not recorded it yet; so is one whose destination's
 * item does not parse (what it records cannot be read).
 */
function orphanSources(input: PlanInput, attached: ReadonlySet<string>): string[] {
  const byId = new Map<string | undefined, Destination>(input.destinations.map((d) => [d.id, d]));
  return (input.sources ?? [])
    .filter((s) => {
      if (s.attachedTo.length > 0 || attached.has(s.id)) return false;
      if (input.malformedIds?.has(s.destinationId)) return false;
      const owner = byId.get(s.destinationId);
      if (!owner) return true;
      if (leaseActive(owner, input.now)) return false;
      return !recordedSources(owner).includes(s.id);
    })
    .map((s) => s.id);
}
