/**
 * A deploy sandbox for runDeploy / deploy.ts tests: a temp repository root with a
 * deployment.config.ts, the fake `terraform` on PATH, a fake `npm run build` (no vite), a fake
 * Lambda build, scripted prompts, and mocked S3 / CloudFront / STS clients.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ECSClient } from '@aws-sdk/client-ecs';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { BuildLambdasOptions, LambdaArtifact } from '../../scripts/build-lambdas';
import { createProcessRunner, type ProcessRunner } from '../../scripts/deploy/process';
import type { DeployDeps } from '../../scripts/deploy/run-deploy';
import { createFakeTerraform, DEPLOYED_OUTPUTS, type FakeTerraform, type FakeTerraformSettings } from './fake-terraform';

export interface DeploySandbox {
  root: string;
  terraform: FakeTerraform;
  deps: DeployDeps;
  printed: string[];
  /** Commands other than terraform that went through the process runner, e.g. `npm run build`. */
  otherCommands: string[];
  lambdaBuilds: number;
  /** Answers of the next prompts. */
  answers: { confirm: boolean[]; input: string[] };
  prompts: string[];
  writeConfig(settings: Record<string, unknown>): Promise<void>;
  /** What the next `npm run build` produces in frontend/dist. */
  siteFiles: Record<string, string>;
  remove(): Promise<void>;
}

export const TEST_CONFIG = {
  projectName: 'ivs-test',
  region: 'eu-central-1',
  ivs: { createChannel: true },
  adminUsers: ['admin@example.com'],
};

export async function createDeploySandbox(settings: FakeTerraformSettings = {}): Promise<DeploySandbox> {
  const root = await mkdtemp(join(tmpdir(), 'deploy-sandbox-'));
  await mkdir(join(root, 'infra'), { recursive: true });
  const terraform = await createFakeTerraform({ outputs: DEPLOYED_OUTPUTS, ...settings });
  const real = createProcessRunner();

  const sandbox: DeploySandbox = {
    root,
    terraform,
    printed: [],
    otherCommands: [],
    lambdaBuilds: 0,
    answers: { confirm: [], input: [] },
    prompts: [],
    siteFiles: { 'index.html': '<!doctype html><script src="./assets/index-abc.js"></script>', 'assets/index-abc.js': 'console.log(1)' },
    writeConfig: (config) => writeFile(join(root, 'deployment.config.ts'), `export default ${JSON.stringify(config, null, 2)};\n`),
    remove: async () => {
      await rm(root, { recursive: true, force: true });
      await terraform.remove();
    },
    deps: undefined as unknown as DeployDeps,
  };

  const runner: ProcessRunner = {
    async run(file, args, options) {
      if (file === 'npm' || file === 'npm.cmd') {
        sandbox.otherCommands.push([file, ...args].join(' '));
        const dist = join(root, 'frontend', 'dist');
        await rm(dist, { recursive: true, force: true });
        for (const [name, content] of Object.entries(sandbox.siteFiles)) {
          await mkdir(join(dist, name, '..'), { recursive: true });
          await writeFile(join(dist, name), content);
        }
        return { exitCode: 0, stdout: 'built', stderr: '', output: 'built' };
      }
      return real.run(file, args, options);
    },
  };

  const buildLambdas = async (options: BuildLambdasOptions): Promise<LambdaArtifact[]> => {
    sandbox.lambdaBuilds += 1;
    await mkdir(join(options.rootDir, 'dist'), { recursive: true });
    return Promise.all(
      [
        ['api', 'lambda.zip'],
        ['monitor', 'monitor.zip'],
      ].map(async ([name, zip]) => {
        const zipPath = join(options.rootDir, 'dist', zip!);
        await writeFile(zipPath, `zip of ${name}`);
        return { name: name!, zipPath, size: 12, sha256: 'c2hh' };
      }),
    );
  };

  sandbox.deps = {
    rootDir: root,
    env: { PATH: terraform.path, HOME: process.env.HOME },
    nodeVersion: '22.11.0',
    process: runner,
    awsClients: (region) => ({
      s3: new S3Client({ region }),
      cloudfront: new CloudFrontClient({ region }),
      sts: new STSClient({ region }),
      medialive: new MediaLiveClient({ region }),
      ecs: new ECSClient({ region }),
      ssm: new SSMClient({ region }),
    }),
    buildLambdas,
    interactive: false,
    prompt: {
      confirm: async (question) => {
        sandbox.prompts.push(question);
        return sandbox.answers.confirm.shift() ?? false;
      },
      input: async (question) => {
        sandbox.prompts.push(question);
        return sandbox.answers.input.shift() ?? '';
      },
    },
    renderer: 'silent',
    print: (text) => sandbox.printed.push(text),
  };
  await sandbox.writeConfig(TEST_CONFIG);
  return sandbox;
}
