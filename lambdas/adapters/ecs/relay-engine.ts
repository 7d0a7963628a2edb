/**
 * ECS on Fargate as a relay engine (pass-through mode): one task per live destination, running
 * ffmpeg with `-c copy` from the IVS HLS playback to the platform, behind the engine-neutral port
 * of `core/relay.ts`.
 *
 * - The **source** of a relay is the task definition of one destination config revision (it names
 *   the image, the URLs and the stream-key parameter); `createSource` stores the key in SSM and
 *   registers it, `deleteSource` deregisters it (and deletes the parameter with the family's last
 *   revision).
 * - The **relay** is the task: `createRelay` runs it (idempotent by clientToken) and it starts by
 *   itself, so the planner has no `start` step to take; stop and delete both StopTask.
 * - A STOPPED task is absent. A task that stopped while its destination is still wanted (ffmpeg's
 *   container exited, Fargate retired the host) is thus a recorded relay that is gone: the
 *   reconciler forgets it, moves the generation on and runs a new task with a new clientToken.
 *
 * ECS task states (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html):
 * PROVISIONING (the ENI of awsvpc is made), PENDING (waits for resources), ACTIVATING (image pull,
 * containers created), RUNNING, then DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED.
 */
import { DeleteParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import {
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { ResourceNotFoundError, RestreamingError, ServiceUnavailableError, InvalidConfigurationError } from '../../core/errors';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT } from '../../core/ports';
import type { Relay, RelayEngine, RelaySource, RelaySpec, RelayState, RelayTimings } from '../../core/relay';
import { toDomainError } from '../medialive/errors';
import {
  buildPutStreamKeyRequest,
  buildRegisterTaskDefinitionRequest,
  buildRunTaskRequest,
  destinationOfFamily,
  familyName,
  familyPrefix,
  streamKeyParameterName,
  tagRecord,
  type RelaySettings,
} from './requests';

/** The ECS task states (`lastStatus`), from the task lifecycle page cited above. */
export const ECS_TASK_STATES = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
] as const;
export type EcsTaskState = (typeof ECS_TASK_STATES)[number];

/** ECS task states on relay states. Never `idle`, `provisioning` or `deleting`: a task starts when run and is gone when stopped. */
export const RELAY_STATE_OF_TASK: Record<EcsTaskState, RelayState> = {
  PROVISIONING: 'starting',
  PENDING: 'starting',
  ACTIVATING: 'starting',
  RUNNING: 'running',
  DEACTIVATING: 'stopping',
  STOPPING: 'stopping',
  DEPROVISIONING: 'stopping',
  STOPPED: 'absent',
};

/**
 * Typical Fargate times: a small task from RunTask to RUNNING in 30–60 s (ENI, image pull), stopped
 * within its 10 s stopTimeout plus deprovisioning. Registering and deregistering are immediate.
 */
export const ECS_TIMINGS: RelayTimings = { provisionMs: 2_000, startMs: 30_000, stopMs: 20_000, deleteMs: 20_000 };

/** DescribeTasks takes at most 100 tasks (ECS API model, DescribeTasksRequest.tasks). */
export const DESCRIBE_TASKS_MAX = 100;

/** The clients the engine needs: only `send`, so the simulator can stand in for them. */
export type EcsSend = Pick<ECSClient, 'send'>;
export type SsmSend = Pick<SSMClient, 'send'>;

const CAPACITY = /capacity is unavailable|RESOURCE:FARGATE|insufficient capacity/i;

/** The relay view of a task; undefined for a STOPPED one. */
export function relayOfTask(task: Task): Relay | undefined {
  const last = task.lastStatus as EcsTaskState | undefined;
  if (!task.taskArn || last === undefined || !(ECS_TASK_STATES as readonly string[]).includes(last)) {
    throw new RestreamingError(`ECS returned a task without an ARN or with an unknown status (${String(task.lastStatus)}).`);
  }
  let state = RELAY_STATE_OF_TASK[last];
  if (state === 'absent') return undefined;
  // A StopTask was accepted: the task is on its way out even if the agent still reports RUNNING.
  if (task.desiredStatus === 'STOPPED') state = 'stopping';
  const tags = tagRecord(task.tags);
  const revision = Number(tags[TAG_CONFIG_REVISION]);
  return {
    id: task.taskArn,
    state,
    destinationId: tags[TAG_DESTINATION],
    configRevision: tags[TAG_CONFIG_REVISION] !== undefined && Number.isInteger(revision) ? revision : undefined,
    sourceIds: task.taskDefinitionArn ? [task.taskDefinitionArn] : [],
    engineState: last,
  };
}

