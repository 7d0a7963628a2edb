import { describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment, relaySettings } from '../../../../lambdas/adapters/environment';
import { DESCRIBE_TASKS_MAX, EcsRelayEngine } from '../../../../lambdas/adapters/ecs/relay-engine';
import {
  RELAY_SCRIPT,
  buildRegisterTaskDefinitionRequest,
  buildRunTaskRequest,
  runTaskClientToken,
  type RelaySettings,
} from '../../../../lambdas/adapters/ecs/requests';
import { ServiceUnavailableError } from '../../../../lambdas/core/errors';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT } from '../../../../lambdas/core/ports';
import { EcsSimulator } from '../../../../lambdas/testing/ecs-simulator';
import { channelSpec } from '../../../support/channel-spec';
import { ECS_MODEL, SSM_MODEL } from '../../../support/aws-api-model';

const SETTINGS: RelaySettings = {
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/restream-test-relays',
  subnetIds: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
  securityGroupIds: ['sg-0123abcd'],
  assignPublicIp: true,
  image: 'lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76',
  executionRoleArn: 'arn:aws:iam::123456789012:role/restream-test-relay-execution',
  taskRoleArn: 'arn:aws:iam::123456789012:role/restream-test-relay-task',
  logGroupName: '/restream-test/relays',
  cpu: '256',
  memory: '512',
};
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

/** A simulator whose every request must fit AWS's published ECS or SSM model. */
function setup(): { sim: EcsSimulator; engine: EcsRelayEngine } {
  const sim = new EcsSimulator();
  sim.onRequest = (service, operation, input) => (service === 'ECS' ? ECS_MODEL : SSM_MODEL).validate(operation, input);
  return { sim, engine: new EcsRelayEngine(sim.ecs, sim.ssm, SETTINGS, 'restream-test', KMS_KEY) };
}

