/**
 * The ChannelDirectory port over the IVS API: a channel's ingest server and playback URL, and its
 * stream key for the encoder. Only the API function bundles this file, so only its role is granted
 * ivs:ListStreamKeys and ivs:GetStreamKey (modules/stream-restreaming/iam.tf).
 */
import { GetChannelCommand, GetStreamKeyCommand, ListStreamKeysCommand, type IvsClient } from '@aws-sdk/client-ivs';
import { ResourceNotFoundError } from '../core/errors';
import type { ChannelDirectory, ChannelEndpoints } from '../core/ports';
import { toDomainError } from './medialive/errors';

/**
 * The encoder's server for an IVS ingest endpoint: RTMPS on port 443, application `app`
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/getting-started-set-up-streaming.html:
 * "rtmps://<ingestEndpoint>:443/app/"; the endpoint comes from GetChannel,
 * https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_GetChannel.html).
 */
export function ingestServerOf(ingestEndpoint: string): string {
  return `rtmps://${ingestEndpoint}:443/app/`;
}

export class AwsIvsChannelDirectory implements ChannelDirectory {
  constructor(private readonly client: IvsClient) {}

  async endpoints(channelArn: string): Promise<ChannelEndpoints> {
    try {
      const { channel } = await this.client.send(new GetChannelCommand({ arn: channelArn }));
      if (!channel?.ingestEndpoint || !channel.playbackUrl) {
        throw new ResourceNotFoundError(`IVS channel ${channelArn} has no ingest endpoint or playback URL.`);
      }
      return { ingestServer: ingestServerOf(channel.ingestEndpoint), playbackUrl: channel.playbackUrl };
    } catch (error) {
      throw toDomainError(error, { service: 'IVS', operation: 'GetChannel' });
    }
  }

  /**
   * A channel has one stream key (IVS creates it with the channel; a second needs a quota
   * increase): ListStreamKeys names it (https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_ListStreamKeys.html,
   * maxResults 1..50), GetStreamKey returns its `value`
   * (https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_GetStreamKey.html).
   */
  async streamKey(channelArn: string): Promise<string> {
    let keyArn: string | undefined;
    try {
      const listed = await this.client.send(new ListStreamKeysCommand({ channelArn, maxResults: 1 }));
      keyArn = listed.streamKeys?.[0]?.arn;
    } catch (error) {
      throw toDomainError(error, { service: 'IVS', operation: 'ListStreamKeys' });
    }
    if (keyArn === undefined)
      throw new ResourceNotFoundError(`IVS channel ${channelArn} has no stream key; create one with CreateStreamKey.`);
    try {
      const { streamKey } = await this.client.send(new GetStreamKeyCommand({ arn: keyArn }));
      if (!streamKey?.value) throw new ResourceNotFoundError(`IVS returned the stream key of ${channelArn} without its value.`);
      return streamKey.value;
    } catch (error) {
      throw toDomainError(error, { service: 'IVS', operation: 'GetStreamKey' });
    }
  }
}
