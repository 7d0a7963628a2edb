/**
 * The deploy, as a function of its options and its dependencies (processes, AWS clients, the
 * Lambda build, prompts), so that tests drive every path without a terminal, Terraform or AWS.
 *
 *   all             preflight → build zips → terraform init → plan → confirm → apply → outputs
 *                   → build admin UI → upload to S3 → CloudFront invalidation → summary
 *   infrastructure  preflight → build zips → terraform init → plan → confirm → apply → outputs → summary
 *   frontend        preflight → outputs → build admin UI → upload → invalidation → summary
 *   plan            preflight → build zips → terraform init → plan (printed; nothing changes)
 *   destroy         preflight → typed confirmation → terraform init → destroy
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import { Listr, PRESET_TIMER, type ListrTask } from 'listr2';
import type { BuildLambdasOptions, LambdaArtifact } from '../build-lambdas';
import { terraformEnv } from '../lib/terraform-env';
import { loadDeploymentConfig, type ConfigFlags } from './config';
import type { DeploymentConfig } from './config-schema';
import { DEPLOY_ERROR_CODES, DeployStepError, DeployUserError } from './errors';
import { buildFrontend, runtimeConfigFrom, writeRuntimeConfig } from './frontend';
import { checkCredentials, checkNodeVersion } from './preflight';
import type { ProcessRunner } from './process';
import { invalidate, invalidationPaths, syncSite, type SyncResult } from './publish-site';
import { Terraform, type TerraformOutputs, declaredVariables } from './terraform';
import { onlyDeclared, terraformVariables, writeVarFile, type LambdaZipPaths } from './terraform-vars';

export const DEPLOY_MODES = ['all', 'infrastructure', 'frontend', 'plan', 'destroy'] as const;
export type DeployMode = (typeof DEPLOY_MODES)[number];

export const STEP_IDS = [
  'preflight',
  'build-lambdas',
  'terraform-init',
  'terraform-plan',
  'terraform-apply',
  'terraform-outputs',
  'frontend-build',
  'upload',
  'invalidate',
  'terraform-destroy',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export interface DeployOptions {
  mode: DeployMode;
  /** Apply (or destroy) without asking; required without a terminal. */
  yes: boolean;
  /** `--destroy`: turn deletion protection off without asking (what `--yes` needs). */
  disableDeletionProtection?: boolean;
  /** `--config <file>`, relative to `rootDir`. */
  configFile?: string;
  /** Settings given as flags; they win over environment and file. */
  configFlags?: ConfigFlags;
}

export interface AwsClients {
  s3: S3Client;
  cloudfront: CloudFrontClient;
  sts: STSClient;
}

export interface Prompter {
  confirm(question: string): Promise<boolean>;
  input(question: string): Promise<string>;
}

export interface DeployDeps {
  /** Repository root: deployment.config.ts, infra/, dist/, frontend/. */
  rootDir: string;
  env: NodeJS.ProcessEnv;
  nodeVersion: string;
  process: ProcessRunner;
  awsClients: (region: string) => AwsClients;
  buildLambdas: (options: BuildLambdasOptions) => Promise<LambdaArtifact[]>;
  /** stdin and stdout are a terminal: prompts are possible. */
  interactive: boolean;
  prompt: Prompter;
  /** `default`: live task list; `simple`: one line per step (CI); `silent`: nothing (tests). */
  renderer: 'default' | 'simple' | 'silent';
  /** Prints text for the user (plan, summary). */
  print: (text: string) => void;
}

export interface DeployResult {
  /** Steps in the order they started. */
  steps: StepId[];
  config: DeploymentConfig;
  /** Whether Terraform changed anything (false also when the plan had no changes). */
  applied: boolean;
  outputs?: TerraformOutputs;
  sync?: SyncResult;
  invalidated: string[];
  /** Settings infra/ has no variable for (not passed to Terraform). */
  undeclaredVariables: string[];
}

/** A value an earlier step stores in the context; a step that runs without it is a bug in the step order. */
function need<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`Deploy step order: "${name}" is used before the step that sets it ran`);
  return value;
}

interface Context {
  config?: DeploymentConfig;
  account?: string;
  terraform?: Terraform;
  clients?: AwsClients;
  zips?: LambdaZipPaths;
  varFile?: string;
  plan?: { changes: boolean; output: string };
  outputs?: TerraformOutputs;
  sync?: SyncResult;
}

const STEP_TITLES: Record<StepId, string> = {
  preflight: 'Preflight checks',
  'build-lambdas': 'Build Lambda zips',
  'terraform-init': 'terraform init',
  'terraform-plan': 'terraform plan',
  'terraform-apply': 'terraform apply',
  'terraform-outputs': 'Read Terraform outputs',
  'frontend-build': 'Build the admin UI',
  upload: 'Upload the admin UI to S3',
  invalidate: 'Invalidate CloudFront',
  'terraform-destroy': 'terraform destroy',
};

