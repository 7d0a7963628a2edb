/**
 * Ports: what the core needs from the outside world. `adapters/` implements them for AWS, the
 * simulator implements the IVS and MediaLive ones for tests and the local stack.
 */
import type { Destination, DestinationError, Platform, Profile } from './destination';
import type { Alert, AlertDirection } from './alerts';
import type { DestinationEvent, DestinationEventPage } from './events';
import type { RelayTelemetry } from './health';

/** A stored item that does not parse as a Destination (written by hand, by an older version, by a bug). */
export interface MalformedDestination {
  id: string;
  /** What is wrong, field by field, e.g. `staleInputIds: expected array, received string`. */
  problems: string;
  /** The error the item records now, if it is readable; the report is written only when it differs. */
  recordedError: string | undefined;
}

/** A read of many items: the valid ones, and those that are not. */
export interface DestinationScan {
  destinations: Destination[];
  malformed: MalformedDestination[];
}

/** Destinations table (`{project}-streaming-destinations`, key `id`, GSI `byChannel` on `channelArn`). */
export interface DestinationRepository {
  /** undefined when absent; throws MalformedItemError when the item does not parse. */
  get(id: string): Promise<Destination | undefined>;
  /** Every valid destination, read page by page (malformed items are left out). */
  listAll(): Promise<Destination[]>;
  /** Every item, valid or not, in one paginated read (the scheduled reconcile reads it once per pass). */
  scanAll(): Promise<DestinationScan>;
  /** The destinations of one IVS channel through the `byChannel` GSI (eventually consistent). */
  listByChannel(channelArn: string): Promise<DestinationScan>;
  /**
   * Reports a malformed item on itself: status `error` and `lastError`, touching no other attribute
   * (the item cannot be written whole). Returns false when the item is gone.
   */
  markMalformed(id: string, error: DestinationError): Promise<boolean>;
  /** Writes a new item; fails with VersionConflictError if the id exists. */
  create(destination: Destination): Promise<void>;
  /**
   * Replaces the item if its stored version is still `next.version - 1`; throws
   * VersionConflictError otherwise. Callers pass the next version already incremented.
   */
  put(next: Destination): Promise<void>;
  /** Deletes the item if its stored version is still `expectedVersion`. */
  delete(id: string, expectedVersion: number): Promise<void>;
}

/**
 * Destination history (`{project}-destination-events`, key `destinationId` + `eventId`, items
 * expiring after 30 days). Callers record through `recordEvents` (core/events.ts), which never
 * lets a failed write reach the essential path.
 */
export interface DestinationEventLog {
  /** Stores one event under a new time-ordered id. */
  record(event: DestinationEvent): Promise<void>;
  /**
   * One page of a destination's events, newest first. `cursor` is a page's `nextCursor`
   * (core/events.ts `decodeCursor` has already accepted it, or throws ValidationError).
   */
  list(destinationId: string, options: { limit: number; cursor?: string }): Promise<DestinationEventPage>;
}

/** One alert channel (the SNS topic, a webhook), or several as one (`core/alerts.ts`). */
export interface AlertNotifier {
  /** Channel names for logs and history, e.g. `["sns", "webhook"]`; empty when none is configured. */
  readonly channels: readonly string[];
  /** Sends to every channel; rejects with AlertDeliveryError naming the channels that failed. */
  notify(alert: Alert): Promise<void>;
}

/**
 * The durable rate limit of alerts: `claim` is one conditional write that succeeds for exactly
 * one caller per destination, direction and window (`mayAlert` in core/alerts.ts is its rule).
 */
export interface AlertGate {
  claim(destinationId: string, direction: AlertDirection, now: Date, windowMs: number): Promise<boolean>;
  /**
   * The direction of the last alert claimed for this destination (within the gate's memory, a
   * day), or undefined when none was: what a user was told last, red or green.
   */
  lastSent(destinationId: string): Promise<AlertDirection | undefined>;
}

export type StreamState = 'LIVE' | 'OFFLINE';

