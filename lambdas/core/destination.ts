/**
 * The destination model: what the destinations table stores and what the API returns.
 * Pure: no AWS SDK, no clock, no environment.
 */
import type { DestinationEventView } from './events';
import { initialHealth, type DestinationHealth, type RelayAlert } from './health';

import type { DestinationWarning } from './source-check';

/**
 * An IVS channel ARN (partitions aws, aws-cn, aws-us-gov); group 1 is the region. The one
 * definition for the API, the Lambda environment, the monitor, the local stack and the deploy.
 */
export const IVS_CHANNEL_ARN = /^arn:aws(?:-cn|-us-gov)?:ivs:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:channel\/[A-Za-z0-9]+$/;

export const PLATFORMS = ['youtube', 'twitch', 'facebook', 'kick', 'custom'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Encoding profiles MediaLive renders; the name says resolution, frame rate and video kbit/s. */
export const PROFILES = ['1080p30-6000', '720p30-4500', '480p30-2000'] as const;
export type Profile = (typeof PROFILES)[number];

/** The picture a profile renders, as its name says. */
export interface ProfileVideo {
  /** Lines of video. */
  height: number;
  /** Video bit rate in kbit/s (constant bit rate). */
  videoBitrateKbps: number;
}

/**
 * The one table of what each profile renders: MediaLive's encoder settings
 * (adapters/medialive/encoding-profiles.ts) and its price (core/costs.ts) both read it.
 */
export const PROFILE_VIDEO: Readonly<Record<Profile, ProfileVideo>> = {
  '1080p30-6000': { height: 1080, videoBitrateKbps: 6000 },
  '720p30-4500': { height: 720, videoBitrateKbps: 4500 },
  '480p30-2000': { height: 480, videoBitrateKbps: 2000 },
};

/**
 * How a destination's stream is carried (docs/architecture.md, "Relay modes"):
 * - `passthrough`: copied as IVS delivers it, no transcoding (an ffmpeg `-c copy` task on ECS
 *   Fargate; a local ffmpeg process in `npm start`). Cents per hour, starts in under a minute.
 * - `transcode`: encoded again with the destination's `profile` by a MediaLive channel. About
 *   $1 per hour, 1–3 minutes to start; for a platform that needs another resolution or bit rate.
 * New destinations get the deployment's default (DEFAULT_RELAY_MODE); items stored before the
 * field existed read as `transcode`, which is what they run.
 */
export const RELAY_MODES = ['passthrough', 'transcode'] as const;
export type RelayMode = (typeof RELAY_MODES)[number];

/** The mode an item without `mode` has: stored before modes existed, it runs on MediaLive. */
export const LEGACY_RELAY_MODE: RelayMode = 'transcode';

/**
 * What the last reconcile observed. `deleting` is set by the API when a destination is removed
 * while MediaLive still holds its channel or input.
 */
export const DESTINATION_STATUSES = ['inactive', 'starting', 'active', 'stopping', 'error', 'deleting'] as const;
export type DestinationStatus = (typeof DESTINATION_STATUSES)[number];

export interface DestinationError {
  code: string;
  message: string;
  /** ISO-8601 time the error was recorded. */
  at: string;
}

/** A destination as stored. `streamKeyCiphertext` never leaves the backend. */
export interface Destination {
  id: string;
  platform: Platform;
  name: string;
  enabled: boolean;
  status: DestinationStatus;
  channelArn: string;
  rtmpUrl: string;
  /** The stream key, encrypted by the StreamKeyCipher with the destination id as context. */
  streamKeyCiphertext: string;
  /** Last four characters of the key for the masked display, empty for keys shorter than 8. */
  streamKeyHint: string;
  profile: Profile;
  /** Which engine carries the stream; a change rebuilds the relay on the other engine. */
  mode: RelayMode;
  /** Set by a manual stop while live: the destination stays off for this IVS stream id. */
  pausedStreamId?: string;
  mediaLiveChannelId?: string;
  mediaLiveInputId?: string;
  /**
   * The IVS stream id the running relay was last made to read again (re-attached to), after the
   * stream came back with a new id inside a broadcast.
   */
  reattachedStreamId?: string;
  /** Bumped whenever rtmpUrl, stream key, profile, mode or IVS channel change. */
  configRevision: number;
  /** The configRevision the current MediaLive channel was built from. */
  mediaLiveConfigRevision?: number;
  /** Bumped whenever a MediaLive channel is deleted so the next create gets a fresh RequestId. */
  generation: number;
  /**
   * The relay deleted for having been idle longer than IDLE_CHANNEL_TTL_SECONDS. When it is seen
   * gone, its source stays recorded (an idle MediaLive pull input is free) and the next relay is
   * created on it; any other relay that is gone takes its source with it.
   */
  idleDeletedRelayId?: string;
  /** Set when the destination was deleted through the API and its MediaLive resources are being removed. */
  deleteRequested?: boolean;
  /**
   * MediaLive inputs of deleted channels, deleted once no channel uses them any more
   * (MediaLive refuses to delete an input that is still attached).
   */
  staleInputIds?: string[];
  /**
   * Held by one reconcile while it acts on MediaLive for this destination, so that racing
   * reconciles (schedule, IVS event, API) act once. Expires on its own if the holder dies.
   */
  lease?: { owner: string; until: string };
  lastError?: DestinationError;
  /** Whether media reaches the platform, from the data plane (`health.ts`); written by the monitor. */
  health?: DestinationHealth;
  /** Alerts the engine raised about the relay and has not cleared (MediaLive channel alerts). */
  relayAlerts?: RelayAlert[];
  /** ISO-8601 time `status` last changed. */
  statusSince: string;
  /** Optimistic-locking counter; every write is conditional on it. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What the API returns for a destination: never the key, only its masked form. */
export interface DestinationView {
  id: string;
  platform: Platform;
  name: string;
  enabled: boolean;
  status: DestinationStatus;
  statusSince: string;
  channelArn: string;
  rtmpUrl: string;
  streamKeyMasked: string;
  profile: Profile;
  mode: RelayMode;
  lastError: DestinationError | null;
  /** Whether media reaches the platform (`unknown` while nothing runs). */
  health: DestinationHealth;
  /** The MediaLive channel of a transcoding relay; null for none and for a pass-through relay. */
  mediaLiveChannelId: string | null;
  pausedStreamId: string | null;
  /**
   * Why pass-through will not do for this destination: where the IVS source (its last stream
   * session, as IVS reported it) is outside the platform's published limits. Empty when it fits
   * or nothing is known yet.
   */
  warnings: DestinationWarning[];
  /** Bumped by every write; the API sends it as the ETag, and If-Match compares with it. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const MASK = '••••';

/**
 * True for a relay id recorded as the bare id of the MediaLive engine. Relays of any other engine
 * are recorded as `<engine>:<id>` (see `relay-router.ts`), and MediaLive's ids are digits.
 */
export function isMediaLiveRelayId(relayId: string): boolean {
  return !relayId.includes(':');
}

/**
 * The end of a key, enough to tell keys apart and never more than a quarter of it: 4 characters
 * from 16 up, 1 for a key of 4-7, nothing below 4.
 */
export function streamKeyHint(streamKey: string): string {
  const shown = Math.min(4, Math.floor(streamKey.length / 4));
  return shown === 0 ? '' : streamKey.slice(-shown);
}

/** The API's view of a destination; `warnings` from `sourceWarnings` (source-check.ts). */
export function toView(d: Destination, warnings: DestinationWarning[] = []): DestinationView {
  return {
    id: d.id,
    platform: d.platform,
    name: d.name,
    enabled: d.enabled,
    status: d.status,
    statusSince: d.statusSince,
    channelArn: d.channelArn,
    rtmpUrl: d.rtmpUrl,
    streamKeyMasked: MASK + d.streamKeyHint,
    profile: d.profile,
    mode: d.mode,
    lastError: d.lastError ?? null,
    // Stored health describes a running relay; any other status says all there is to say.
    health: d.status === 'active' && d.health ? d.health : initialHealth(d.status, d.statusSince, d.lastError?.message),
    mediaLiveChannelId: d.mediaLiveChannelId !== undefined && isMediaLiveRelayId(d.mediaLiveChannelId) ? d.mediaLiveChannelId : null,
    pausedStreamId: d.pausedStreamId ?? null,
    warnings,
    version: d.version,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** A validated `POST /stream-destinations` body. Defaults are applied by the service. */
export interface CreateDestinationInput {
  platform: Platform;
  name: string;
  streamKey: string;
  rtmpUrl?: string;
  enabled?: boolean;
  channelArn?: string;
  profile?: Profile;
  mode?: RelayMode;
}

/** A validated `PUT /stream-destinations/{id}` body: any subset of the writable fields. */
export type UpdateDestinationInput = Partial<CreateDestinationInput>;

/** One IVS channel in `GET /stream-status`. */
export interface ChannelStatusView {
  channelArn: string;
  /** The channel's id (the last part of its ARN), as `/channels/{channelId}/…` routes take it. */
  channelId: string;
  state: 'LIVE' | 'OFFLINE';
  streamId: string | null;
  /** ISO-8601 time the current state began, null when never observed. */
  since: string | null;
  /**
   * While the channel is offline inside its grace period: ISO-8601 time the grace period ends,
   * when what still runs for it is stopped (`offlineSince + STOP_GRACE_SECONDS`). null otherwise,
   * and once an admin ended the grace period early.
   */
  stopsAt: string | null;
}

/** `GET /channels/{channelId}`: where the encoder sends and where a player plays (IVS GetChannel). */
export interface ChannelView {
  channelArn: string;
  channelId: string;
  /** The encoder's "Server" (OBS: Settings → Stream → Server). */
  ingestServer: string;
  playbackUrl: string;
}

/** `GET /channels/{channelId}/stream-key`: the encoder's settings with the IVS stream key in clear. */
export interface ChannelStreamKeyView {
  channelArn: string;
  channelId: string;
  ingestServer: string;
  streamKey: string;
}

/** The id of an IVS channel: the last part of its ARN (`…:channel/<id>`). */
export function channelIdOf(channelArn: string): string {
  return channelArn.slice(channelArn.lastIndexOf('/') + 1);
}

/** Options of an edit. */
export interface UpdateOptions {
  /** Change only while the item is at this version (HTTP If-Match); else PreconditionFailedError. */
  ifVersion?: number;
}

/** Options of a manual start. */
export interface StartOptions {
  /** Enable a disabled destination as part of the start; without it a disabled one is refused. */
  enable?: boolean;
}

/**
 * A stored item the list could not read (it fails the item schema): left out of `destinations`
 * and named here with the attributes to fix, so one bad item neither hides nor breaks the rest.
 */
export interface UnreadableDestination {
  id: string;
  code: 'MALFORMED_ITEM';
  message: string;
  fields: { field: string; message: string }[];
}

/** `GET /stream-destinations`: the readable destinations, and the unreadable items if there are any. */
export interface DestinationList {
  destinations: DestinationView[];
  /** Present only when some stored item does not parse. */
  problems?: UnreadableDestination[];
}

/** The use cases behind the REST API. The HTTP layer maps each route to one call. */
export interface DestinationService {
  list(): Promise<DestinationList>;
  get(id: string): Promise<DestinationView>;
  create(input: CreateDestinationInput): Promise<DestinationView>;
  /** Retries on concurrent writes; with `ifVersion`, throws PreconditionFailedError (412) when stale. */
  update(id: string, input: UpdateDestinationInput, options?: UpdateOptions): Promise<DestinationView>;
  /** `done` is true when nothing was left in MediaLive (HTTP 204); otherwise 202 with the view. */
  remove(id: string): Promise<{ done: true } | { done: false; destination: DestinationView }>;
  /**
   * 202; throws DestinationDisabledError (409) for a disabled destination unless `enable`, and
   * ChannelOfflineError (409) when the IVS channel is offline.
   */
  start(id: string, options?: StartOptions): Promise<DestinationView>;
  /** 202; sets pausedStreamId while live. */
  stop(id: string): Promise<DestinationView>;
  streamStatus(): Promise<{ channels: ChannelStatusView[] }>;
  /**
   * A destination's history, newest first: `limit` events (1-100, default 20) after `cursor` (a
   * page's `nextToken`). DestinationNotFoundError (404) for an unknown id.
   */
  events(id: string, options?: { limit?: number; cursor?: string }): Promise<{ events: DestinationEventView[]; nextToken: string | null }>;
  /**
   * Ends the grace period of an offline channel now: what still runs for it stops within seconds.
   * Idempotent (a channel past its grace period answers as it is); ChannelLiveError (409) while
   * the channel is live, ChannelNotFoundError (404) for an id that is not one of its channels.
   */
  endGrace(channelId: string): Promise<ChannelStatusView>;
  /** The channel's ingest server and playback URL (IVS GetChannel). */
  channel(channelId: string): Promise<ChannelView>;
  /** The channel's IVS stream key, for the encoder. The caller must never log the answer. */
  streamKey(channelId: string): Promise<ChannelStreamKeyView>;
}
