/**
 * An in-memory ECS (tasks on Fargate, task definitions) and SSM Parameter Store (SecureString
 * parameters) for tests and the local stack, behind the clients' `send`. It follows the behaviour
 * the engine relies on, as AWS documents it:
 * - the task lifecycle PROVISIONING → PENDING → ACTIVATING → RUNNING and, after StopTask or an
 *   exit, DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED, one state per `tick()`
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html);
 * - RunTask is idempotent by clientToken and reports placement problems in `failures`
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html);
 * - ListTasks lists tasks whose desiredStatus is RUNNING unless asked otherwise, in pages;
 *   DescribeTasks takes at most 100 tasks and reports unknown ones as failures `MISSING`;
 * - a task reads its `secrets` from SSM when it starts and stops with a ResourceInitializationError
 *   when the parameter is missing.
 * Faults: `failRunTask` (Fargate capacity), `exitTask` (a task stopping by itself).
 * `onRequest` sees every request first (tests check them against AWS's published models).
 * `onTaskStateChange` hears an `ECS Task State Change` event, in the shape EventBridge delivers
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html), whenever a
 * task's lastStatus or desiredStatus changes, as ECS sends one then.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { EcsTaskStateChangeEvent } from '../adapters/ecs/task-events';

interface SimTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  input: Record<string, unknown>;
}

export interface SimTask extends Task {
  /** The container's environment once it is RUNNING (secrets resolved). */
  resolvedEnvironment?: Record<string, string>;
  /** lastStatus/desiredStatus of the last event sent for the task. */
  announced?: string;
}

interface Parameter {
  value: string;
  type: string;
  keyId: string | undefined;
  version: number;
}

export type SimRequestHandler = (service: 'ECS' | 'SSM', operation: string, input: Record<string, unknown>) => void;

const UP = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING'] as const;
const DOWN = ['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'] as const;

/** The message ECS gives when Fargate has no capacity (https://repost.aws/knowledge-center/ecs-fargate-runtask-capacity). */
export const CAPACITY_UNAVAILABLE = 'Capacity is unavailable at this time. Please try again later or in a different availability zone';

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

function operationOf(command: object): string {
  return command.constructor.name.replace(/Command$/, '');
}

