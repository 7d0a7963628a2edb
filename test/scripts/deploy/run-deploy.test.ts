import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ListChannelsCommand, ListInputsCommand, MediaLiveClient } from '@aws-sdk/client-medialive';
import { SSMClient } from '@aws-sdk/client-ssm';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { DEPLOY_ERROR_CODES } from '../../../scripts/deploy/errors';
import { runDeploy, type DeployOptions } from '../../../scripts/deploy/run-deploy';
import { createDeploySandbox, TEST_CONFIG, type DeploySandbox } from '../../support/deploy-fixture';
import { fakeS3Bucket, type StoredObject } from '../../support/fake-s3-bucket';
import { FakeMediaLive } from '../../support/fake-medialive-sdk';
import { FakeRelays } from '../../support/fake-relays-sdk';
import { DEPLOYED_OUTPUTS } from '../../support/fake-terraform';

const s3Mock = mockClient(S3Client);
const cloudFrontMock = mockClient(CloudFrontClient);
const stsMock = mockClient(STSClient);
const mediaLiveMock = mockClient(MediaLiveClient);
const ecsMock = mockClient(ECSClient);
const ssmMock = mockClient(SSMClient);

let sandbox: DeploySandbox;
let bucket: Map<string, StoredObject>;

const deploy = (options: Partial<DeployOptions> = {}) => runDeploy({ mode: 'all', yes: true, ...options }, sandbox.deps);

beforeEach(async () => {
  s3Mock.reset();
  cloudFrontMock.reset();
  stsMock.reset();
  mediaLiveMock.reset();
  mediaLiveMock.on(ListChannelsCommand).resolves({ Channels: [] });
  mediaLiveMock.on(ListInputsCommand).resolves({ Inputs: [] });
  ecsMock.reset();
  ssmMock.reset();
  // No relay cluster and no parameters: the relay teardown finds nothing.
  new FakeRelays().install(ecsMock, ssmMock);
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/deployer', UserId: 'AID' });
  cloudFrontMock.on(CreateInvalidationCommand).resolves({ Invalidation: undefined });
  bucket = fakeS3Bucket(s3Mock);
  sandbox = await createDeploySandbox();
});

afterEach(async () => {
  await sandbox.remove();
});

