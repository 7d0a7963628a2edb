/**
 * Least privilege, both directions: the AWS API actions each Lambda's code can call (found in the
 * source files its bundle includes) must be exactly the actions the stream-restreaming module
 * grants its role, apart from a short list of documented platform permissions.
 *
 * Code side: esbuild bundles each handler in memory (tree-shaken, SDK packages external) and the
 * bundle is scanned for `new <X>Command(` and `paginate<X>(` whose names are imported from an AWS
 * SDK client (or lib-dynamodb); the metafile names the source files each call comes from.
 * Terraform side: `terraform test -json -verbose` plans the module with the mocked provider and
 * prints the plan; its output `lambda_iam_statements` lists every statement on each role.
 */
import { describe, expect, it, beforeAll } from '@jest/globals';
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { planModule } from '../support/terraform-plan';

const root = resolve(import.meta.dirname, '../..');
const moduleDir = join(root, 'modules/stream-restreaming');

const HANDLERS = {
  api: 'lambdas/api/handler.ts',
  monitor: 'lambdas/monitor/handler.ts',
} as const;
type FunctionKey = keyof typeof HANDLERS;

/** IAM service prefix of each SDK package the Lambdas may use. */
const SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-ivs': 'ivs',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-medialive': 'medialive',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-ssm': 'ssm',
};

/**
 * API calls IAM authorises under another action's name: SendMessageBatch needs sqs:SendMessage
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
 */
const AUTHORISED_AS: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
};

/** lib-dynamodb's document commands and the DynamoDB action each one calls. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
  ExecuteStatement: 'ExecuteStatement',
  BatchExecuteStatement: 'BatchExecuteStatement',
  ExecuteTransaction: 'ExecuteTransaction',
};

/**
 * Actions an API call needs besides its own (service authorization reference, MediaLive):
 * CreateChannel passes the MediaLive role (iam:PassRole) and, like CreateInput, tags on create,
 * which IAM authorises as medialive:CreateTags.
 */
const DEPENDENT_ACTIONS: Record<string, string[]> = {
  'medialive:CreateChannel': ['iam:PassRole', 'medialive:CreateTags'],
  'medialive:CreateInput': ['medialive:CreateTags'],
};

/**
 * Statements that serve the platform rather than a call in the code, by Sid: their actions are
 * fixed, and each is present exactly when `needed` says so.
 */
const PLATFORM_STATEMENTS: Record<string, { actions: string[]; needed: (fn: FunctionKey, code: Set<string>) => boolean }> = {
  // The Lambda runtime writes the function's logs with its role.
  WriteOwnLogGroup: {
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    needed: () => true,
  },
  // DynamoDB uses the tables' customer-managed key on the caller's behalf (kms:ViaService).
  UseTableKeyThroughDynamoDB: {
    actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
    needed: (_fn, code) => [...code].some((a) => a.startsWith('dynamodb:')),
  },
  // The Lambda service sends failed asynchronous monitor events to the dead-letter queue.
  SendFailedEventsToDeadLetterQueue: {
    actions: ['sqs:SendMessage'],
    needed: (fn) => fn === 'monitor',
  },
  // Lambda's event source mapping receives and deletes work-queue messages with the monitor's role.
  ConsumeWorkQueue: {
    actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    needed: (fn) => fn === 'monitor',
  },
  // SNS uses the alarm topic's customer-managed key on the publisher's behalf (kms:ViaService).
  UseTopicKeyThroughSns: {
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    needed: (_fn, code) => code.has('sns:Publish'),
  },
  // SSM decrypts the webhook SecureString with the module's key on the reader's behalf (kms:ViaService).
  DecryptAlertWebhookParameterThroughSsm: {
    actions: ['kms:Decrypt'],
    needed: (_fn, code) => code.has('ssm:GetParameter'),
  },
  // SQS uses the queue's customer-managed key on the sender's behalf (kms:ViaService).
  UseQueueKeyThroughSqs: {
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    needed: (_fn, code) => [...code].some((a) => a.startsWith('sqs:')),
  },
};

interface Call {
  action: string;
  file: string;
}

/**
 * What one function ships: the bundled code (tree-shaken, SDK packages left as imports) and the
 * project source files it was built from.
 */
async function bundle(entry: string): Promise<{ code: string; files: string[] }> {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    logLevel: 'silent',
  });
  const files = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules'));
  return { code: result.outputFiles.map((f) => f.text).join('\n'), files };
}

