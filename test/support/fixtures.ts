/** Builders of valid domain objects for tests. */
import type { Destination, DestinationView } from '../../lambdas/core/destination';

let counter = 0;

/**
 * A valid destination; each call gets a new id. The ciphertext is an obvious placeholder in the
 * local scheme, never anything that looks like a real stream key.
 */
export function makeDestination(overrides: Partial<Destination> = {}): Destination {
  counter += 1;
  const id = overrides.id ?? `dest-${String(counter).padStart(4, '0')}`;
  return {
    id,
    platform: 'youtube',
    name: `Destination ${counter}`,
    enabled: true,
    status: 'inactive',
    channelArn: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456',
    rtmpUrl: 'rtmp://a.rtmp.youtube.com/live2',
    streamKeyCiphertext: 'local:v1:dGVzdC1maXh0dXJlLWNpcGhlcnRleHQ=',
    streamKeyHint: 'wxyz',
    profile: '1080p30-6000',
    mode: 'transcode',
    configRevision: 1,
    generation: 0,
    statusSince: '2025-01-01T00:00:00.000Z',
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/**
 * A Destination as the API answers it, for tests of the HTTP layer. One builder, so a new
 * response field is added here once instead of in every test's own copy.
 */
export function makeDestinationView(overrides: Partial<DestinationView> = {}): DestinationView {
  return {
    id: 'dest-0001',
    platform: 'youtube',
    name: 'Main channel',
    enabled: true,
    status: 'inactive',
    statusSince: '2030-01-01T00:00:00.000Z',
    channelArn: 'arn:aws:ivs:eu-west-1:123456789012:channel/AbCdEfGhIjKl',
    rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
    streamKeyMasked: '••••tKeY',
    profile: '1080p30-6000',
    mode: 'passthrough',
    lastError: null,
    health: {
      state: 'unknown',
      bitrateKbps: null,
      since: '2030-01-01T00:00:00.000Z',
      message: 'Not sending: nothing runs for this destination.',
    },
    mediaLiveChannelId: null,
    pausedStreamId: null,
    warnings: [],
    version: 1,
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}
