/**
 * Terraform, driven through the process runner: version check, init with the configured backend,
 * plan / apply / destroy with a JSON var-file, and outputs. Every command runs with
 * `-chdir=<infra>`, `-input=false` and `-no-color`; a failure carries the last lines of output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DeploymentConfig } from './config-schema';
import { DEPLOY_ERROR_CODES, DeployStepError, DeployUserError } from './errors';
import { CommandNotFoundError, type ProcessRunner, type RunResult } from './process';

/** The floor when infra/versions.tf names none. */
export const MINIMUM_TERRAFORM_VERSION = '1.7.0';

/** The Terraform version infra/ requires (`required_version = ">= x.y"`), or the default floor. */
export function requiredTerraformVersion(dir: string): string {
  const file = join(dir, 'versions.tf');
  const found = existsSync(file)
    ? /required_version\s*=\s*"\s*>=\s*(\d+\.\d+(?:\.\d+)?)\s*"/.exec(readFileSync(file, 'utf8'))?.[1]
    : undefined;
  return found && compareVersions(found, MINIMUM_TERRAFORM_VERSION) > 0 ? found : MINIMUM_TERRAFORM_VERSION;
}

export function terraformInstallHint(minimum: string): string {
  const shown = minimum.replace(/^(\d+\.\d+)\.0$/, '$1');
  return `Terraform ${shown} or newer is required: install it from https://developer.hashicorp.com/terraform/install or set TERRAFORM_BIN`;
}
/** Commands whose whole output goes to a log file (see `Terraform.writeLog`). */
const LOGGED_COMMANDS = new Set(['init', 'plan', 'apply', 'destroy']);
/** Lines of Terraform output shown with a failure. */
export const OUTPUT_TAIL_LINES = 20;
/** Written into `infra/` for a non-local backend; removed again for `terraformBackend: 'local'`. */
export const BACKEND_OVERRIDE_FILE = 'backend_override.tf.json';
const BACKEND_OVERRIDE_MARKER = 'Written by deploy.ts from deployment.config.ts terraformBackend; do not edit.';

/** `a` compared with `b` as dotted version numbers: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function tail(output: string, lines = OUTPUT_TAIL_LINES): string[] {
  const all = output.split(/\r?\n/).map((l) => l.trimEnd());
  while (all.length > 0 && all[all.length - 1] === '') all.pop();
  return all.slice(-lines);
}

/**
 * Outputs Terraform marks sensitive only because they derive from a resource with a secret
 * attribute; their values are addresses, not credentials, and the summary shows them.
 */
const SENSITIVE_BUT_NOT_SECRET = new Set(['ivs_ingest_endpoint']);

/** `terraform output -json`: the plain values, and the names of the sensitive ones (never their values). */
export interface TerraformOutputs {
  values: Record<string, unknown>;
  sensitive: string[];
}

export interface TerraformOptions {
  runner: ProcessRunner;
  /** The executable: `TERRAFORM_BIN` or `terraform`. */
  bin: string;
  /** The root configuration directory (`infra/`). */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Where each command's whole output is written (`<dir>/terraform-<command>.log`); none without. */
  logDir?: string;
  /** Log paths in messages are shown relative to this directory (the repository root). */
  displayRoot?: string;
}

type OnLine = ((line: string) => void) | undefined;

export class Terraform {
  constructor(private readonly options: TerraformOptions) {}

  get dir(): string {
    return this.options.dir;
  }

  private get installHint(): string {
    return terraformInstallHint(requiredTerraformVersion(this.options.dir));
  }

  private async run(step: string, args: string[], onLine?: OnLine, okExitCodes: number[] = [0]): Promise<RunResult> {
    let result: RunResult;
    try {
      result = await this.options.runner.run(this.options.bin, [`-chdir=${this.options.dir}`, ...args], { env: this.options.env, onLine });
    } catch (error) {
      if (error instanceof CommandNotFoundError)
        throw new DeployUserError(DEPLOY_ERROR_CODES.terraformMissing, this.installHint, { cause: error });
      throw error;
    }
    const logFile = await this.writeLog(args[0] ?? 'command', result.output);
    if (!okExitCodes.includes(result.exitCode)) {
      throw new DeployStepError(step, `terraform ${args[0]} failed with exit code ${result.exitCode}`, tail(result.output), { logFile });
    }
    return result;
  }

  /**
   * Writes a command's whole output to its log file; returns the path to show, if any. Only the
   * human-readable commands are logged: `output -json` and `show -json` print sensitive values
   * (the IVS stream key) in clear, and a log is one more copy of them.
   */
  private async writeLog(command: string, output: string): Promise<string | undefined> {
    const { logDir, displayRoot } = this.options;
    if (!logDir || !LOGGED_COMMANDS.has(command)) return undefined;
    const file = join(logDir, `terraform-${command}.log`);
    await mkdir(logDir, { recursive: true });
    await writeFile(file, output);
    return displayRoot ? relative(displayRoot, file) : file;
  }