describe('runDeploy without flags', () => {
  it('runs every step in order: preflight, zips, init, plan, apply, outputs, admin UI build, upload, invalidation', async () => {
    const result = await deploy();

    expect(result.steps).toEqual([
      'preflight',
      'build-lambdas',
      'terraform-init',
      'terraform-plan',
      'terraform-apply',
      'terraform-outputs',
      'frontend-build',
      'upload',
      'invalidate',
    ]);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'show', 'apply', 'output']);
    expect(sandbox.otherCommands).toEqual(['npm run build']);
    expect(result.applied).toBe(true);
  });

  it('passes the settings to Terraform as a JSON var-file with zip paths relative to infra/', async () => {
    await deploy();

    const plan = (await sandbox.terraform.calls()).find((c) => c.command === 'plan')!;
    expect(plan.argv[0]).toBe(`-chdir=${join(sandbox.root, 'infra')}`);
    expect(plan.varFile).toEqual({
      project_name: 'ivs-test',
      region: 'eu-central-1',
      enable_stream_restreaming: true,
      create_ivs_channel: true,
      ivs_channel_arns: [],
      reconcile_schedule_expression: 'rate(1 minute)',
      stop_grace_seconds: 120,
      idle_channel_ttl_seconds: 600,
      log_retention_days: 30,
      admin_users: ['admin@example.com'],
      deletion_protection: true,
      api_auth: 'jwt',
      acknowledge_unauthenticated_api: false,
      allow_private_rtmp_targets: false,
      enable_relays: true,
      api_lambda_zip_path: '../dist/lambda.zip',
      monitor_lambda_zip_path: '../dist/monitor.zip',
      api_lambda_source_code_hash: 'c2hh',
      monitor_lambda_source_code_hash: 'c2hh',
      tags: {},
    });
  });

  it('passes enable_stream_restreaming = false when the config switches restreaming off', async () => {
    await sandbox.writeConfig({ ...TEST_CONFIG, enableStreamRestreaming: false });

    await deploy({ mode: 'infrastructure' });

    const calls = await sandbox.terraform.calls();
    expect(calls.find((c) => c.command === 'plan')?.varFile).toMatchObject({ enable_stream_restreaming: false });
    expect(sandbox.printed.join('\n')).toContain('Restreaming is off');
  });

  it('publishes the admin UI with a config.json built from the Terraform outputs', async () => {
    await deploy();

    expect(JSON.parse(bucket.get('config.json')!.body.toString())).toEqual({
      apiUrl: DEPLOYED_OUTPUTS.api_url!.value,
      auth: {
        issuer: DEPLOYED_OUTPUTS.cognito_issuer!.value,
        clientId: 'client123',
        domain: DEPLOYED_OUTPUTS.cognito_domain!.value,
        redirectUri: 'https://d111111abcdef8.cloudfront.net/',
        // The UI asks for the API's admin scope, which only access tokens carry.
        scopes: 'openid email profile ivs-restreaming-api/admin',
      },
      localMode: false,
    });
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'ivs-restreaming-admin-site',
      Key: 'index.html',
      CacheControl: 'no-cache',
    });
  });

  it('publishes a config.json without an API URL when restreaming is off', async () => {
    await sandbox.writeConfig({ ...TEST_CONFIG, enableStreamRestreaming: false });
    await sandbox.terraform.configure({
      outputs: { ...DEPLOYED_OUTPUTS, enable_stream_restreaming: { value: false }, api_url: { value: null } },
    });

    await deploy();

    expect(JSON.parse(bucket.get('config.json')!.body.toString())).toMatchObject({ apiUrl: '', localMode: false });
  });

  it('ends with a summary of the URLs, the ingest endpoint and how to read the stream key, never the key itself', async () => {
    await deploy();

    const summary = sandbox.printed.join('\n');
    expect(summary).toContain('https://d111111abcdef8.cloudfront.net');
    expect(summary).toContain('https://abc123.execute-api.eu-central-1.amazonaws.com');
    expect(summary).toContain('rtmps://abcdef.global-contribute.live-video.net:443/app/');
    expect(summary).toContain('terraform -chdir=infra output -raw ivs_stream_key');
    expect(summary).not.toContain('SECRETSTREAMKEY');
  });

  it('skips apply when the plan has no changes and still publishes the admin UI', async () => {
    await sandbox.terraform.configure({ planChanges: false });

    const result = await deploy();

    expect(result.steps).not.toContain('terraform-apply');
    expect(result.steps).toContain('upload');
    expect(result.applied).toBe(false);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'output']);
  });
});

describe('confirmation', () => {
  it('refuses to run without a terminal and without --yes, before any Terraform call', async () => {
    await expect(deploy({ yes: false })).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.confirmationRequired,
      message: expect.stringContaining('pass --yes'),
    });
    expect(await sandbox.terraform.commands()).toEqual([]);
  });

  it('shows the plan and applies nothing when the prompt is declined', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.confirm.push(false);

    await expect(deploy({ yes: false })).rejects.toMatchObject({ code: DEPLOY_ERROR_CODES.aborted });

    expect(sandbox.printed.join('\n')).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(sandbox.prompts).toEqual([expect.stringContaining('Apply these changes to ivs-test in eu-central-1')]);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'show']);
  });

  it('applies the confirmed plan file when the prompt is accepted', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.confirm.push(true);

    await deploy({ yes: false, mode: 'infrastructure' });

    const calls = await sandbox.terraform.calls();
    const planOut = calls
      .find((c) => c.command === 'plan')!
      .argv.find((a) => a.startsWith('-out='))!
      .slice('-out='.length);
    expect(calls.find((c) => c.command === 'apply')!.argv).toContain(planOut);
  });
});