/** The SDK calls one file can make: commands it constructs and paginators it calls. */
function sdkCallsIn(source: string, file: string, strict = true): Call[] {
  const imported = new Map<string, { name: string; pkg: string }>();
  for (const m of source.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+['"](@aws-sdk\/[^'"]+)['"]/g)) {
    const [, typeOnly, clause = '', pkg = ''] = m;
    if (typeOnly || !(pkg in SERVICE_PREFIX)) continue;
    if (/\*\s+as\s+/.test(clause)) throw new Error(`${file}: namespace import of ${pkg}; the scanner only follows named imports`);
    const named = /\{([^}]*)\}/.exec(clause)?.[1] ?? '';
    for (const spec of named.split(',')) {
      const parts = spec
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/);
      if (spec.trim().startsWith('type ') || !parts[0]) continue;
      imported.set(parts[1] ?? parts[0], { name: parts[0], pkg });
    }
  }
  const calls: Call[] = [];
  const toAction = (pkg: string, operation: string): string => {
    const prefix = SERVICE_PREFIX[pkg]!;
    if (pkg === '@aws-sdk/lib-dynamodb') {
      const action = DOCUMENT_COMMANDS[operation];
      if (!action) throw new Error(`${file}: unknown lib-dynamodb operation ${operation}; add it to DOCUMENT_COMMANDS`);
      return `${prefix}:${action}`;
    }
    return AUTHORISED_AS[`${prefix}:${operation}`] ?? `${prefix}:${operation}`;
  };
  for (const [local, { name, pkg }] of imported) {
    const used = new RegExp(`\\b${local}\\s*\\(`).test(source);
    if (!used) continue;
    if (name.startsWith('waitUntil')) {
      if (!strict) continue;
      throw new Error(`${file}: waiter ${name} calls actions the scanner does not know; map it here`);
    }
    const command = /^(\w+)Command$/.exec(name);
    const paginator = /^paginate(\w+)$/.exec(name);
    const operation = command?.[1] ?? paginator?.[1];
    if (!operation) continue;
    if (command && !new RegExp(`new\\s+${local}\\s*\\(`).test(source)) continue;
    calls.push({ action: toAction(pkg, operation), file });
  }
  return calls;
}

/**
 * The actions a function's bundle can call. The bundle, not each source file, is scanned, so code
 * esbuild drops (e.g. the local stack's table set-up next to a constant a handler imports) does
 * not count; each action names the source files that contain the call.
 */
async function codeActions(entry: string): Promise<{ actions: Set<string>; calls: Call[]; code: string }> {
  const { code, files } = await bundle(entry);
  const actions = new Set(sdkCallsIn(code, entry).map((c) => c.action));
  const calls: Call[] = [];
  for (const file of files) {
    const source = await readFile(join(root, file), 'utf8');
    if (!source.includes('@aws-sdk/')) continue;
    for (const call of sdkCallsIn(source, file, false)) if (actions.has(call.action)) calls.push(call);
  }
  return { actions, calls, code };
}

/**
 * MediaLive's tagging commands. Their IAM actions must be granted for tag-on-create (see
 * DEPENDENT_ACTIONS), and IAM cannot tell a tag-on-create from a direct call (modules/
 * stream-restreaming/iam.tf): the code must therefore never send them itself.
 */
const TAGGING_COMMANDS = /\b(CreateTagsCommand|DeleteTagsCommand|TagResourceCommand|UntagResourceCommand)\b/g;

interface Statement {
  sid: string;
  /** `<function>/<concern>`, e.g. `monitor/relays`. */
  policy: string;
  actions: string[];
  resources: string[];
  conditions: { test: string; variable: string; values: string[] }[];
}

/** Plans the module with the mocked provider and returns output.lambda_iam_statements. */
async function grantedStatements(testFile = 'tests/least_privilege.tftest.hcl'): Promise<Record<FunctionKey, Statement[]>> {
  const { outputs } = await planModule(moduleDir, testFile);
  const statements = outputs['lambda_iam_statements'];
  if (!statements) throw new Error('the plan of tests/least_privilege.tftest.hcl has no output lambda_iam_statements');
  return statements as Record<FunctionKey, Statement[]>;
}

const sorted = (s: Iterable<string>): string[] => [...new Set(s)].sort();

