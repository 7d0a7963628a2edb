/**
 * The StreamSource port over the IVS API: which channels are live, and where MediaLive pulls from.
 */
import {
  GetChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  paginateListStreams,
  type IngestConfiguration,
  type IvsClient,
  type StreamSummary,
} from '@aws-sdk/client-ivs';
import { InvalidConfigurationError, RestreamingError } from '../core/errors';
import {
  IVS_CHANNEL_TYPES,
  type IvsChannelType,
  type LiveStream,
  type PlaybackSource,
  type SourceIngest,
  type StreamSource,
} from '../core/ports';
import { toDomainError } from './medialive/errors';

/**
 * Page size of ListStreams, set explicitly: maxResults is 1..100 in the IVS API model
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_ListStreams.html).
 */
export const IVS_LIST_STREAMS_PAGE_SIZE = 100;

type StreamFields = Pick<StreamSummary, 'channelArn' | 'streamId' | 'startTime' | 'health'>;

function toLiveStream(s: StreamFields, operation: string): LiveStream {
  if (!s.channelArn || !s.streamId) {
    throw new RestreamingError(`IVS ${operation} returned a stream without a channel ARN or stream id.`);
  }
  return {
    channelArn: s.channelArn,
    streamId: s.streamId,
    startTime: (s.startTime ?? new Date(0)).toISOString(),
    ...(s.health ? { health: s.health } : {}),
  };
}

export class AwsIvsStreamSource implements StreamSource {
  constructor(private readonly client: IvsClient) {}

  async listLiveStreams(): Promise<LiveStream[]> {
    const streams: LiveStream[] = [];
    try {
      for await (const page of paginateListStreams(
        { client: this.client, pageSize: IVS_LIST_STREAMS_PAGE_SIZE },
        { maxResults: IVS_LIST_STREAMS_PAGE_SIZE },
      )) {
        for (const summary of page.streams ?? []) {
          // ListStreams lists live streams only; the state check guards against a future change.
          if (summary.state !== undefined && summary.state !== 'LIVE') continue;
          streams.push(toLiveStream(summary, 'ListStreams'));
        }
      }
    } catch (error) {
      throw toDomainError(error, { service: 'IVS', operation: 'ListStreams' });
    }
    return streams;
  }

  async getStream(channelArn: string): Promise<LiveStream | undefined> {
    try {
      const { stream } = await this.client.send(new GetStreamCommand({ channelArn }));
      if (!stream || (stream.state !== undefined && stream.state !== 'LIVE')) return undefined;
      return toLiveStream(stream, 'GetStream');
    } catch (error) {
      if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ChannelNotBroadcasting') {
        return undefined;
      }
      throw toDomainError(error, { service: 'IVS', operation: 'GetStream' });
    }
  }

  /**
   * `GetStreamSession` (https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_GetStreamSession.html):
   * `streamSession.ingestConfiguration` holds what the encoder announced — video codec,
   * profile, width, height, target bit rate and frame rate; audio codec, bit rate, sample rate,
   * channels. `ingestConfiguration` is deprecated in favour of `ingestConfigurations`, but
   * without multitrack both hold the same single track, and with multitrack the deprecated one
   * holds track 0, the one a pull of the playback URL starts from. IVS reports no keyframe
   * interval. ResourceNotFoundException (no such session) is undefined.
   */
  async getIngest(channelArn: string, streamId: string): Promise<SourceIngest | undefined> {
    try {
      const { streamSession } = await this.client.send(new GetStreamSessionCommand({ channelArn, streamId }));
      if (!streamSession) return undefined;
      return toSourceIngest(streamId, streamSession.ingestConfiguration);
    } catch (error) {
      if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ResourceNotFoundException') {
        return undefined;
      }
      throw toDomainError(error, { service: 'IVS', operation: 'GetStreamSession' });
    }
  }

  async getPlaybackSource(channelArn: string): Promise<PlaybackSource> {
    try {
      const { channel } = await this.client.send(new GetChannelCommand({ arn: channelArn }));
      if (channel?.authorized) {
        throw new InvalidConfigurationError(
          `IVS channel ${channelArn} has private playback (authorization enabled): MediaLive cannot pull it ` +
            'without a playback token. Disable playback authorization on the channel to restream it.',
        );
      }
      // A playback restriction policy limits playback to listed countries and origin sites
      // (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/undesired-content.html).
      // MediaLive pulls from AWS addresses without a browser Origin header, so the policy may
      // refuse it; refuse the channel here with the fix instead of a black channel later.
      if (channel?.playbackRestrictionPolicyArn) {
        throw new InvalidConfigurationError(
          `IVS channel ${channelArn} has a playback restriction policy (${channel.playbackRestrictionPolicyArn}): ` +
            'it limits playback to listed countries and origin sites, and MediaLive pulls from AWS addresses without ' +
            'an Origin header. Remove the policy from the channel (playbackRestrictionPolicyArn "") to restream it.',
        );
      }
      if (!channel?.playbackUrl) {
        throw new InvalidConfigurationError(`IVS channel ${channelArn} has no playback URL.`);
      }
      return { url: channel.playbackUrl, channelType: channelType(channel.type) };
    } catch (error) {
      throw toDomainError(error, { service: 'IVS', operation: 'GetChannel' });
    }
  }
}