describe('partial runs', () => {
  it('--infrastructure builds the zips and applies Terraform but leaves the admin UI alone', async () => {
    const result = await deploy({ mode: 'infrastructure' });

    expect(result.steps).toEqual([
      'preflight',
      'build-lambdas',
      'terraform-init',
      'terraform-plan',
      'terraform-apply',
      'terraform-outputs',
    ]);
    expect(sandbox.otherCommands).toEqual([]);
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('--frontend reads the outputs and publishes the admin UI without building zips or running a plan', async () => {
    await mkdir(join(sandbox.root, 'infra', '.terraform'));

    const result = await deploy({ mode: 'frontend' });

    expect(result.steps).toEqual(['preflight', 'terraform-outputs', 'frontend-build', 'upload', 'invalidate']);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'output']);
    expect(sandbox.lambdaBuilds).toBe(0);
    expect([...bucket.keys()].sort()).toEqual(['assets/index-abc.js', 'config.json', 'index.html']);
  });

  it('--frontend initialises Terraform first in a fresh checkout', async () => {
    const result = await deploy({ mode: 'frontend' });

    expect(result.steps).toEqual(['preflight', 'terraform-init', 'terraform-outputs', 'frontend-build', 'upload', 'invalidate']);
  });

  it('--frontend tells to deploy the infrastructure first when Terraform has no outputs', async () => {
    await mkdir(join(sandbox.root, 'infra', '.terraform'));
    await sandbox.terraform.configure({ outputs: {} });

    await expect(deploy({ mode: 'frontend' })).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.outputsMissing,
      message: expect.stringContaining('--infrastructure'),
    });
    expect(sandbox.otherCommands).toEqual([]);
  });

  it('a second --frontend with nothing changed uploads and invalidates nothing; a changed output re-uploads config.json only', async () => {
    await mkdir(join(sandbox.root, 'infra', '.terraform'));
    await deploy({ mode: 'frontend' });
    s3Mock.resetHistory();

    const unchanged = await deploy({ mode: 'frontend' });
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
    expect(cloudFrontMock).not.toHaveReceivedCommand(CreateInvalidationCommand);
    expect(unchanged.invalidated).toEqual([]);

    await sandbox.terraform.configure({ outputs: { ...DEPLOYED_OUTPUTS, api_url: { value: 'https://new-api.example.com' } } });
    const changed = await deploy({ mode: 'frontend' });
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Key: 'config.json' });
    expect(changed.invalidated).toEqual(['/config.json']);
    expect(cloudFrontMock).toHaveReceivedCommandWith(CreateInvalidationCommand, {
      DistributionId: 'E2QWRUHEXAMPLE',
      InvalidationBatch: expect.objectContaining({ Paths: { Quantity: 1, Items: ['/config.json'] } }) as never,
    });
  });

  it('--plan prints the plan and changes nothing', async () => {
    const result = await deploy({ mode: 'plan', yes: false });

    expect(result.steps).toEqual(['preflight', 'build-lambdas', 'terraform-init', 'terraform-plan']);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'show']);
    const printed = sandbox.printed.join('\n');
    expect(printed).toContain('Plan: 3 to add');
    expect(printed).not.toContain('Refreshing state');
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('--destroy destroys after the project name is typed and deletion protection is confirmed', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.input.push('ivs-test');
    sandbox.answers.confirm.push(true);

    const result = await deploy({ mode: 'destroy', yes: false });

    expect(sandbox.prompts).toEqual([expect.stringContaining('Type the project name'), expect.stringContaining('deletion protection')]);
    expect(result.steps).toEqual([
      'preflight',
      'build-lambdas',
      'terraform-init',
      'runtime-teardown',
      'deletion-protection',
      'terraform-destroy',
      'runtime-sweep',
    ]);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'state', 'plan', 'apply', 'destroy']);
    expect((await sandbox.terraform.calls()).find((c) => c.command === 'destroy')?.varFile).toMatchObject({ project_name: 'ivs-test' });
  });

  it('--destroy destroys nothing when the typed name does not match', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.input.push('ivs-tes');

    await expect(deploy({ mode: 'destroy', yes: false })).rejects.toMatchObject({ code: DEPLOY_ERROR_CODES.aborted });
    expect(await sandbox.terraform.commands()).toEqual(['version']);
  });

  it('--destroy reuses existing zips instead of rebuilding them', async () => {
    await mkdir(join(sandbox.root, 'dist'), { recursive: true });
    await writeFile(join(sandbox.root, 'dist', 'lambda.zip'), 'zip');
    await writeFile(join(sandbox.root, 'dist', 'monitor.zip'), 'zip');

    const result = await deploy({ mode: 'destroy', yes: true, disableDeletionProtection: true });

    expect(result.steps).toEqual([
      'preflight',
      'terraform-init',
      'runtime-teardown',
      'deletion-protection',
      'terraform-destroy',
      'runtime-sweep',
    ]);
  });
});

