/**
 * Writing a destination item: every write is conditional on the version it was read at, so the
 * API, the schedule and IVS events can race without losing each other's changes.
 */
import type { Destination } from './destination';
import { applyRelayAlert, type RelayAlertEvent } from './health';
import { VersionConflictError } from './errors';
import type { Clock, DestinationRepository } from './ports';

/** The item as it is written next: version bumped, updatedAt now. */
export function nextVersion(d: Destination, now: Date, readVersion = d.version): Destination {
  return { ...d, version: readVersion + 1, updatedAt: now.toISOString() };
}

/**
 * Read-modify-write retried on version conflicts. `change` returns undefined to write nothing
 * (and may throw to refuse). Returns the item as stored afterwards; undefined if it is gone.
 * `known` is the item as the caller last wrote it: tried first, read again only on a conflict.
 */
export async function updateDestination(
  repository: DestinationRepository,
  clock: Clock,
  id: string,
  change: (current: Destination) => Destination | undefined,
  options: { known?: Destination; attempts?: number } = {},
): Promise<Destination | undefined> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const current = attempt === 1 && options.known ? options.known : await repository.get(id);
    if (!current) return undefined;
    const next = change(current);
    if (!next) return current;
    const stored = nextVersion(next, clock.now(), current.version);
    try {
      await repository.put(stored);
      return stored;
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= attempts) throw error;
    }
  }
}

/**
 * Records an engine alert (set or cleared) on the destination whose relay raised it. Returns
 * whether the item changed: an alert about a relay the item no longer records is dropped.
 */
export async function recordRelayAlert(
  repository: DestinationRepository,
  clock: Clock,
  destinationId: string,
  event: RelayAlertEvent,
): Promise<boolean> {
  let changed = false;
  await updateDestination(repository, clock, destinationId, (current) => {
    const alerts = applyRelayAlert(current, event);
    changed = alerts !== undefined;
    if (alerts === undefined) return undefined;
    const next: Destination = { ...current, relayAlerts: alerts };
    if (alerts.length === 0) delete next.relayAlerts;
    return next;
  });
  return changed;
}
