/**
 * The router in front of both relay engines, over the real engines: MediaLive on the simulator,
 * ECS on the ECS/SSM simulator. Creates go by mode, everything else by the id it handed out.
 */
import { describe, expect, it } from '@jest/globals';
import { EcsRelayEngine } from '../../../lambdas/adapters/ecs/relay-engine';
import { MediaLiveRelayEngine } from '../../../lambdas/adapters/medialive/relay-engine';
import { InvalidConfigurationError, ResourceNotFoundError } from '../../../lambdas/core/errors';
import type { RelayEngine } from '../../../lambdas/core/relay';
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

/** An engine that passes every call to `full`, under another name, and that cannot re-attach (an optional call of the port). */
function delegate(full: RelayEngine, name = full.name): RelayEngine {
  return {
    name,
    timings: full.timings,
    listRelays: () => full.listRelays(),
    describeRelay: (id) => full.describeRelay(id),
    listSources: () => full.listSources(),
    createSource: (s) => full.createSource(s),
    createRelay: (s, id) => full.createRelay(s, id),
    startRelay: (id) => full.startRelay(id),
    stopRelay: (id) => full.stopRelay(id),
    deleteRelay: (id) => full.deleteRelay(id),
    deleteSource: (id) => full.deleteSource(id),
  };
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

  it('refuses a pass-through engine whose name cannot be told apart in a qualified id', () => {
    const { aws } = setup();
    const medialive = new MediaLiveRelayEngine(aws.medialive, PROJECT);
    const named = (name: string): RelayEngine => delegate(new MediaLiveRelayEngine(aws.medialive, PROJECT), name);
    expect(() => new RelayRouter({ transcode: medialive, passthrough: named('ecs:v2') })).toThrow(
      /name of its own without ":", got ecs:v2/,
    );
    expect(() => new RelayRouter({ transcode: medialive, passthrough: named('medialive') })).toThrow(/name of its own/);
    expect(new RelayRouter({ transcode: medialive, passthrough: named('ecs') }).name).toBe('medialive+ecs');
  });

  it('creates relays for both modes when the pass-through engine is deployed, and names both engines', () => {
    const { router } = setup();
    expect([...router.modes].sort()).toEqual(['passthrough', 'transcode']);
    expect(router.name).toBe('medialive+ecs');
    expect(setup({ passthrough: false }).router.name).toBe('medialive');
  });

  it('deletes relays and sources on the engine that owns each id', async () => {
    const { clock, aws, ecs, router } = setup();
    const ecsSpec = channelSpec({ projectName: PROJECT, mode: 'passthrough', destinationId: 'p' });
    const mlSpec = channelSpec({ projectName: PROJECT, mode: 'transcode', destinationId: 't' });
    const task = await router.createRelay(ecsSpec, await router.createSource(ecsSpec));
    const channel = await router.createRelay(mlSpec, await router.createSource(mlSpec));
    ecs.settle();
    clock.advance(60_000); // the channel is created (IDLE)

    await router.deleteRelay(task.id);
    await router.deleteRelay(channel.id);
    expect(aws.calls['medialive:DeleteChannel']).toBe(1);
    expect([...ecs.tasks.values()].map((t) => t.desiredStatus)).toEqual(['STOPPED']);

    await router.deleteSource(task.sourceIds[0]!);
    expect(ecs.taskDefinitions.map((d) => d.status)).toEqual(['INACTIVE']);
    expect(aws.calls['medialive:DeleteInput'] ?? 0).toBe(0);
  });

  it('answers a relay its engine no longer knows with nothing, whichever engine owns it', async () => {
    const { router } = setup();
    await expect(router.describeRelay('ecs:arn:aws:ecs:us-east-1:000000000000:task/c/gone')).resolves.toBeUndefined();
  });

  it('re-attaches a MediaLive relay to the returned stream, and lets an engine that cannot re-attach skip it', async () => {
    const { aws, router } = setup();
    const spec = channelSpec({ projectName: PROJECT, mode: 'transcode' });
    const relay = await router.createRelay(spec, await router.createSource(spec));
    await router.reattachSource(relay.id, 'st-2');
    expect(aws.calls['medialive:BatchUpdateSchedule']).toBe(1);

    const withoutReattach = delegate(new MediaLiveRelayEngine(aws.medialive, PROJECT));
    await expect(new RelayRouter({ transcode: withoutReattach }).reattachSource(relay.id, 'st-3')).resolves.toBeUndefined();
    expect(aws.calls['medialive:BatchUpdateSchedule']).toBe(1);
  });

  it.each([
    ['an engine this deployment does not run', 'k8s:pod/abc', /engine "k8s", which this deployment does not run.*enableRelays: true/],
    ['an empty engine name', ':1234567', /engine "", which this deployment does not run/],
  ])('refuses an id of %s, naming it and the fix, instead of sending it to another engine', async (_what, id, message) => {
    const { aws, ecs, router } = setup();
    await expect(router.stopRelay(id)).rejects.toThrow(InvalidConfigurationError);
    await expect(router.deleteSource(id)).rejects.toThrow(message);
    expect(Object.keys(aws.calls).filter((c) => c.startsWith('medialive:'))).toEqual([]);
    expect(ecs.tasks.size).toBe(0);
  });

  it('says which source belongs to the other engine', async () => {
    const { router } = setup();
    const input = await router.createSource(channelSpec({ projectName: PROJECT, mode: 'transcode' }));
    await expect(router.createRelay(channelSpec({ projectName: PROJECT, mode: 'passthrough' }), input)).rejects.toThrow(
      `Source ${input} belongs to another engine than mode passthrough.`,
    );
  });

  it("names the engine whose listing failed and keeps its error as the cause, for the operator's log", async () => {
    const { aws, router } = setup();
    aws.setFaults({ rate: 1, kinds: ['unavailable'] });
    const error = (await router.listSources().then(
      () => undefined,
      (e: unknown) => e,
    )) as PartialListingError<unknown>;
    expect(error).toBeInstanceOf(PartialListingError);
    expect(error.message).toBe('Listing relays of medialive failed; the other engines were listed.');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).toBe(error.failed[0]!.error);
  });

  it('lists only MediaLive in a deployment without pass-through relays', async () => {
    const { router } = setup({ passthrough: false });
    const spec = channelSpec({ projectName: PROJECT, mode: 'transcode' });
    const relay = await router.createRelay(spec, await router.createSource(spec));
    expect((await router.listRelays()).map((r) => r.id)).toEqual([relay.id]);
    expect((await router.listSources()).map((s) => s.id)).toEqual(relay.sourceIds);
  });
});
