/** The monitor's composition root builds the pass-through engine only when RELAY_CLUSTER_ARN is set. */
import { describe, expect, it } from '@jest/globals';
import { ECSClient } from '@aws-sdk/client-ecs';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { SSMClient } from '@aws-sdk/client-ssm';
import { readEnvironment } from '../../../lambdas/adapters/environment';
import { createRelayEngine } from '../../../lambdas/monitor/handler';

const ENV = {
  DESTINATIONS_TABLE: 'acme-streaming-destinations',
  STREAM_STATE_TABLE: 'acme-stream-state',
  DESTINATION_EVENTS_TABLE: 'acme-destination-events',
  MEDIALIVE_ROLE_ARN: 'arn:aws:iam::123456789012:role/acme-medialive',
  PROJECT_NAME: 'acme',
  IVS_CHANNEL_ARNS: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456',
  STREAM_KEY_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/1234',
  WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/acme-reconcile-work',
};
const RELAYS = {
  RELAY_CLUSTER_ARN: 'arn:aws:ecs:us-east-1:123456789012:cluster/acme-relays',
  RELAY_SUBNET_IDS: 'subnet-0a1b2c3d',
  RELAY_SECURITY_GROUP_IDS: 'sg-0123abcd',
  RELAY_IMAGE: 'lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76',
  RELAY_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/acme-relay-execution',
  RELAY_TASK_ROLE_ARN: 'arn:aws:iam::123456789012:role/acme-relay-task',
  RELAY_LOG_GROUP_NAME: '/acme/relays',
};

function build(env: Record<string, string>) {
  const built: string[] = [];
  const engine = createRelayEngine(readEnvironment(env), {
    ecs: () => (built.push('ecs'), new ECSClient({ region: 'us-east-1' })),
    ssm: () => (built.push('ssm'), new SSMClient({ region: 'us-east-1' })),
    mediaLive: () => (built.push('medialive'), new MediaLiveClient({ region: 'us-east-1' })),
  });
  return { engine, built };
}

describe('createRelayEngine', () => {
  it('runs MediaLive only, and builds no ECS or SSM client, without RELAY_CLUSTER_ARN', () => {
    const { engine, built } = build(ENV);
    expect(engine.modes).toEqual(['transcode']);
    expect(engine.name).toBe('medialive');
    expect(built).toEqual(['medialive']);
  });

  it('adds the ECS engine for pass-through when RELAY_CLUSTER_ARN is set', () => {
    const { engine, built } = build({ ...ENV, ...RELAYS });
    expect(engine.modes).toEqual(['passthrough', 'transcode']);
    expect(engine.name).toBe('medialive+ecs');
    expect(built.sort()).toEqual(['ecs', 'medialive', 'ssm']);
  });
});