function page<T>(items: T[], input: Record<string, unknown>, defaultMax: number): { items: T[]; nextToken: string | undefined } {
  const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
  const max = typeof input.maxResults === 'number' ? input.maxResults : defaultMax;
  const end = start + max;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

export class EcsSimulator {
  readonly tasks = new Map<string, SimTask>();
  readonly taskDefinitions: SimTaskDefinition[] = [];
  readonly parameters = new Map<string, Parameter>();
  /** Every request, in order (operation and input), as the clients sent it. */
  readonly requests: { service: 'ECS' | 'SSM'; operation: string; input: Record<string, unknown> }[] = [];
  onRequest: SimRequestHandler | undefined;
  /** The time of events (ISO strings); the wall clock unless a test sets its own. */
  now: () => Date = () => new Date();
  #taskListeners = new Set<(event: EcsTaskStateChangeEvent) => void>();
  #eventIds = 0;
  #tokens = new Map<string, string>();
  #runTaskFaults: string[] = [];
  #ids = 0;

  constructor(
    private readonly region = 'us-east-1',
    private readonly account = '123456789012',
  ) {}

  /** The ECS client (`send` only). */
  readonly ecs = { send: (command: object) => this.#send('ECS', command) } as never;
  /** The SSM client (`send` only). */
  readonly ssm = { send: (command: object) => this.#send('SSM', command) } as never;

  /**
   * Calls `listener` synchronously with an `ECS Task State Change` event each time a task's
   * lastStatus or desiredStatus changes (RunTask, StopTask, an exit, a tick), so the local stack
   * and tests can invoke the monitor as EventBridge would. Returns a function that unsubscribes.
   */
  onTaskStateChange(listener: (event: EcsTaskStateChangeEvent) => void): () => void {
    this.#taskListeners.add(listener);
    return () => {
      this.#taskListeners.delete(listener);
    };
  }

  /** Sends the task's event if its state changed since the last one. */
  #announce(task: SimTask): void {
    const state = `${String(task.lastStatus)}/${String(task.desiredStatus)}`;
    if (task.announced === state) return;
    task.announced = state;
    task.version = (task.version ?? 0) + 1;
    if (this.#taskListeners.size === 0) return;
    const at = this.now().toISOString();
    const detail: EcsTaskStateChangeEvent['detail'] = {
      clusterArn: task.clusterArn as string,
      taskArn: task.taskArn as string,
      taskDefinitionArn: task.taskDefinitionArn as string,
      lastStatus: task.lastStatus as string,
      desiredStatus: task.desiredStatus as string,
      version: task.version,
      updatedAt: at,
      ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
      ...(task.group !== undefined ? { group: task.group } : {}),
      ...(task.stopCode !== undefined ? { stopCode: task.stopCode } : {}),
      ...(task.stoppedReason !== undefined ? { stoppedReason: task.stoppedReason } : {}),
    };
    const event: EcsTaskStateChangeEvent = {
      version: '0',
      id: `sim-ecs-event-${++this.#eventIds}`,
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: this.account,
      time: at,
      region: this.region,
      resources: [task.taskArn as string],
      detail,
    };
    for (const listener of [...this.#taskListeners]) listener(structuredClone(event));
  }

  /** The next RunTask calls place nothing and answer with this failure reason (default: no Fargate capacity). */
  failRunTask(times = 1, reason = CAPACITY_UNAVAILABLE): void {
    for (let i = 0; i < times; i++) this.#runTaskFaults.push(reason);
  }

  /** The task's container exits by itself (ffmpeg died, the host was retired): it goes down to STOPPED. */
  exitTask(taskArn: string, exitCode = 1): void {
    const task = this.tasks.get(taskArn);
    if (!task || task.lastStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stopCode = 'EssentialContainerExited';
    task.stoppedReason = `Essential container in task exited (exit code ${exitCode})`;
    if (task.lastStatus !== undefined && (UP as readonly string[]).includes(task.lastStatus)) task.lastStatus = 'DEACTIVATING';
    this.#announce(task);
  }

  /** Moves every task one state along its way. */
  tick(): void {
    for (const task of this.tasks.values()) {
      const last = task.lastStatus as string;
      if (task.desiredStatus === 'STOPPED') {
        const i = (DOWN as readonly string[]).indexOf(last);
        task.lastStatus = i < 0 ? DOWN[0] : DOWN[Math.min(i + 1, DOWN.length - 1)];
        this.#announce(task);
        continue;
      }
      const i = (UP as readonly string[]).indexOf(last);
      if (i >= 0 && i < UP.length - 1) {
        task.lastStatus = UP[i + 1];
        if (task.lastStatus === 'RUNNING') this.#resolveSecrets(task);
        this.#announce(task);
      }
    }
  }

  /** Ticks until no task is between states. */
  settle(): void {
    for (let i = 0; i < 10; i++) this.tick();
  }

  /** A task as ECS answers it: without the simulator's own fields. */
  #view(task: SimTask): Task {
    const copy: SimTask = structuredClone(task);
    delete copy.resolvedEnvironment;
    delete copy.announced;
    return copy;
  }

  #resolveSecrets(task: SimTask): void {
    const def = this.taskDefinitions.find((d) => d.arn === task.taskDefinitionArn);
    const container = (
      def?.input.containerDefinitions as
        { environment?: { name: string; value: string }[]; secrets?: { name: string; valueFrom: string }[] }[] | undefined
    )?.[0];
    const env: Record<string, string> = {};
    for (const e of container?.environment ?? []) env[e.name] = e.value;
    for (const s of container?.secrets ?? []) {
      const name = s.valueFrom.replace(/^arn:[^:]+:ssm:[^:]+:\d+:parameter/, '');
      const p = this.parameters.get(name);
      if (!p) {
        task.desiredStatus = 'STOPPED';
        task.lastStatus = 'STOPPED';
        task.stopCode = 'TaskFailedToStart';
        task.stoppedReason = `ResourceInitializationError: unable to pull secrets or registry auth: parameter ${name} not found`;
        return;
      }
      env[s.name] = p.value;
    }
    task.resolvedEnvironment = env;
  }

  #send(service: 'ECS' | 'SSM', command: object): Promise<unknown> {
    const operation = operationOf(command);
    const input = { ...((command as { input?: Record<string, unknown> }).input ?? {}) };
    this.requests.push({ service, operation, input: structuredClone(input) });
    try {
      this.onRequest?.(service, operation, input);
      return Promise.resolve(service === 'ECS' ? this.#ecs(operation, input) : this.#ssm(operation, input));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #ecs(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'RegisterTaskDefinition': {
        const family = input.family as string;
        const revision = this.taskDefinitions.filter((d) => d.family === family).length + 1;
        const arn = `arn:aws:ecs:${this.region}:${this.account}:task-definition/${family}:${revision}`;
        this.taskDefinitions.push({ arn, family, revision, status: 'ACTIVE', input: structuredClone(input) });
        return { taskDefinition: { taskDefinitionArn: arn, family, revision, status: 'ACTIVE' } };
      }
      case 'DeregisterTaskDefinition': {
        const def = this.taskDefinitions.find((d) => d.arn === input.taskDefinition);
        if (!def) throw awsError('ClientException', 'Unable to describe task definition.');
        def.status = 'INACTIVE';
        return { taskDefinition: { taskDefinitionArn: def.arn, status: 'INACTIVE' } };
      }
      case 'ListTaskDefinitions': {
        const prefix = (input.familyPrefix as string | undefined) ?? '';
        const status = (input.status as string | undefined) ?? 'ACTIVE';
        const arns = this.taskDefinitions.filter((d) => d.family.startsWith(prefix) && d.status === status).map((d) => d.arn);
        const p = page(arns, input, 100);
        return { taskDefinitionArns: p.items, nextToken: p.nextToken };
      }
      case 'RunTask': {
        const token = input.clientToken as string | undefined;
        const known = token === undefined ? undefined : this.#tokens.get(token);
        if (known) return { tasks: [this.#view(this.tasks.get(known) as SimTask)], failures: [] };
        const fault = this.#runTaskFaults.shift();
        if (fault !== undefined) return { tasks: [], failures: [{ reason: fault }] };
        const def = this.taskDefinitions.find((d) => d.arn === input.taskDefinition);
        if (!def || def.status !== 'ACTIVE') throw awsError('ClientException', 'TaskDefinition is inactive');
        const taskArn = `arn:aws:ecs:${this.region}:${this.account}:task/relays/${(++this.#ids).toString(16).padStart(32, '0')}`;
        const task: SimTask = {
          taskArn,
          clusterArn: input.cluster as string,
          taskDefinitionArn: def.arn,
          lastStatus: 'PROVISIONING',
          desiredStatus: 'RUNNING',
          launchType: 'FARGATE',
          // RunTask's default group is the family (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
          group: (input.group as string | undefined) ?? `family:${def.family}`,
          ...(typeof input.startedBy === 'string' ? { startedBy: input.startedBy } : {}),
          tags: structuredClone((input.tags as Task['tags']) ?? []),
        };
        this.tasks.set(taskArn, task);
        if (token !== undefined) this.#tokens.set(token, taskArn);
        this.#announce(task);
        return { tasks: [this.#view(task)], failures: [] };
      }
      case 'ListTasks': {
        const desired = (input.desiredStatus as string | undefined) ?? 'RUNNING';
        const arns = [...this.tasks.values()].filter((t) => t.desiredStatus === desired).map((t) => t.taskArn as string);
        const p = page(arns, input, 100);
        return { taskArns: p.items, nextToken: p.nextToken };
      }
      case 'DescribeTasks': {
        const ids = input.tasks as string[];
        if (ids.length > 100) throw awsError('InvalidParameterException', 'Tasks cannot be longer than 100.');
        const withTags = (input.include as string[] | undefined)?.includes('TAGS') === true;
        const tasks: Task[] = [];
        const failures: { arn: string; reason: string }[] = [];
        for (const id of ids) {
          const t = this.tasks.get(id);
          if (!t) failures.push({ arn: id, reason: 'MISSING' });
          else {
            const copy = this.#view(t);
            if (!withTags) delete copy.tags;
            tasks.push(copy);
          }
        }
        return { tasks, failures };
      }
      case 'StopTask': {
        const task = this.tasks.get(input.task as string);
        if (!task) throw awsError('InvalidParameterException', 'The referenced task was not found.');
        if (task.desiredStatus !== 'STOPPED') {
          task.desiredStatus = 'STOPPED';
          task.stopCode = 'UserInitiated';
          task.stoppedReason = input.reason as string | undefined;
          this.#announce(task);
        }
        return { task: this.#view(task) };
      }
      default:
        throw awsError('UnknownOperationException', `The simulator does not implement ECS ${operation}`);
    }
  }

  #ssm(operation: string, input: Record<string, unknown>): unknown {
    const name = input.Name as string;
    switch (operation) {
      case 'PutParameter': {
        const existing = this.parameters.get(name);
        if (existing && input.Overwrite !== true) throw awsError('ParameterAlreadyExists', 'The parameter already exists.');
        const version = (existing?.version ?? 0) + 1;
        this.parameters.set(name, {
          value: input.Value as string,
          type: input.Type as string,
          keyId: input.KeyId as string | undefined,
          version,
        });
        return { Version: version, Tier: 'Standard' };
      }
      case 'DeleteParameter':
        if (!this.parameters.delete(name)) throw awsError('ParameterNotFound', `Parameter ${name} not found.`);
        return {};
      default:
        throw awsError('UnknownOperationException', `The simulator does not implement SSM ${operation}`);
    }
  }
}
