/**
 * The deploy, as a function of its options and its dependencies (processes, AWS clients, the
 * Lambda build, prompts), so that tests drive every path without a terminal, Terraform or AWS.
 *
 *   all             preflight → [first admin] → build zips → terraform init → plan → plan summary
 *                   → confirm → apply → outputs → build admin UI → upload to S3 → CloudFront
 *                   invalidation → summary
 *   infrastructure  the same without the admin UI
 *   frontend        preflight → outputs → build admin UI → upload → invalidation → summary
 *   plan            preflight → build zips → terraform init → plan (printed with its summary)
 *   destroy         preflight → typed confirmation → deletion-protection confirmation → terraform
 *                   init → runtime teardown (MediaLive; relay tasks, task definitions, stream-key
 *                   parameters) → deletion protection off → destroy →
 *                   runtime sweep → leftovers listed
 *
 * When the plan removes the restreaming control plane (restreaming switched off), the runtime
 * teardown runs before the apply and the sweep after it, as for a destroy.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { MediaLiveClient } from '@aws-sdk/client-medialive';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import { Listr, PRESET_TIMER, type ListrTask } from 'listr2';
import type { BuildLambdasOptions, LambdaArtifact } from '../build-lambdas';
import { terraformEnv } from '../lib/terraform-env';
import { z } from 'zod';
import { loadDeploymentConfig, type ConfigFlags } from './config';
import type { DeploymentConfig } from './config-schema';
import { DEPLOY_ERROR_CODES, DeployStepError, DeployUserError } from './errors';
import { buildFrontend, runtimeConfigFrom, writeRuntimeConfig } from './frontend';
import { checkCredentials, checkNodeVersion } from './preflight';
import type { ProcessRunner } from './process';
import { invalidate, invalidationPaths, syncSite, type SyncResult } from './publish-site';
import { formatPlanSummary, removesRestreaming, summarizePlan, type PlanJson, type PlanSummary } from './plan-summary';
import { describeLeftovers, runTeardown, runtimeTeardownEngines, type TeardownReport } from './teardown';
import type { WaitOptions } from './teardown-medialive';
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
  'runtime-teardown',
  'deletion-protection',
  'runtime-sweep',
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
  medialive: MediaLiveClient;
  ecs: ECSClient;
  ssm: SSMClient;
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
  /** How the runtime teardown waits (tests pass a fast clock). */
  teardownWait?: WaitOptions;
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
  /** What the saved plan does, when there was one with changes. */
  planSummary?: PlanSummary;
  /** What the runtime teardown removed and left (destroy, or restreaming switched off). */
  teardown?: TeardownReport;
  /** Warnings printed at the start (open API, local state). */
  warnings: string[];
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
  plan?: { changes: boolean; output: string; summary?: PlanSummary };
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
  'runtime-teardown': 'Stop and delete the relays (MediaLive channels and inputs, ECS tasks, stream-key parameters)',
  'deletion-protection': 'Turn off deletion protection',
  'runtime-sweep': 'Check that nothing of the project runs',
};

/** The command that runs the same deploy again, for a failed step's message. */
export function retryCommand(options: DeployOptions): string {
  const parts = ['npx tsx deploy.ts'];
  if (options.mode !== 'all') parts.push(`--${options.mode}`);
  if (options.configFile) parts.push(`--config ${options.configFile}`);
  const flags = options.configFlags ?? {};
  if (flags.projectName) parts.push(`--project-name ${flags.projectName}`);
  if (flags.region) parts.push(`--region ${flags.region}`);
  if (flags.enableStreamRestreaming !== undefined) parts.push(`--restreaming=${flags.enableStreamRestreaming}`);
  for (const email of flags.adminUsers ?? []) parts.push(`--admin-email ${email}`);
  if (options.yes) parts.push('--yes');
  if (options.disableDeletionProtection) parts.push('--disable-deletion-protection');
  return parts.join(' ');
}

/** Warnings printed on every deploy that runs with them (issue 14: open API, local state). */
export function deployWarnings(config: DeploymentConfig): string[] {
  const warnings: string[] = [];
  if (config.apiAuth === 'none') {
    warnings.push(
      "⚠ The API runs WITHOUT authentication (apiAuth: 'none', acknowledged): anyone with its URL can add a destination, receive the live stream and start paid MediaLive channels. Use apiAuth: 'jwt' for a real deployment.",
    );
  }
  if (config.terraformBackend === 'local') {
    warnings.push(
      '⚠ Terraform state is local (infra/terraform.tfstate): it exists only on this machine and holds the IVS stream key in clear. Move it to an encrypted S3 bucket: terraformBackend: { s3: { bucket, key } } in deployment.config.ts, then terraform -chdir=infra init -migrate-state (docs/deploy.md, "Terraform state").',
    );
  }
  return warnings;
}

/** Resources whose deletion protection the destroy turns off (infra/variables.tf deletion_protection). */
const PROTECTED_RESOURCE = /(^|\.)(aws_dynamodb_table|aws_cognito_user_pool)\./;

