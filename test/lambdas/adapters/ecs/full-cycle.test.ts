/**
 * A full pass-through cycle, twice: once through the use cases and the reconciler with the ECS
 * engine alone, once through the API and monitor handlers with both engines behind the router.
 * Create a destination, go live, a task that exits by itself is replaced, go offline, delete —
 * through the destination service (the API's use cases), the
 * reconciler and the ECS engine over dynalite and the ECS/SSM simulator. Every ECS and SSM
 * request, every log line and every service answer is captured: the stream key is in none of them
 * except the SecureString PutParameter that stores it.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { DynamoDestinationRepository } from '../../../../lambdas/adapters/dynamodb/destination-repository';
import { DynamoDestinationEventLog } from '../../../../lambdas/adapters/dynamodb/destination-event-log';
import { DynamoStreamStateRepository } from '../../../../lambdas/adapters/dynamodb/stream-state-repository';
import { EcsRelayEngine } from '../../../../lambdas/adapters/ecs/relay-engine';
import type { RelaySettings } from '../../../../lambdas/adapters/ecs/requests';
import { LocalStreamKeyCipher } from '../../../../lambdas/adapters/local-stream-key-cipher';
import { RestreamingDestinationService } from '../../../../lambdas/core/destination-service';
import type { Log } from '../../../../lambdas/core/ports';
import { DEFAULT_RECONCILER_CONFIG, Reconciler } from '../../../../lambdas/core/reconciler';
import { EcsSimulator } from '../../../../lambdas/testing/ecs-simulator';
import { ManualClock } from '../../../../lambdas/testing/manual-clock';
import { MemoryWorkQueue } from '../../../../lambdas/testing/memory-work-queue';
import { AwsSimulator } from '../../../../lambdas/testing/simulator';
import { ECS_MODEL, SSM_MODEL } from '../../../support/aws-api-model';
import { startDynalite, type Dynalite } from '../../../support/dynalite';
import { alertsWithoutChannels } from '../../../support/alerts';
import { CHANNEL_A, startSystem } from '../../../support/system';

const A = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';
const KEY = 'live_777_PassThroughSecretKey';
const SETTINGS: RelaySettings = {
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/p-relays',
  subnetIds: ['subnet-0a1b2c3d'],
  securityGroupIds: ['sg-0123abcd'],
  assignPublicIp: true,
  image: 'lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76',
  executionRoleArn: 'arn:aws:iam::123456789012:role/p-relay-execution',
  taskRoleArn: 'arn:aws:iam::123456789012:role/p-relay-task',
  logGroupName: '/p/relays',
  cpu: '256',
  memory: '512',
};

let db: Dynalite;
afterEach(async () => db.stop());
beforeEach(async () => {
  db = await startDynalite();
});

it('runs, replaces and stops a pass-through relay without the stream key leaving the PutParameter', async () => {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const aws = new AwsSimulator({ clock, projectName: 'p' });
  aws.addIvsChannel(A);
  const ecs = new EcsSimulator();
  ecs.onRequest = (service, operation, input) => (service === 'ECS' ? ECS_MODEL : SSM_MODEL).validate(operation, input);
  const lines: unknown[] = [];
  const log: Log = {
    debug: (m, a) => lines.push([m, a]),
    info: (m, a) => lines.push([m, a]),
    warn: (m, a) => lines.push([m, a]),
    error: (m, a) => lines.push([m, a]),
  };
  const destinations = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  const streamStates = new DynamoStreamStateRepository(db.doc, db.tables.streamState);
  const events = new DynamoDestinationEventLog(db.doc, db.tables.events, clock);
  const metrics = { destinationFailed: () => undefined, auxiliaryReadFailed: () => undefined };
  const cipher = new LocalStreamKeyCipher(randomBytes(32));
  const queue = new MemoryWorkQueue(clock);
  const service = new RestreamingDestinationService({
    destinations,
    streamStates,
    events,
    metrics,
    cipher,
    queue,
    streams: aws.ivs,
    channels: aws.ivs,
    graceSeconds: 120,
    clock,
    ids: { newId: () => 'd1' },
    log,
    trackedChannelArns: [A],
  });
  const reconciler = new Reconciler(
    {
      destinations,
      streamStates,
      events,
      alerts: alertsWithoutChannels(db, clock, log),
      streams: aws.ivs,
      engine: new EcsRelayEngine(ecs.ecs, ecs.ssm, SETTINGS, 'p', 'arn:aws:kms:us-east-1:123456789012:key/abc'),
      queue,
      cipher,
      clock,
      log,
      metrics,
      sleep: async (ms) => {
        ecs.tick();
        clock.advance(ms);
      },
      ownerId: () => 'r1',
    },
    {
      ...DEFAULT_RECONCILER_CONFIG,
      projectName: 'p',
      mediaLiveRoleArn: 'arn:aws:iam::123456789012:role/x',
      graceSeconds: 120,
      trackedChannelArns: [A],
    },
  );
  const answers: unknown[] = [];
  const round = async (): Promise<void> => {
    clock.advance(60_000);
    ecs.settle();
    answers.push(await reconciler.reconcile({ kind: 'all' }), await service.list());
  };

  answers.push(await service.create({ platform: 'twitch', name: 'Twitch', streamKey: KEY, rtmpUrl: 'rtmps://live.twitch.tv:443/app' }));
  aws.goLive(A);
  for (let i = 0; i < 3; i++) await round();
  const [first] = [...ecs.tasks.values()].filter((t) => t.lastStatus === 'RUNNING');
  expect(first?.resolvedEnvironment?.STREAM_KEY).toBe(KEY);
  expect((await service.get('d1')).status).toBe('active');

  // The container exits by itself while the stream is live: a new task takes over.
  ecs.exitTask(first!.taskArn!);
  for (let i = 0; i < 3; i++) await round();
  const running = [...ecs.tasks.values()].filter((t) => t.lastStatus === 'RUNNING');
  expect(running).toHaveLength(1);
  expect(running[0]!.taskArn).not.toBe(first!.taskArn);

  // Offline past the grace period: the task stops. Then the destination is deleted.
  aws.goOffline(A);
  clock.advance(130_000);
  for (let i = 0; i < 3; i++) await round();
  ecs.settle();
  expect([...ecs.tasks.values()].every((t) => t.lastStatus === 'STOPPED')).toBe(true);
  answers.push(await service.remove('d1'));
  for (let i = 0; i < 4; i++) await round();
  answers.push(await service.remove('d1').catch((e: unknown) => String(e)));
  expect(ecs.parameters.size).toBe(0);
  expect(ecs.taskDefinitions.every((d) => d.status === 'INACTIVE')).toBe(true);

  const carrying = ecs.requests.filter((r) => JSON.stringify(r.input).includes(KEY));
  expect(carrying.length).toBeGreaterThan(0);
  expect(carrying.every((r) => r.service === 'SSM' && r.operation === 'PutParameter' && r.input.Type === 'SecureString')).toBe(true);
  expect(JSON.stringify(lines)).not.toContain(KEY);
  expect(JSON.stringify(answers)).not.toContain(KEY);
  expect(ecs.requests.map((r) => r.operation)).toEqual(
    expect.arrayContaining(['RunTask', 'StopTask', 'DescribeTasks', 'ListTasks', 'DeleteParameter']),
  );
});

it('runs the same cycle through the API and monitor handlers in mode passthrough, the key only in the PutParameter', async () => {
  const system = await startSystem({ passthrough: true, defaultMode: 'passthrough', graceSeconds: 120 });
  try {
    const answers: unknown[] = [];
    const call = async (method: string, path: string, body?: unknown) => {
      const answer = await system.api(method, path, body);
      answers.push(answer.headers, answer.body);
      return answer;
    };
    const created = await call('POST', '/stream-destinations', {
      platform: 'twitch',
      name: 'Twitch',
      streamKey: KEY,
      rtmpUrl: 'rtmps://live.twitch.tv:443/app',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json.mode).toBe('passthrough');
    const id = created.json.id as string;
    system.sim.goLive(CHANNEL_A);
    for (let i = 0; i < 6; i++) await system.tick();
    expect((await call('GET', `/stream-destinations/${id}`)).json).toMatchObject({ status: 'active', mediaLiveChannelId: null });
    const [first] = [...system.ecs.tasks.values()].filter((t) => t.lastStatus === 'RUNNING');
    expect(first?.resolvedEnvironment?.STREAM_KEY).toBe(KEY);

    // The container exits by itself while live: a new task takes over.
    system.ecs.exitTask(first!.taskArn!);
    for (let i = 0; i < 8; i++) await system.tick();
    const running = [...system.ecs.tasks.values()].filter((t) => t.lastStatus === 'RUNNING');
    expect(running).toHaveLength(1);
    expect(running[0]!.taskArn).not.toBe(first!.taskArn);
    expect((await call('GET', `/stream-destinations/${id}`)).json.status).toBe('active');

    // A key change reaches the task through a new parameter value, again only in PutParameter.
    await call('PUT', `/stream-destinations/${id}`, { streamKey: `${KEY}-2` });
    for (let i = 0; i < 8; i++) await system.tick();
    expect([...system.ecs.tasks.values()].find((t) => t.lastStatus === 'RUNNING')?.resolvedEnvironment?.STREAM_KEY).toBe(`${KEY}-2`);

    system.sim.goOffline(CHANNEL_A);
    for (let i = 0; i < 20; i++) await system.tick();
    expect([...system.ecs.tasks.values()].every((t) => t.lastStatus === 'STOPPED')).toBe(true);
    await call('DELETE', `/stream-destinations/${id}`);
    for (let i = 0; i < 6; i++) await system.tick();
    expect((await call('GET', `/stream-destinations/${id}`)).statusCode).toBe(404);
    expect(system.ecs.parameters.size).toBe(0);
    expect(system.ecs.taskDefinitions.every((d) => d.status === 'INACTIVE')).toBe(true);
    expect(system.sim.channels({ includeDeleted: true })).toEqual([]);

    const carrying = system.ecs.requests.filter((r) => JSON.stringify(r.input).includes(KEY));
    // One per task definition made (create, the replacement's new generation, the key change).
    expect(carrying.length).toBeGreaterThanOrEqual(2);
    expect(new Set(carrying.map((r) => `${r.service} ${r.operation} ${String(r.input.Type)}`))).toEqual(
      new Set(['SSM PutParameter SecureString']),
    );
    expect(JSON.stringify(system.logs)).not.toContain(KEY);
    expect(JSON.stringify(answers)).not.toContain(KEY);
    expect(system.ecs.requests.map((r) => r.operation)).toEqual(
      expect.arrayContaining([
        'RegisterTaskDefinition',
        'RunTask',
        'StopTask',
        'DescribeTasks',
        'ListTasks',
        'DeregisterTaskDefinition',
        'DeleteParameter',
      ]),
    );
  } finally {
    await system.stop();
  }
}, 60_000);
