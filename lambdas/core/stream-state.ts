/**
 * How a channel's remembered stream state follows what IVS reports. Pure.
 * IVS is the truth; EventBridge events only say "look now", so the order in which they arrive
 * cannot change the result.
 *
 * A **broadcast** is what the creator sees as one: it begins with a stream and goes on through
 * encoder reconnects inside the grace period, although IVS gives each reconnect a new stream id.
 * `broadcastId` is the id of the stream that began it; a manual stop holds for the broadcast.
 */
import type { ChannelLiveness } from './planner';
import type { ChannelStreamState, LiveStream } from './ports';

export interface StreamStateChange {
  next: ChannelStreamState;
  /** False when nothing needs writing. */
  changed: boolean;
  /** Set when the channel went live, went offline, or started a new stream. */
  transition?: { from: 'LIVE' | 'OFFLINE'; to: 'LIVE' | 'OFFLINE'; streamId?: string };
}

/** The broadcast a state belongs to (older items have no broadcastId: their stream began it). */
export function broadcastOf(state: Pick<ChannelStreamState, 'broadcastId' | 'streamId'> | undefined): string | undefined {
  return state?.broadcastId ?? state?.streamId;
}

/** True while an offline channel is inside its grace period (not ended early by an admin). */
export function withinGrace(state: ChannelStreamState | undefined, now: Date, graceSeconds: number): boolean {
  const ends = graceEndsAt(state, graceSeconds);
  return ends !== undefined && now.getTime() < Date.parse(ends);
}

/**
 * When the grace period of an offline channel ends (ISO-8601): `offlineSince + grace`, unless an
 * admin ended it early. undefined when the channel is live, was never seen live, or its grace
 * period was ended early.
 */
export function graceEndsAt(state: ChannelStreamState | undefined, graceSeconds: number): string | undefined {
  if (state?.state !== 'OFFLINE' || state.offlineSince === undefined || state.graceEndedAt !== undefined) return undefined;
  const offline = Date.parse(state.offlineSince);
  if (Number.isNaN(offline)) return undefined;
  return new Date(offline + graceSeconds * 1000).toISOString();
}

export function nextStreamState(
  channelArn: string,
  previous: ChannelStreamState | undefined,
  observed: LiveStream | undefined,
  now: Date,
  graceSeconds: number,
): StreamStateChange {
  const from = previous?.state ?? 'OFFLINE';
  if (observed) {
    if (previous?.state === 'LIVE' && previous.streamId === observed.streamId) return { next: previous, changed: false };
    // A new stream continues the broadcast when the channel was live a moment ago (a reconnect
    // that IVS reports as a new stream) or is still inside the grace period.
    const continues = previous?.state === 'LIVE' || withinGrace(previous, now, graceSeconds);
    const broadcastId = (continues ? broadcastOf(previous) : undefined) ?? observed.streamId;
    const next: ChannelStreamState = {
      id: channelArn,
      state: 'LIVE',
      streamId: observed.streamId,
      broadcastId,
      timestamp: observed.startTime || now.toISOString(),
    };
    // The last session's ingest stays until the new one is read (needsIngest).
    if (previous?.ingest !== undefined) next.ingest = previous.ingest;
    return { next, changed: true, transition: { from, to: 'LIVE', streamId: observed.streamId } };
  }
  if (previous?.state === 'OFFLINE') return { next: previous, changed: false };
  if (previous?.state === 'LIVE') {
    const at = now.toISOString();
    const next: ChannelStreamState = { id: channelArn, state: 'OFFLINE', timestamp: at, offlineSince: at };
    if (previous.streamId !== undefined) next.streamId = previous.streamId;
    const broadcastId = broadcastOf(previous);
    if (broadcastId !== undefined) next.broadcastId = broadcastId;
    if (previous.ingest !== undefined) next.ingest = previous.ingest;
    return {
      next,
      changed: true,
      transition: { from: 'LIVE', to: 'OFFLINE', ...(previous.streamId ? { streamId: previous.streamId } : {}) },
    };
  }
  // Never seen before and not live: remember it, with no grace period to honour.
  return { next: { id: channelArn, state: 'OFFLINE', timestamp: now.toISOString() }, changed: true };
}

/**
 * True when the channel is live in a stream session whose ingest configuration has not been read
 * yet: IVS is asked once per session (GetStreamSession allows 5 calls a second per account).
 */
export function needsIngest(state: ChannelStreamState | undefined): state is ChannelStreamState & { streamId: string } {
  return state?.state === 'LIVE' && state.streamId !== undefined && state.ingest?.streamId !== state.streamId;
}

export function livenessOf(state: ChannelStreamState | undefined): ChannelLiveness {
  if (!state) return { live: false };
  const liveness: ChannelLiveness = { live: state.state === 'LIVE' };
  if (state.streamId !== undefined) liveness.streamId = state.streamId;
  const broadcastId = broadcastOf(state);
  if (broadcastId !== undefined) liveness.broadcastId = broadcastId;
  // A grace period ended early holds nothing: the planner sees a channel offline without one.
  if (state.state === 'OFFLINE' && state.offlineSince !== undefined && state.graceEndedAt === undefined) {
    liveness.offlineSince = state.offlineSince;
  }
  return liveness;
}