const emailSchema = z.email();

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
    warnings: [],
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
        if (error instanceof DeployStepError && error.retry === undefined) error.retry = retryCommand(options);
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
              // The deploy uses a mirror only when TF_PLUGIN_MIRROR names one: never one it happens to find.
              env = await terraformEnv(deps.env, { discoverMirror: false });
            } catch (error) {
              throw new DeployUserError(DEPLOY_ERROR_CODES.terraformMissing, (error as Error).message, { cause: error });
            }
            ctx.terraform = new Terraform({
              runner: deps.process,
              bin: deps.env.TERRAFORM_BIN || 'terraform',
              dir: infraDir,
              env,
              logDir: join(deployDir, 'logs'),
              displayRoot: deps.rootDir,
            });
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

  const writeVariables = async (overrides: { deletionProtection?: boolean } = {}, name = 'terraform.tfvars.json'): Promise<string> => {
    const zips = ctx.zips ?? { api: join(deps.rootDir, 'dist', 'lambda.zip'), monitor: join(deps.rootDir, 'dist', 'monitor.zip') };
    const { variables, undeclared } = onlyDeclared(
      terraformVariables(config(), zips, infraDir, overrides),
      await declaredVariables(infraDir),
    );
    result.undeclaredVariables = undeclared;
    const file = join(deployDir, name);
    await writeVarFile(file, variables);
    return file;
  };

  const init = step('terraform-init', async (wrapper) => {
    ctx.varFile = await writeVariables();
    await terraform().init(config().terraformBackend, config().region, live(wrapper));
  });

  const plan = step('terraform-plan', async (wrapper) => {
    ctx.plan = await terraform().plan({ varFile: need(ctx.varFile, 'varFile'), planFile }, live(wrapper));
    if (ctx.plan.changes) {
      ctx.plan.summary = summarizePlan((await terraform().show(planFile)) as PlanJson);
      result.planSummary = ctx.plan.summary;
    }
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

  // Runtime resources (MediaLive, ECS relays): before Terraform changes anything, and once more after.
  const teardownStep = (id: 'runtime-teardown' | 'runtime-sweep') =>
    step(id, async (wrapper) => {
      const engines = runtimeTeardownEngines({
        projectName: config().projectName,
        region: config().region,
        medialive: clients().medialive,
        ecs: clients().ecs,
        ssm: clients().ssm,
        ...deps.teardownWait,
      });
      const report = await runTeardown(engines, (message) => (wrapper.output = message));
      const previous = result.teardown ?? { removed: [], leftovers: [] };
      // The sweep's findings replace the first pass's leftovers: what it removed is gone.
      result.teardown = { removed: [...previous.removed, ...report.removed], leftovers: report.leftovers };
      wrapper.title = `${STEP_TITLES[id]}: ${report.removed.length} removed${report.leftovers.length > 0 ? `, ${report.leftovers.length} could not be removed` : ''}`;
    });

  const unprotect = step('deletion-protection', async (wrapper) => {
    const protectedAddresses = (await terraform().stateList()).filter((address) => PROTECTED_RESOURCE.test(address));
    if (protectedAddresses.length === 0) {
      wrapper.title = 'Turn off deletion protection: nothing protected in the state';
      return;
    }
    const varFile = await writeVariables({ deletionProtection: false }, 'unprotect.tfvars.json');
    const unprotectPlan = join(deployDir, 'unprotect.tfplan');
    // Only the protected resources: an apply of everything could create what is not there yet.
    const plan = await terraform().plan({ varFile, planFile: unprotectPlan, targets: protectedAddresses }, live(wrapper));
    if (plan.changes) await terraform().apply(unprotectPlan, live(wrapper));
    wrapper.title = `Turn off deletion protection: ${protectedAddresses.join(', ')}`;
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

  const printWarnings = (): void => {
    result.warnings = deployWarnings(config());
    if (result.warnings.length > 0) deps.print(result.warnings.join('\n'));
  };

  /** A deploy without any admin login would leave a login page nobody can pass. */
  const ensureAdmin = async (): Promise<void> => {
    if (config().adminUsers.length > 0) return;
    const how = 'pass --admin-email you@example.com, set IVS_RESTREAMING_ADMIN_USERS or list adminUsers in deployment.config.ts';
    if (options.yes || !deps.interactive) {
      throw new DeployUserError(DEPLOY_ERROR_CODES.adminMissing, `No admin user: nobody could log in to the admin UI; ${how}`);
    }
    const answer = (
      await deps.prompt.input(
        'No admin user yet. E-mail address of the first admin (Cognito e-mails it a temporary password for the first login):',
      )
    ).trim();
    if (!emailSchema.safeParse(answer).success) {
      throw new DeployUserError(DEPLOY_ERROR_CODES.adminMissing, `"${answer}" is not an e-mail address: nothing deployed; ${how}`);
    }
    ctx.config = Object.freeze({ ...config(), adminUsers: Object.freeze([answer]) as string[] });
    result.config = ctx.config;
    deps.print(
      `  Add adminUsers: ['${answer}'] to deployment.config.ts (or pass --admin-email ${answer}) so later deploys keep this login without asking.`,
    );
  };

  const restreamingRemoved = (): boolean => ctx.plan?.summary !== undefined && removesRestreaming(ctx.plan.summary);

  const confirmApply = async (): Promise<boolean> => {
    if (!ctx.plan?.changes) return false;
    const summaryText = ctx.plan.summary ? formatPlanSummary(ctx.plan.summary) : '';
    const teardownNote = restreamingRemoved()
      ? '\n  Restreaming is switched off: every MediaLive channel and input, relay task and stream-key parameter of the project is stopped and deleted first.'
      : '';
    if (options.yes) {
      if (summaryText) deps.print(summaryText + teardownNote);
      return true;
    }
    deps.print(planForDisplay(ctx.plan.output));
    if (summaryText)
      deps.print(
        `\n${summaryText}${teardownNote}\n  The full plan: ${relative(deps.rootDir, join(deployDir, 'logs', 'terraform-plan.log'))}`,
      );
    const ok = await deps.prompt.confirm(`Apply these changes to ${config().projectName} in ${config().region} (account ${ctx.account})?`);
    if (!ok) throw new DeployUserError(DEPLOY_ERROR_CODES.aborted, 'Nothing applied: the plan was not confirmed');
    return true;
  };

  switch (mode) {
    case 'plan':
      await run([preflight]);
      printWarnings();
      await run([buildZips, init, plan]);
      deps.print(
        planForDisplay(need(ctx.plan, 'plan').output) +
          (ctx.plan?.summary ? `\n\n${formatPlanSummary(ctx.plan.summary)}` : '') +
          undeclaredNote(result.undeclaredVariables),
      );
      break;
    case 'infrastructure':
    case 'all': {
      await run([preflight]);
      printWarnings();
      await ensureAdmin();
      await run([buildZips, init, plan]);
      const applying = await confirmApply();
      const tearingDown = applying && restreamingRemoved();
      const rest = [
        ...(tearingDown ? [teardownStep('runtime-teardown')] : []),
        ...(applying ? [apply] : []),
        ...(tearingDown ? [teardownStep('runtime-sweep')] : []),
        outputs,
        ...(mode === 'all' ? [frontendBuild, upload, invalidation] : []),
      ];
      await run(rest);
      deps.print(summary(config(), ctx, mode) + undeclaredNote(result.undeclaredVariables));
      reportLeftovers(result.teardown, deps, options);
      break;
    }
    case 'frontend': {
      await run([preflight]);
      printWarnings();
      const initialized = existsSync(join(infraDir, '.terraform'));
      await run([
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
      printWarnings();
      if (options.yes && !options.disableDeletionProtection) {
        throw new DeployUserError(
          DEPLOY_ERROR_CODES.deletionProtected,
          'Nothing destroyed: the tables and the Cognito user pool have deletion protection; add --disable-deletion-protection to let --destroy --yes turn it off',
        );
      }
      if (!options.yes) {
        const typed = await deps.prompt.input(
          `This stops and deletes every MediaLive channel and input, relay task and stream-key parameter of "${config().projectName}", then destroys every resource of it in ${config().region} (account ${ctx.account}). Type the project name to confirm:`,
        );
        if (typed.trim() !== config().projectName)
          throw new DeployUserError(DEPLOY_ERROR_CODES.aborted, 'Nothing destroyed: the typed name did not match the project name');
        if (!options.disableDeletionProtection) {
          const ok = await deps.prompt.confirm(
            'The DynamoDB tables (destinations and their history) and the Cognito user pool (the admin logins) have deletion protection. Turn it off now so that they can be deleted?',
          );
          if (!ok) throw new DeployUserError(DEPLOY_ERROR_CODES.aborted, 'Nothing destroyed: deletion protection stays on');
        }
      }
      const zipsMissing = !existsSync(join(deps.rootDir, 'dist', 'lambda.zip')) || !existsSync(join(deps.rootDir, 'dist', 'monitor.zip'));
      await run([
        ...(zipsMissing ? [buildZips] : []),
        init,
        teardownStep('runtime-teardown'),
        unprotect,
        destroy,
        teardownStep('runtime-sweep'),
      ]);
      deps.print(`Destroyed ${config().projectName} in ${config().region}.`);
      reportLeftovers(result.teardown, deps, options);
      break;
    }
  }
  return result;
}

/** Lists what the runtime teardown could not remove and fails the run, so that CI notices. */
function reportLeftovers(report: TeardownReport | undefined, deps: DeployDeps, options: DeployOptions): void {
  if (!report || report.leftovers.length === 0) return;
  deps.print(`\n  Still there (and possibly billing) — remove these or run the command again:\n${describeLeftovers(report.leftovers)}`);
  throw new DeployUserError(
    DEPLOY_ERROR_CODES.leftovers,
    `${report.leftovers.length} runtime resource(s) could not be removed (listed above): fix the cause, then run ${retryCommand(options)}`,
  );
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
    lines.push(
      '',
      `  First login: Cognito e-mails each new admin user (${config.adminUsers.join(', ')}) a temporary password, valid for 7 days.`,
      '  Open the admin UI, sign in with the e-mail address and that password, then choose a new password.',
    );
  return lines.join('\n');
}
