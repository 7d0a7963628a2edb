/**
 * Removes what the monitor creates at run time for pass-through relays (module toggle
 * `create_relays`), which Terraform does not know and so never deletes:
 *
 * - **relay tasks** on the project's relay cluster (`{project}-relays`): every task the engine ran
 *   (`startedBy` = `ivs-restreaming`, tag `ivs-restreaming:project` = the project) is stopped, and
 *   waited for until STOPPED. Terraform's destroy of the cluster, its security group and subnets
 *   fails while tasks (and their awsvpc network interfaces) are still there, and a running task
 *   bills by the second.
 * - **task definitions** of the relay families (`{project}-relay-{destinationId}`): the monitor
 *   registers one revision per destination config revision; Terraform registers none
 *   (relay.tf has no `aws_ecs_task_definition`), so each ACTIVE revision tagged with the project is
 *   deregistered here.
 * - **stream-key parameters** `/{project}/stream-keys/{destinationId}` (SSM SecureString): deleted
 *   ten at a time. Their values are never read: GetParametersByPath without decryption, names only.
 *
 * AWS's rules, from the API references:
 * - ListTasks: "When you specify `startedBy` as the filter, it must be the only filter that you
 *   use", and lists tasks whose desired status is RUNNING unless asked for STOPPED; `maxResults`
 *   1–100 (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html). So the
 *   tasks to stop are listed by `startedBy`, and those already on their way out (desired STOPPED,
 *   e.g. ffmpeg's container exited) by a second listing with `desiredStatus` STOPPED; both are
 *   described (at most 100 per DescribeTasks) and kept only with the project's tag.
 * - StopTask moves a Fargate task through DEACTIVATING, STOPPING, DEPROVISIONING to STOPPED
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html);
 *   ECS answers a task it does not know with InvalidParameterException, an unknown cluster with
 *   ClusterNotFoundException (the cluster is gone: no task is left).
 * - GetParametersByPath: `MaxResults` 1–10
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html);
 *   DeleteParameters: "Array Members: Minimum number of 1 item. Maximum number of 10 items."; names
 *   it could not delete come back in `InvalidParameters`
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameters.html).
 *
 * Like the MediaLive teardown, tasks are worked on round by round until all are STOPPED or the time
 * is up; a resource whose call fails for a reason waiting does not fix (access denied, ...) is
 * reported as a leftover with the command that removes it by hand.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  paginateListTaskDefinitions,
  paginateListTasks,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { DeleteParametersCommand, paginateGetParametersByPath, type SSMClient } from '@aws-sdk/client-ssm';
import { TAG_DESTINATION, TAG_PROJECT } from '../../lambdas/core/ports';
import {
  destinationOfFamily,
  familyPrefix,
  RELAY_STARTED_BY,
  relayClusterName,
  streamKeyParameterName,
  tagRecord,
} from '../../lambdas/adapters/ecs/requests';
import type { Leftover, TeardownEngine, TeardownReport } from './teardown';
import { DEFAULT_TEARDOWN_POLL_MS, DEFAULT_TEARDOWN_TIMEOUT_MS, type WaitOptions } from './teardown-medialive';

export interface RelayTeardownOptions extends WaitOptions {
  projectName: string;
  /** Named in the commands for removing a leftover by hand. */
  region: string;
  ecs: ECSClient;
  ssm: SSMClient;
}

/** ListTasks and ListTaskDefinitions return at most 100 per page (API_ListTasks.html, cited above). */
export const ECS_LIST_PAGE_SIZE = 100;
/** DescribeTasks takes at most 100 tasks (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html). */
export const DESCRIBE_TASKS_MAX = 100;
/** GetParametersByPath returns at most 10 parameters per page (API_GetParametersByPath.html, cited above). */
export const PARAMETERS_PAGE_SIZE = 10;
/** DeleteParameters takes at most 10 names (API_DeleteParameters.html, cited above). */
export const DELETE_PARAMETERS_MAX = 10;

