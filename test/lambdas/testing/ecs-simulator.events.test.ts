import { describe, expect, it } from '@jest/globals';
import { RegisterTaskDefinitionCommand, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { EcsSimulator } from '../../../lambdas/testing/ecs-simulator';
import type { EcsTaskStateChangeEvent } from '../../../lambdas/adapters/ecs/task-events';

async function runTask(sim: EcsSimulator): Promise<string> {
  const ecs = sim.ecs as unknown as Pick<ECSClient, 'send'>;
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({ family: 'test-relay-d-1', containerDefinitions: [{ name: 'relay', image: 'ffmpeg' }] }),
  );
  const run = await ecs.send(
    new RunTaskCommand({
      cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/test-relays',
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      startedBy: 'ivs-restreaming',
    }),
  );
  return run.tasks?.[0]?.taskArn as string;
}

describe('EcsSimulator task state change events', () => {
  it('announces every lastStatus and desiredStatus change once, in the shape EventBridge delivers', async () => {
    const sim = new EcsSimulator();
    sim.now = () => new Date('2026-03-01T10:00:00.000Z');
    const events: EcsTaskStateChangeEvent[] = [];
    sim.onTaskStateChange((e) => events.push(e));

    const taskArn = await runTask(sim);
    sim.settle();
    sim.tick();
    sim.exitTask(taskArn);
    sim.settle();

    expect(events.map((e) => `${e.detail.lastStatus}/${e.detail.desiredStatus}`)).toEqual([
      'PROVISIONING/RUNNING',
      'PENDING/RUNNING',
      'ACTIVATING/RUNNING',
      'RUNNING/RUNNING',
      'DEACTIVATING/STOPPED',
      'STOPPING/STOPPED',
      'DEPROVISIONING/STOPPED',
      'STOPPED/STOPPED',
    ]);
    expect(events.map((e) => e.detail.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events[3]).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '123456789012',
      time: '2026-03-01T10:00:00.000Z',
      region: 'us-east-1',
      resources: [taskArn],
      detail: {
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/test-relays',
        taskArn,
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/test-relay-d-1:1',
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        startedBy: 'ivs-restreaming',
        group: 'family:test-relay-d-1',
        version: 4,
        updatedAt: '2026-03-01T10:00:00.000Z',
      },
    });
    expect(events.at(-1)?.detail).toMatchObject({ stopCode: 'EssentialContainerExited' });
  });
});