describe('infra/ variables', () => {
  it('passes only the variables infra/ declares and names the unexpected omissions', async () => {
    await writeFile(
      join(sandbox.root, 'infra', 'variables.tf'),
      [
        'project_name',
        'region',
        'create_ivs_channel',
        'ivs_channel_arns',
        'reconcile_schedule_expression',
        'stop_grace_seconds',
        'idle_channel_ttl_seconds',
        'log_retention_days',
        'admin_users',
        'deletion_protection',
        'api_auth',
        'acknowledge_unauthenticated_api',
        'allow_private_rtmp_targets',
        'enable_relays',
        'api_lambda_zip_path',
        'monitor_lambda_zip_path',
        'tags',
      ]
        .map((n) => `variable "${n}" {\n  type = any\n}\n`)
        .join('\n'),
    );
    await sandbox.writeConfig({ ...TEST_CONFIG, defaultProfile: '720p30-4500' });

    const result = await deploy({ mode: 'plan' });

    const varFile = (await sandbox.terraform.calls()).find((c) => c.command === 'plan')!.varFile!;
    expect(varFile).not.toHaveProperty('default_profile');
    expect(varFile).not.toHaveProperty('enable_stream_restreaming');
    expect(result.undeclaredVariables).toEqual(['enable_stream_restreaming', 'default_profile']);
    expect(sandbox.printed.join('\n')).toContain('infra/ declares no variable for enable_stream_restreaming, default_profile');
  });
});

