import { beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteParametersCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ECSClient, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { runTeardown, runtimeTeardownEngines, type TeardownEngine } from '../../../scripts/deploy/teardown';
import { relayTeardown } from '../../../scripts/deploy/teardown-relays';
import { FakeRelays } from '../../support/fake-relays-sdk';
import { MediaLiveClient, ListChannelsCommand, ListInputsCommand } from '@aws-sdk/client-medialive';

const ecsMock = mockClient(ECSClient);
const ssmMock = mockClient(SSMClient);
const ecs = new ECSClient({ region: 'eu-central-1' });
const ssm = new SSMClient({ region: 'eu-central-1' });

let fake: FakeRelays;
let now: number;
let progress: string[];

/** The engine with a clock that moves only when it sleeps. */
const engine = (timeoutMs = 60_000, pollMs = 5_000): TeardownEngine =>
  relayTeardown({
    projectName: 'ivs-test',
    region: 'eu-central-1',
    ecs,
    ssm,
    timeoutMs,
    pollMs,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });

beforeEach(() => {
  ecsMock.reset();
  ssmMock.reset();
  fake = new FakeRelays();
  fake.install(ecsMock, ssmMock);
  fake.clusters.add('ivs-test-relays');
  now = 0;
  progress = [];
});

describe('relay teardown', () => {
  it('stops every running relay task of the project, waits until each is STOPPED, and lists tasks 100 at a time', async () => {
    const tasks = ['d-1', 'd-2', 'd-3', 'd-4'].map((d) => fake.addTask('ivs-test', d));
    const provisioning = fake.addTask('ivs-test', 'd-5', 'PROVISIONING');

    const report = await engine().teardown((m) => progress.push(m));

    expect(fake.log).toEqual([...tasks, provisioning].map((arn) => `StopTask ${arn}`));
    expect(fake.remaining()).toEqual([]);
    expect(report.leftovers).toEqual([]);
    expect(report.removed).toHaveLength(5);
    expect(report.removed[0]).toMatch(/^ECS task [0-9a-f]{32} \(destination d-1\)$/);
    // Paged (three per page in the fake) and each call with maxResults set.
    const listings = ecsMock.commandCalls(ListTasksCommand).map((c) => c.args[0].input);
    expect(listings.filter((i) => i.startedBy === 'ivs-restreaming').length).toBeGreaterThan(1);
    for (const input of listings) expect(input).toMatchObject({ cluster: 'ivs-test-relays', maxResults: 100 });
    expect(progress[0]).toBe('5 task(s), 0 task definition(s) and 0 stream-key parameter(s) to remove');
    expect(progress).toContainEqual(expect.stringMatching(/^waiting \(\d+ s\): 5 task DEACTIVATING$/));
  });

  it('waits for a task that is already stopping by itself without stopping it again', async () => {
    const exiting = fake.addTask('ivs-test', 'd-1', 'DEACTIVATING', { desiredStatus: 'STOPPED' });

    const report = await engine().teardown((m) => progress.push(m));

    expect(ecsMock).not.toHaveReceivedCommand(StopTaskCommand);
    expect(fake.remaining()).toEqual([]);
    expect(report.removed).toEqual([expect.stringContaining(exiting.slice(-32))]);
  });

  it('leaves tasks of another project and tasks another caller started on the cluster alone', async () => {
    const ours = fake.addTask('ivs-test', 'd-1');
    const otherProject = fake.addTask('other', 'd-2', 'RUNNING', { cluster: 'ivs-test-relays' });
    const otherCaller = fake.addTask('ivs-test', 'd-3', 'RUNNING', { startedBy: 'someone' });
    const otherCluster = fake.addTask('other', 'd-4');

    const report = await engine().teardown((m) => progress.push(m));

    expect(fake.log).toEqual([`StopTask ${ours}`]);
    expect(fake.remaining()).toEqual([`task ${otherProject} RUNNING`, `task ${otherCaller} RUNNING`, `task ${otherCluster} RUNNING`]);
    expect(report.leftovers).toEqual([]);
  });

  it('deletes 25 stream-key parameters in three DeleteParameters calls of at most ten names, never decrypting them', async () => {
    for (let i = 0; i < 25; i++) fake.addParameter('ivs-test', `d-${i}`);
    const others = [fake.addParameter('other', 'd-1'), fake.addParameter('ivs-test-2', 'd-1')];

    const report = await engine().teardown((m) => progress.push(m));

    const calls = ssmMock.commandCalls(DeleteParametersCommand).map((c) => c.args[0].input.Names ?? []);
    expect(calls.map((names) => names.length)).toEqual([10, 10, 5]);
    expect(new Set(calls.flat()).size).toBe(25);
    expect(fake.remaining()).toEqual(others.map((name) => `parameter ${name}`));
    expect(report.removed).toHaveLength(25);
    expect(report.removed).toContain('SSM parameter /ivs-test/stream-keys/d-7');
    for (const call of ssmMock.commandCalls(GetParametersByPathCommand)) {
      expect(call.args[0].input).toMatchObject({ Path: '/ivs-test/stream-keys', WithDecryption: false, MaxResults: 10 });
    }
    expect(JSON.stringify(report)).not.toContain('secret-key');
    expect(progress.join('\n')).not.toContain('secret-key');
  });

  it('deregisters the project’s relay task definitions (Terraform registers none) and no other project’s', async () => {
    const ours = [
      fake.addTaskDefinition('ivs-test', 'd-1'),
      fake.addTaskDefinition('ivs-test', 'd-1'),
      fake.addTaskDefinition('ivs-test', 'd-2'),
    ];
    // A project named "ivs-test-relay-x" has families that start with "ivs-test-relay-" too.
    const longer = fake.addTaskDefinition('ivs-test-relay-x', 'd-1');
    const unrelated = fake.addTaskDefinition('other', 'd-1');

    const report = await engine().teardown((m) => progress.push(m));

    expect(fake.log).toEqual(ours.map((arn) => `DeregisterTaskDefinition ${arn}`));
    expect(fake.remaining()).toEqual([`task definition ${longer}`, `task definition ${unrelated}`]);
    expect(report.removed).toContain('ECS task definition ivs-test-relay-d-1:2');
  });

  it('finds nothing and says so when the deployment has no relay cluster', async () => {
    fake.clusters.clear();

    const report = await engine().teardown((m) => progress.push(m));

    expect(report).toEqual({ removed: [], leftovers: [] });
    expect(progress).toEqual(['nothing of ivs-test: no relay task, task definition or stream-key parameter']);
  });

  it('names what is left and the command that removes it by hand when a call is refused, and still removes the rest', async () => {
    const denied = fake.addTask('ivs-test', 'd-1');
    const stopped = fake.addTask('ivs-test', 'd-2');
    fake.denied.add(`StopTask ${denied}`);
    for (let i = 0; i < 12; i++) fake.addParameter('ivs-test', `d-${i}`);
    const definition = fake.addTaskDefinition('ivs-test', 'd-1');
    fake.denied.add(`DeregisterTaskDefinition ${definition}`);
    fake.denied.add('DeleteParameters');

    const report = await engine().teardown((m) => progress.push(m));

    expect(fake.log).toEqual([`StopTask ${stopped}`]);
    expect(report.removed).toEqual([expect.stringContaining(stopped.slice(-32))]);
    expect(report.leftovers).toHaveLength(1 + 1 + 12);
    expect(report.leftovers[0]).toEqual({
      resource: `ECS task ${denied.slice(-32)} (destination d-1)`,
      reason: expect.stringContaining(
        `not authorized to perform: ecs:StopTask; run the same command again, or stop it by hand: aws ecs stop-task --region eu-central-1 --cluster ivs-test-relays --task ${denied}`,
      ),
    });
    expect(report.leftovers[1]).toEqual({
      resource: 'ECS task definition ivs-test-relay-d-1:1',
      reason: expect.stringContaining(
        `deregister it by hand: aws ecs deregister-task-definition --region eu-central-1 --task-definition ${definition}`,
      ),
    });
    expect(report.leftovers).toContainEqual({
      resource: 'SSM parameter /ivs-test/stream-keys/d-11',
      reason: expect.stringContaining(
        'delete it by hand: aws ssm delete-parameters --region eu-central-1 --names /ivs-test/stream-keys/d-11',
      ),
    });
    expect(progress.at(-1)).toBe('1 removed, 14 left');
  });

  it('gives up on a task that does not stop within the timeout and names its state', async () => {
    const arn = fake.addTask('ivs-test', 'd-1');
    fake.stuck.add(arn);

    const report = await engine(30_000, 10_000).teardown((m) => progress.push(m));

    expect(report.leftovers).toEqual([
      {
        resource: `ECS task ${arn.slice(-32)} (destination d-1)`,
        reason: `still RUNNING after 1 min; run the same command again, or stop it by hand: aws ecs stop-task --region eu-central-1 --cluster ivs-test-relays --task ${arn}`,
      },
    ]);
    expect(now).toBeLessThanOrEqual(30_000);
  });
});

describe('runtimeTeardownEngines', () => {
  it('runs the relay teardown after MediaLive’s, so a destroy removes both', async () => {
    const mediaLiveMock = mockClient(MediaLiveClient);
    mediaLiveMock.on(ListChannelsCommand).resolves({ Channels: [] });
    mediaLiveMock.on(ListInputsCommand).resolves({ Inputs: [] });
    const task = fake.addTask('ivs-test', 'd-1');
    fake.addParameter('ivs-test', 'd-1');
    const engines = runtimeTeardownEngines({
      projectName: 'ivs-test',
      region: 'eu-central-1',
      medialive: new MediaLiveClient({ region: 'eu-central-1' }),
      ecs,
      ssm,
      timeoutMs: 60_000,
      pollMs: 1_000,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });

    const report = await runTeardown(engines, (m) => progress.push(m));

    expect(engines.map((e) => e.name)).toEqual(['MediaLive', 'ECS relays']);
    expect(report.removed).toEqual([expect.stringContaining(task.slice(-32)), 'SSM parameter /ivs-test/stream-keys/d-1']);
    expect(progress).toContain('ECS relays: 1 task(s), 0 task definition(s) and 1 stream-key parameter(s) to remove');
    mediaLiveMock.restore();
  });
});
