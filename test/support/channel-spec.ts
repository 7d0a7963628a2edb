import type { RelaySpec } from '../../lambdas/core/relay';

/**
 * A valid relay spec (a MediaLive ChannelSpec plus the mode) for tests; every field can be
 * overridden. The key is a fake, never a real one.
 */
export function channelSpec(overrides: Partial<RelaySpec> = {}): RelaySpec {
  const destinationId = overrides.destinationId ?? 'dest-1';
  return {
    projectName: 'restream-test',
    destinationId,
    destinationName: 'My YouTube',
    requestId: `${destinationId}-g0-r1`,
    sourceUrl: 'https://abcdef123456.us-east-1.playback.live-video.net/api/video/v1/us-east-1.123456789012.channel.AbCdEfGh1234.m3u8',
    sourceType: 'STANDARD',
    platform: 'youtube',
    rtmpUrl: 'rtmp://a.rtmp.youtube.com/live2',
    streamKey: 'test-key-aaaa-bbbb-cccc-dddd',
    profile: '1080p30-6000',
    mode: 'transcode',
    configRevision: 1,
    roleArn: 'arn:aws:iam::123456789012:role/restream-test-medialive',
    ...overrides,
  };
}