interface TrackedTask {
  arn: string;
  label: string;
  state: string;
  /** StopTask was accepted (or ECS had set the desired status to STOPPED already). */
  stopRequested: boolean;
  failure?: string;
  done: boolean;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
const errorText = (error: unknown): string => (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
/** Throttling and server faults: try again next round. */
const isRetryable = (error: unknown): boolean =>
  ['ThrottlingException', 'ServerException', 'InternalServerError', 'ServiceUnavailableException'].includes(errorName(error)) ||
  (error as { $fault?: unknown }).$fault === 'server';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const taskId = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

export function relayTeardown(options: RelayTeardownOptions): TeardownEngine {
  const { ecs, ssm, projectName, region } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TEARDOWN_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_TEARDOWN_POLL_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const cluster = relayClusterName(projectName);
  const parameterPath = streamKeyParameterName(projectName, '').replace(/\/$/, '');

  const ours = (task: Task): boolean => task.startedBy === RELAY_STARTED_BY && tagRecord(task.tags)[TAG_PROJECT] === projectName;

  /** The task ARNs of one listing; none when the cluster does not exist (create_relays off, or destroyed). */
  const listTaskArns = async (filter: { startedBy: string } | { desiredStatus: 'STOPPED' }): Promise<string[]> => {
    const arns: string[] = [];
    try {
      for await (const page of paginateListTasks({ client: ecs, pageSize: ECS_LIST_PAGE_SIZE }, { cluster, ...filter })) {
        arns.push(...(page.taskArns ?? []));
      }
    } catch (error) {
      if (errorName(error) === 'ClusterNotFoundException') return [];
      throw error;
    }
    return arns;
  };

  const describeTasks = async (arns: readonly string[]): Promise<Map<string, Task>> => {
    const found = new Map<string, Task>();
    for (const batch of chunks(arns, DESCRIBE_TASKS_MAX)) {
      const page = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch, include: ['TAGS'] }));
      for (const task of page.tasks ?? []) if (task.taskArn) found.set(task.taskArn, task);
    }
    return found;
  };

  const findTasks = async (): Promise<TrackedTask[]> => {
    const arns = [
      ...new Set([...(await listTaskArns({ startedBy: RELAY_STARTED_BY })), ...(await listTaskArns({ desiredStatus: 'STOPPED' }))]),
    ];
    const described = await describeTasks(arns);
    return [...described.values()]
      .filter((t) => ours(t) && t.lastStatus !== 'STOPPED')
      .map((t) => {
        const destinationId = tagRecord(t.tags)[TAG_DESTINATION];
        return {
          arn: t.taskArn as string,
          label: `ECS task ${taskId(t.taskArn as string)}${destinationId ? ` (destination ${destinationId})` : ''}`,
          state: t.lastStatus ?? 'UNKNOWN',
          stopRequested: t.desiredStatus === 'STOPPED',
          done: false,
        };
      });
  };

  /** ACTIVE revisions of the project's relay families, checked by tag (another project's name may extend this one's prefix). */
  const findTaskDefinitions = async (): Promise<string[]> => {
    const prefix = familyPrefix(projectName);
    const candidates: string[] = [];
    for await (const page of paginateListTaskDefinitions(
      { client: ecs, pageSize: ECS_LIST_PAGE_SIZE },
      { familyPrefix: prefix, status: 'ACTIVE' },
    )) {
      for (const arn of page.taskDefinitionArns ?? []) {
        const family = /:task-definition\/([A-Za-z0-9_-]+):\d+$/.exec(arn)?.[1];
        if (family !== undefined && destinationOfFamily(projectName, family) !== undefined) candidates.push(arn);
      }
    }
    const arns: string[] = [];
    for (const arn of candidates) {
      const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
      if (tagRecord(described.tags)[TAG_PROJECT] === projectName) arns.push(arn);
    }
    return arns;
  };

  const findParameters = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const page of paginateGetParametersByPath(
      { client: ssm, pageSize: PARAMETERS_PAGE_SIZE },
      { Path: parameterPath, Recursive: true, WithDecryption: false },
    )) {
      for (const p of page.Parameters ?? []) if (p.Name) names.push(p.Name);
    }
    return names;
  };

  const stopCommand = (arn: string): string => `aws ecs stop-task --region ${region} --cluster ${cluster} --task ${arn}`;
  const deregisterCommand = (arn: string): string => `aws ecs deregister-task-definition --region ${region} --task-definition ${arn}`;
  const deleteCommand = (name: string): string => `aws ssm delete-parameters --region ${region} --names ${name}`;

  return {
    name: 'ECS relays',
    async teardown(progress): Promise<TeardownReport> {
      const tasks = await findTasks();
      const definitions = await findTaskDefinitions();
      const parameters = await findParameters();
      if (tasks.length === 0 && definitions.length === 0 && parameters.length === 0) {
        progress(`nothing of ${projectName}: no relay task, task definition or stream-key parameter`);
        return { removed: [], leftovers: [] };
      }
      progress(
        `${tasks.length} task(s), ${definitions.length} task definition(s) and ${parameters.length} stream-key parameter(s) to remove`,
      );

      const removed: string[] = [];
      const leftovers: Leftover[] = [];

      // 1. Tasks: StopTask once, then describe until STOPPED.
      const pending = () => tasks.filter((t) => !t.done && t.failure === undefined);
      const deadline = now() + timeoutMs;
      for (;;) {
        for (const t of pending().filter((t) => !t.stopRequested)) {
          try {
            await ecs.send(new StopTaskCommand({ cluster, task: t.arn, reason: 'IVS Restreaming teardown' }));
            t.stopRequested = true;
          } catch (error) {
            if (errorName(error) === 'InvalidParameterException' && /not found/i.test(errorText(error))) t.done = true;
            else if (!isRetryable(error)) t.failure = errorText(error);
          }
        }
        const waiting = pending();
        if (waiting.length > 0) {
          try {
            const described = await describeTasks(waiting.map((t) => t.arn));
            for (const t of waiting) {
              const task = described.get(t.arn);
              // DescribeTasks reports a task ECS no longer knows as a failure MISSING: it is gone.
              t.state = task?.lastStatus ?? 'STOPPED';
              if (t.state === 'STOPPED') t.done = true;
            }
          } catch (error) {
            if (errorName(error) === 'ClusterNotFoundException') for (const t of waiting) t.done = true;
            else if (!isRetryable(error)) for (const t of waiting) t.failure = errorText(error);
          }
        }
        const left = pending();
        if (left.length === 0) break;
        const counts = new Map<string, number>();
        for (const t of left) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
        const waited = Math.round((timeoutMs - (deadline - now())) / 1000);
        progress(`waiting (${waited} s): ${[...counts].map(([state, n]) => `${n} task ${state}`).join(', ')}`);
        if (now() + pollMs > deadline) break;
        await sleep(pollMs);
      }
      for (const t of tasks) {
        if (t.done) removed.push(t.label);
        else
          leftovers.push({
            resource: t.label,
            reason: `${t.failure ?? `still ${t.state} after ${Math.round(timeoutMs / 60_000)} min`}; run the same command again, or stop it by hand: ${stopCommand(t.arn)}`,
          });
      }

      // 2. Task definitions: deregistered one by one (DeregisterTaskDefinition takes one).
      for (const arn of definitions) {
        const label = `ECS task definition ${arn.slice(arn.indexOf('task-definition/') + 'task-definition/'.length)}`;
        try {
          await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
          removed.push(label);
        } catch (error) {
          leftovers.push({ resource: label, reason: `${errorText(error)}; deregister it by hand: ${deregisterCommand(arn)}` });
        }
      }

      // 3. Stream-key parameters: ten names per DeleteParameters.
      for (const batch of chunks(parameters, DELETE_PARAMETERS_MAX)) {
        try {
          const result = await ssm.send(new DeleteParametersCommand({ Names: batch }));
          // InvalidParameters: names SSM did not find any more (deleted since the listing): gone too.
          for (const name of [...(result.DeletedParameters ?? []), ...(result.InvalidParameters ?? [])]) {
            removed.push(`SSM parameter ${name}`);
          }
          const answered = new Set([...(result.DeletedParameters ?? []), ...(result.InvalidParameters ?? [])]);
          for (const name of batch.filter((n) => !answered.has(n))) {
            leftovers.push({
              resource: `SSM parameter ${name}`,
              reason: `SSM did not report it deleted; delete it by hand: ${deleteCommand(name)}`,
            });
          }
        } catch (error) {
          for (const name of batch) {
            leftovers.push({ resource: `SSM parameter ${name}`, reason: `${errorText(error)}; delete it by hand: ${deleteCommand(name)}` });
          }
        }
      }
      progress(`${removed.length} removed${leftovers.length > 0 ? `, ${leftovers.length} left` : ''}`);
      return { removed, leftovers };
    },
  };
}
