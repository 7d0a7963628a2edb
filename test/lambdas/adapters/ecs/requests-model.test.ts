/**
 * Every ECS and SSM request the pass-through engine sends, for every platform endpoint, checked
 * against AWS's published ECS and SSM models with their member constraints
 * (test/fixtures/aws-models, test/support/aws-api-model.ts) — and proof that the cycle below
 * exercises every command the ECS adapters construct, so none goes unchecked.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { PLATFORMS } from '../../../../lambdas/core/destination';
import { PLATFORM_PRESETS } from '../../../../lambdas/core/platforms';
import { EcsRelayEngine } from '../../../../lambdas/adapters/ecs/relay-engine';
import type { RelaySettings } from '../../../../lambdas/adapters/ecs/requests';
import { EcsSimulator } from '../../../../lambdas/testing/ecs-simulator';
import { ECS_MODEL, SSM_MODEL } from '../../../support/aws-api-model';
import { channelSpec } from '../../../support/channel-spec';

// The longest project name the module accepts (`^[a-z0-9][a-z0-9-]{0,39}$`) and a destination id
// as the API makes them (a UUID), so length limits are met at their tightest.
const PROJECT = 'p'.repeat(40);
const DESTINATION = '0b1c2d3e-4f50-4172-8394-a5b6c7d8e9f0';
const SETTINGS: RelaySettings = {
  clusterArn: `arn:aws:ecs:eu-central-1:123456789012:cluster/${PROJECT}-relays`,
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
  securityGroupIds: ['sg-0123456789abcdef0'],
  assignPublicIp: true,
  image: 'lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76',
  executionRoleArn: `arn:aws:iam::123456789012:role/${PROJECT}-relay-execution`,
  taskRoleArn: `arn:aws:iam::123456789012:role/${PROJECT}-relay-task`,
  logGroupName: `/${PROJECT}/relays`,
  cpu: '256',
  memory: '512',
};
const KMS_KEY = 'arn:aws:kms:eu-central-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

/** Every platform's preset ingest URL, and a custom RTMP and RTMPS endpoint. */
const ENDPOINTS = [
  ...PLATFORMS.flatMap((platform) => {
    const url = PLATFORM_PRESETS[platform].defaultRtmpUrl;
    return url === null ? [] : [{ platform, rtmpUrl: url }];
  }),
  { platform: 'custom' as const, rtmpUrl: 'rtmp://203.0.113.10:1935/live' },
  { platform: 'custom' as const, rtmpUrl: 'rtmps://ingest.example.com:443/live/' },
];

/** The `…Command` classes the ECS adapters construct, read from their source. */
function commandsInEcsAdapters(): string[] {
  const dir = new URL('../../../../lambdas/adapters/ecs/', import.meta.url);
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(new URL(file, dir), 'utf8').matchAll(/new (\w+)Command\(/g)) found.add(m[1]!);
  }
  return [...found].sort();
}

/** A whole relay life through the engine: store the key, register, run, list, describe, stop, delete. */
async function fullCycle(sim: EcsSimulator, engine: EcsRelayEngine, overrides: Parameters<typeof channelSpec>[0]): Promise<void> {
  const spec = channelSpec({ projectName: PROJECT, destinationId: DESTINATION, mode: 'passthrough', ...overrides });
  const source = await engine.createSource(spec);
  const relay = await engine.createRelay(spec, source);
  sim.settle();
  expect(await engine.describeRelay(relay.id)).toMatchObject({ state: 'running' });
  expect(await engine.listSources()).toEqual([{ id: source, destinationId: DESTINATION, attachedTo: [relay.id] }]);
  await engine.stopRelay(relay.id);
  sim.settle();
  expect(await engine.listRelays()).toEqual([]);
  await engine.deleteSource(source);
}

describe('ECS and SSM requests against AWS’s published models', () => {
  it.each(ENDPOINTS)('a full relay cycle to $platform $rtmpUrl sends only requests that fit the models', async (endpoint) => {
    const sim = new EcsSimulator('eu-central-1');
    const checked: string[] = [];
    sim.onRequest = (service, operation, input) => {
      (service === 'ECS' ? ECS_MODEL : SSM_MODEL).validate(operation, input);
      checked.push(operation);
    };
    await fullCycle(sim, new EcsRelayEngine(sim.ecs, sim.ssm, SETTINGS, PROJECT, KMS_KEY), endpoint);
    // Every command the ECS adapters can send went through the model check at least once.
    expect([...new Set(checked)].sort()).toEqual(commandsInEcsAdapters());
  });

  it('finds the commands the ECS adapters send (the list above is not empty by accident)', () => {
    expect(commandsInEcsAdapters()).toEqual(
      expect.arrayContaining([
        'DeleteParameter',
        'DescribeTasks',
        'ListTasks',
        'PutParameter',
        'RegisterTaskDefinition',
        'RunTask',
        'StopTask',
      ]),
    );
  });

  it('a request that breaks a constraint of the model makes the cycle fail', async () => {
    const sim = new EcsSimulator('eu-central-1');
    sim.onRequest = (service, operation, input) => (service === 'ECS' ? ECS_MODEL : SSM_MODEL).validate(operation, input);
    // SSM's model: KeyId matches ^([a-zA-Z0-9:/_-]+)$ — no spaces, no "!".
    const engine = new EcsRelayEngine(sim.ecs, sim.ssm, SETTINGS, PROJECT, 'not a key id!');
    await expect(engine.createSource(channelSpec({ projectName: PROJECT, destinationId: DESTINATION }))).rejects.toThrow(
      /PutParameter\.KeyId: does not match the pattern/,
    );
  });
});
