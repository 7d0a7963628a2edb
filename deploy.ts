/**
 * One command deploys IVS Restreaming:  npx tsx deploy.ts [--infrastructure|--frontend|--plan|--destroy] [--yes]
 *
 * Parses flags, then hands over to `runDeploy` (scripts/deploy/run-deploy.ts). Settings come from
 * deployment.config.ts; precedence: flags > IVS_RESTREAMING_* environment > file > defaults.
 */
import { createInterface } from 'node:readline/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { ECSClient } from '@aws-sdk/client-ecs';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { buildLambdas } from './scripts/build-lambdas';
import { BOOLEAN_SPELLINGS, parseBoolean } from './scripts/deploy/config';
import { DEPLOY_ERROR_CODES, DeployStepError, DeployUserError } from './scripts/deploy/errors';
import { createProcessRunner } from './scripts/deploy/process';
import { runDeploy, type DeployDeps, type DeployMode, type DeployOptions, type Prompter } from './scripts/deploy/run-deploy';

/**
 * The value of a boolean flag. yargs' own booleans read `--restreaming=yes` as false, so every
 * boolean flag is parsed here: bare (`--yes`) is true, `--no-<flag>` false, and a value must be one
 * of the spellings the environment variables accept, or the run stops with one line.
 */
export function flagBoolean(flag: string, value: unknown): boolean {
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof last === 'boolean') return last;
  if (last === undefined || last === '') return true;
  const parsed = parseBoolean(String(last));
  if (parsed === undefined) {
    throw new DeployUserError(
      DEPLOY_ERROR_CODES.usage,
      `--${flag}=${String(last)}: a boolean flag takes ${BOOLEAN_SPELLINGS} (or --${flag} / --no-${flag})`,
    );
  }
  return parsed;
}

function booleanFlag(flag: string, description: string, extra: { alias?: string } = {}) {
  return {
    ...extra,
    type: 'string' as const,
    description,
    coerce: (value: unknown) => flagBoolean(flag, value),
  };
}

export function buildParser(argv: string[]) {
  return (
    yargs(argv)
      .scriptName('npx tsx deploy.ts')
      .usage(
        '$0 [options]\n\nBuilds the Lambdas, applies the Terraform in infra/ and publishes the admin UI. Without options it does everything.',
      )
      .option('infrastructure', booleanFlag('infrastructure', 'Only build the Lambda zips and apply Terraform'))
      .option('frontend', booleanFlag('frontend', 'Only build and publish the admin UI (reads the Terraform outputs)'))
      .option('plan', booleanFlag('plan', 'Show the Terraform plan and change nothing'))
      .option(
        'destroy',
        booleanFlag(
          'destroy',
          'Stop and delete the MediaLive channels and inputs and the relay tasks, then tear everything down (asks you to type the project name)',
        ),
      )
      .option('yes', booleanFlag('yes', 'Apply or destroy without asking (required without a terminal, e.g. in CI)', { alias: 'y' }))
      .option(
        'disable-deletion-protection',
        booleanFlag(
          'disable-deletion-protection',
          'With --destroy: turn off the deletion protection of the tables and the user pool without asking (needed with --yes)',
        ),
      )
      .option('admin-email', {
        type: 'string',
        array: true,
        requiresArg: true,
        description: 'Admin login(s) created in Cognito (overrides adminUsers); a deploy without any asks for one, or fails with --yes',
      })
      .option('config', {
        alias: 'c',
        type: 'string',
        requiresArg: true,
        description: 'Settings file',
        defaultDescription: 'deployment.config.ts',
      })
      .option('project-name', { type: 'string', requiresArg: true, description: 'Override projectName' })
      .option('region', { type: 'string', requiresArg: true, description: 'Override region' })
      .option(
        'restreaming',
        booleanFlag(
          'restreaming',
          'Override enableStreamRestreaming (--no-restreaming switches it off and first deletes the MediaLive channels and inputs and the relay tasks)',
        ),
      )
      // After coercion, so that `--destroy=no --frontend` is no conflict (yargs' .conflicts() sees any value).
      .check((argv) => {
        const on = (name: 'destroy' | 'infrastructure' | 'frontend' | 'plan') => argv[name] === true;
        const other = (['infrastructure', 'frontend', 'plan'] as const).find(on);
        if (on('destroy') && other) throw new DeployUserError(DEPLOY_ERROR_CODES.usage, `--destroy and --${other} cannot be combined`);
        if (on('plan') && on('frontend')) throw new DeployUserError(DEPLOY_ERROR_CODES.usage, '--plan and --frontend cannot be combined');
        return true;
      })
      .example('$0', 'Build, apply Terraform (after confirming the plan) and publish the admin UI')
      .example('$0 --infrastructure', 'Build the Lambda zips and apply Terraform only')
      .example('$0 --frontend', 'Rebuild and publish the admin UI only')
      .example('$0 --plan', 'Show what Terraform would change')
      .example('$0 --yes', 'Deploy without a prompt (CI)')
      .example('$0 --config staging.config.ts', 'Deploy with another settings file')
      .example('$0 --no-restreaming', 'Deploy with restreaming switched off')
      .example('$0 --yes --admin-email you@example.com', 'First deploy without a prompt: creates your admin login')
      .example('$0 --destroy', 'Remove everything this project deployed')
      .example('$0 --destroy --yes --disable-deletion-protection', 'Remove everything without a prompt (CI)')
      .epilogue(
        `Boolean flags take ${BOOLEAN_SPELLINGS} (--restreaming=off) or --no-<flag>. Environment: IVS_RESTREAMING_* variables override deployment.config.ts (see its header); TERRAFORM_BIN picks the Terraform executable; TF_PLUGIN_MIRROR a provider mirror; AWS credentials come from the usual AWS_PROFILE / AWS_ACCESS_KEY_ID variables.`,
      )
      .strict()
      .help()
      .version(false)
      .exitProcess(false)
      .wrap(Math.min(110, process.stdout.columns || 100))
      .fail((message, error) => {
        if (error instanceof DeployUserError) throw new DeployUserError(error.code, `${error.message}. Run with --help for the options.`);
        throw error && !message ? error : new DeployUserError(DEPLOY_ERROR_CODES.usage, `${message}. Run with --help for the options.`);
      })
  );
}

