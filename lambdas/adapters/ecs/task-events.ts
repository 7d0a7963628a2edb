/**
 * ECS's `ECS Task State Change` EventBridge events, as the monitor reads them: a hint that a relay
 * task moved (RunTask → PROVISIONING … RUNNING; StopTask or an exit → … STOPPED), so the
 * destination it carries is reconciled at once instead of at the next scheduled tick.
 *
 * The event's `detail` resembles the Task object of DescribeTasks
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html): `clusterArn`,
 * `taskArn`, `taskDefinitionArn`, `lastStatus`, `desiredStatus`, `startedBy`, `group`, `version`
 * (a counter per task), `stopCode`, `stoppedReason`, timestamps as ISO strings, and
 * `resources: [taskArn]`. It carries **no tags**, so the destination is read from what the engine
 * puts into the task's identity: its task-definition family `{project}-relay-{destinationId}`
 * (requests.ts `familyName`), on the project's relay cluster, with `startedBy` `ivs-restreaming`.
 * A task that is not the project's is told apart from those three fields alone, without any call.
 * ECS may deliver an event more than once, late or out of order; each only triggers a reconcile
 * of the destination, which reads the task's real state (DescribeTasks), so none of that matters.
 */
import { destinationOfFamily, RELAY_STARTED_BY } from './requests';

/** The fields of the event's `detail` the monitor reads (others are ignored). */
export interface EcsTaskStateChangeDetail {
  clusterArn?: string;
  taskArn?: string;
  taskDefinitionArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  startedBy?: string;
  group?: string;
  /** The task's version counter: higher is newer. */
  version?: number;
  stopCode?: string;
  stoppedReason?: string;
  createdAt?: string;
  updatedAt?: string;
}

/** The whole event, as EventBridge delivers it (and the simulator emits it). */
export interface EcsTaskStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'ECS Task State Change';
  source: 'aws.ecs';
  account: string;
  /** ISO-8601 time of the event. */
  time: string;
  region: string;
  /** `[taskArn]`. */
  resources: [string];
  detail: EcsTaskStateChangeDetail & { clusterArn: string; taskArn: string; lastStatus: string; desiredStatus: string };
}

export const ECS_TASK_STATE_CHANGE = 'ECS Task State Change';

/** The destination a relay task carries, or why the event is not about one of the project's tasks. */
export type TaskEventTarget = { destinationId: string } | { ignore: string };

/**
 * The destination of an `ECS Task State Change` event of one of the project's relay tasks. The
 * EventBridge rule already filters on the relay cluster; the same check here keeps a mistaken
 * rule or a replayed event of another cluster out.
 */
export function destinationOfTaskEvent(
  detail: EcsTaskStateChangeDetail | undefined,
  relay: { projectName: string; clusterArn: string | undefined },
): TaskEventTarget {
  if (relay.clusterArn === undefined) return { ignore: 'this deployment runs no pass-through relays' };
  if (detail?.clusterArn !== relay.clusterArn) return { ignore: 'a task of another cluster' };
  if (detail.startedBy !== RELAY_STARTED_BY) return { ignore: 'a task the relay engine did not start' };
  const family = /:task-definition\/([A-Za-z0-9_-]+):\d+$/.exec(detail.taskDefinitionArn ?? '')?.[1];
  const destinationId = family === undefined ? undefined : destinationOfFamily(relay.projectName, family);
  if (destinationId === undefined) return { ignore: 'a task of another task-definition family' };
  return { destinationId };
}
