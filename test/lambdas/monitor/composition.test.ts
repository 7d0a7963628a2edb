/** The monitor's composition root builds the pass-through engine only when RELAY_CLUSTER_ARN is set. */
import { describe, expect, it } from '@jest/globals';
import { ECSClient } from '@aws-sdk/client-ecs';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { SSMClient } from '@aws-sdk/client-ssm';
import { readEnvironment } from '../../../lambdas/adapters/environment';
import { createRelayEngine } from '../../../lambdas/monitor/handler';
import { LAMBDA_ENVIRONMENT, RELAY_ENVIRONMENT } from '../../support/fixtures';

const ENV = LAMBDA_ENVIRONMENT;
const RELAYS = RELAY_ENVIRONMENT;

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
