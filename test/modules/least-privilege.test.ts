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
  actions: string[];
}

/** Plans the module with the mocked provider and returns output.lambda_iam_statements. */
async function grantedStatements(): Promise<Record<FunctionKey, Statement[]>> {
  const { outputs } = await planModule(moduleDir, 'tests/least_privilege.tftest.hcl');
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
      const expected = sorted([...code.actions, ...[...code.actions].flatMap((a) => DEPENDENT_ACTIONS[a] ?? [])]);
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