describe('SDK call scanner', () => {
  it('finds commands and paginators with the IAM action they need', () => {
    const source = `
      import { GetStreamCommand, paginateListStreams, type IvsClient } from '@aws-sdk/client-ivs';
      import { PutCommand as Put, paginateQuery } from '@aws-sdk/lib-dynamodb';
      await client.send(new GetStreamCommand({ channelArn }));
      for await (const p of paginateListStreams({ client }, {})) {}
      await doc.send(new Put({ TableName }));
      paginateQuery({ client: doc }, {});`;
    expect(sorted(sdkCallsIn(source, 'x.ts').map((c) => c.action))).toEqual([
      'dynamodb:PutItem',
      'dynamodb:Query',
      'ivs:GetStream',
      'ivs:ListStreams',
    ]);
  });

  it('ignores type-only imports and imported commands that are never constructed', () => {
    const source = `
      import type { CreateChannelCommandInput } from '@aws-sdk/client-medialive';
      import { StartChannelCommand } from '@aws-sdk/client-medialive';
      type T = StartChannelCommand;`;
    expect(sdkCallsIn(source, 'x.ts')).toEqual([]);
  });

  it('would see a direct CreateTags call, however the command is imported', () => {
    const source = `
      import { CreateTagsCommand as Tag } from '@aws-sdk/client-medialive';
      await client.send(new Tag({ ResourceArn: arn, Tags: {} }));`;
    expect(sdkCallsIn(source, 'x.ts').map((c) => c.action)).toEqual(['medialive:CreateTags']);
    expect(source.match(TAGGING_COMMANDS)).toEqual(['CreateTagsCommand']);
  });

  it('finds every call of the adapters it is pointed at', async () => {
    const { actions } = await codeActions('lambdas/adapters/ivs-stream-source.ts');
    expect(sorted(actions)).toEqual(['ivs:GetChannel', 'ivs:GetStream', 'ivs:GetStreamSession', 'ivs:ListStreams']);
  });
});

describe('IAM policies of the stream-restreaming module', () => {
  let granted: Record<FunctionKey, Statement[]>;

  beforeAll(async () => {
    granted = await grantedStatements();
  }, 300_000);

  describe.each(Object.keys(HANDLERS) as FunctionKey[])('%s function', (fn) => {
    let code: { actions: Set<string>; calls: Call[]; code: string };

    beforeAll(async () => {
      if (!existsSync(join(root, HANDLERS[fn]))) throw new Error(`${HANDLERS[fn]} does not exist`);
      code = await codeActions(HANDLERS[fn]);
    });

    it('grants every action the code calls and nothing else', () => {
      // The ECS relay engine runs only where relays are created (RELAY_CLUSTER_ARN set); its
      // actions are checked both ways with create_relays = true below, and must be absent here.
      const relayOnly = new Set(
        code.calls
          .filter((c) => c.file === RELAY_ENGINE && code.calls.every((o) => o.action !== c.action || o.file === RELAY_ENGINE))
          .map((c) => c.action),
      );
      const called = [...code.actions].filter((a) => !relayOnly.has(a));
      const expected = sorted([...called, ...called.flatMap((a) => DEPENDENT_ACTIONS[a] ?? [])]);
      const application = sorted(granted[fn].filter((s) => !(s.sid in PLATFORM_STATEMENTS)).flatMap((s) => s.actions));
      const missing = expected.filter((a) => !application.includes(a));
      const extra = application.filter((a) => !expected.includes(a));
      const where = (a: string) => code.calls.filter((c) => c.action === a).map((c) => c.file);
      expect({
        missing: missing.map((a) => `${a} (called in ${where(a).join(', ') || 'a dependent action'})`),
        extra,
      }).toEqual({ missing: [], extra: [] });
    });

    it('never tags a MediaLive resource on its own: tags travel only with CreateChannel and CreateInput', () => {
      expect([...code.actions].filter((a) => /^medialive:(Create|Delete)Tags$/.test(a))).toEqual([]);
      expect(code.code.match(TAGGING_COMMANDS) ?? []).toEqual([]);
    });

    it('has the platform statements it needs, with exactly their actions', () => {
      const present = Object.fromEntries(granted[fn].filter((s) => s.sid in PLATFORM_STATEMENTS).map((s) => [s.sid, sorted(s.actions)]));
      const expected = Object.fromEntries(
        Object.entries(PLATFORM_STATEMENTS)
          .filter(([, p]) => p.needed(fn, code.actions))
          .map(([sid, p]) => [sid, sorted(p.actions)]),
      );
      expect(present).toEqual(expected);
    });
  });
});

