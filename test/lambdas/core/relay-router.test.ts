/**
 * The router in front of both relay engines, over the real engines: MediaLive on the simulator,
 * ECS on the ECS/SSM simulator. Creates go by mode, everything else by the id it handed out.
 */
import { describe, expect, it } from '@jest/globals';
import { EcsRelayEngine } from '../../../lambdas/adapters/ecs/relay-engine';
import { MediaLiveRelayEngine } from '../../../lambdas/adapters/medialive/relay-engine';
import { InvalidConfigurationError, ResourceNotFoundError } from '../../../lambdas/core/errors';
import { PartialListingError, RelayRouter } from '../../../lambdas/core/relay-router';
import { EcsSimulator } from '../../../lambdas/testing/ecs-simulator';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import { AwsSimulator } from '../../../lambdas/testing/simulator';
import { SIMULATED_RELAY_SETTINGS } from '../../../lambdas/testing/simulated-dependencies';
import { channelSpec } from '../../support/channel-spec';

const PROJECT = 'restream-test';

function setup(options: { passthrough?: boolean } = {}) {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const aws = new AwsSimulator({ clock, projectName: PROJECT });
  const ecs = new EcsSimulator();
  const medialive = new MediaLiveRelayEngine(aws.medialive, PROJECT);
  const tasks = new EcsRelayEngine(ecs.ecs, ecs.ssm, SIMULATED_RELAY_SETTINGS, PROJECT, 'arn:aws:kms:us-east-1:000000000000:key/k');
  const router = new RelayRouter({ transcode: medialive, ...(options.passthrough === false ? {} : { passthrough: tasks }) });
  return { clock, aws, ecs, router };
}

describe('RelayRouter', () => {
  it('creates a transcode relay on MediaLive and records its ids bare, as items stored before modes do', async () => {
    const { aws, ecs, router } = setup();
    const spec = channelSpec({ projectName: PROJECT, mode: 'transcode' });
    const source = await router.createSource(spec);
    const relay = await router.createRelay(spec, source);
    expect(source).toMatch(/^\d+$/);
    expect(relay.id).toMatch(/^\d+$/);
    expect(relay.sourceIds).toEqual([source]);
    expect(aws.channels()).toHaveLength(1);
    expect(ecs.tasks.size).toBe(0);
    expect(router.engineOf(relay.id)).toBe('medialive');
  });

  it('creates a pass-through relay on ECS and records its ids qualified with the engine', async () => {
    const { aws, ecs, router } = setup();
    const spec = channelSpec({ projectName: PROJECT, mode: 'passthrough' });
    const source = await router.createSource(spec);
    const relay = await router.createRelay(spec, source);
    expect(source).toMatch(/^ecs:arn:aws:ecs:.*:task-definition\/restream-test-relay-dest-1:1$/);
    expect(relay.id).toMatch(/^ecs:arn:aws:ecs:.*:task\//);
    expect(relay.sourceIds).toEqual([source]);
    expect(relay.state).toBe('starting');
    expect(aws.channels()).toHaveLength(0);
    expect(ecs.tasks.size).toBe(1);
  });

  it('routes describe, stop and delete by the id, and lists both engines with their ids as recorded', async () => {
    const { clock, ecs, router } = setup();
    const live = await router.createRelay(
      channelSpec({ projectName: PROJECT, mode: 'passthrough', destinationId: 'p' }),
      await router.createSource(channelSpec({ projectName: PROJECT, mode: 'passthrough', destinationId: 'p' })),
    );
    const ml = await router.createRelay(
      channelSpec({ projectName: PROJECT, mode: 'transcode', destinationId: 't' }),
      await router.createSource(channelSpec({ projectName: PROJECT, mode: 'transcode', destinationId: 't' })),
    );
    ecs.settle();
    expect((await router.describeRelay(live.id))?.state).toBe('running');
    expect((await router.describeRelay(ml.id))?.id).toBe(ml.id);
    expect((await router.listRelays()).map((r) => r.id).sort()).toEqual([live.id, ml.id].sort());
    const sources = await router.listSources();
    expect(sources.find((s) => s.destinationId === 'p')).toMatchObject({ id: live.sourceIds[0], attachedTo: [live.id] });
    expect(sources.find((s) => s.destinationId === 't')).toMatchObject({ id: ml.sourceIds[0], attachedTo: [ml.id] });

    await router.stopRelay(live.id);
    expect((await router.describeRelay(live.id))?.state).toBe('stopping');
    clock.advance(60_000);
    await expect(router.startRelay(ml.id)).resolves.toBeUndefined();
    expect((await router.describeRelay(ml.id))?.state).toBe('starting');
  });

  it('refuses a pass-through create, and a relay recorded on ECS, in a deployment without relays', async () => {
    const { router } = setup({ passthrough: false });
    expect(router.modes).toEqual(['transcode']);
    await expect(router.createSource(channelSpec({ mode: 'passthrough' }))).rejects.toThrow(InvalidConfigurationError);
    await expect(router.createSource(channelSpec({ mode: 'passthrough' }))).rejects.toThrow(/enableRelays: true/);
    await expect(router.stopRelay('ecs:arn:aws:ecs:us-east-1:1:task/c/abc')).rejects.toThrow(InvalidConfigurationError);
  });

  it('takes a source of the other engine for missing, so the executor forgets it and makes a new one', async () => {
    const { router } = setup();
    const mediaLiveInput = await router.createSource(channelSpec({ projectName: PROJECT, mode: 'transcode' }));
    await expect(router.createRelay(channelSpec({ projectName: PROJECT, mode: 'passthrough' }), mediaLiveInput)).rejects.toThrow(
      ResourceNotFoundError,
    );
  });

  it("lists the other engine's relays when one engine's listing fails, and says which ids the listing covers", async () => {
    const { aws, ecs, router } = setup();
    const task = await router.createRelay(
      channelSpec({ projectName: PROJECT, mode: 'passthrough' }),
      await router.createSource(channelSpec({ projectName: PROJECT, mode: 'passthrough' })),
    );
    aws.setFaults({ rate: 1, kinds: ['unavailable'] });
    const error = await router.listRelays().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PartialListingError);
    const partial = error as PartialListingError<{ id: string }>;
    expect(partial.items.map((r) => r.id)).toEqual([task.id]);
    expect(partial.failed.map((f) => f.engine)).toEqual(['medialive']);
    expect(partial.covers(task.id)).toBe(true);
    expect(partial.covers('1234567')).toBe(false);

    // Both failing is no partial listing: the error itself.
    ecs.onRequest = () => {
      throw Object.assign(new Error('down'), { name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    };
    await expect(router.listRelays()).rejects.not.toBeInstanceOf(PartialListingError);
  });

  it('looks again no sooner than the slower engine needs', () => {
    const { router } = setup();
    expect(router.timings).toEqual({ provisionMs: 5_000, startMs: 60_000, stopMs: 30_000, deleteMs: 20_000 });
    expect(setup({ passthrough: false }).router.timings).toEqual({ provisionMs: 5_000, startMs: 60_000, stopMs: 30_000, deleteMs: 10_000 });
  });
});