describe('ECS requests', () => {
  it('fit the published models, with Fargate on arm64, awsvpc and the key only as an SSM reference', () => {
    const spec = channelSpec();
    const def = buildRegisterTaskDefinitionRequest(spec, SETTINGS);
    expect(ECS_MODEL.violations('RegisterTaskDefinition', def)).toEqual([]);
    expect(def.runtimePlatform).toEqual({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    expect(def.requiresCompatibilities).toEqual(['FARGATE']);
    expect(def.containerDefinitions?.[0]?.secrets).toEqual([
      { name: 'STREAM_KEY', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/restream-test/stream-keys/dest-1' },
    ]);
    const run = buildRunTaskRequest(spec, 'arn:aws:ecs:us-east-1:123456789012:task-definition/restream-test-relay-dest-1:1', SETTINGS);
    expect(ECS_MODEL.violations('RunTask', run)).toEqual([]);
    expect(run.overrides).toBeUndefined();
    expect(run.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
    expect(JSON.stringify([def, run])).not.toContain(spec.streamKey);
  });

  it('tags tasks with project, destination and config revision', () => {
    const run = buildRunTaskRequest(channelSpec({ configRevision: 7 }), 'td', SETTINGS);
    expect(run.tags).toEqual([
      { key: TAG_PROJECT, value: 'restream-test' },
      { key: TAG_DESTINATION, value: 'dest-1' },
      { key: TAG_CONFIG_REVISION, value: '7' },
    ]);
  });

  it('derives the clientToken from the destination and the request id: same spec, same token', () => {
    const a = runTaskClientToken(channelSpec());
    expect(runTaskClientToken(channelSpec())).toBe(a);
    expect(runTaskClientToken(channelSpec({ requestId: 'dest-1-g1-r1' }))).not.toBe(a);
    expect(a).toMatch(/^[\x21-\x7e]{1,64}$/);
  });

  it('a request the model refuses is caught (the check can fail)', () => {
    const run = buildRunTaskRequest(channelSpec(), 'td', SETTINGS);
    expect(ECS_MODEL.violations('RunTask', { ...run, taskDefinition: undefined })).toEqual([
      expect.stringContaining('RunTask.taskDefinition: required'),
    ]);
    expect(ECS_MODEL.violations('RunTask', { ...run, count: '1' })).toEqual([
      expect.stringContaining('RunTask.count: expected an integer'),
    ]);
    expect(ECS_MODEL.violations('RunTask', { ...run, launchTypes: 'FARGATE' })).toEqual([
      expect.stringContaining('RunTask.launchTypes: unknown'),
    ]);
  });

  it('the documented constraints are checked: clientToken length, tag key and value lengths, SSM names', () => {
    const run = buildRunTaskRequest(channelSpec(), 'td', SETTINGS);
    expect(ECS_MODEL.violations('RunTask', { ...run, clientToken: 'x'.repeat(65) })).toEqual([
      expect.stringContaining('RunTask.clientToken: length 65 is above the maximum 64'),
    ]);
    expect(ECS_MODEL.violations('RunTask', { ...run, clientToken: 'has space' })).toEqual([
      expect.stringContaining('RunTask.clientToken: does not match'),
    ]);
    expect(ECS_MODEL.violations('RunTask', { ...run, tags: [{ key: '', value: 'v' }] })).toEqual([
      expect.stringContaining('RunTask.tags[0].key: length 0 is below the minimum 1'),
    ]);
    expect(ECS_MODEL.violations('RunTask', { ...run, tags: [{ key: 'k', value: 'v'.repeat(257) }] })).toEqual([
      expect.stringContaining('RunTask.tags[0].value: length 257 is above the maximum 256'),
    ]);
    const put = { Name: '/restream-test/stream-keys/dest-1', Value: 'secret', Type: 'SecureString' };
    expect(SSM_MODEL.violations('PutParameter', put)).toEqual([]);
    expect(SSM_MODEL.violations('PutParameter', { ...put, Name: '/aws/stream-keys/dest-1' })).toEqual([
      expect.stringContaining('PutParameter.Name: does not match'),
    ]);
    expect(SSM_MODEL.violations('PutParameter', { ...put, Name: `/${'n'.repeat(2048)}` })).toEqual([
      expect.stringContaining('PutParameter.Name: length 2049 is above the maximum 2048'),
    ]);
  });
});

describe('EcsRelayEngine over the simulator', () => {
  it('runs a task that reads the key from SSM, reports its states, and stops it', async () => {
    const { sim, engine } = setup();
    const spec = channelSpec();
    const td = await engine.createSource(spec);
    const relay = await engine.createRelay(spec, td);
    expect(relay).toMatchObject({ state: 'starting', destinationId: 'dest-1', configRevision: 1, engineState: 'PROVISIONING' });
    sim.settle();
    expect(await engine.describeRelay(relay.id)).toMatchObject({ state: 'running', engineState: 'RUNNING' });
    expect(sim.tasks.get(relay.id)?.resolvedEnvironment?.STREAM_KEY).toBe(spec.streamKey);
    expect(sim.parameters.get('/restream-test/stream-keys/dest-1')).toMatchObject({ type: 'SecureString', keyId: KMS_KEY });

    await engine.stopRelay(relay.id);
    expect(await engine.describeRelay(relay.id)).toMatchObject({ state: 'stopping' });
    sim.settle();
    expect(await engine.describeRelay(relay.id)).toBeUndefined();
    expect(await engine.listRelays()).toEqual([]);

    await engine.deleteSource(td);
    expect(sim.parameters.size).toBe(0);
  });

  it('re-attaches without a request: the container re-reads the same playback URL by itself', async () => {
    const { sim, engine } = setup();
    const spec = channelSpec();
    const relay = await engine.createRelay(spec, await engine.createSource(spec));
    sim.requests.length = 0;
    await engine.reattachSource(relay.id, 'st-new');
    expect(sim.requests).toEqual([]);
    expect(RELAY_SCRIPT).toContain('-rw_timeout 10000000');
  });

  it('starts once for a repeated create (clientToken)', async () => {
    const { sim, engine } = setup();
    const spec = channelSpec();
    const td = await engine.createSource(spec);
    const first = await engine.createRelay(spec, td);
    const again = await engine.createRelay(spec, td);
    expect(again.id).toBe(first.id);
    expect(sim.tasks.size).toBe(1);
  });

  it('reports no Fargate capacity as retryable, and the retry starts the task', async () => {
    const { sim, engine } = setup();
    const spec = channelSpec();
    const td = await engine.createSource(spec);
    sim.failRunTask();
    await expect(engine.createRelay(spec, td)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect((await engine.createRelay(spec, td)).state).toBe('starting');
  });

  it('a task that stopped by itself is absent, and the next generation runs a new one', async () => {
    const { sim, engine } = setup();
    const spec = channelSpec();
    const td = await engine.createSource(spec);
    const relay = await engine.createRelay(spec, td);
    sim.settle();
    sim.exitTask(relay.id);
    sim.settle();
    expect(await engine.describeRelay(relay.id)).toBeUndefined();
    const next = await engine.createRelay(channelSpec({ requestId: 'dest-1-g1-r1' }), td);
    expect(next.id).not.toBe(relay.id);
  });

  it('lists every task of the project in pages, describing at most 100 at a time', async () => {
    const { sim, engine } = setup();
    const specs = Array.from({ length: 230 }, (_, i) => channelSpec({ destinationId: `d${i}` }));
    for (const spec of specs) await engine.createRelay(spec, await engine.createSource(spec));
    const other = new EcsRelayEngine(sim.ecs, sim.ssm, SETTINGS, 'someone-else', KMS_KEY);
    const foreign = channelSpec({ projectName: 'someone-else', destinationId: 'x' });
    await other.createRelay(foreign, await other.createSource(foreign));
    sim.requests.length = 0;

    const relays = await engine.listRelays();
    expect(relays).toHaveLength(230);
    const describes = sim.requests.filter((r) => r.operation === 'DescribeTasks');
    expect(describes.map((r) => (r.input.tasks as string[]).length)).toEqual([100, 100, 31]);
    expect(describes.every((r) => (r.input.tasks as string[]).length <= DESCRIBE_TASKS_MAX)).toBe(true);
    expect(sim.requests.filter((r) => r.operation === 'ListTasks')).toHaveLength(3);

    const sources = await engine.listSources();
    expect(sources).toHaveLength(230);
    expect(sources.every((s) => s.attachedTo.length === 1)).toBe(true);
  });

  it('keeps the stream key out of every request but the PutParameter, and out of every answer', async () => {
    const { sim, engine } = setup();
    const spec = channelSpec({ streamKey: 'live_424242_SECRETsecretSECRET' });
    const td = await engine.createSource(spec);
    const relay = await engine.createRelay(spec, td);
    sim.settle();
    const answers = [await engine.describeRelay(relay.id), await engine.listRelays(), await engine.listSources()];
    sim.failRunTask();
    const error: unknown = await engine
      .createRelay(channelSpec({ streamKey: spec.streamKey, requestId: 'other' }), td)
      .catch((e: unknown) => e);
    await engine.stopRelay(relay.id);
    sim.settle();
    await engine.deleteSource(td);

    const carrying = sim.requests.filter((r) => JSON.stringify(r.input).includes(spec.streamKey));
    expect(carrying.map((r) => `${r.service} ${r.operation} ${String(r.input.Type)}`)).toEqual(['SSM PutParameter SecureString']);
    expect(JSON.stringify(answers)).not.toContain(spec.streamKey);
    expect(String(error)).not.toContain(spec.streamKey);
  });
});

describe('the relay script', () => {
  it('masks the key in ffmpeg output and restarts ffmpeg with a growing delay', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'relay-script-'));
    // A stand-in ffmpeg that fails at once naming its output URL, as the real one does.
    await writeFile(join(bin, 'ffmpeg'), '#!/bin/sh\nfor a; do last=$a; done\necho "[flv] $last: Input/output error"\nexit 1\n');
    await chmod(join(bin, 'ffmpeg'), 0o755);
    const run = await execa('sh', ['-c', RELAY_SCRIPT], {
      env: {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        SOURCE_URL: 'http://127.0.0.1:9/x.m3u8',
        RTMP_URL: 'rtmp://sink/live',
        STREAM_KEY: 'k3y-s3cret',
      },
      timeout: 4_000,
      reject: false,
    });
    expect(run.stdout).not.toContain('k3y-s3cret');
    expect(run.stdout).toContain('rtmp://sink/live/****: Input/output error');
    expect(run.stdout).toMatch(/starting again in 1s[\s\S]*starting again in 2s/);
    expect(RELAY_SCRIPT).not.toContain('k3y');
  });
});

describe('relay settings from the environment', () => {
  const BASE = {
    DESTINATIONS_TABLE: 'acme-destinations',
    STREAM_STATE_TABLE: 'acme-stream-state',
    DESTINATION_EVENTS_TABLE: 'acme-destination-events',
    MEDIALIVE_ROLE_ARN: 'arn:aws:iam::123456789012:role/acme-medialive',
    PROJECT_NAME: 'acme',
    STREAM_KEY_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/1234',
    WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/acme-reconcile',
  };

  it('offers no pass-through without RELAY_CLUSTER_ARN', () => {
    expect(relaySettings(readEnvironment(BASE))).toBeUndefined();
  });

  it('names every missing RELAY_* variable when the cluster is set', () => {
    // The API gets RELAY_CLUSTER_ARN alone (pass-through offered); the monitor needs the rest.
    const apiEnvironment = readEnvironment({ ...BASE, RELAY_CLUSTER_ARN: SETTINGS.clusterArn });
    expect(() => relaySettings(apiEnvironment)).toThrow(
      /RELAY_SUBNET_IDS: is required when RELAY_CLUSTER_ARN is set.*RELAY_LOG_GROUP_NAME: is required/,
    );
  });

  it('reads a complete set', () => {
    const env = readEnvironment({
      ...BASE,
      RELAY_CLUSTER_ARN: SETTINGS.clusterArn,
      RELAY_SUBNET_IDS: SETTINGS.subnetIds.join(','),
      RELAY_SECURITY_GROUP_IDS: 'sg-0123abcd',
      RELAY_IMAGE: SETTINGS.image,
      RELAY_EXECUTION_ROLE_ARN: SETTINGS.executionRoleArn,
      RELAY_TASK_ROLE_ARN: SETTINGS.taskRoleArn,
      RELAY_LOG_GROUP_NAME: SETTINGS.logGroupName,
    });
    expect(relaySettings(env)).toEqual(SETTINGS);
  });
});