/**
 * Pass-through relays (create_relays = true). The ECS relay engine (lambdas/adapters/ecs) is the
 * only code that calls ECS and SSM; the monitor runs it. Its actions and the actions they depend
 * on (service authorization reference, ECS:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html):
 * RegisterTaskDefinition names the execution and task roles (iam:PassRole) and, like RunTask,
 * tags on create, which ECS authorises as ecs:TagResource
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html);
 * PutParameter of a SecureString has SSM encrypt with the module's key on the caller's behalf.
 */
const RELAY_ENGINE = 'lambdas/adapters/ecs/relay-engine.ts';

/**
 * The monitor's alert gate keeps its items in the history table
 * (lambdas/adapters/dynamodb/alert-gate.ts): the table-wide statements above cannot tell the
 * tables apart, so its calls are checked against the history statement itself.
 */
describe('the alert gate in the history table', () => {
  it('is granted to the monitor on the history table: every call it makes there', async () => {
    const [granted, gate] = await Promise.all([grantedStatements(), codeActions('lambdas/adapters/dynamodb/alert-gate.ts')]);
    const history = granted.monitor.filter((s) => s.sid === 'RecordDestinationHistory');
    expect(history.flatMap((s) => s.resources)).toHaveLength(1);
    const actions = sorted(history.flatMap((s) => s.actions));
    expect(sorted(gate.actions)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect([...gate.actions].filter((a) => !actions.includes(a))).toEqual([]);
  }, 300_000);
});
const RELAY_DEPENDENT_ACTIONS: Record<string, string[]> = {
  'ecs:RegisterTaskDefinition': ['iam:PassRole', 'ecs:TagResource'],
  'ecs:RunTask': ['ecs:TagResource'],
  'ssm:PutParameter': ['kms:Encrypt', 'kms:GenerateDataKey'],
};

describe('IAM policies of the stream-restreaming module with create_relays = true', () => {
  // Names fixed by tests/least_privilege_relays.tftest.hcl (project least-privilege, eu-central-1).
  const ACCOUNT = 'arn:aws:ecs:eu-central-1:123456789012';
  const CLUSTER = `${ACCOUNT}:cluster/least-privilege-relays`;
  const FAMILIES = `${ACCOUNT}:task-definition/least-privilege-relay-*`;
  const TASKS = `${ACCOUNT}:task/least-privilege-relays/*`;
  const PARAMETERS = 'arn:aws:ssm:eu-central-1:123456789012:parameter/least-privilege/stream-keys/*';
  const ROLES = [
    'arn:aws:iam::123456789012:role/least-privilege-relay-execution',
    'arn:aws:iam::123456789012:role/least-privilege-relay-task',
  ];
  const KEY = 'arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555';
  const onCluster = { test: 'ArnEquals', variable: 'ecs:cluster', values: [CLUSTER] };
  const viaSsm = { test: 'StringEquals', variable: 'kms:ViaService', values: ['ssm.eu-central-1.amazonaws.com'] };

  /**
   * The only scope each relay action may have: resources and conditions, exactly.
   * - Task definitions: the relay families `{project}-relay-*` (every revision; the RunTask
   *   reference: "To specify all revisions, use the wildcard (*) in the ARN",
   *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
   * - RunTask is authorised on the task definition; the ecs:cluster condition key keeps it on the
   *   relay cluster (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security_iam_service-with-iam.html).
   * - Tasks: ARNs `task/{cluster name}/{task id}` of the relay cluster only.
   * - ListTasks is authorised on container instances, so its resource is `*` with ecs:cluster;
   *   ListTaskDefinitions and DeregisterTaskDefinition have no resource type (and Deregister no
   *   condition key): `*` is all IAM matches them against
   *   (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
   * - Parameters: `/{project}/stream-keys/*`; PassRole: the two relay roles, only to ECS tasks.
   */
  const SCOPE: Record<string, { resources: string[]; conditions: Statement['conditions'] }> = {
    'ecs:RegisterTaskDefinition': { resources: [FAMILIES], conditions: [] },
    'ecs:DeregisterTaskDefinition': { resources: ['*'], conditions: [] },
    'ecs:RunTask': { resources: [FAMILIES], conditions: [onCluster] },
    'ecs:TagResource': {
      resources: [FAMILIES, TASKS],
      conditions: [
        { test: 'StringEquals', variable: 'ecs:CreateAction', values: ['RegisterTaskDefinition', 'RunTask'] },
        { test: 'StringEquals', variable: 'aws:RequestTag/ivs-restreaming:project', values: ['least-privilege'] },
      ],
    },
    'ecs:DescribeTasks': { resources: [TASKS], conditions: [] },
    'ecs:StopTask': { resources: [TASKS], conditions: [] },
    'ecs:ListTasks': { resources: ['*'], conditions: [onCluster] },
    'ecs:ListTaskDefinitions': { resources: ['*'], conditions: [] },
    'ssm:PutParameter': { resources: [PARAMETERS], conditions: [] },
    'ssm:DeleteParameter': { resources: [PARAMETERS], conditions: [] },
    'kms:Encrypt': { resources: [KEY], conditions: [viaSsm] },
    'kms:GenerateDataKey': { resources: [KEY], conditions: [viaSsm] },
    'iam:PassRole': {
      resources: ROLES,
      conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ecs-tasks.amazonaws.com'] }],
    },
  };

  let granted: Record<FunctionKey, Statement[]>;
  let relay: Statement[];
  let engine: Set<string>;

  beforeAll(async () => {
    granted = await grantedStatements('tests/least_privilege_relays.tftest.hcl');
    relay = granted.monitor.filter((s) => s.policy === 'monitor/relays');
    engine = (await codeActions(RELAY_ENGINE)).actions;
  }, 300_000);

  it('the scanner finds the ECS and SSM calls of the relay engine', () => {
    expect(sorted(engine)).toEqual([
      'ecs:DeregisterTaskDefinition',
      'ecs:DescribeTasks',
      'ecs:ListTaskDefinitions',
      'ecs:ListTasks',
      'ecs:RegisterTaskDefinition',
      'ecs:RunTask',
      'ecs:StopTask',
      'ssm:DeleteParameter',
      'ssm:PutParameter',
    ]);
  });

  it('grants the monitor every action the relay engine calls and the actions they depend on, and nothing else', () => {
    const expected = sorted([...engine, ...[...engine].flatMap((a) => RELAY_DEPENDENT_ACTIONS[a] ?? [])]);
    expect(sorted(relay.flatMap((s) => s.actions))).toEqual(expected);
  });

  it('scopes every relay action to the relay cluster, families, tasks, parameters, key and roles, and no wider', () => {
    const scopes = relay.flatMap((s) =>
      s.actions.map((action) => ({ action, resources: sorted(s.resources), conditions: sortConditions(s.conditions) })),
    );
    const expected = scopes.map(({ action }) => ({
      action,
      resources: sorted(SCOPE[action]?.resources ?? ['(no scope expected)']),
      conditions: sortConditions(SCOPE[action]?.conditions ?? []),
    }));
    expect(scopes).toEqual(expected);
  });

  it('gives no ECS, SSM or relay role outside the relay policy, and the API function none at all', () => {
    const outside = granted.monitor.filter((s) => s.policy !== 'monitor/relays');
    // The one SSM read outside the relay policy: the alert webhook's SecureString, exactly that parameter.
    const webhook = outside.filter((s) => s.sid === 'ReadAlertWebhookParameter');
    expect(webhook.flatMap((s) => s.actions)).toEqual(['ssm:GetParameter']);
    expect(webhook.flatMap((s) => s.resources)).toEqual([expect.stringMatching(/:ssm:[a-z0-9-]+:\d{12}:parameter\/alerts\/webhook-url$/)]);
    expect(
      outside
        .filter((s) => s.sid !== 'ReadAlertWebhookParameter')
        .flatMap((s) => s.actions)
        .filter((a) => /^(ecs|ssm):/.test(a)),
    ).toEqual([]);
    expect(outside.flatMap((s) => s.resources).filter((r) => ROLES.includes(r))).toEqual([]);
    expect(granted.api.flatMap((s) => s.actions).filter((a) => /^(ecs|ssm):/.test(a) || a === 'iam:PassRole')).toEqual([]);
  });

  it('leaves the rest of the monitor’s and the API’s policies as without relays', async () => {
    const without = await grantedStatements();
    const strip = (list: Statement[]) => list.filter((s) => s.policy !== 'monitor/relays').map((s) => ({ sid: s.sid, actions: s.actions }));
    expect(strip(granted.monitor)).toEqual(strip(without.monitor));
    expect(strip(granted.api)).toEqual(strip(without.api));
  }, 300_000);
});

function sortConditions(conditions: Statement['conditions']): Statement['conditions'] {
  return [...conditions]
    .map((c) => ({ test: c.test, variable: c.variable, values: sorted(c.values) }))
    .sort((a, b) => a.variable.localeCompare(b.variable));
}
