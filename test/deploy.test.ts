import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ListChannelsCommand, ListInputsCommand, MediaLiveClient } from '@aws-sdk/client-medialive';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { buildParser, main, modeOf, optionsOf } from '../deploy';
import { createDeploySandbox, TEST_CONFIG, type DeploySandbox } from './support/deploy-fixture';
import { fakeS3Bucket } from './support/fake-s3-bucket';
import { FakeRelays } from './support/fake-relays-sdk';

const s3Mock = mockClient(S3Client);
const cloudFrontMock = mockClient(CloudFrontClient);
const stsMock = mockClient(STSClient);
const mediaLiveMock = mockClient(MediaLiveClient);
const ecsMock = mockClient(ECSClient);
const ssmMock = mockClient(SSMClient);

let sandbox: DeploySandbox;
let errors: string[];

const cli = (...argv: string[]) => main(argv, sandbox.deps, (text) => errors.push(text));

beforeEach(async () => {
  s3Mock.reset();
  cloudFrontMock.reset();
  stsMock.reset();
  mediaLiveMock.reset();
  mediaLiveMock.on(ListChannelsCommand).resolves({ Channels: [] });
  mediaLiveMock.on(ListInputsCommand).resolves({ Inputs: [] });
  ecsMock.reset();
  ssmMock.reset();
  new FakeRelays().install(ecsMock, ssmMock);
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/deployer' });
  cloudFrontMock.on(CreateInvalidationCommand).resolves({});
  fakeS3Bucket(s3Mock);
  sandbox = await createDeploySandbox();
  errors = [];
});

afterEach(async () => {
  await sandbox.remove();
});

