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

/** The environment every Lambda function reads (readEnvironment), as Terraform sets it. */
export const LAMBDA_ENVIRONMENT = {
  DESTINATIONS_TABLE: 'acme-streaming-destinations',
  STREAM_STATE_TABLE: 'acme-stream-state',
  DESTINATION_EVENTS_TABLE: 'acme-destination-events',
  MEDIALIVE_ROLE_ARN: 'arn:aws:iam::123456789012:role/acme-medialive',
  PROJECT_NAME: 'acme',
  IVS_CHANNEL_ARNS: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456',
  STOP_GRACE_SECONDS: '120',
  STREAM_KEY_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/1234',
  CORS_ALLOW_ORIGINS: 'https://admin.example.com',
  WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/acme-reconcile-work',
};

/** What the relays toggle adds to it (pass-through on ECS offered). */
export const RELAY_ENVIRONMENT = {
  RELAY_CLUSTER_ARN: 'arn:aws:ecs:us-east-1:123456789012:cluster/acme-relays',
  RELAY_SUBNET_IDS: 'subnet-0a1b2c3d',
  RELAY_SECURITY_GROUP_IDS: 'sg-0123abcd',
  RELAY_IMAGE: 'lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76',
  RELAY_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/acme-relay-execution',
  RELAY_TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/acme-relay-task',
  RELAY_LOG_GROUP_NAME: '/acme/relays',
};
