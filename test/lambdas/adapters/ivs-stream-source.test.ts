import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedException,
  ChannelNotBroadcasting,
  GetChannelCommand,
  GetStreamCommand,
  GetStreamSessionCommand,
  InternalServerException,
  IvsClient,
  ListStreamsCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-ivs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  InvalidConfigurationError,
  QuotaExceededError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ThrottledError,
} from '../../../lambdas/core/errors';
import { AwsIvsStreamSource, codecFamily } from '../../../lambdas/adapters/ivs-stream-source';
import { IVS_MODEL } from '../../support/aws-api-model';

const ivs = mockClient(IvsClient);
const source = new AwsIvsStreamSource(new IvsClient({ region: 'us-east-1' }));
const $metadata = { httpStatusCode: 400, requestId: 'req-1' };

const CHANNEL_A = 'arn:aws:ivs:us-east-1:123456789012:channel/AaAaAaAaAaAa';
const CHANNEL_B = 'arn:aws:ivs:us-east-1:123456789012:channel/BbBbBbBbBbBb';
const CHANNEL_C = 'arn:aws:ivs:us-east-1:123456789012:channel/CcCcCcCcCcCc';
const PLAYBACK_URL = 'https://abcdef123456.us-east-1.playback.live-video.net/api/video/v1/us-east-1.123456789012.channel.AaAaAaAaAaAa.m3u8';

beforeEach(() => {
  ivs.reset();
});

describe('AwsIvsStreamSource.listLiveStreams', () => {
  it('reads every page of ListStreams and returns each live stream with an ISO start time', async () => {
    ivs
      .on(ListStreamsCommand)
      .resolvesOnce({
        streams: [
          { channelArn: CHANNEL_A, streamId: 'st-a', state: 'LIVE', health: 'HEALTHY', startTime: new Date('2025-03-01T10:00:00Z') },
          { channelArn: CHANNEL_B, streamId: 'st-b', state: 'LIVE', health: 'STARVING', startTime: new Date('2025-03-01T11:00:00Z') },
        ],
        nextToken: 'next',
      })
      .resolvesOnce({
        streams: [{ channelArn: CHANNEL_C, streamId: 'st-c', state: 'LIVE', startTime: new Date('2025-03-01T12:00:00Z') }],
      });

    await expect(source.listLiveStreams()).resolves.toEqual([
      { channelArn: CHANNEL_A, streamId: 'st-a', startTime: '2025-03-01T10:00:00.000Z', health: 'HEALTHY' },
      { channelArn: CHANNEL_B, streamId: 'st-b', startTime: '2025-03-01T11:00:00.000Z', health: 'STARVING' },
      { channelArn: CHANNEL_C, streamId: 'st-c', startTime: '2025-03-01T12:00:00.000Z' },
    ]);
    expect(ivs).toHaveReceivedCommandTimes(ListStreamsCommand, 2);
    expect(ivs).toHaveReceivedNthSpecificCommandWith(2, ListStreamsCommand, { nextToken: 'next' });
  });

  it('does not filter by health: starving streams are still live', async () => {
    ivs.on(ListStreamsCommand).resolves({ streams: [] });
    await source.listLiveStreams();
    const input = ivs.commandCalls(ListStreamsCommand)[0]!.args[0].input;
    expect(input.filterBy).toBeUndefined();
  });

  it('returns an empty list when nothing is live', async () => {
    ivs.on(ListStreamsCommand).resolves({ streams: [] });
    await expect(source.listLiveStreams()).resolves.toEqual([]);
  });

  it('reports throttling of ListStreams as ThrottledError', async () => {
    ivs.on(ListStreamsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata }));
    await expect(source.listLiveStreams()).rejects.toBeInstanceOf(ThrottledError);
  });
});