type TaskFn = ListrTask<Context>['task'];
type Wrapper = Parameters<TaskFn>[1];

const NEEDS_CONFIRMATION: readonly DeployMode[] = ['all', 'infrastructure', 'destroy'];

/** Lines of `terraform plan` worth showing: the refresh chatter is dropped. */
export function planForDisplay(output: string): string {
  return output
    .split('\n')
    .filter((line) => !/: (Refreshing state|Reading\.\.\.|Read complete after)/.test(line))
    .join('\n')
    .trim();
}

function outputText(outputs: TerraformOutputs | undefined, name: string): string | undefined {
  const value = outputs?.values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function runDeploy(options: DeployOptions, deps: DeployDeps): Promise<DeployResult> {
  const ctx: Context = {};
  const result: DeployResult = {
    steps: [],
    config: undefined as unknown as DeploymentConfig,
    applied: false,
    invalidated: [],
    undeclaredVariables: [],
  };
  const infraDir = join(deps.rootDir, 'infra');
  const deployDir = join(deps.rootDir, 'dist', 'deploy');
  const planFile = join(deployDir, 'tfplan');
  const siteDir = join(deps.rootDir, 'frontend', 'dist');
  const { mode } = options;

  const config = (): DeploymentConfig => need(ctx.config, 'config');
  const terraform = (): Terraform => need(ctx.terraform, 'terraform');
  const clients = (): AwsClients => need(ctx.clients, 'clients');

  // The task list shows a short reason (the error code) on the failed task; the error itself
  // reaches deploy.ts unchanged and is printed once, below the list.
  let failure: unknown;
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> => {
      try {
        return await fn(...args);
      } catch (error) {
        if (failure !== undefined) throw error;
        failure = error;
        throw new Error(
          error instanceof DeployUserError ? error.code : error instanceof DeployStepError ? error.message : 'unexpected error',
          { cause: error },
        );
      }
    };
  const step = (id: StepId, task: (wrapper: Wrapper) => ReturnType<TaskFn>, title = STEP_TITLES[id]): ListrTask<Context> => ({
    title,
    task: guard((_ctx: Context, wrapper: Wrapper) => {
      result.steps.push(id);
      return task(wrapper);
    }),
  });
  const live = (wrapper: { output: string }) => (line: string) => {
    if (line.trim() !== '') wrapper.output = line;
  };

  const preflight = step('preflight', (wrapper) =>
    wrapper.newListr(
      [
        {
          title: 'Configuration',
          task: guard(async (_c: Context, t: Wrapper) => {
            ctx.config = await loadDeploymentConfig({
              cwd: deps.rootDir,
              file: options.configFile,
              env: deps.env,
              flags: options.configFlags,
            });
            result.config = ctx.config;
            if (NEEDS_CONFIRMATION.includes(mode) && !options.yes && !deps.interactive) {
              throw new DeployUserError(
                DEPLOY_ERROR_CODES.confirmationRequired,
                `Not running in a terminal, so nothing can be confirmed: pass --yes to ${mode === 'destroy' ? 'destroy' : 'apply'} without a prompt`,
              );
            }
            t.title = `Configuration: ${config().projectName} in ${config().region}${config().enableStreamRestreaming ? '' : ' (restreaming off)'}`;
          }),
        },
        {
          title: 'Node.js',
          task: guard((_c: Context, t: Wrapper) => {
            t.title = `Node.js ${checkNodeVersion(deps.nodeVersion)}`;
          }),
        },
        {
          title: 'AWS credentials',
          task: guard(async (_c: Context, t: Wrapper) => {
            ctx.clients = deps.awsClients(config().region);
            const identity = await checkCredentials(clients().sts);
            ctx.account = identity.account;
            t.title = `AWS account ${identity.account}`;
          }),
        },
        {
          title: 'Terraform',
          task: guard(async (_c: Context, t: Wrapper) => {
            let env: NodeJS.ProcessEnv;
            try {
              env = await terraformEnv(deps.env);
            } catch (error) {
              throw new DeployUserError(DEPLOY_ERROR_CODES.terraformMissing, (error as Error).message, { cause: error });
            }
            ctx.terraform = new Terraform({ runner: deps.process, bin: deps.env.TERRAFORM_BIN || 'terraform', dir: infraDir, env });
            t.title = `Terraform ${await terraform().version()}`;
          }),
        },
      ],
      { concurrent: false },
    ),
  );

  const buildZips = step('build-lambdas', async (wrapper) => {
    const artifacts = await deps.buildLambdas({ rootDir: deps.rootDir });
    const api = artifacts.find((a) => a.name === 'api');
    const monitor = artifacts.find((a) => a.name === 'monitor');
    if (!api || !monitor) throw new Error('the Lambda build produced no api or monitor zip');
    ctx.zips = { api: api.zipPath, monitor: monitor.zipPath, hashes: { api: api.sha256, monitor: monitor.sha256 } };
    wrapper.title = `Build Lambda zips: ${artifacts.map((a) => `${a.name} ${(a.size / 1024).toFixed(0)} KiB`).join(', ')}`;
  });

  const writeVariables = async (): Promise<void> => {
    const zips = ctx.zips ?? { api: join(deps.rootDir, 'dist', 'lambda.zip'), monitor: join(deps.rootDir, 'dist', 'monitor.zip') };
    const { variables, undeclared } = onlyDeclared(terraformVariables(config(), zips, infraDir), await declaredVariables(infraDir));
    result.undeclaredVariables = undeclared;
    ctx.varFile = join(deployDir, 'terraform.tfvars.json');
    await writeVarFile(ctx.varFile, variables);
  };

  const init = step('terraform-init', async (wrapper) => {
    await writeVariables();
    await terraform().init(config().terraformBackend, config().region, live(wrapper));
  });

  const plan = step('terraform-plan', async (wrapper) => {
    ctx.plan = await terraform().plan({ varFile: need(ctx.varFile, 'varFile'), planFile }, live(wrapper));
    const summary = /^(Plan: .*|No changes\..*)$/m.exec(ctx.plan.output)?.[1];
    wrapper.title = `terraform plan: ${summary ?? (ctx.plan.changes ? 'changes' : 'no changes')}`;
  });

  const apply = step('terraform-apply', async (wrapper) => {
    await terraform().apply(planFile, live(wrapper));
    result.applied = true;
  });

  const outputs = step('terraform-outputs', async () => {
    ctx.outputs = await terraform().outputs();
    result.outputs = ctx.outputs;
    if (Object.keys(ctx.outputs.values).length === 0) {
      throw new DeployUserError(
        DEPLOY_ERROR_CODES.outputsMissing,
        'Terraform has no outputs yet: deploy the infrastructure first (npx tsx deploy.ts --infrastructure)',
      );
    }
  });

  const frontendBuild = step('frontend-build', async (wrapper) => {
    const runtimeConfig = runtimeConfigFrom(need(ctx.outputs, 'outputs').values);
    await buildFrontend({ runner: deps.process, rootDir: deps.rootDir, env: deps.env, onLine: live(wrapper) });
    await writeRuntimeConfig(siteDir, runtimeConfig);
  });

  const upload = step('upload', async (wrapper) => {
    const bucket = outputText(ctx.outputs, 'site_bucket_name');
    if (!bucket)
      throw new DeployUserError(
        DEPLOY_ERROR_CODES.outputsMissing,
        'Terraform has no site_bucket_name output: deploy the infrastructure first (npx tsx deploy.ts --infrastructure)',
      );
    ctx.sync = await syncSite({ s3: clients().s3, bucket, dir: siteDir, onProgress: (m) => (wrapper.output = m) });
    result.sync = ctx.sync;
    const s = ctx.sync;
    wrapper.title = `Upload the admin UI to S3: ${s.added.length + s.changed.length} uploaded, ${s.unchanged} unchanged, ${s.deleted.length} deleted`;
  });

  const invalidation = step('invalidate', async (wrapper) => {
    const paths = invalidationPaths(need(ctx.sync, 'sync'));
    const distributionId = outputText(ctx.outputs, 'cloudfront_distribution_id');
    if (paths.length > 0 && !distributionId) {
      throw new DeployUserError(
        DEPLOY_ERROR_CODES.outputsMissing,
        'Terraform has no cloudfront_distribution_id output: deploy the infrastructure first (npx tsx deploy.ts --infrastructure)',
      );
    }
    await invalidate({ cloudfront: clients().cloudfront, distributionId: distributionId ?? '', paths });
    result.invalidated = paths;
    wrapper.title = paths.length === 0 ? 'Invalidate CloudFront: nothing changed' : `Invalidate CloudFront: ${paths.join(' ')}`;
  });

  const destroy = step('terraform-destroy', async (wrapper) => {
    await terraform().destroy(need(ctx.varFile, 'varFile'), live(wrapper));
    result.applied = true;
  });

  const run = async (tasks: ListrTask<Context>[]): Promise<void> => {
    failure = undefined;
    await new Listr<Context>(tasks, {
      ctx,
      concurrent: false,
      exitOnError: true,
      renderer: 'default',
      fallbackRenderer: 'simple',
      fallbackRendererCondition: deps.renderer === 'simple',
      silentRendererCondition: deps.renderer === 'silent',
      registerSignalListeners: deps.renderer !== 'silent',
      rendererOptions: { timer: PRESET_TIMER, collapseSubtasks: false, collapseErrors: false },
      fallbackRendererOptions: { timer: PRESET_TIMER },
    })
      .run()
      .catch((error: unknown) => {
        throw failure ?? error;
      });
  };

  const confirmApply = async (): Promise<boolean> => {
    if (!ctx.plan?.changes) return false;
    if (options.yes) return true;
    deps.print(planForDisplay(ctx.plan.output));
    const ok = await deps.prompt.confirm(`Apply these changes to ${config().projectName} in ${config().region} (account ${ctx.account})?`);
    if (!ok) throw new DeployUserError(DEPLOY_ERROR_CODES.aborted, 'Nothing applied: the plan was not confirmed');
    return true;
  };

  switch (mode) {
    case 'plan':
      await run([preflight, buildZips, init, plan]);
      deps.print(planForDisplay(need(ctx.plan, 'plan').output) + undeclaredNote(result.undeclaredVariables));
      break;
    case 'infrastructure':
    case 'all': {
      await run([preflight, buildZips, init, plan]);
      const applying = await confirmApply();
      const rest = [...(applying ? [apply] : []), outputs, ...(mode === 'all' ? [frontendBuild, upload, invalidation] : [])];
      await run(rest);
      deps.print(summary(config(), ctx, mode) + undeclaredNote(result.undeclaredVariables));
      break;
    }
    case 'frontend': {
      const initialized = existsSync(join(infraDir, '.terraform'));
      await run([
        preflight,
        ...(initialized
          ? []
          : [
              step('terraform-init', async (w) => {
                await terraform().init(config().terraformBackend, config().region, live(w));
              }),
            ]),
        outputs,
        frontendBuild,
        upload,
        invalidation,
      ]);
      deps.print(summary(config(), ctx, mode));
      break;
    }
    case 'destroy': {
      await run([preflight]);
      if (!options.yes) {
        const typed = await deps.prompt.input(
          `This destroys every resource of "${config().projectName}" in ${config().region} (account ${ctx.account}). Type the project name to confirm:`,
        );
        if (typed.trim() !== config().projectName)
          throw new DeployUserError(DEPLOY_ERROR_CODES.aborted, 'Nothing destroyed: the typed name did not match the project name');
      }
      const zipsMissing = !existsSync(join(deps.rootDir, 'dist', 'lambda.zip')) || !existsSync(join(deps.rootDir, 'dist', 'monitor.zip'));
      await run([...(zipsMissing ? [buildZips] : []), init, destroy]);
      deps.print(`Destroyed ${config().projectName} in ${config().region}.`);
      break;
    }
  }
  return result;
}

function undeclaredNote(names: string[]): string {
  return names.length === 0
    ? ''
    : `\n\n  Note: infra/ declares no variable for ${names.join(', ')}; ${names.length > 1 ? 'these settings were' : 'this setting was'} not passed to Terraform.`;
}

function summary(config: DeploymentConfig, ctx: Context, mode: DeployMode): string {
  const o = ctx.outputs;
  const lines = [
    `${mode === 'frontend' ? 'Published the admin UI of' : 'Deployed'} ${config.projectName} to ${config.region} (account ${ctx.account}).`,
    '',
  ];
  const row = (label: string, value: string | undefined) => {
    if (value) lines.push(`  ${label.padEnd(21)}${value}`);
  };
  row('Admin UI:', outputText(o, 'admin_url'));
  row('API:', outputText(o, 'api_url'));
  const ingest = outputText(o, 'ivs_ingest_endpoint');
  row(
    'IVS ingest (RTMPS):',
    ingest
      ? `rtmps://${ingest
          .replace(/^rtmps?:\/\//, '')
          .replace(/:443\/app\/?$/, '')
          .replace(/\/+$/, '')}:443/app/`
      : undefined,
  );
  if (o?.sensitive.includes('ivs_stream_key')) row('IVS stream key:', 'terraform -chdir=infra output -raw ivs_stream_key');
  const channels = o?.values.ivs_channel_arns;
  if (Array.isArray(channels) && channels.length > 0) row('IVS channels:', channels.join(', '));
  if (ctx.sync) {
    const s = ctx.sync;
    row('Admin UI files:', `${s.added.length + s.changed.length} uploaded, ${s.unchanged} unchanged, ${s.deleted.length} deleted`);
  }
  if (!config.enableStreamRestreaming)
    lines.push('', '  Restreaming is off (enableStreamRestreaming: false): no destinations will be started.');
  if (config.adminUsers.length > 0 && mode !== 'frontend')
    lines.push('', `  Admin users (${config.adminUsers.join(', ')}) receive a temporary password by e-mail.`);
  return lines.join('\n');
}