describe('--destroy and runtime resources', () => {
  let fake: FakeMediaLive;
  let relays: FakeRelays;

  beforeEach(() => {
    mediaLiveMock.reset();
    fake = new FakeMediaLive();
    fake.install(mediaLiveMock);
    ecsMock.reset();
    ssmMock.reset();
    relays = new FakeRelays();
    relays.install(ecsMock, ssmMock);
    let now = 0;
    sandbox.deps.teardownWait = {
      timeoutMs: 120_000,
      pollMs: 10_000,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    };
    // Terraform commands go into the same log as the MediaLive calls, to see the order.
    const runner = sandbox.deps.process;
    sandbox.deps.process = {
      run: (file, args, options) => {
        const command = args.find((a) => !a.startsWith('-'));
        if (file !== 'npm' && command && command !== 'version') {
          fake.log.push(`terraform ${command}`);
          relays.log.push(`terraform ${command}`);
        }
        return runner.run(file, args, options);
      },
    };
  });

  it('stops and deletes a RUNNING channel and its input before Terraform destroys anything', async () => {
    const { channelId, inputId } = fake.addChannel('ivs-test', 'RUNNING');
    const other = fake.addChannel('someone-else', 'RUNNING');

    const result = await deploy({ mode: 'destroy', yes: true, disableDeletionProtection: true });

    expect(fake.log).toEqual([
      'terraform init',
      `StopChannel ${channelId}`,
      `DeleteChannel ${channelId}`,
      `DeleteInput ${inputId}`,
      'terraform state',
      'terraform plan',
      'terraform apply',
      'terraform destroy',
    ]);
    expect(fake.remaining()).toEqual([`channel ${other.channelId} RUNNING`, `input ${other.inputId} ATTACHED`]);
    expect(result.teardown).toEqual({ removed: [expect.stringContaining(channelId), expect.stringContaining(inputId)], leftovers: [] });
  });

  it('stops the relay tasks and deletes their task definitions and stream-key parameters before Terraform destroys anything', async () => {
    const task = relays.addTask('ivs-test', 'd-1');
    const definition = relays.addTaskDefinition('ivs-test', 'd-1');
    relays.addParameter('ivs-test', 'd-1');
    const other = relays.addTask('someone-else', 'd-1');

    const result = await deploy({ mode: 'destroy', yes: true, disableDeletionProtection: true });

    expect(relays.log).toEqual([
      'terraform init',
      `StopTask ${task}`,
      `DeregisterTaskDefinition ${definition}`,
      'DeleteParameters 1',
      'terraform state',
      'terraform plan',
      'terraform apply',
      'terraform destroy',
    ]);
    expect(relays.remaining()).toEqual([`task ${other} RUNNING`]);
    expect(result.teardown?.removed).toEqual([
      expect.stringContaining(task.slice(-32)),
      'ECS task definition ivs-test-relay-d-1:1',
      'SSM parameter /ivs-test/stream-keys/d-1',
    ]);
  });

  it('sweeps again after terraform destroy and removes what appeared in between', async () => {
    let late: string | undefined;
    const runner = sandbox.deps.process;
    sandbox.deps.process = {
      run: async (file, args, options) => {
        const result = await runner.run(file, args, options);
        // A monitor Lambda that was still deployed created a channel during the first pass.
        if (args.includes('state')) late = fake.addChannel('ivs-test', 'RUNNING').channelId;
        return result;
      },
    };

    const result = await deploy({ mode: 'destroy', yes: true, disableDeletionProtection: true });

    expect(fake.log).toContain(`DeleteChannel ${late}`);
    expect(fake.log.indexOf(`DeleteChannel ${late}`)).toBeGreaterThan(fake.log.indexOf('terraform destroy'));
    expect(result.teardown?.leftovers).toEqual([]);
  });

  it('lists what it could not remove and fails with one line that says how to retry', async () => {
    const { channelId } = fake.addChannel('ivs-test', 'RUNNING');
    fake.denied.add(`StopChannel ${channelId}`);

    await expect(deploy({ mode: 'destroy', yes: true, disableDeletionProtection: true })).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.leftovers,
      message:
        '2 runtime resource(s) could not be removed (listed above): fix the cause, then run npx tsx deploy.ts --destroy --yes --disable-deletion-protection',
    });

    const printed = sandbox.printed.join('\n');
    expect(printed).toContain(
      `  - MediaLive channel ${channelId} (ivs-test-${channelId}): User is not authorized to perform: medialive:StopChannel`,
    );
    expect(printed).toMatch(/ {2}- MediaLive input \d+ .*: still ATTACHED after 2 min/);
    // Terraform still destroyed what it manages.
    expect(fake.log).toContain('terraform destroy');
  });

  it('with --yes but without --disable-deletion-protection, fails with one line before touching anything', async () => {
    fake.addChannel('ivs-test', 'RUNNING');

    await expect(deploy({ mode: 'destroy', yes: true })).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.deletionProtected,
      message: expect.stringMatching(/^Nothing destroyed: .*deletion protection; add --disable-deletion-protection/),
    });
    expect(fake.log).toEqual([]);
    expect(await sandbox.terraform.commands()).toEqual(['version']);
  });

  it('destroys nothing when the deletion-protection question is declined', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.input.push('ivs-test');
    sandbox.answers.confirm.push(false);

    await expect(deploy({ mode: 'destroy', yes: false })).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.aborted,
      message: 'Nothing destroyed: deletion protection stays on',
    });
    expect(fake.log).toEqual([]);
  });

  it('turns deletion protection off on exactly the protected resources, then destroys', async () => {
    await deploy({ mode: 'destroy', yes: true, disableDeletionProtection: true });

    const calls = await sandbox.terraform.calls();
    const unprotect = calls.find((c) => c.command === 'plan')!;
    expect(unprotect.varFile).toMatchObject({ deletion_protection: false, project_name: 'ivs-test' });
    expect(unprotect.argv.filter((a) => a.startsWith('-target='))).toEqual([
      '-target=aws_cognito_user_pool.this[0]',
      '-target=module.stream_restreaming[0].aws_dynamodb_table.destinations',
      '-target=module.stream_restreaming[0].aws_dynamodb_table.leases',
    ]);
    const planOut = unprotect.argv.find((a) => a.startsWith('-out='))!.slice('-out='.length);
    expect(calls.find((c) => c.command === 'apply')!.argv).toContain(planOut);
    expect(calls.find((c) => c.command === 'destroy')!.varFile).toMatchObject({ deletion_protection: true });
  });

  it('plans and applies nothing for deletion protection when nothing was ever deployed', async () => {
    await sandbox.terraform.configure({ stateAddresses: null });

    const result = await deploy({ mode: 'destroy', yes: true, disableDeletionProtection: true });

    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'state', 'destroy']);
    expect(result.steps).toContain('deletion-protection');
  });
});

