/**
 * Health: whether media actually reaches the platform, from the data plane (what the relay reports
 * it sends, what failed, MediaLive's alerts), not from "the relay runs". Pure: the figures come in
 * as a {@link RelayTelemetry} read by an adapter (ffmpeg's progress locally, CloudWatch metrics in
 * AWS), the time as an argument.
 *
 * | state      | when                                                                         |
 * | ---------- | ---------------------------------------------------------------------------- |
 * | `ok`       | the relay runs and has written media within the last `FRESH_MEDIA_MS`         |
 * | `degraded` | media flows, but the connection dropped within `RECENT_FAILURE_MS` or the     |
 * |            | engine reports active alerts                                                  |
 * | `failing`  | the platform refused the stream, its host cannot be reached, an alert is set, |
 * |            | or no media was written for `FRESH_MEDIA_MS` while the relay should send      |
 * | `unknown`  | nothing runs, or the relay runs but has no figures yet                        |
 */
import type { DestinationStatus } from './destination';

export const HEALTH_STATES = ['ok', 'degraded', 'failing', 'unknown'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** What the API shows: the state, what was measured, since when, and what to check. */
export interface DestinationHealth {
  state: HealthState;
  /** Bit rate sent to the platform, kbit/s, when measured and media flows; null otherwise. */
  bitrateKbps: number | null;
  /** ISO-8601 time `state` began (kept while the state stays the same). */
  since: string;
  /** One sentence: what is happening and what to check. */
  message: string;
}

/**
 * Why a connection to the platform ended:
 * - `refused`: the server took the connection and closed it on publish (a wrong stream key or
 *   application — what RTMP ingests of YouTube, Twitch and nginx-rtmp do), or said so;
 * - `unreachable`: no connection (refused, timed out, host unknown, TLS failed);
 * - `dropped`: the platform closed a connection that had carried media;
 * - `source`: the relay could not read the IVS stream;
 * - `other`: anything else.
 */
export const RELAY_FAILURE_KINDS = ['refused', 'unreachable', 'dropped', 'source', 'other'] as const;
export type RelayFailureKind = (typeof RELAY_FAILURE_KINDS)[number];

/** What the data plane says about one relay, engine-neutral. */
export interface RelayTelemetry {
  /** ISO-8601 time the figures were read. */
  observedAt: string;
  /** Bit rate written to the platform over the last interval, kbit/s. */
  bitrateKbps?: number;
  /** ISO-8601 time media was last written to the platform. */
  lastMediaAt?: string;
  /** The last failed connection, if one failed. */
  failure?: { kind: RelayFailureKind; at: string };
  /** Alerts the engine counts as active (MediaLive's ActiveAlerts metric). */
  activeAlerts?: number;
  /** How far these figures may trail the present (metrics arrive in periods); 0 when read live. */
  lagMs?: number;
}

/** An alert an engine raised about a relay (a MediaLive channel alert), kept until it is cleared. */
export interface RelayAlert {
  /** The engine's alert id (MediaLive `alarm_id`). */
  id: string;
  /** Short name (MediaLive `alert_type`, e.g. "RTMP Connection Failure"). */
  type: string;
  /** The engine's description. */
  message: string;
  /** ISO-8601 time it was set. */
  setAt: string;
}

/** Media written within this long counts as flowing. ffmpeg reports once a second, metrics every 10 s. */
export const FRESH_MEDIA_MS = 25_000;
/** A relay that runs this long without writing media is failing. */
export const NO_MEDIA_FAILING_MS = 30_000;
/** A drop this recent makes a flowing destination `degraded`. */
export const RECENT_FAILURE_MS = 60_000;
/** Bit rates that differ by less than this share are not worth a write. */
export const BITRATE_CHANGE_SHARE = 0.1;

export interface HealthInput {
  status: DestinationStatus;
  /** ISO-8601 time `status` began. */
  statusSince: string;
  /** The last error recorded on the destination (for status `error`). */
  lastErrorMessage?: string;
  /** The figures for its relay; undefined when none were read for it. */
  telemetry: RelayTelemetry | undefined;
  alerts: readonly RelayAlert[];
  now: Date;
}

/** What the health is now, without `since` (see {@link nextHealth}). */
export type HealthAssessment = Omit<DestinationHealth, 'since'>;

const FAILURE_MESSAGES: Record<RelayFailureKind, string> = {
  refused:
    'The platform refused the stream: it closed the connection on publish. Check the stream key (and that the server URL does not also contain it).',
  unreachable: 'Cannot reach the RTMP host: check the server URL (host, port, rtmp:// or rtmps://) and that the platform is up.',
  dropped: 'The platform closed the connection; the relay reconnects.',
  source: 'The relay cannot read the IVS stream: check that the channel is live and its playback is not restricted.',
  other: 'The relay could not send to the platform; see the relay logs.',
};

function ageMs(iso: string | undefined, now: Date): number {
  if (iso === undefined) return Number.POSITIVE_INFINITY;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? now.getTime() - t : Number.POSITIVE_INFINITY;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

/** The rule: status, figures, alerts and the clock → state, bit rate and what to check. */
export function assessHealth(input: HealthInput): HealthAssessment {
  const { status, telemetry, alerts, now } = input;
  const none = (message: string): HealthAssessment => ({ state: 'unknown', bitrateKbps: null, message });
  switch (status) {
    case 'inactive':
      return none('Not sending: nothing runs for this destination.');
    case 'starting':
      return none('Starting: no media sent yet.');
    case 'stopping':
      return none('Stopping.');
    case 'deleting':
      return none('Being deleted.');
    case 'error':
      return { state: 'failing', bitrateKbps: null, message: input.lastErrorMessage ?? 'The relay failed; see the last error.' };
    case 'active':
      break;
  }
  const [alert] = [...alerts].sort((a, b) => b.setAt.localeCompare(a.setAt));
  if (alert) {
    return { state: 'failing', bitrateKbps: null, message: `${alert.type}: ${alert.message}` };
  }
  const runningMs = ageMs(input.statusSince, now);
  if (!telemetry) {
    if (runningMs >= NO_MEDIA_FAILING_MS) {
      return {
        state: 'failing',
        bitrateKbps: null,
        message: `No figures from the relay for more than ${seconds(NO_MEDIA_FAILING_MS)} s: check the relay logs.`,
      };
    }
    return none('Running: waiting for the first figures from the relay.');
  }
  const lag = telemetry.lagMs ?? 0;
  const mediaAge = ageMs(telemetry.lastMediaAt, now);
  const flowing = mediaAge <= FRESH_MEDIA_MS + lag;
  const failure = telemetry.failure;
  const failureAfterMedia = failure !== undefined && ageMs(failure.at, now) <= mediaAge;
  if (!flowing) {
    if (failureAfterMedia && (failure.kind === 'refused' || failure.kind === 'unreachable' || failure.kind === 'source')) {
      return { state: 'failing', bitrateKbps: null, message: FAILURE_MESSAGES[failure.kind] };
    }
    const silentMs = Math.min(mediaAge, runningMs);
    if (silentMs >= NO_MEDIA_FAILING_MS + lag) {
      const reason = failureAfterMedia ? ` ${FAILURE_MESSAGES[failure.kind]}` : ' Check the source stream and the platform.';
      // The message stays the same while the state does (no running count: `since` says how long).
      return {
        state: 'failing',
        bitrateKbps: null,
        message: `No media sent for more than ${seconds(NO_MEDIA_FAILING_MS + lag)} s.${reason}`,
      };
    }
    return none(failureAfterMedia ? FAILURE_MESSAGES[failure.kind] : 'Running: waiting for media to flow.');
  }
  const bitrateKbps = telemetry.bitrateKbps !== undefined ? Math.round(telemetry.bitrateKbps) : null;
  if (failure && ageMs(failure.at, now) <= RECENT_FAILURE_MS) {
    return {
      state: 'degraded',
      bitrateKbps,
      message: `Sending again after the connection failed (${failure.kind}) within the last minute.`,
    };
  }
  if ((telemetry.activeAlerts ?? 0) > 0) {
    return { state: 'degraded', bitrateKbps, message: `Sending, with ${telemetry.activeAlerts} active alert(s) on the relay.` };
  }
  return { state: 'ok', bitrateKbps, message: 'Sending to the platform.' };
}

/** The health to store: `since` kept while the state stays, moved to `now` when it changes. */
export function nextHealth(previous: DestinationHealth | undefined, assessed: HealthAssessment, now: Date): DestinationHealth {
  const since = previous && previous.state === assessed.state ? previous.since : now.toISOString();
  return { ...assessed, since };
}

/**
 * Whether a new health is worth a write: another state or message, a bit rate that appeared,
 * vanished or moved by more than {@link BITRATE_CHANGE_SHARE}. Small jitter is not written, so a
 * steady stream does not bump the item's version on every reconcile.
 */
export function healthChanged(previous: DestinationHealth | undefined, next: DestinationHealth): boolean {
  if (!previous) return true;
  if (previous.state !== next.state || previous.message !== next.message || previous.since !== next.since) return true;
  const a = previous.bitrateKbps;
  const b = next.bitrateKbps;
  if (a === null || b === null) return a !== b;
  return Math.abs(a - b) > BITRATE_CHANGE_SHARE * Math.max(a, b, 1);
}

/** The health shown for an item that has none stored yet. */
export function initialHealth(status: DestinationStatus, statusSince: string, lastErrorMessage?: string): DestinationHealth {
  const assessed = assessHealth({
    status,
    statusSince,
    ...(lastErrorMessage !== undefined ? { lastErrorMessage } : {}),
    telemetry: undefined,
    alerts: [],
    now: new Date(Date.parse(statusSince)),
  });
  return { ...assessed, since: statusSince };
}

/** An alert event of the engine (MediaLive Channel Alert): set or cleared. */
export interface RelayAlertEvent {
  relayId: string;
  state: 'SET' | 'CLEARED';
  alert: RelayAlert;
}

/** Alerts kept per relay, at most; a flood of distinct alerts cannot grow the item without bound. */
export const MAX_RELAY_ALERTS = 10;

/**
 * The destination's alerts after an event about its relay: a SET adds (or refreshes) the alert, a
 * CLEARED removes it. An event about another relay (one since replaced) changes nothing.
 * Returns undefined when nothing changes.
 */
export function applyRelayAlert(
  current: { mediaLiveChannelId?: string; relayAlerts?: RelayAlert[] },
  event: RelayAlertEvent,
): RelayAlert[] | undefined {
  if (current.mediaLiveChannelId !== event.relayId) return undefined;
  const alerts = current.relayAlerts ?? [];
  const others = alerts.filter((a) => a.id !== event.alert.id);
  if (event.state === 'CLEARED') return others.length === alerts.length ? undefined : others;
  const known = alerts.find((a) => a.id === event.alert.id);
  if (known && known.type === event.alert.type && known.message === event.alert.message) return undefined;
  return [...others, event.alert].sort((a, b) => b.setAt.localeCompare(a.setAt)).slice(0, MAX_RELAY_ALERTS);
}