/** The family of a task-definition ARN (`…:task-definition/{family}:{revision}`). */
function familyOf(arn: string): string | undefined {
  return /:task-definition\/([A-Za-z0-9_-]+):\d+$/.exec(arn)?.[1];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The engine's name: the router qualifies its relay and source ids with it (`ecs:<task ARN>`). */
export const ECS_ENGINE_NAME = 'ecs';

export class EcsRelayEngine implements RelayEngine {
  readonly name = ECS_ENGINE_NAME;

  constructor(
    private readonly ecs: EcsSend,
    private readonly ssm: SsmSend,
    private readonly settings: RelaySettings,
    private readonly projectName: string,
    /** The module's KMS key: encrypts the SecureString parameters. */
    private readonly kmsKeyId: string,
    readonly timings: RelayTimings = ECS_TIMINGS,
  ) {}

  private async call<T>(service: 'ECS' | 'SSM', operation: string, run: () => Promise<T>, secrets: readonly string[] = []): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toDomainError(error, { service, operation, secrets });
    }
  }

  /** Every task of the cluster (ListTasks, all pages), described 100 at a time with their tags. */
  private async tasks(): Promise<Task[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ECS', 'ListTasks', () =>
        this.ecs.send(new ListTasksCommand({ cluster: this.settings.clusterArn, maxResults: 100, nextToken })),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const tasks: Task[] = [];
    for (const batch of chunks(arns, DESCRIBE_TASKS_MAX)) {
      const page = await this.call('ECS', 'DescribeTasks', () =>
        this.ecs.send(new DescribeTasksCommand({ cluster: this.settings.clusterArn, tasks: batch, include: ['TAGS'] })),
      );
      tasks.push(...(page.tasks ?? []));
    }
    return tasks.filter((t) => tagRecord(t.tags)[TAG_PROJECT] === this.projectName);
  }

  async listRelays(): Promise<Relay[]> {
    return (await this.tasks()).flatMap((t) => relayOfTask(t) ?? []);
  }

  async describeRelay(relayId: string): Promise<Relay | undefined> {
    const page = await this.call('ECS', 'DescribeTasks', () =>
      this.ecs.send(new DescribeTasksCommand({ cluster: this.settings.clusterArn, tasks: [relayId], include: ['TAGS'] })),
    );
    const task = page.tasks?.[0];
    if (!task || tagRecord(task.tags)[TAG_PROJECT] !== this.projectName) return undefined;
    return relayOfTask(task);
  }

  /** The ACTIVE task definitions whose family starts with `prefix` (ListTaskDefinitions, all pages). */
  private async taskDefinitions(prefix: string): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('ECS', 'ListTaskDefinitions', () =>
        this.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: prefix, status: 'ACTIVE', maxResults: 100, nextToken })),
      );
      arns.push(...(page.taskDefinitionArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  /** The ACTIVE task definitions of this project's relay families, with the tasks that use them. */
  async listSources(): Promise<RelaySource[]> {
    const arns = await this.taskDefinitions(familyPrefix(this.projectName));
    const relays = await this.listRelays();
    return arns.flatMap((arn) => {
      const family = familyOf(arn);
      // familyPrefix also matches another project whose name extends this one's: skip those.
      const destinationId = family === undefined ? undefined : destinationOfFamily(this.projectName, family);
      if (destinationId === undefined) return [];
      return [{ id: arn, destinationId, attachedTo: relays.filter((r) => r.sourceIds.includes(arn)).map((r) => r.id) }];
    });
  }

  /** Stores the key (the only request that carries it), then registers the revision's task definition. */
  async createSource(spec: RelaySpec): Promise<string> {
    await this.call('SSM', 'PutParameter', () => this.ssm.send(new PutParameterCommand(buildPutStreamKeyRequest(spec, this.kmsKeyId))), [
      spec.streamKey,
    ]);
    const registered = await this.call(
      'ECS',
      'RegisterTaskDefinition',
      () => this.ecs.send(new RegisterTaskDefinitionCommand(buildRegisterTaskDefinitionRequest(spec, this.settings))),
      [spec.streamKey],
    );
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new RestreamingError('ECS RegisterTaskDefinition returned no task definition ARN.');
    return arn;
  }

  async createRelay(spec: RelaySpec, sourceId: string): Promise<Relay> {
    const result = await this.call(
      'ECS',
      'RunTask',
      () => this.ecs.send(new RunTaskCommand(buildRunTaskRequest(spec, sourceId, this.settings))),
      [spec.streamKey],
    );
    const task = result.tasks?.[0];
    if (!task) {
      // RunTask reports placement problems in `failures`, not as an error
      // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_ResponseSyntax).
      const failure = result.failures?.[0];
      const reason = [failure?.reason, failure?.detail].filter(Boolean).join(': ') || 'no task and no failure';
      // Fargate out of capacity in the subnets' zones: retry later
      // (https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity).
      if (CAPACITY.test(reason))
        throw new ServiceUnavailableError(`ECS RunTask: Fargate capacity is unavailable; it is retried on the next reconcile. ${reason}`);
      throw new InvalidConfigurationError(`ECS RunTask did not start the relay task: ${reason}`);
    }
    return (
      relayOfTask(task) ?? {
        // A replayed clientToken of a task that has since stopped: the generation rules it out.
        id: task.taskArn as string,
        state: 'stopping',
        destinationId: spec.destinationId,
        configRevision: spec.configRevision,
        sourceIds: [sourceId],
        engineState: 'STOPPED',
      }
    );
  }

  /** A task runs when it is created; there is no separate start. */
  startRelay(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Nothing to do: the playback URL stays the same when the stream comes back with a new id, and
   * the container's loop starts ffmpeg again when its HLS input ends or stalls (rw_timeout 10 s),
   * reading the new stream from the same URL.
   */
  reattachSource(_relayId: string, _streamId: string): Promise<void> {
    return Promise.resolve();
  }

  async stopRelay(relayId: string): Promise<void> {
    try {
      await this.call('ECS', 'StopTask', () =>
        this.ecs.send(new StopTaskCommand({ cluster: this.settings.clusterArn, task: relayId, reason: 'Stopped by IVS Restreaming' })),
      );
    } catch (error) {
      // ECS answers a task it no longer knows with InvalidParameterException "task not found".
      if (error instanceof RestreamingError && /not found/i.test(error.message)) {
        throw new ResourceNotFoundError(`ECS StopTask: task ${relayId} not found.`, { cause: error });
      }
      throw error;
    }
  }

  deleteRelay(relayId: string): Promise<void> {
    return this.stopRelay(relayId);
  }

  /** Deregisters the revision; with the family's last one goes the stream-key parameter. */
  async deleteSource(sourceId: string): Promise<void> {
    await this.call('ECS', 'DeregisterTaskDefinition', () =>
      this.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: sourceId })),
    );
    const family = familyOf(sourceId);
    const destinationId = family === undefined ? undefined : destinationOfFamily(this.projectName, family);
    if (destinationId === undefined) return;
    // The prefix also matches longer destination ids: only this family's revisions count.
    const left = await this.taskDefinitions(familyName(this.projectName, destinationId));
    if (left.some((arn) => familyOf(arn) === family)) return;
    try {
      await this.ssm.send(new DeleteParameterCommand({ Name: streamKeyParameterName(this.projectName, destinationId) }));
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ParameterNotFound') return;
      throw toDomainError(error, { service: 'SSM', operation: 'DeleteParameter' });
    }
  }
}