describe('switching restreaming off', () => {
  let fake: FakeMediaLive;

  beforeEach(async () => {
    mediaLiveMock.reset();
    fake = new FakeMediaLive();
    fake.install(mediaLiveMock);
    sandbox.deps.teardownWait = { pollMs: 1, sleep: () => Promise.resolve() };
    await sandbox.writeConfig({ ...TEST_CONFIG, enableStreamRestreaming: false });
    await sandbox.terraform.configure({
      resourceChanges: [
        {
          address: 'module.stream_restreaming[0].aws_lambda_function.monitor',
          type: 'aws_lambda_function',
          change: { actions: ['delete'] },
        },
        {
          address: 'module.stream_restreaming[0].aws_dynamodb_table.destinations',
          type: 'aws_dynamodb_table',
          change: { actions: ['delete'] },
        },
      ],
    });
  });

  it('stops and deletes the running channels first, applies, then checks again', async () => {
    const { channelId, inputId } = fake.addChannel('ivs-test', 'RUNNING');

    const result = await deploy({ mode: 'infrastructure' });

    expect(result.steps).toEqual([
      'preflight',
      'build-lambdas',
      'terraform-init',
      'terraform-plan',
      'runtime-teardown',
      'terraform-apply',
      'runtime-sweep',
      'terraform-outputs',
    ]);
    expect(fake.log).toEqual([`StopChannel ${channelId}`, `DeleteChannel ${channelId}`, `DeleteInput ${inputId}`]);
    const printed = sandbox.printed.join('\n');
    expect(printed).toContain(
      'Restreaming is switched off: every MediaLive channel and input, relay task and stream-key parameter of the project is stopped and deleted first.',
    );
    expect(printed).toContain('    - module.stream_restreaming[0].aws_dynamodb_table.destinations');
  });

  it('does not touch MediaLive when the plan keeps the control plane', async () => {
    await sandbox.terraform.configure({ resourceChanges: undefined });
    fake.addChannel('ivs-test', 'RUNNING');

    const result = await deploy({ mode: 'infrastructure' });

    expect(result.steps).not.toContain('runtime-teardown');
    expect(mediaLiveMock).not.toHaveReceivedCommand(ListChannelsCommand);
  });
});

describe('plan summary', () => {
  it('is printed before the confirmation: counts per resource type and every destroy by address', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.confirm.push(false);
    await sandbox.terraform.configure({
      resourceChanges: [
        { address: 'aws_cognito_user.admin["admin@example.com"]', type: 'aws_cognito_user', change: { actions: ['create'] } },
        { address: 'module.stream_restreaming[0].aws_lambda_function.api', type: 'aws_lambda_function', change: { actions: ['update'] } },
        { address: 'aws_ivs_channel.this[0]', type: 'aws_ivs_channel', change: { actions: ['delete'] } },
      ],
    });

    await expect(deploy({ yes: false })).rejects.toMatchObject({ code: DEPLOY_ERROR_CODES.aborted });

    const printed = sandbox.printed.join('\n');
    expect(printed).toContain(
      [
        'Plan: 1 to create, 1 to change, 0 to replace, 1 to destroy.',
        '  create   aws_cognito_user ×1',
        '  change   aws_lambda_function ×1',
        '  destroy  aws_ivs_channel ×1',
        '  Destroyed:',
        '    - aws_ivs_channel.this[0]',
      ].join('\n'),
    );
    expect(printed).toContain('The full plan: dist/deploy/logs/terraform-plan.log');
    expect(printed.indexOf('Plan: 1 to create')).toBeLessThan(printed.length);
    expect(sandbox.prompts).toHaveLength(1);
  });
});