/**
 * IVS names codecs as the encoder announced them: RFC 6381 strings (`avc1.64002A`, `mp4a.40.2`)
 * or plain names (`H.264`, `AAC`). The platform checks compare the family.
 */
export function codecFamily(codec: string): string {
  const c = codec.trim().toLowerCase();
  if (/^avc[13]?\b|^avc[13]\.|h\.?264|^x264/.test(c)) return 'h264';
  if (/^(hev1|hvc1)\b|^(hev1|hvc1)\.|h\.?265|hevc/.test(c)) return 'h265';
  if (/^av01\b|^av01\.|^av1$/.test(c)) return 'av1';
  if (/^mp4a\.40\.(2|5|29)$|^mp4a$|aac/.test(c)) return 'aac';
  if (/^mp4a\.(40\.34|69|6b)$|mp3/.test(c)) return 'mp3';
  if (/opus/.test(c)) return 'opus';
  return c;
}

/** A positive count IVS reported; IVS sends 0 for what it does not know. */
function known(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Our SourceIngest from IVS's (deprecated but single-track) `ingestConfiguration`. */
export function toSourceIngest(streamId: string, config: IngestConfiguration | undefined): SourceIngest {
  const ingest: SourceIngest = { streamId };
  const v = config?.video;
  if (v) {
    const video: NonNullable<SourceIngest['video']> = {};
    if (v.codec) video.codec = codecFamily(v.codec);
    // `profile` replaces the deprecated `avcProfile` (same value for AVC).
    const profile = v.profile || v.avcProfile;
    if (profile) video.profile = profile.trim().toLowerCase();
    const fields = { width: v.videoWidth, height: v.videoHeight, bitrateBps: v.targetBitrate, framerate: v.targetFramerate };
    for (const [key, value] of Object.entries(fields)) {
      const n = known(value);
      if (n !== undefined) video[key as 'width'] = n;
    }
    ingest.video = video;
  }
  const a = config?.audio;
  if (a) {
    const audio: NonNullable<SourceIngest['audio']> = {};
    if (a.codec) audio.codec = codecFamily(a.codec);
    const fields = { bitrateBps: a.targetBitrate, sampleRate: a.sampleRate, channels: a.channels };
    for (const [key, value] of Object.entries(fields)) {
      const n = known(value);
      if (n !== undefined) audio[key as 'channels'] = n;
    }
    ingest.audio = audio;
  }
  return ingest;
}

/**
 * The channel's type; IVS documents STANDARD as the default, and a type this code does not know
 * yet is treated like STANDARD (the widest source it knows: up to 1080p).
 */
function channelType(type: string | undefined): IvsChannelType {
  return (IVS_CHANNEL_TYPES as readonly string[]).includes(type ?? '') ? (type as IvsChannelType) : 'STANDARD';
}