describe('deploy.ts', () => {
  it('exits 0 after a full deploy with --yes', async () => {
    expect(await cli('--yes')).toBe(0);
    expect(errors).toEqual([]);
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'show', 'apply', 'output']);
  });

  it('stops at a failing terraform apply with exit code 1, naming the step and showing the last 20 lines of output', async () => {
    await sandbox.terraform.configure({ failOn: 'apply' });

    expect(await cli('--yes')).toBe(1);

    const text = errors.join('\n');
    expect(text).toMatch(/^✖ terraform apply failed: terraform apply failed with exit code 1/);
    expect(text).toContain('Error: creating IVS Channel: AccessDeniedException');
    expect(text).toContain('fake apply progress line 24');
    // 25 lines of output: 24 progress lines and the error; the last 20 start at line 6.
    expect(text).toContain('│ fake apply progress line 6\n');
    expect(text).not.toContain('│ fake apply progress line 5\n');
    expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'show', 'apply']);
    expect(sandbox.otherCommands).toEqual([]);
  });

  it('names the log with the whole output of the failed step and the command to retry', async () => {
    await sandbox.terraform.configure({ failOn: 'apply' });

    expect(await cli('--infrastructure', '--yes', '--project-name', 'ivs-other')).toBe(1);

    const text = errors.join('\n');
    expect(text).toContain('The whole output: dist/deploy/logs/terraform-apply.log');
    expect(text).toContain(
      'Fix the cause, then run again: npx tsx deploy.ts --infrastructure --project-name ivs-other --yes (Terraform continues from where it stopped)',
    );
    const log = await readFile(join(sandbox.root, 'dist', 'deploy', 'logs', 'terraform-apply.log'), 'utf8');
    expect(log).toContain('fake apply progress line 1\n');
    expect(log).toContain('Error: creating IVS Channel: AccessDeniedException');
  });

  it('never writes the JSON outputs (which hold the stream key) to a log', async () => {
    expect(await cli('--yes')).toBe(0);

    const logs = await readdir(join(sandbox.root, 'dist', 'deploy', 'logs'));
    expect(logs.sort()).toEqual(['terraform-apply.log', 'terraform-init.log', 'terraform-plan.log']);
  });

  it('refuses to apply without a terminal and without --yes, telling to pass --yes', async () => {
    expect(await cli()).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^✖ .*pass --yes/)]);
    expect(await sandbox.terraform.commands()).toEqual([]);
  });

  it('ends a bad config value with one line naming the file, the field and the fix, and calls no Terraform', async () => {
    await sandbox.writeConfig({ ...TEST_CONFIG, reconcileSchedule: 'rate(30 seconds)' });

    expect(await cli('--yes')).toBe(1);

    expect(errors).toEqual([
      '✖ deployment.config.ts: reconcileSchedule: "rate(30 seconds)" — EventBridge rates are in minutes, hours or days; the minimum is rate(1 minute)',
    ]);
    expect(await sandbox.terraform.calls()).toEqual([]);
  });

  it('ends a missing Terraform with one line saying what to install or set, and calls no Terraform', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-terraform-'));
    try {
      sandbox.deps.env = { PATH: empty };

      expect(await cli('--yes')).toBe(1);

      expect(errors).toEqual([
        '✖ Terraform 1.7 or newer is required: install it from https://developer.hashicorp.com/terraform/install or set TERRAFORM_BIN',
      ]);
      expect(sandbox.lambdaBuilds).toBe(0);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('uses TERRAFORM_BIN when Terraform is not on PATH', async () => {
    // PATH holds only node (the fake terraform is a node script), no terraform.
    const nodeOnly = await mkdtemp(join(tmpdir(), 'node-only-'));
    try {
      await symlink(process.execPath, join(nodeOnly, 'node'));
      sandbox.deps.env = { PATH: nodeOnly, TERRAFORM_BIN: join(sandbox.terraform.dir, 'terraform') };

      expect(await cli('--plan')).toBe(0);
      expect(await sandbox.terraform.commands()).toEqual(['version', 'init', 'plan', 'show']);
    } finally {
      await rm(nodeOnly, { recursive: true, force: true });
    }
  });

  it('refuses a Terraform older than 1.7', async () => {
    await sandbox.terraform.configure({ version: '1.5.7' });

    expect(await cli('--yes')).toBe(1);

    expect(errors).toEqual([expect.stringMatching(/^✖ Terraform 1\.5\.7 is too old\. Terraform 1\.7 or newer is required/)]);
    expect(await sandbox.terraform.commands()).toEqual(['version']);
  });

  it('refuses a Terraform older than the required_version of infra/versions.tf', async () => {
    await writeFile(join(sandbox.root, 'infra', 'versions.tf'), 'terraform {\n  required_version = ">= 1.9"\n}\n');
    await sandbox.terraform.configure({ version: '1.8.5' });

    expect(await cli('--yes')).toBe(1);

    expect(errors).toEqual([
      '✖ Terraform 1.8.5 is too old. Terraform 1.9 or newer is required: install it from https://developer.hashicorp.com/terraform/install or set TERRAFORM_BIN',
    ]);
  });

  it('ends missing AWS credentials with one line saying what to set, and calls no Terraform', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    expect(await cli('--yes')).toBe(1);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^✖ No AWS credentials found: set AWS_PROFILE .* or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(errors[0]).not.toContain('\n');
    expect(await sandbox.terraform.calls()).toEqual([]);
  });

  it('rejects an unknown flag with a one-line usage error', async () => {
    expect(await cli('--infrastucture')).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^✖ Unknown argument: infrastucture\. Run with --help/)]);
  });

  it('rejects --destroy combined with another mode', async () => {
    expect(await cli('--destroy', '--frontend')).toBe(1);
    expect(errors).toEqual(['✖ --destroy and --frontend cannot be combined. Run with --help for the options.']);
  });

  it('lets flags override the config file', async () => {
    expect(await cli('--plan', '--no-restreaming', '--project-name', 'from-flag')).toBe(0);

    const plan = (await sandbox.terraform.calls()).find((c) => c.command === 'plan')!;
    expect(plan.varFile).toMatchObject({ project_name: 'from-flag', enable_stream_restreaming: false });
  });

  it('reads --config instead of deployment.config.ts', async () => {
    expect(await cli('--plan', '--config', 'missing.config.ts')).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^✖ missing\.config\.ts: no such file/)]);
  });
});