/** One item of `{project}-stream-state`, key `id` = IVS channel ARN. */
export interface ChannelStreamState {
  /** The IVS channel ARN. */
  id: string;
  state: StreamState;
  /** The IVS stream id while LIVE; the last one seen while OFFLINE. */
  streamId?: string;
  /** ISO-8601 time `state` began. */
  timestamp: string;
  /** ISO-8601 time the channel was first seen offline after being live; drives the grace period. */
  offlineSince?: string;
  /**
   * The stream id that began the current (or last) broadcast: reconnects inside the grace period
   * get new stream ids from IVS but continue the broadcast. A manual stop holds for the broadcast.
   */
  broadcastId?: string;
  /**
   * ISO-8601 time an admin ended the grace period early (`POST /channels/{channelId}/end-grace`):
   * from then on the channel counts as past its grace period, so what still runs stops and a
   * stream that comes back begins a new broadcast. Going live or offline again clears it.
   */
  graceEndedAt?: string;
  /**
   * What the broadcaster's encoder sent in the stream session `ingest.streamId`, read from IVS
   * once per session. It stays after the channel goes offline (the last session's), so the
   * console can warn before the next broadcast.
   */
  ingest?: SourceIngest;
}

/** Video codecs told apart by the platform checks; anything else is kept as IVS names it. */
export type VideoCodec = 'h264' | 'h265' | 'av1' | (string & {});
/** Audio codecs told apart by the platform checks; anything else is kept as IVS names it. */
export type AudioCodec = 'aac' | 'mp3' | 'opus' | (string & {});

/**
 * One stream session's ingest configuration as IVS reports it (`GetStreamSession`,
 * `streamSession.ingestConfiguration`:
 * https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_GetStreamSession.html,
 * https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_VideoConfiguration.html,
 * https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_AudioConfiguration.html).
 * Every number is what the encoder announced; a member IVS left out is absent.
 */
export interface SourceIngest {
  /** The IVS stream id of the session this describes. */
  streamId: string;
  video?: {
    codec?: VideoCodec;
    /** H.264 profile in lower case (`baseline`, `main`, `high`, ...). */
    profile?: string;
    width?: number;
    height?: number;
    /** `targetBitrate`, bits per second. */
    bitrateBps?: number;
    framerate?: number;
    /**
     * Seconds between keyframes. IVS does not report it (VideoConfiguration has no such member);
     * only the local stack, which measures its own ingest with ffprobe, fills it in.
     */
    keyframeIntervalSeconds?: number;
  };
  audio?: { codec?: AudioCodec; bitrateBps?: number; sampleRate?: number; channels?: number };
}

export interface StreamStateRepository {
  /** All channel states in one paginated read. */
  listAll(): Promise<ChannelStreamState[]>;
  get(channelArn: string): Promise<ChannelStreamState | undefined>;
  put(state: ChannelStreamState): Promise<void>;
  /**
   * Records `graceEndedAt = at` only while the item is still OFFLINE since `offlineSince` (one
   * conditional write): a reconcile that saw the channel go live, or go offline anew, in between
   * wins. Returns false when the condition failed.
   */
  endGrace(channelArn: string, offlineSince: string, at: string): Promise<boolean>;
}

/** A live IVS stream as IVS reports it. */
export interface LiveStream {
  channelArn: string;
  streamId: string;
  /** ISO-8601 start time. */
  startTime: string;
  health?: string;
}

/** IVS channel types (IVS API `Channel.type`); the type bounds what the channel delivers. */
export const IVS_CHANNEL_TYPES = ['BASIC', 'STANDARD', 'ADVANCED_SD', 'ADVANCED_HD'] as const;
export type IvsChannelType = (typeof IVS_CHANNEL_TYPES)[number];

/** Where MediaLive pulls an IVS channel from, and what that source can carry. */
export interface PlaybackSource {
  /** The channel's HLS playback URL. */
  url: string;
  channelType: IvsChannelType;
}