describe('AwsIvsStreamSource.getStream', () => {
  it('returns the live stream of the channel', async () => {
    ivs.on(GetStreamCommand, { channelArn: CHANNEL_A }).resolves({
      stream: { channelArn: CHANNEL_A, streamId: 'st-a', state: 'LIVE', health: 'HEALTHY', startTime: new Date('2025-03-01T10:00:00Z') },
    });
    await expect(source.getStream(CHANNEL_A)).resolves.toEqual({
      channelArn: CHANNEL_A,
      streamId: 'st-a',
      startTime: '2025-03-01T10:00:00.000Z',
      health: 'HEALTHY',
    });
  });

  it('returns undefined when IVS says the channel is not broadcasting', async () => {
    ivs.on(GetStreamCommand).rejects(new ChannelNotBroadcasting({ message: 'Channel is not broadcasting', $metadata }));
    await expect(source.getStream(CHANNEL_A)).resolves.toBeUndefined();
  });

  it('returns undefined for a stream IVS reports as OFFLINE', async () => {
    ivs.on(GetStreamCommand).resolves({ stream: { channelArn: CHANNEL_A, streamId: 'st-a', state: 'OFFLINE' } });
    await expect(source.getStream(CHANNEL_A)).resolves.toBeUndefined();
  });

  it('reports an unknown channel as ResourceNotFoundError', async () => {
    ivs.on(GetStreamCommand).rejects(new ResourceNotFoundException({ message: 'Channel not found', $metadata }));
    await expect(source.getStream(CHANNEL_A)).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it.each([
    ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', $metadata }), ThrottledError],
    ['ValidationException', new ValidationException({ message: 'Invalid ARN', $metadata }), InvalidConfigurationError],
    ['AccessDeniedException', new AccessDeniedException({ message: 'Denied', $metadata }), InvalidConfigurationError],
    ['ServiceQuotaExceededException', new ServiceQuotaExceededException({ message: 'Quota', $metadata }), QuotaExceededError],
    [
      'InternalServerException',
      new InternalServerException({ message: 'Oops', $metadata: { httpStatusCode: 500 } }),
      ServiceUnavailableError,
    ],
  ] as const)('maps %s to the matching domain error', async (_name, awsError, domainError) => {
    ivs.on(GetStreamCommand).rejects(awsError);
    const error = await source.getStream(CHANNEL_A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(domainError);
    expect((error as Error).cause).toBe(awsError);
  });
});

describe('AwsIvsStreamSource.getPlaybackSource', () => {
  it('returns the HLS playback URL and the type of a public channel', async () => {
    ivs.on(GetChannelCommand, { arn: CHANNEL_A }).resolves({
      channel: { arn: CHANNEL_A, playbackUrl: PLAYBACK_URL, authorized: false, type: 'BASIC', playbackRestrictionPolicyArn: '' },
    });
    await expect(source.getPlaybackSource(CHANNEL_A)).resolves.toEqual({ url: PLAYBACK_URL, channelType: 'BASIC' });
    expect(ivs).toHaveReceivedCommandWith(GetChannelCommand, { arn: CHANNEL_A });
  });

  it('takes a channel without a known type for STANDARD, the IVS default', async () => {
    ivs.on(GetChannelCommand).resolves({ channel: { arn: CHANNEL_A, playbackUrl: PLAYBACK_URL } });
    await expect(source.getPlaybackSource(CHANNEL_A)).resolves.toEqual({ url: PLAYBACK_URL, channelType: 'STANDARD' });
  });

  it('refuses a channel with a playback restriction policy, naming the policy and the fix', async () => {
    const policy = 'arn:aws:ivs:us-east-1:123456789012:playback-restriction-policy/ABcdef34ghIJ';
    ivs.on(GetChannelCommand).resolves({ channel: { arn: CHANNEL_A, playbackUrl: PLAYBACK_URL, playbackRestrictionPolicyArn: policy } });
    const error = await source.getPlaybackSource(CHANNEL_A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as Error).message).toContain(policy);
    expect((error as Error).message).toMatch(/playback restriction policy/);
    expect((error as Error).message).toMatch(/Remove the policy/);
  });

  it('refuses a channel with private playback, saying that MediaLive cannot pull it', async () => {
    ivs.on(GetChannelCommand).resolves({ channel: { arn: CHANNEL_A, playbackUrl: PLAYBACK_URL, authorized: true } });
    const error = await source.getPlaybackSource(CHANNEL_A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as Error).message).toMatch(/private playback/);
    expect((error as Error).message).toMatch(/MediaLive cannot pull/);
  });

  it('refuses a channel without a playback URL', async () => {
    ivs.on(GetChannelCommand).resolves({ channel: { arn: CHANNEL_A } });
    await expect(source.getPlaybackSource(CHANNEL_A)).rejects.toBeInstanceOf(InvalidConfigurationError);
  });

  it('reports an unknown channel as ResourceNotFoundError', async () => {
    ivs.on(GetChannelCommand).rejects(new ResourceNotFoundException({ message: 'Channel not found', $metadata }));
    await expect(source.getPlaybackSource(CHANNEL_A)).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

describe('AwsIvsStreamSource.getIngest', () => {
  const STREAM_ID = 'st-1AbCdEfGhIjKlMnOpQrStUv'; // 26 characters, as IVS's

  it('asks GetStreamSession for the one session, in a request that fits the IVS model, and maps its ingest configuration', async () => {
    ivs.on(GetStreamSessionCommand).callsFake((input: unknown) => {
      IVS_MODEL.validate('GetStreamSession', input);
      return {
        streamSession: {
          streamId: STREAM_ID,
          ingestConfiguration: {
            video: {
              avcProfile: 'High',
              avcLevel: '4.2',
              codec: 'avc1.64002A',
              encoder: 'obs-output module (libobs version 30.0.0)',
              targetBitrate: 8_000_000,
              targetFramerate: 60,
              videoHeight: 1080,
              videoWidth: 1920,
            },
            audio: { codec: 'mp4a.40.2', targetBitrate: 160_000, sampleRate: 48_000, channels: 2 },
          },
        },
      };
    });
    await expect(source.getIngest(CHANNEL_A, STREAM_ID)).resolves.toEqual({
      streamId: STREAM_ID,
      video: { codec: 'h264', profile: 'high', width: 1920, height: 1080, bitrateBps: 8_000_000, framerate: 60 },
      audio: { codec: 'aac', bitrateBps: 160_000, sampleRate: 48_000, channels: 2 },
    });
    expect(ivs).toHaveReceivedCommandTimes(GetStreamSessionCommand, 1);
    expect(ivs).toHaveReceivedCommandWith(GetStreamSessionCommand, { channelArn: CHANNEL_A, streamId: STREAM_ID });
  });

  it('leaves out what IVS did not report (empty strings, zeros), and a session without an ingest configuration has none', async () => {
    ivs.on(GetStreamSessionCommand).resolves({
      streamSession: {
        streamId: STREAM_ID,
        ingestConfiguration: {
          video: { avcProfile: '', profile: 'Main', codec: 'H.264', targetBitrate: 0, videoWidth: 1280, videoHeight: 720 },
        },
      },
    });
    await expect(source.getIngest(CHANNEL_A, STREAM_ID)).resolves.toEqual({
      streamId: STREAM_ID,
      video: { codec: 'h264', profile: 'main', width: 1280, height: 720 },
    });
    ivs.on(GetStreamSessionCommand).resolves({ streamSession: { streamId: STREAM_ID } });
    await expect(source.getIngest(CHANNEL_A, STREAM_ID)).resolves.toEqual({ streamId: STREAM_ID });
  });

  it('answers undefined for a session IVS does not know, and maps throttling to ThrottledError', async () => {
    ivs.on(GetStreamSessionCommand).rejects(new ResourceNotFoundException({ message: 'Stream session not found', $metadata }));
    await expect(source.getIngest(CHANNEL_A, STREAM_ID)).resolves.toBeUndefined();
    ivs.on(GetStreamSessionCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata }));
    await expect(source.getIngest(CHANNEL_A, STREAM_ID)).rejects.toBeInstanceOf(ThrottledError);
  });

  it('the IVS model check refuses a GetStreamSession without a channel ARN', () => {
    expect(IVS_MODEL.violations('GetStreamSession', { streamId: STREAM_ID })).toEqual([expect.stringMatching(/channelArn/)]);
  });
});

describe('codecFamily', () => {
  it.each([
    ['avc1.64002A', 'h264'],
    ['avc1', 'h264'],
    ['H.264', 'h264'],
    ['hvc1.1.6.L120.90', 'h265'],
    ['hev1.1.6.L93.B0', 'h265'],
    ['HEVC', 'h265'],
    ['av01.0.08M.08', 'av1'],
    ['mp4a.40.2', 'aac'],
    ['AAC', 'aac'],
    ['mp4a.6B', 'mp3'],
    ['Opus', 'opus'],
    ['vp09.00.10.08', 'vp09.00.10.08'],
  ])('names %s as %s', (codec, family) => {
    expect(codecFamily(codec)).toBe(family);
  });
});
