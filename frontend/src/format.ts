/** Pure display helpers: durations, times, labels. */
import { PLATFORMS, type DestinationStatus, type Platform } from '../../lambdas/core/destination';
import type { HealthState } from '../../lambdas/core/health';
import { PLATFORM_PRESETS } from '../../lambdas/core/platforms';

/** "45 s", "12 min", "1 h 05 min", "2 d 3 h". Negative durations (clock skew) count as zero. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}

/** Time spent in the current state, or null when the start is unknown or unparseable. */
export function timeInState(since: string | null | undefined, now: number): string | null {
  if (!since) return null;
  const start = Date.parse(since);
  if (Number.isNaN(start)) return null;
  return formatDuration(now - start);
}

/** Clock time of an ISO instant; with the date too when it is not on the same day as `now`. */
export function formatClock(iso: string, now: number, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "local" for `arn:aws:ivs:us-east-1:000000000000:channel/local`. */
export function channelLabel(channelArn: string): string {
  const match = /:channel\/(.+)$/.exec(channelArn);
  return match?.[1] ?? channelArn;
}

/**
 * The Service Quotas console page for MediaLive in the region of the destination's IVS channel
 * (MediaLive runs in that region), where a channel or input quota increase is requested.
 */
export function mediaLiveQuotasUrl(channelArn: string): string {
  const region = /^arn:aws[a-z-]*:ivs:([a-z0-9-]+):/.exec(channelArn)?.[1];
  const host = region ? `${region}.console.aws.amazon.com` : 'console.aws.amazon.com';
  const query = region ? `?region=${region}` : '';
  return `https://${host}/servicequotas/home/services/medialive/quotas${query}`;
}

/** The health dot's words: what a screen reader says and what the label shows. */
export const HEALTH_LABELS: Record<HealthState, string> = {
  ok: 'Healthy',
  degraded: 'Degraded',
  failing: 'Failing',
  unknown: 'No data',
};

/** A measured bit rate as a person reads it: `2.4 Mbit/s`, `850 kbit/s`. */
export function formatBitrate(kbps: number | null): string | null {
  if (kbps === null) return null;
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

export const STATUS_LABELS: Record<DestinationStatus, string> = {
  inactive: 'Inactive',
  starting: 'Starting',
  active: 'Active',
  stopping: 'Stopping',
  error: 'Error',
  deleting: 'Deleting',
};

export const PLATFORM_LABELS: Record<Platform, string> = Object.fromEntries(
  PLATFORMS.map((platform) => [platform, PLATFORM_PRESETS[platform].label]),
) as Record<Platform, string>;

/** "1080p30-6000" → "1080p30 · 6 Mbit/s". */
export function profileLabel(profile: string): string {
  const match = /^(\d+p\d+)-(\d+)$/.exec(profile);
  if (!match) return profile;
  const mbit = Number(match[2]) / 1000;
  return `${match[1]} · ${mbit.toLocaleString('en-US', { maximumFractionDigits: 1 })} Mbit/s`;
}

/** "1:32" (minutes:seconds) for a countdown; "0:00" once it has passed. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Roughly how long a platform gets no video while a running destination restarts with new
 * settings, by engine. MediaLive stops, is rebuilt and starts again: its start alone takes one to
 * three minutes (STARTING_HINT; docs/aws-notes.md, "a start of a minute or more"). A pass-through
 * relay is an ffmpeg task started anew: seconds (`npm run bench:relay`: 3.7 s from go-live to the
 * first frame at the sink, README "Benchmarks").
 */
export function restartGap(mode: string | undefined): { engine: string; gap: string } {
  return mode === 'passthrough'
    ? { engine: 'pass-through relay', gap: 'a few seconds' }
    : { engine: 'MediaLive channel', gap: 'about one to three minutes' };
}