/** IVS: the truth about which channels are live. */
export interface StreamSource {
  /** Every live stream of the account and region (`ListStreams`, all pages). */
  listLiveStreams(): Promise<LiveStream[]>;
  /** One channel's stream (`GetStream`); undefined when IVS says `ChannelNotBroadcasting`. */
  getStream(channelArn: string): Promise<LiveStream | undefined>;
  /**
   * The channel's HLS playback URL and type (`GetChannel`), the source MediaLive pulls.
   * InvalidConfigurationError when MediaLive cannot pull it (private channel, playback
   * restriction policy).
   */
  getPlaybackSource(channelArn: string): Promise<PlaybackSource>;
  /**
   * What the encoder sends in one stream session (`GetStreamSession`); undefined when IVS knows no
   * such session. The reconciler asks once per stream session and keeps the answer with the
   * channel's stream state (IVS allows 5 GetStreamSession calls a second per account).
   */
  getIngest(channelArn: string, streamId: string): Promise<SourceIngest | undefined>;
}

/** Where an encoder sends an IVS channel's stream and where a player plays it (IVS `GetChannel`). */
export interface ChannelEndpoints {
  /** The encoder's "Server": `rtmps://<ingestEndpoint>:443/app/` in IVS. */
  ingestServer: string;
  /** The channel's HLS playback URL. */
  playbackUrl: string;
}

/**
 * IVS channels as the console shows them: endpoints, and the channel's stream key for the
 * encoder. Only the API uses it, on an admin's request; the key is never logged.
 */
export interface ChannelDirectory {
  /** `GetChannel`. ResourceNotFoundError when the channel does not exist. */
  endpoints(channelArn: string): Promise<ChannelEndpoints>;
  /** `ListStreamKeys` then `GetStreamKey`: the channel's stream key in clear. ResourceNotFoundError when it has none. */
  streamKey(channelArn: string): Promise<string>;
}

export const MEDIALIVE_CHANNEL_STATES = [
  'CREATING',
  'CREATE_FAILED',
  'IDLE',
  'STARTING',
  'RUNNING',
  'RECOVERING',
  'STOPPING',
  'DELETING',
  'DELETED',
  'UPDATING',
  'UPDATE_FAILED',
] as const;
export type MediaLiveChannelState = (typeof MEDIALIVE_CHANNEL_STATES)[number];

/** Tag keys put on every MediaLive resource. */
export const TAG_PROJECT = 'ivs-restreaming:project';
export const TAG_DESTINATION = 'ivs-restreaming:destination-id';
/** The destination's configRevision a channel was built from (URL, key, profile, IVS channel). */
export const TAG_CONFIG_REVISION = 'ivs-restreaming:config-revision';

export interface MediaLiveChannel {
  id: string;
  name: string;
  state: MediaLiveChannelState;
  tags: Record<string, string>;
  inputIds: string[];
}

export interface MediaLiveInput {
  id: string;
  tags: Record<string, string>;
  /** Channels (not DELETED) the input is attached to. */
  attachedChannelIds: string[];
}

/** Everything MediaLive needs to build one destination's input and channel. */
export interface ChannelSpec {
  projectName: string;
  destinationId: string;
  /** Human name of the destination, used in resource names (sanitised by the gateway). */
  destinationName: string;
  /** Deterministic idempotency token for CreateInput/CreateChannel: same spec, same resource. */
  requestId: string;
  /** The IVS HLS playback URL. */
  sourceUrl: string;
  /** The IVS channel's type: it bounds the source's resolution and bit rate. */
  sourceType: IvsChannelType;
  /** The destination's platform: it picks platform rules such as the H.264 profile. */
  platform: Platform;
  /** The RTMP(S) endpoint without the key. */
  rtmpUrl: string;
  /** Plaintext stream key, decrypted only for this call. Never log a ChannelSpec. */
  streamKey: string;
  profile: Profile;
  /** The destination's configRevision this channel is built from; tagged on the channel. */
  configRevision: number;
  /** The MediaLive service role (MEDIALIVE_ROLE_ARN). */
  roleArn: string;
}

/**
 * MediaLive. Errors are mapped to the domain errors in `errors.ts`
 * (ResourceNotFoundError, WrongStateError, ThrottledError, QuotaExceededError,
 * InvalidConfigurationError, ServiceUnavailableError).
 */
