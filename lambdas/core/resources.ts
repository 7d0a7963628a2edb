/**
 * The rules about what a destination item records of its relay's resources, in one place. Pure:
 * every function takes the item (and the time or owner it needs) and returns a new item.
 *
 * - **Recorded ids**: `mediaLiveChannelId` (the relay) and `mediaLiveInputId` (its source) are
 *   written as soon as the engine returns them, so a later reconcile finds them without a listing.
 * - **Generation**: bumped whenever a relay or source is forgotten or deleted. The RequestId of a
 *   create is derived from (project, destination, generation, configRevision), so a retry of the
 *   same create repeats it exactly (MediaLive returns the resource it made the first time), and a
 *   create after a deletion or an edit gets a new resource instead of the deleted one.
 * - **Retired sources** (`staleInputIds`): sources of deleted relays, deleted once detached.
 * - **Kept sources**: a relay deleted for being idle (IDLE_CHANNEL_TTL_SECONDS) leaves its source
 *   recorded, and a recorded source without a relay stays while the destination exists: the
 *   next go-live creates its relay on it (an idle MediaLive pull input costs nothing).
 * - **Lease**: one reconcile at a time acts on a destination. Taken with a conditional write on
 *   `version`; expires by itself, so a reconcile that dies holds the destination only briefly.
 * - **Holds nothing**: no relay, no source, no retired source and no live lease; only then may the
 *   item itself be deleted.
 */
import type { Destination } from './destination';
import type { Relay } from './relay';

/** The idempotency token of the next create of this destination's relay and source. */
export function createRequestId(projectName: string, d: Pick<Destination, 'id' | 'generation' | 'configRevision'>): string {
  return `${projectName}-${d.id}-g${d.generation}-r${d.configRevision}`;
}

/** True while another reconcile's lease on the item has not expired (then the item has a lease). */
export function leaseActive<T extends Pick<Destination, 'lease'>>(d: T, now: Date): d is T & Required<Pick<Destination, 'lease'>> {
  return d.lease !== undefined && Date.parse(d.lease.until) > now.getTime();
}

/** The item with `owner`'s lease until `now + seconds`. */
export function withLease(d: Destination, owner: string, now: Date, seconds: number): Destination {
  return { ...d, lease: { owner, until: new Date(now.getTime() + seconds * 1000).toISOString() } };
}

/** The item without `owner`'s lease; undefined (nothing to write) when the lease is not `owner`'s. */
export function withoutLease(d: Destination, owner: string): Destination | undefined {
  if (d.lease?.owner !== owner) return undefined;
  const next = { ...d };
  delete next.lease;
  return next;
}

/** True when the item records nothing in the engine and no reconcile is acting on it. */
export function holdsNothing(d: Destination, now: Date): boolean {
  return (
    d.mediaLiveChannelId === undefined && d.mediaLiveInputId === undefined && (d.staleInputIds ?? []).length === 0 && !leaseActive(d, now)
  );
}

/** Records a newly created source. */
export function recordSource(d: Destination, sourceId: string): Destination {
  return { ...d, mediaLiveInputId: sourceId };
}

/** Records a newly created (or adopted) relay with the config revision it was built from. */
export function recordRelay(d: Destination, relay: Pick<Relay, 'id' | 'sourceIds'>, configRevision: number | undefined): Destination {
  const next: Destination = { ...d, mediaLiveChannelId: relay.id };
  // Alerts are about one relay; another one starts with none.
  if (d.mediaLiveChannelId !== relay.id) delete next.relayAlerts;
  const sourceId = relay.sourceIds[0];
  if (sourceId !== undefined) next.mediaLiveInputId = sourceId;
  if (configRevision === undefined) delete next.mediaLiveConfigRevision;
  else next.mediaLiveConfigRevision = configRevision;
  return next;
}

/**
 * Forgets a relay that is gone (deleted, or deleted behind the system's back): its sources are
 * retired and the generation moves on, so the next create makes new ones. The one exception is
 * a relay deleted for being idle (`markIdleDeleted`): its source stays recorded when it still
 * fits (the relay was built from the current config revision, the destination is not being
 * deleted), and the next relay is created on it under the new generation.
 */
export function forgetRelay(d: Destination, relayId: string, sourceIds: readonly string[]): Destination {
  const next: Destination = { ...d, generation: d.generation + 1 };
  const retired = new Set([...(d.staleInputIds ?? []), ...sourceIds]);
  if (d.mediaLiveChannelId === relayId || d.mediaLiveChannelId === undefined) {
    const keep = d.idleDeletedRelayId === relayId && d.mediaLiveConfigRevision === d.configRevision && d.deleteRequested !== true;
    if (d.mediaLiveInputId !== undefined && !keep) {
      retired.add(d.mediaLiveInputId);
      delete next.mediaLiveInputId;
    }
    delete next.mediaLiveChannelId;
    delete next.mediaLiveConfigRevision;
    delete next.relayAlerts;
  }
  if (d.idleDeletedRelayId === relayId) delete next.idleDeletedRelayId;
  if (next.mediaLiveInputId !== undefined) retired.delete(next.mediaLiveInputId);
  if (retired.size > 0) next.staleInputIds = [...retired];
  return next;
}

/**
 * Records that `relayId` is being deleted for having been idle longer than the TTL, so that its
 * source is kept when the relay is forgotten (see `forgetRelay`).
 */
export function markIdleDeleted(d: Destination, relayId: string): Destination {
  return d.mediaLiveChannelId === relayId ? { ...d, idleDeletedRelayId: relayId } : d;
}

/** Forgets a recorded source that is gone; the next create makes a new one. */
export function forgetSource(d: Destination, sourceId: string): Destination {
  if (d.mediaLiveInputId !== sourceId) return d;
  const next: Destination = { ...d, generation: d.generation + 1 };
  delete next.mediaLiveInputId;
  return next;
}

/** Drops deleted sources from the item; a new generation, so no create replays a deleted one. */
export function sourcesDeleted(d: Destination, deleted: readonly string[]): Destination {
  const next: Destination = { ...d, generation: d.generation + 1 };
  const stale = (d.staleInputIds ?? []).filter((i) => !deleted.includes(i));
  if (stale.length > 0) next.staleInputIds = stale;
  else delete next.staleInputIds;
  if (d.mediaLiveInputId !== undefined && deleted.includes(d.mediaLiveInputId)) delete next.mediaLiveInputId;
  return next;
}

/**
 * An edit that changes what the relay pulls (the IVS channel) retires a source that no relay
 * uses yet: it was made for the old channel.
 */
export function retireUnusedSource(d: Destination): Destination {
  if (d.mediaLiveChannelId !== undefined || d.mediaLiveInputId === undefined) return d;
  const next: Destination = { ...d, staleInputIds: [...(d.staleInputIds ?? []), d.mediaLiveInputId], generation: d.generation + 1 };
  delete next.mediaLiveInputId;
  return next;
}

/** Every source id the item records (current and retired). */
export function recordedSources(d: Destination): string[] {
  return [...(d.mediaLiveInputId !== undefined ? [d.mediaLiveInputId] : []), ...(d.staleInputIds ?? [])];
}