const BOOLEAN_FLAGS = ['infrastructure', 'frontend', 'plan', 'destroy', 'yes', 'restreaming', 'disable-deletion-protection'] as const;
const parse = async (...argv: string[]) => (await buildParser(argv).parseAsync()) as Record<string, unknown>;

describe('boolean flags', () => {
  for (const flag of BOOLEAN_FLAGS) {
    it.each(['true', 'TRUE', 'yes', 'Yes', '1', 'on', 'ON'])(`--${flag}=%s is true`, async (spelling) => {
      expect((await parse(`--${flag}=${spelling}`))[flag]).toBe(true);
    });
    it.each(['false', 'False', 'no', 'NO', '0', 'off', 'OFF'])(`--${flag}=%s is false`, async (spelling) => {
      expect((await parse(`--${flag}=${spelling}`))[flag]).toBe(false);
    });
    it(`--${flag}, --${flag} yes and --no-${flag}`, async () => {
      expect((await parse(`--${flag}`))[flag]).toBe(true);
      expect((await parse(`--${flag}`, 'yes'))[flag]).toBe(true);
      expect((await parse(`--no-${flag}`))[flag]).toBe(false);
    });
    it(`--${flag}=maybe fails with one line naming the flag and the spellings`, async () => {
      expect(await cli(`--${flag}=maybe`)).toBe(1);
      expect(errors).toEqual([
        `✖ --${flag}=maybe: a boolean flag takes true/false, yes/no, 1/0 or on/off (or --${flag} / --no-${flag}). Run with --help for the options.`,
      ]);
    });
  }

  it('-y and -y=no', async () => {
    expect((await parse('-y')).yes).toBe(true);
    expect((await parse('-y=no')).yes).toBe(false);
  });

  it.each(['yes', '1', 'on', 'true'])('--restreaming=%s keeps restreaming on (it used to plan its removal)', async (spelling) => {
    expect(await cli('--plan', `--restreaming=${spelling}`)).toBe(0);

    const plan = (await sandbox.terraform.calls()).find((c) => c.command === 'plan')!;
    expect(plan.varFile).toMatchObject({ enable_stream_restreaming: true });
  });

  it('--restreaming=no switches restreaming off', async () => {
    expect(await cli('--plan', '--restreaming=no')).toBe(0);

    const plan = (await sandbox.terraform.calls()).find((c) => c.command === 'plan')!;
    expect(plan.varFile).toMatchObject({ enable_stream_restreaming: false });
  });

  it('--yes=no does not skip the confirmation', async () => {
    expect(await cli('--yes=no')).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^✖ Not running in a terminal.*pass --yes/)]);
  });

  it('checks mode conflicts after reading the values: --destroy=no --frontend is --frontend', async () => {
    expect(optionsOf(await buildParser(['--destroy=no', '--frontend']).parseAsync()).mode).toBe('frontend');
    expect(await cli('--plan', '--frontend=on')).toBe(1);
    expect(errors).toEqual(['✖ --plan and --frontend cannot be combined. Run with --help for the options.']);
  });

  it('--admin-email, repeated or comma-separated, sets the admin users', async () => {
    const options = optionsOf(
      await buildParser(['--admin-email', 'a@example.com,b@example.com', '--admin-email=c@example.com']).parseAsync(),
    );
    expect(options.configFlags?.adminUsers).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
  });
});

describe('flags', () => {
  it('maps flags to modes: none or both partial flags mean everything', () => {
    expect(modeOf({})).toBe('all');
    expect(modeOf({ infrastructure: true, frontend: true })).toBe('all');
    expect(modeOf({ infrastructure: true })).toBe('infrastructure');
    expect(modeOf({ frontend: true })).toBe('frontend');
    expect(modeOf({ plan: true, infrastructure: true })).toBe('plan');
    expect(modeOf({ destroy: true })).toBe('destroy');
  });

  it('--help explains every flag with examples', async () => {
    const help = await buildParser([]).getHelp();
    for (const flag of ['--infrastructure', '--frontend', '--plan', '--yes', '--config', '--destroy']) expect(help).toContain(flag);
    expect(help).toContain('Examples:');
    expect(help).toContain('deploy.ts --frontend');
  });
});
