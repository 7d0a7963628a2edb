/**
 * The local stack keeps destinations in DynamoDB (on disk) but MediaLive only in memory, so after a
 * restart every MediaLive id an item holds names a resource that no longer exists, and the fresh
 * simulator hands out the same ids again, to other destinations. Before the first reconcile the
 * local stack therefore forgets those references (and any lease of the previous process): the
 * reconciler then sees "no channel" and creates one on the next go-live. Never run against AWS.
 */
import type { Clock, DestinationRepository, Log } from '../../lambdas/core/ports';
import type { Destination } from '../../lambdas/core/destination';
import { VersionConflictError } from '../../lambdas/core/errors';

function holdsSimulatedState(d: Destination): boolean {
  return (
    d.mediaLiveChannelId !== undefined ||
    d.mediaLiveInputId !== undefined ||
    d.mediaLiveConfigRevision !== undefined ||
    (d.staleInputIds?.length ?? 0) > 0 ||
    d.lease !== undefined
  );
}

/** Returns how many items were changed. */
export async function forgetSimulatedResources(repository: DestinationRepository, clock: Clock, log: Log): Promise<number> {
  let changed = 0;
  for (const d of await repository.listAll()) {
    if (!holdsSimulatedState(d)) continue;
    const next: Destination = { ...d, generation: d.generation + 1, version: d.version + 1, updatedAt: clock.now().toISOString() };
    delete next.mediaLiveChannelId;
    delete next.mediaLiveInputId;
    delete next.mediaLiveConfigRevision;
    delete next.staleInputIds;
    delete next.lease;
    try {
      await repository.put(next);
      changed += 1;
    } catch (error) {
      // Nothing else runs yet; a conflict means another process uses the same data directory.
      if (error instanceof VersionConflictError) continue;
      throw error;
    }
  }
  if (changed > 0) {
    log.info('Forgot MediaLive channels of the previous run (the simulator starts empty); they are recreated on the next go-live', {
      destinations: changed,
    });
  }
  return changed;
}
