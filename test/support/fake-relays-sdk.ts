/**
 * A stateful ECS (relay tasks, task definitions) and SSM Parameter Store behind
 * aws-sdk-client-mock, for the deploy's runtime teardown of pass-through relays. Tasks move as
 * Fargate's do after StopTask (DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED, one state per
 * DescribeTasks that sees them), and the fake enforces the rules the teardown must respect, each
 * from AWS's API reference:
 * - ListTasks: `startedBy` must be the only filter; RUNNING desired status unless asked for
 *   STOPPED; `maxResults` 1–100; an unknown cluster is ClusterNotFoundException
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html);
 * - DescribeTasks: at most 100 tasks, unknown ones as failures MISSING
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html);
 * - GetParametersByPath: `MaxResults` 1–10
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html);
 * - DeleteParameters: 1–10 names; unknown names come back in `InvalidParameters`
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameters.html).
 * Every request is also checked against AWS's published ECS and SSM models. Listings page at most
 * three items at a time (ECS may return fewer than maxResults), so small fixtures have pages.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  StopTaskCommand,
  type ECSClientResolvedConfig,
  type ServiceInputTypes as EcsInputs,
  type ServiceOutputTypes as EcsOutputs,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DeleteParametersCommand,
  GetParametersByPathCommand,
  type SSMClientResolvedConfig,
  type ServiceInputTypes as SsmInputs,
  type ServiceOutputTypes as SsmOutputs,
} from '@aws-sdk/client-ssm';
import type { AwsStub } from 'aws-sdk-client-mock';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT } from '../../lambdas/core/ports';
import { familyName, RELAY_STARTED_BY, relayClusterName, streamKeyParameterName } from '../../lambdas/adapters/ecs/requests';
import { ECS_MODEL, SSM_MODEL } from './aws-api-model';

type EcsMock = AwsStub<EcsInputs, EcsOutputs, ECSClientResolvedConfig>;
type SsmMock = AwsStub<SsmInputs, SsmOutputs, SSMClientResolvedConfig>;

interface FakeTask {
  arn: string;
  cluster: string;
  family: string;
  startedBy: string;
  lastStatus: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  tags: Record<string, string>;
}

interface FakeTaskDefinition {
  arn: string;
  family: string;
  status: 'ACTIVE' | 'INACTIVE';
  tags: Record<string, string>;
}

const PAGE_SIZE = 3;
const DOWN = ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
const REGION = 'eu-central-1';
const ACCOUNT = '123456789012';

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' });
}

function page<T>(items: T[], token: string | undefined, max: number | undefined): { items: T[]; next: string | undefined } {
  const start = token ? Number(token) : 0;
  const size = Math.min(max ?? PAGE_SIZE, PAGE_SIZE);
  return { items: items.slice(start, start + size), next: start + size < items.length ? String(start + size) : undefined };
}

export class FakeRelays {
  readonly tasks = new Map<string, FakeTask>();
  readonly taskDefinitions: FakeTaskDefinition[] = [];
  /** SecureString parameters by name (the values are never read by the teardown). */
  readonly parameters = new Map<string, string>();
  /** Every mutating call in order, e.g. `StopTask …/abc`, `DeleteParameters 10`. */
  readonly log: string[] = [];
  /** Tasks that stay in their state whatever happens. */
  readonly stuck = new Set<string>();
  /** Calls that fail with AccessDeniedException: `StopTask <arn>`, `DeleteParameters`, `DeregisterTaskDefinition <arn>`. */
  readonly denied = new Set<string>();
  /** Clusters that exist (the project's relay cluster unless removed). */
  readonly clusters = new Set<string>();
  #ids = 0;

  /** A task of `projectName`'s relay engine on its cluster, as RunTask starts it; returns its ARN. */
  addTask(projectName: string, destinationId: string, lastStatus = 'RUNNING', overrides: Partial<FakeTask> = {}): string {
    const cluster = overrides.cluster ?? relayClusterName(projectName);
    this.clusters.add(cluster);
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${(++this.#ids).toString(16).padStart(32, '0')}`;
    this.tasks.set(arn, {
      arn,
      cluster,
      family: familyName(projectName, destinationId),
      startedBy: RELAY_STARTED_BY,
      lastStatus,
      desiredStatus: 'RUNNING',
      tags: { [TAG_PROJECT]: projectName, [TAG_DESTINATION]: destinationId, [TAG_CONFIG_REVISION]: '1' },
      ...overrides,
    });
    return arn;
  }

  /** An ACTIVE task-definition revision of the destination's family, tagged like the engine's. */
  addTaskDefinition(projectName: string, destinationId: string, tags?: Record<string, string>): string {
    const family = familyName(projectName, destinationId);
    const revision = this.taskDefinitions.filter((d) => d.family === family).length + 1;
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
    this.taskDefinitions.push({
      arn,
      family,
      status: 'ACTIVE',
      tags: tags ?? { [TAG_PROJECT]: projectName, [TAG_DESTINATION]: destinationId },
    });
    return arn;
  }

  addParameter(projectName: string, destinationId: string): string {
    const name = streamKeyParameterName(projectName, destinationId);
    this.parameters.set(name, `secret-key-${destinationId}`);
    return name;
  }

  /** Tasks not yet STOPPED, ACTIVE task definitions and parameters. */
  remaining(): string[] {
    return [
      ...[...this.tasks.values()].filter((t) => t.lastStatus !== 'STOPPED').map((t) => `task ${t.arn} ${t.lastStatus}`),
      ...this.taskDefinitions.filter((d) => d.status === 'ACTIVE').map((d) => `task definition ${d.arn}`),
      ...[...this.parameters.keys()].map((name) => `parameter ${name}`),
    ];
  }

  install(ecs: EcsMock, ssm: SsmMock): void {
    const validate = (model: typeof ECS_MODEL, operation: string, input: object): void =>
      model.validate(operation, input as Record<string, unknown>);

    ecs
      .on(ListTasksCommand)
      .callsFake(
        (input: {
          cluster?: string;
          startedBy?: string;
          desiredStatus?: string;
          family?: string;
          maxResults?: number;
          nextToken?: string;
        }) => {
          validate(ECS_MODEL, 'ListTasks', input);
          if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 100))
            throw awsError('InvalidParameterException', 'maxResults must be between 1 and 100');
          if (input.startedBy !== undefined && (input.desiredStatus !== undefined || input.family !== undefined))
            throw awsError('InvalidParameterException', 'startedBy must be the only filter');
          this.#cluster(input.cluster);
          const desired = input.desiredStatus ?? 'RUNNING';
          const arns = [...this.tasks.values()]
            .filter((t) => t.cluster === input.cluster && t.desiredStatus === desired)
            .filter((t) => input.startedBy === undefined || t.startedBy === input.startedBy)
            .map((t) => t.arn);
          const p = page(arns, input.nextToken, input.maxResults);
          return { taskArns: p.items, nextToken: p.next };
        },
      );
    ecs.on(DescribeTasksCommand).callsFake((input: { cluster?: string; tasks: string[]; include?: string[] }) => {
      validate(ECS_MODEL, 'DescribeTasks', input);
      if (input.tasks.length > 100) throw awsError('InvalidParameterException', 'Tasks cannot be longer than 100.');
      this.#cluster(input.cluster);
      const tasks: Task[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const arn of input.tasks) {
        const t = this.tasks.get(arn);
        if (!t || t.cluster !== input.cluster) {
          failures.push({ arn, reason: 'MISSING' });
          continue;
        }
        if (t.desiredStatus === 'STOPPED' && !this.stuck.has(arn)) {
          const i = DOWN.indexOf(t.lastStatus);
          t.lastStatus = DOWN[Math.min(i + 1, DOWN.length - 1)] as string;
        }
        tasks.push({
          taskArn: t.arn,
          clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${t.cluster}`,
          taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${t.family}:1`,
          lastStatus: t.lastStatus,
          desiredStatus: t.desiredStatus,
          startedBy: t.startedBy,
          ...(input.include?.includes('TAGS') ? { tags: Object.entries(t.tags).map(([key, value]) => ({ key, value })) } : {}),
        });
      }
      return { tasks, failures };
    });
    ecs.on(StopTaskCommand).callsFake((input: { cluster?: string; task: string }) => {
      validate(ECS_MODEL, 'StopTask', input);
      this.#cluster(input.cluster);
      const t = this.tasks.get(input.task);
      if (!t) throw awsError('InvalidParameterException', 'The referenced task was not found.');
      this.#check(`StopTask ${t.arn}`);
      t.desiredStatus = 'STOPPED';
      return { task: { taskArn: t.arn, lastStatus: t.lastStatus, desiredStatus: 'STOPPED' } };
    });
    ecs
      .on(ListTaskDefinitionsCommand)
      .callsFake((input: { familyPrefix?: string; status?: string; maxResults?: number; nextToken?: string }) => {
        validate(ECS_MODEL, 'ListTaskDefinitions', input);
        if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 100))
          throw awsError('InvalidParameterException', 'maxResults must be between 1 and 100');
        const arns = this.taskDefinitions
          .filter((d) => d.family.startsWith(input.familyPrefix ?? '') && d.status === (input.status ?? 'ACTIVE'))
          .map((d) => d.arn);
        const p = page(arns, input.nextToken, input.maxResults);
        return { taskDefinitionArns: p.items, nextToken: p.next };
      });
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string; include?: string[] }) => {
      validate(ECS_MODEL, 'DescribeTaskDefinition', input);
      const d = this.taskDefinitions.find((x) => x.arn === input.taskDefinition);
      if (!d) throw awsError('ClientException', 'Unable to describe task definition.');
      return {
        taskDefinition: { taskDefinitionArn: d.arn, family: d.family, status: d.status },
        ...(input.include?.includes('TAGS') ? { tags: Object.entries(d.tags).map(([key, value]) => ({ key, value })) } : {}),
      };
    });
    ecs.on(DeregisterTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
      validate(ECS_MODEL, 'DeregisterTaskDefinition', input);
      const d = this.taskDefinitions.find((x) => x.arn === input.taskDefinition);
      if (!d) throw awsError('ClientException', 'Unable to describe task definition.');
      this.#check(`DeregisterTaskDefinition ${d.arn}`);
      d.status = 'INACTIVE';
      return { taskDefinition: { taskDefinitionArn: d.arn, status: 'INACTIVE' } };
    });
    ssm
      .on(GetParametersByPathCommand)
      .callsFake((input: { Path: string; Recursive?: boolean; WithDecryption?: boolean; MaxResults?: number; NextToken?: string }) => {
        validate(SSM_MODEL, 'GetParametersByPath', input);
        if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 10))
          throw awsError('ValidationException', 'MaxResults must be between 1 and 10');
        const prefix = `${input.Path.replace(/\/$/, '')}/`;
        const names = [...this.parameters.keys()].filter(
          (n) => n.startsWith(prefix) && (input.Recursive === true || !n.slice(prefix.length).includes('/')),
        );
        const p = page(names, input.NextToken, input.MaxResults);
        return {
          // Without decryption SSM answers a SecureString's value encrypted; the fake gives a stand-in.
          Parameters: p.items.map((Name) => ({
            Name,
            Type: 'SecureString',
            Value: input.WithDecryption ? this.parameters.get(Name) : 'AQICAH…',
          })),
          NextToken: p.next,
        };
      });
    ssm.on(DeleteParametersCommand).callsFake((input: { Names: string[] }) => {
      validate(SSM_MODEL, 'DeleteParameters', input);
      if (input.Names.length < 1 || input.Names.length > 10)
        throw awsError(
          'ValidationException',
          `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
        );
      this.#check('DeleteParameters');
      this.log[this.log.length - 1] = `DeleteParameters ${input.Names.length}`;
      const deleted = input.Names.filter((n) => this.parameters.delete(n));
      return { DeletedParameters: deleted, InvalidParameters: input.Names.filter((n) => !deleted.includes(n)) };
    });
  }

  #cluster(cluster: string | undefined): void {
    const name = cluster?.replace(/^arn:.*:cluster\//, '');
    if (name === undefined || !this.clusters.has(name)) throw awsError('ClusterNotFoundException', 'Cluster not found.');
  }

  #check(call: string): void {
    if (this.denied.has(call))
      throw awsError(
        'AccessDeniedException',
        `User is not authorized to perform: ${call.startsWith('DeleteParameters') ? 'ssm' : 'ecs'}:${call.split(' ')[0]}`,
      );
    this.log.push(call);
  }
}
