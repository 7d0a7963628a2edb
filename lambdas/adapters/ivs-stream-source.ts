/**
 * The StreamSource port over the IVS API: which channels are live, and where MediaLive pulls from.
 */
import { GetChannelCommand, GetStreamCommand, paginateListStreams, type IvsClient, type StreamSummary } from '@aws-sdk/client-ivs';
import { InvalidConfigurationError, RestreamingError } from '../core/errors';
import { IVS_CHANNEL_TYPES, type IvsChannelType, type LiveStream, type PlaybackSource, type StreamSource } from '../core/ports';
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
 * The channel's type; IVS documents STANDARD as the default, and a type this code does not know
 * yet is treated like STANDARD (the widest source it knows: up to 1080p).
 */
function channelType(type: string | undefined): IvsChannelType {
  return (IVS_CHANNEL_TYPES as readonly string[]).includes(type ?? '') ? (type as IvsChannelType) : 'STANDARD';
}
