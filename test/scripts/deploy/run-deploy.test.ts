import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { DEPLOY_ERROR_CODES } from '../../../scripts/deploy/errors';
import { runDeploy, type DeployOptions } from '../../../scripts/deploy/run-deploy';
import { createDeploySandbox, TEST_CONFIG, type DeploySandbox } from '../../support/deploy-fixture';
import { fakeS3Bucket, type StoredObject } from '../../support/fake-s3-bucket';
import { DEPLOYED_OUTPUTS } from '../../support/fake-terraform';

const s3Mock = mockClient(S3Client);
const cloudFrontMock = mockClient(CloudFrontClient);
const stsMock = mockClient(STSClient);

let sandbox: DeploySandbox;
let bucket: Map<string, StoredObject>;

const deploy = (options: Partial<DeployOptions> = {}) => runDeploy({ mode: 'all', yes: true, ...options }, sandbox.deps);

beforeEach(async () => {
  s3Mock.reset();
  cloudFrontMock.reset();
  stsMock.reset();
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
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'apply', 'output']);
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
      log_retention_days: 30,
      admin_users: ['admin@example.com'],
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
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan']);
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
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan']);
    const printed = sandbox.printed.join('\n');
    expect(printed).toContain('Plan: 3 to add');
    expect(printed).not.toContain('Refreshing state');
    expect(s3Mock).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('--destroy destroys after the project name is typed', async () => {
    sandbox.deps.interactive = true;
    sandbox.answers.input.push('ivs-test');

    const result = await deploy({ mode: 'destroy', yes: false });

    expect(sandbox.prompts).toEqual([expect.stringContaining('Type the project name')]);
    expect(result.steps).toEqual(['preflight', 'build-lambdas', 'terraform-init', 'terraform-destroy']);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'destroy']);
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

    const result = await deploy({ mode: 'destroy', yes: true });

    expect(result.steps).toEqual(['preflight', 'terraform-init', 'terraform-destroy']);
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
        'log_retention_days',
        'admin_users',
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