type Flags = Awaited<ReturnType<ReturnType<typeof buildParser>['parseAsync']>>;

export function modeOf(flags: { infrastructure?: boolean; frontend?: boolean; plan?: boolean; destroy?: boolean }): DeployMode {
  if (flags.destroy) return 'destroy';
  if (flags.plan) return 'plan';
  if (flags.infrastructure && !flags.frontend) return 'infrastructure';
  if (flags.frontend && !flags.infrastructure) return 'frontend';
  return 'all';
}

export function optionsOf(flags: Flags): DeployOptions {
  return {
    mode: modeOf(flags),
    yes: flags.yes === true,
    disableDeletionProtection: flags['disable-deletion-protection'] === true,
    configFile: flags.config,
    configFlags: {
      projectName: flags['project-name'],
      region: flags.region,
      enableStreamRestreaming: flags.restreaming,
      adminUsers: flags['admin-email']
        ?.flatMap((e) => String(e).split(','))
        .map((e) => e.trim())
        .filter(Boolean),
    },
  };
}

function terminalPrompter(): Prompter {
  const ask = async (question: string): Promise<string> => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await rl.question(`${question} `);
    } finally {
      rl.close();
    }
  };
  return {
    confirm: async (question) => /^y(es)?$/i.test((await ask(`${question} [y/N]`)).trim()),
    input: ask,
  };
}

export function defaultDeps(): DeployDeps {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI;
  return {
    rootDir: dirname(fileURLToPath(import.meta.url)),
    env: process.env,
    nodeVersion: process.versions.node,
    process: createProcessRunner(),
    awsClients: (region) => ({
      s3: new S3Client({ region }),
      cloudfront: new CloudFrontClient({ region }),
      sts: new STSClient({ region }),
      medialive: new MediaLiveClient({ region }),
      ecs: new ECSClient({ region }),
      ssm: new SSMClient({ region }),
    }),
    buildLambdas,
    interactive,
    prompt: terminalPrompter(),
    renderer: interactive ? 'default' : 'simple',
    print: (text) => console.log(text),
  };
}

/** Formats a failure for the terminal: one line for user errors, the step and output tail for failed steps. */
export function describeFailure(error: unknown): string {
  if (error instanceof DeployUserError) return `✖ ${error.message}`;
  if (error instanceof DeployStepError) {
    const lines = [`✖ ${error.step} failed: ${error.message}`];
    if (error.outputTail.length > 0)
      lines.push('', `Last ${error.outputTail.length} lines of output:`, ...error.outputTail.map((l) => `  │ ${l}`));
    if (error.logFile) lines.push('', `The whole output: ${error.logFile}`);
    lines.push(
      '',
      error.retry
        ? `Fix the cause, then run again: ${error.retry}${error.step.startsWith('terraform') ? ' (Terraform continues from where it stopped)' : ''}`
        : 'Fix the cause, then run the same command again.',
    );
    return lines.join('\n');
  }
  return `✖ Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** Runs the CLI; returns the process exit code. */
export async function main(
  argv: string[],
  deps: Partial<DeployDeps> = {},
  printError: (text: string) => void = (t) => console.error(t),
): Promise<number> {
  try {
    const flags = await buildParser(argv).parseAsync();
    if (flags.help) return 0;
    await runDeploy(optionsOf(flags), { ...defaultDeps(), ...deps });
    return 0;
  } catch (error) {
    printError(describeFailure(error));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(hideBin(process.argv));
}
