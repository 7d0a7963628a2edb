import { beforeEach, describe, expect, it } from '@jest/globals';
import { AccessDeniedException, GetChannelCommand, GetStreamKeyCommand, IvsClient, ListStreamKeysCommand } from '@aws-sdk/client-ivs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvalidConfigurationError, ResourceNotFoundError } from '../../../lambdas/core/errors';
import { AwsIvsChannelDirectory, ingestServerOf } from '../../../lambdas/adapters/ivs-channel-directory';

const ivs = mockClient(IvsClient);
const directory = new AwsIvsChannelDirectory(new IvsClient({ region: 'us-east-1' }));
const CHANNEL = 'arn:aws:ivs:us-east-1:123456789012:channel/AaAaAaAaAaAa';
const KEY_ARN = 'arn:aws:ivs:us-east-1:123456789012:stream-key/KkKkKkKkKkKk';
const PLAYBACK_URL = 'https://abcdef123456.us-east-1.playback.live-video.net/api/video/v1/us-east-1.123456789012.channel.AaAaAaAaAaAa.m3u8';

beforeEach(() => {
  ivs.reset();
});

describe('AwsIvsChannelDirectory', () => {
  it("builds the encoder's RTMPS server from GetChannel's ingest endpoint", async () => {
    ivs.on(GetChannelCommand, { arn: CHANNEL }).resolves({
      channel: { arn: CHANNEL, ingestEndpoint: 'abcdef123456.global-contribute.live-video.net', playbackUrl: PLAYBACK_URL },
    });
    await expect(directory.endpoints(CHANNEL)).resolves.toEqual({
      ingestServer: 'rtmps://abcdef123456.global-contribute.live-video.net:443/app/',
      playbackUrl: PLAYBACK_URL,
    });
    expect(ingestServerOf('x.example')).toBe('rtmps://x.example:443/app/');
  });

  it('reads the stream key through ListStreamKeys and GetStreamKey', async () => {
    ivs.on(ListStreamKeysCommand).resolves({ streamKeys: [{ arn: KEY_ARN, channelArn: CHANNEL }] });
    ivs
      .on(GetStreamKeyCommand, { arn: KEY_ARN })
      .resolves({ streamKey: { arn: KEY_ARN, channelArn: CHANNEL, value: 'sk_us-east-1_secret' } });
    await expect(directory.streamKey(CHANNEL)).resolves.toBe('sk_us-east-1_secret');
    expect(ivs).toHaveReceivedCommandWith(ListStreamKeysCommand, { channelArn: CHANNEL, maxResults: 1 });
  });

  it('says so when the channel has no stream key, and maps IVS errors to domain errors', async () => {
    ivs.on(ListStreamKeysCommand).resolves({ streamKeys: [] });
    await expect(directory.streamKey(CHANNEL)).rejects.toBeInstanceOf(ResourceNotFoundError);
    expect(ivs).not.toHaveReceivedCommand(GetStreamKeyCommand);
    ivs.on(ListStreamKeysCommand).rejects(new AccessDeniedException({ message: 'not authorized', $metadata: { httpStatusCode: 403 } }));
    await expect(directory.streamKey(CHANNEL)).rejects.toBeInstanceOf(InvalidConfigurationError);
  });
});