describe('the first admin', () => {
  beforeEach(async () => {
    await sandbox.writeConfig({ ...TEST_CONFIG, adminUsers: [] });
  });

  it('with --yes and no admin e-mail, fails with one line before any Terraform call', async () => {
    await expect(deploy()).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.adminMissing,
      message:
        'No admin user: nobody could log in to the admin UI; pass --admin-email you@example.com, set IVS_RESTREAMING_ADMIN_USERS or list adminUsers in deployment.config.ts',
    });
    expect(await sandbox.terraform.commands()).toEqual(['version']);
    expect(sandbox.lambdaBuilds).toBe(0);
  });

  it('asks in a terminal, creates that login and says how the first login works', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.input.push(' first@example.com ');
    sandbox.answers.confirm.push(true);

    await deploy({ yes: false, mode: 'infrastructure' });

    expect(sandbox.prompts[0]).toMatch(/E-mail address of the first admin \(Cognito e-mails it a temporary password/);
    const plan = (await sandbox.terraform.calls()).find((c) => c.command === 'plan')!;
    expect(plan.varFile).toMatchObject({ admin_users: ['first@example.com'] });
    const printed = sandbox.printed.join('\n');
    expect(printed).toContain("Add adminUsers: ['first@example.com'] to deployment.config.ts");
    expect(printed).toContain('First login: Cognito e-mails each new admin user (first@example.com) a temporary password');
  });

  it('refuses an answer that is not an e-mail address', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.input.push('admin');

    await expect(deploy({ yes: false })).rejects.toMatchObject({
      code: DEPLOY_ERROR_CODES.adminMissing,
      message: expect.stringMatching(/^"admin" is not an e-mail address: nothing deployed/),
    });
  });

  it('takes the admin from --admin-email with --yes', async () => {
    await deploy({ configFlags: { adminUsers: ['flag@example.com'] } });

    const plan = (await sandbox.terraform.calls()).find((c) => c.command === 'plan')!;
    expect(plan.varFile).toMatchObject({ admin_users: ['flag@example.com'] });
  });

  it('is not asked for by --plan or --frontend', async () => {
    await expect(deploy({ mode: 'plan' })).resolves.toBeDefined();
  });
});

describe('warnings on every deploy', () => {
  it('warns while Terraform state is local', async () => {
    const result = await deploy({ mode: 'plan' });

    expect(result.warnings).toEqual([expect.stringMatching(/^⚠ Terraform state is local .*terraformBackend: \{ s3:/)]);
    expect(sandbox.printed[0]).toBe(result.warnings[0]);
  });

  it('does not warn about state kept in S3', async () => {
    await sandbox.writeConfig({ ...TEST_CONFIG, terraformBackend: { s3: { bucket: 'my-state', key: 'ivs/terraform.tfstate' } } });

    const result = await deploy({ mode: 'plan' });

    expect(result.warnings).toEqual([]);
  });

  it.each(['all', 'infrastructure', 'plan', 'frontend'] as const)('warns about an unauthenticated API (%s)', async (mode) => {
    await mkdir(join(sandbox.root, 'infra', '.terraform'), { recursive: true });
    await sandbox.writeConfig({ ...TEST_CONFIG, apiAuth: 'none', acknowledgeUnauthenticatedApi: true });

    const result = await deploy({ mode });

    expect(result.warnings[0]).toMatch(/^⚠ The API runs WITHOUT authentication .*anyone with its URL can add a destination/);
    expect(sandbox.printed).toContain(result.warnings.join('\n'));
    const plan = (await sandbox.terraform.calls()).find((c) => c.command === 'plan');
    if (plan) expect(plan.varFile).toMatchObject({ api_auth: 'none', acknowledge_unauthenticated_api: true });
  });

  it("refuses apiAuth: 'none' without the acknowledgement before any Terraform call", async () => {
    await sandbox.writeConfig({ ...TEST_CONFIG, apiAuth: 'none' });

    await expect(deploy()).rejects.toMatchObject({ code: DEPLOY_ERROR_CODES.configInvalid });
    expect(await sandbox.terraform.calls()).toEqual([]);
  });
});
