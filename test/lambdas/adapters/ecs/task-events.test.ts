import { describe, expect, it } from '@jest/globals';
import { destinationOfTaskEvent, type EcsTaskStateChangeDetail } from '../../../../lambdas/adapters/ecs/task-events';
import { scopeOf } from '../../../../lambdas/monitor/handler';

const CLUSTER = 'arn:aws:ecs:eu-central-1:111122223333:cluster/acme-relays';
const DESTINATION = '5f0c6d1e-8a4b-4c3e-9d2f-1a2b3c4d5e6f';

/**
 * An `ECS Task State Change` event of a relay task, in the shape of the example on
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html (fields the
 * monitor does not read shortened).
 */
const event = {
  version: '0',
  id: '3317b2af-7005-947d-b652-f55e762e571a',
  'detail-type': 'ECS Task State Change',
  source: 'aws.ecs',
  account: '111122223333',
  time: '2026-03-01T10:00:41Z',
  region: 'eu-central-1',
  resources: ['arn:aws:ecs:eu-central-1:111122223333:task/acme-relays/0cc43cdb3c0b4ac9a3f4c1d2e3f4a5b6'],
  detail: {
    attachments: [{ id: '1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8', type: 'eni', status: 'ATTACHED', details: [] }],
    availabilityZone: 'eu-central-1a',
    clusterArn: CLUSTER,
    containers: [{ name: 'relay', lastStatus: 'RUNNING' }],
    createdAt: '2026-03-01T10:00:02.436Z',
    launchType: 'FARGATE',
    cpu: '256',
    memory: '512',
    desiredStatus: 'RUNNING',
    group: `family:acme-relay-${DESTINATION}`,
    lastStatus: 'RUNNING',
    startedBy: 'ivs-restreaming',
    taskArn: 'arn:aws:ecs:eu-central-1:111122223333:task/acme-relays/0cc43cdb3c0b4ac9a3f4c1d2e3f4a5b6',
    taskDefinitionArn: `arn:aws:ecs:eu-central-1:111122223333:task-definition/acme-relay-${DESTINATION}:3`,
    updatedAt: '2026-03-01T10:00:41.123Z',
    version: 3,
  },
};
const relay = { projectName: 'acme', clusterArn: CLUSTER };
const detail = (changes: Partial<EcsTaskStateChangeDetail>) => ({ ...event.detail, ...changes });

describe('ECS task state change events', () => {
  it('become a task scope in the monitor, and other ECS events are ignored', () => {
    expect(scopeOf(event)).toEqual({
      kind: 'task',
      task: {
        clusterArn: CLUSTER,
        taskArn: event.detail.taskArn,
        taskDefinitionArn: event.detail.taskDefinitionArn,
        startedBy: 'ivs-restreaming',
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
      },
    });
    expect(scopeOf({ ...event, 'detail-type': 'ECS Container Instance State Change' })).toEqual({
      kind: 'ignore',
      why: 'not a task state change',
    });
  });

  it('name the destination of the project’s relay task from its task-definition family', () => {
    expect(destinationOfTaskEvent(event.detail, relay)).toEqual({ destinationId: DESTINATION });
    expect(destinationOfTaskEvent(detail({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }), relay)).toEqual({
      destinationId: DESTINATION,
    });
  });

  it('are ignored for tasks of another cluster, caller, family or project, and without relays', () => {
    const ignored = (d: EcsTaskStateChangeDetail | undefined, r = relay) => 'ignore' in destinationOfTaskEvent(d, r);
    expect(ignored(detail({ clusterArn: 'arn:aws:ecs:eu-central-1:111122223333:cluster/other' }))).toBe(true);
    expect(ignored(detail({ startedBy: 'ecs-svc/1234567890' }))).toBe(true);
    expect(ignored(detail({ taskDefinitionArn: 'arn:aws:ecs:eu-central-1:111122223333:task-definition/web:1' }))).toBe(true);
    // Project "acme" must not take the tasks of project "acme-relay-x" for its own.
    expect(destinationOfTaskEvent(event.detail, { projectName: 'acme-relay', clusterArn: CLUSTER })).toEqual({
      ignore: 'a task of another task-definition family',
    });
    expect(ignored(detail({ taskDefinitionArn: undefined }))).toBe(true);
    expect(ignored(undefined)).toBe(true);
    expect(destinationOfTaskEvent(event.detail, { projectName: 'acme', clusterArn: undefined })).toEqual({
      ignore: 'this deployment runs no pass-through relays',
    });
  });
});
