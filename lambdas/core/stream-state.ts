/**
 * How a channel's remembered stream state follows what IVS reports. Pure.
 * IVS is the truth; EventBridge events only say "look now", so the order in which they arrive
 * cannot change the result.
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

export function nextStreamState(
  channelArn: string,
  previous: ChannelStreamState | undefined,
  observed: LiveStream | undefined,
  now: Date,
): StreamStateChange {
  const from = previous?.state ?? 'OFFLINE';
  if (observed) {
    if (previous?.state === 'LIVE' && previous.streamId === observed.streamId) return { next: previous, changed: false };
    const next: ChannelStreamState = {
      id: channelArn,
      state: 'LIVE',
      streamId: observed.streamId,
      timestamp: observed.startTime || now.toISOString(),
    };
    return { next, changed: true, transition: { from, to: 'LIVE', streamId: observed.streamId } };
  }
  if (previous?.state === 'OFFLINE') return { next: previous, changed: false };
  if (previous?.state === 'LIVE') {
    const at = now.toISOString();
    const next: ChannelStreamState = { id: channelArn, state: 'OFFLINE', timestamp: at, offlineSince: at };
    if (previous.streamId !== undefined) next.streamId = previous.streamId;
    return {
      next,
      changed: true,
      transition: { from: 'LIVE', to: 'OFFLINE', ...(previous.streamId ? { streamId: previous.streamId } : {}) },
    };
  }
  // Never seen before and not live: remember it, with no grace period to honour.
  return { next: { id: channelArn, state: 'OFFLINE', timestamp: now.toISOString() }, changed: true };
}

export function livenessOf(state: ChannelStreamState | undefined): ChannelLiveness {
  if (!state) return { live: false };
  const liveness: ChannelLiveness = { live: state.state === 'LIVE' };
  if (state.streamId !== undefined) liveness.streamId = state.streamId;
  if (state.state === 'OFFLINE' && state.offlineSince !== undefined) liveness.offlineSince = state.offlineSince;
  return liveness;
}
