/**
 * How often the console polls: fast while something is changing (a status, a channel, a
 * destination's health), slowly when nothing is. With
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

/**
 * True when a destination's health (its state or its message) differs between two polls: a relay
 * that just failed, recovered or changed what it reports usually moves on again soon (failing →
 * degraded → ok). A destination that appeared or went away is not counted (the list shows it);
 * neither is a bit rate that only wobbles.
 */
export function healthChanged(previous: readonly DestinationView[] | null, latest: readonly DestinationView[] | null): boolean {
  if (previous === null || latest === null) return false;
  const before = new Map(previous.map((d) => [d.id, d.health]));
  return latest.some((d) => {
    const was = before.get(d.id);
    return was !== undefined && (was.state !== d.health.state || was.message !== d.health.message);
  });
}

/**
 * The next poll's delay; `pending` is a user action still on its way; `previous` is the list the
 * poll before the last one returned (the last one's is `destinations`), so a health change
 * between them counts as something changing.
 */
export function pollInterval(
  destinations: readonly DestinationView[] | null,
  channels: readonly ChannelStatusView[] | null,
  now: number,
  pending = false,
  previous: readonly DestinationView[] | null = null,
): number {
  return pending || isChanging(destinations, channels, now) || healthChanged(previous, destinations) ? FAST_POLL_MS : SLOW_POLL_MS;
}
