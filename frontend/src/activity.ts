/**
 * How often the console polls: fast while something is changing, slowly when nothing is. With
 * the 304 path (lambdas/api/conditional.ts) a quiet poll costs a few hundred bytes, and a slow
 * one every 15 s costs less still.
 */
import type { ChannelStatusView, DestinationView } from './api';

/** While something changes: a start takes seconds (relay) to minutes (MediaLive). */
export const FAST_POLL_MS = 2000;
/** While nothing changes: a go-live is noticed within this. */
export const SLOW_POLL_MS = 15_000;
/** A channel that went live or offline this recently still has destinations about to follow. */
export const SETTLING_MS = 3 * 60_000;

/** Statuses that move on by themselves within seconds or minutes. */
const MOVING = new Set<DestinationView['status']>(['starting', 'stopping', 'deleting']);

/**
 * True while the picture is expected to change without anyone touching it: a destination is
 * starting, stopping or being deleted; a channel went live or offline in the last SETTLING_MS;
 * or a channel is offline while a destination on it still runs (the grace period).
 */
export function isChanging(
  destinations: readonly DestinationView[] | null,
  channels: readonly ChannelStatusView[] | null,
  now: number,
): boolean {
  if (destinations === null || channels === null) return true;
  if (destinations.some((d) => MOVING.has(d.status))) return true;
  for (const channel of channels) {
    const since = channel.since === null ? Number.NaN : Date.parse(channel.since);
    if (Number.isFinite(since) && now - since < SETTLING_MS) return true;
    if (channel.state === 'OFFLINE' && destinations.some((d) => d.channelArn === channel.channelArn && d.status === 'active')) return true;
  }
  return false;
}

/** The next poll's delay; `pending` is a user action still on its way. */
export function pollInterval(
  destinations: readonly DestinationView[] | null,
  channels: readonly ChannelStatusView[] | null,
  now: number,
  pending = false,
): number {
  return pending || isChanging(destinations, channels, now) ? FAST_POLL_MS : SLOW_POLL_MS;
}