  /** Checks that Terraform runs and is new enough; returns its version. */
  async version(): Promise<string> {
    let result: RunResult;
    try {
      result = await this.options.runner.run(this.options.bin, ['version', '-json'], { env: this.options.env });
    } catch (error) {
      if (error instanceof CommandNotFoundError)
        throw new DeployUserError(DEPLOY_ERROR_CODES.terraformMissing, this.installHint, { cause: error });
      throw error;
    }
    let version: string | undefined;
    try {
      version = (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version;
    } catch {
      version = /Terraform v(\d+\.\d+\.\d+)/.exec(result.output)?.[1];
    }
    if (result.exitCode !== 0 || !version) {
      throw new DeployUserError(
        DEPLOY_ERROR_CODES.terraformMissing,
        `${this.options.bin} did not report a version (${tail(result.output, 1)[0] ?? `exit code ${result.exitCode}`}). ${this.installHint}`,
      );
    }
    if (compareVersions(version, requiredTerraformVersion(this.options.dir)) < 0) {
      throw new DeployUserError(DEPLOY_ERROR_CODES.terraformTooOld, `Terraform ${version} is too old. ${this.installHint}`);
    }
    return version;
  }

  /** Writes (S3) or removes (local) the backend override, then `terraform init`. */
  async init(backend: DeploymentConfig['terraformBackend'], region: string, onLine?: OnLine): Promise<void> {
    await writeBackendOverride(this.options.dir, backend, region);
    await this.run('terraform init', ['init', '-input=false', '-no-color'], onLine);
  }

  /** `terraform plan -out`; tells whether anything would change (`-detailed-exitcode`). */
  async plan(
    input: { varFile: string; planFile: string; destroy?: boolean; targets?: readonly string[] },
    onLine?: OnLine,
  ): Promise<{ changes: boolean; output: string }> {
    const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-var-file=${input.varFile}`, `-out=${input.planFile}`];
    if (input.destroy) args.push('-destroy');
    for (const target of input.targets ?? []) args.push(`-target=${target}`);
    const result = await this.run('terraform plan', args, onLine, [0, 2]);
    return { changes: result.exitCode === 2, output: result.stdout };
  }

  /** Applies a saved plan (no second confirmation: the plan was confirmed). */
  async apply(planFile: string, onLine?: OnLine): Promise<void> {
    await this.run('terraform apply', ['apply', '-input=false', '-no-color', '-auto-approve', planFile], onLine);
  }

  /** `terraform state list`: the addresses of the resources in the state (none before the first apply). */
  async stateList(): Promise<string[]> {
    const result = await this.run('terraform state list', ['state', 'list'], undefined, [0, 1]);
    if (result.exitCode !== 0) {
      // Exit 1 with "No state file was found!" means nothing was ever applied.
      if (/No state file was found/.test(result.output)) return [];
      throw new DeployStepError('terraform state list', `terraform state failed with exit code ${result.exitCode}`, tail(result.output));
    }
    return result.stdout
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  }

  /** `terraform show -json <planfile>`: the plan as JSON (resource_changes, ...). */
  async show(planFile: string): Promise<unknown> {
    const result = await this.run('terraform show', ['show', '-json', '-no-color', planFile]);
    try {
      return JSON.parse(result.stdout) as unknown;
    } catch {
      throw new DeployStepError('terraform show', 'terraform show -json did not print JSON', tail(result.output));
    }
  }

  async destroy(varFile: string, onLine?: OnLine): Promise<void> {
    await this.run('terraform destroy', ['destroy', '-input=false', '-no-color', '-auto-approve', `-var-file=${varFile}`], onLine);
  }

  async outputs(): Promise<TerraformOutputs> {
    const result = await this.run('terraform output', ['output', '-json', '-no-color']);
    let raw: Record<string, { value?: unknown; sensitive?: boolean }>;
    try {
      raw = JSON.parse(result.stdout || '{}') as typeof raw;
    } catch {
      throw new DeployStepError('terraform output', 'terraform output -json did not print JSON', tail(result.stderr));
    }
    const outputs: TerraformOutputs = { values: {}, sensitive: [] };
    for (const [name, output] of Object.entries(raw)) {
      // Sensitive values (the IVS stream key) are dropped here and never held, printed or logged.
      if (output.sensitive) outputs.sensitive.push(name);
      if (!output.sensitive || SENSITIVE_BUT_NOT_SECRET.has(name)) outputs.values[name] = output.value;
    }
    return outputs;
  }
}

async function writeBackendOverride(dir: string, backend: DeploymentConfig['terraformBackend'], region: string): Promise<void> {
  const file = join(dir, BACKEND_OVERRIDE_FILE);
  if (backend === 'local') {
    if (existsSync(file) && (await readFile(file, 'utf8')).includes(BACKEND_OVERRIDE_MARKER)) await rm(file);
    return;
  }
  const { bucket, key, region: stateRegion, dynamodbTable, useLockfile } = backend.s3;
  const s3: Record<string, unknown> = { bucket, key, region: stateRegion ?? region, encrypt: true };
  if (dynamodbTable) s3.dynamodb_table = dynamodbTable;
  if (useLockfile !== undefined) s3.use_lockfile = useLockfile;
  await writeFile(file, `${JSON.stringify({ '//': BACKEND_OVERRIDE_MARKER, terraform: { backend: { s3 } } }, null, 2)}\n`);
}

/** Names of the variables the root configuration declares, or undefined when it has none yet. */
export async function declaredVariables(dir: string): Promise<Set<string> | undefined> {
  if (!existsSync(dir)) return undefined;
  const files = (await readdir(dir)).filter((f) => f.endsWith('.tf'));
  const names = new Set<string>();
  for (const f of files) {
    for (const match of (await readFile(join(dir, f), 'utf8')).matchAll(/^\s*variable\s+"([A-Za-z0-9_-]+)"/gm)) {
      if (match[1] !== undefined) names.add(match[1]);
    }
  }
  return names.size > 0 ? names : undefined;
}