export interface MediaLiveGateway {
  /** Channels tagged with this project (`ListChannels`, all pages). */
  listChannels(): Promise<MediaLiveChannel[]>;
  /** undefined when the channel does not exist or is DELETED. */
  describeChannel(channelId: string): Promise<MediaLiveChannel | undefined>;
  /** Inputs tagged with this project (`ListInputs`, all pages), not DELETING or DELETED. */
  listInputs(): Promise<MediaLiveInput[]>;
  /** `CreateInput` type URL_PULL, one source, idempotent by `spec.requestId`. */
  createInput(spec: ChannelSpec): Promise<{ inputId: string }>;
  /** `CreateChannel` SINGLE_PIPELINE with one RTMP output group, idempotent by `spec.requestId`. */
  createChannel(spec: ChannelSpec, inputId: string): Promise<MediaLiveChannel>;
  startChannel(channelId: string): Promise<void>;
  stopChannel(channelId: string): Promise<void>;
  /**
   * Makes a RUNNING channel read its input again (an immediate input switch to its own input,
   * `BatchUpdateSchedule`), for an IVS stream that came back with a new stream id: without it the
   * channel keeps sending black. Idempotent per `streamId`.
   */
  reattachInput(channelId: string, streamId: string): Promise<void>;
  deleteChannel(channelId: string): Promise<void>;
  deleteInput(inputId: string): Promise<void>;
}

/** Reads stream keys stored encrypted; all the reconciler needs (the monitor never encrypts). */
export interface StreamKeyDecrypter {
  decrypt(destinationId: string, ciphertext: string): Promise<string>;
}

/** Encrypts stream keys at rest; all the API needs (it never decrypts). The destination id is bound to the ciphertext. */
export interface StreamKeyEncrypter {
  encrypt(destinationId: string, plaintext: string): Promise<string>;
}

/** Both directions (the local stack's cipher, tests). */
export interface StreamKeyCipher extends StreamKeyDecrypter, StreamKeyEncrypter {}

/** Time and identity, given to the core so that it stays pure. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

/** Structured logging (Powertools Logger in Lambda). Never pass a stream key, not even masked. */
export interface Log {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** Business metrics; in Lambda EMF metrics in namespace `IvsRestreaming`. */
export interface Metrics {
  /** `DestinationFailures`: a step failed, or the item is malformed. */
  destinationFailed(destinationId: string, code: string): void;
  /**
   * `AuxiliaryReadFailures`: a call off the essential path failed (the orphan sweep's ListInputs,
   * an enqueue, recording a history event, sending an alert).
   */
  auxiliaryReadFailed(what: string, code: string): void;
}

/**
 * A request to reconcile later: one destination (API intent, a look again), or one IVS channel
 * (the end of its grace period). `notBefore` is when; the queue delays delivery until then.
 */
export type WorkItem =
  | { kind: 'destination'; destinationId: string; notBefore: string; reason: string; attempt?: number }
  | { kind: 'channel'; channelArn: string; notBefore: string; reason: string; attempt?: number };

/**
 * The work queue (SQS standard queue in AWS, in-process locally). Delivery is at least once and
 * may be late; every reconcile is safe to repeat, so a duplicate changes nothing. A `notBefore`
 * beyond the queue's longest delay (900 s) is reached by chaining: the consumer sends it on.
 */
export interface WorkQueue {
  enqueue(items: readonly WorkItem[]): Promise<void>;
}

/** A running relay whose figures are wanted: the engine that runs it, its id and its destination. */
export interface TelemetryTarget {
  /** The engine's name (`RelayEngine.name`: `medialive`, `ecs`). */
  engine: string;
  relayId: string;
  destinationId: string;
}

/**
 * The data plane's figures (`health.ts`): ffmpeg's progress locally; in AWS CloudWatch metrics
 * (MediaLive's own, the relay tasks' embedded-metric-format lines), read for all targets in one
 * batched request per reconcile, never one per destination. Keyed by relay id; a target without
 * figures is left out.
 */
export interface RelayTelemetrySource {
  read(targets: readonly TelemetryTarget[], now: Date): Promise<Map<string, RelayTelemetry>>;
}
