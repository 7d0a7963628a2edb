/**
 * A fake `terraform` executable for deploy tests: a small node script in a temp directory, put
 * first on PATH. It records every call (argv, plus the var-file's content) and answers
 * `version -json`, `init`, `plan` (-detailed-exitcode), `apply`, `output -json` and `destroy`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface FakeTerraformSettings {
  /** Reported by `version -json`. */
  version?: string;
  /** `plan` reports changes (exit 2) or none (exit 0). */
  planChanges?: boolean;
  /** The subcommand that fails with exit code 1 after 25 lines of output. */
  failOn?: 'init' | 'plan' | 'apply' | 'destroy' | 'output' | 'show' | 'state';
  /** `output -json` answer: name → { value, sensitive }. */
  outputs?: Record<string, { value: unknown; sensitive?: boolean }>;
  /** `show -json <plan>` answer's resource_changes; default: three resources created. */
  resourceChanges?: { address: string; type: string; mode?: string; change: { actions: string[] } }[];
  /** `state list` answer; default: the addresses of a complete deployment. `null`: no state file. */
  stateAddresses?: string[] | null;
}

export interface FakeTerraformCall {
  argv: string[];
  /** The subcommand, e.g. `apply` (after `-chdir=...`). */
  command: string;
  /** Parsed content of `-var-file=...`, when given. */
  varFile?: Record<string, unknown>;
}

export interface FakeTerraform {
  dir: string;
  /** PATH with the fake first. */
  path: string;
  configure(settings: FakeTerraformSettings): Promise<void>;
  calls(): Promise<FakeTerraformCall[]>;
  commands(): Promise<string[]>;
  remove(): Promise<void>;
}

const SCRIPT = String.raw`#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const here = __dirname;
const settings = JSON.parse(fs.readFileSync(path.join(here, 'settings.json'), 'utf8'));
const argv = process.argv.slice(2);
const rest = argv.filter((a) => !a.startsWith('-chdir='));
const command = rest[0] ?? '';
const record = { argv, command };
const varArg = argv.find((a) => a.startsWith('-var-file='));
if (varArg) record.varFile = JSON.parse(fs.readFileSync(varArg.slice('-var-file='.length), 'utf8'));
fs.appendFileSync(path.join(here, 'calls.jsonl'), JSON.stringify(record) + '\n');
// Synchronous writes: process.exit() would drop output still queued for a pipe.
const out = (s) => fs.writeSync(1, s + '\n');
const DEFAULT_STATE = [
  'aws_cognito_user_pool.this[0]',
  'aws_cognito_user_pool_client.admin[0]',
  'module.admin_site.aws_s3_bucket.this',
  'module.stream_restreaming[0].aws_dynamodb_table.destinations',
  'module.stream_restreaming[0].aws_dynamodb_table.leases',
  'module.stream_restreaming[0].aws_lambda_function.api',
];
if (settings.failOn === command) {
  for (let i = 1; i <= 24; i += 1) out('fake ' + command + ' progress line ' + i);
  fs.writeSync(2, 'Error: creating IVS Channel: AccessDeniedException: not authorized\n');
  process.exit(1);
}
switch (command) {
  case 'version':
    out(JSON.stringify({ terraform_version: settings.version ?? '1.9.8', platform: 'linux_amd64', provider_selections: {}, terraform_outdated: false }));
    break;
  case 'init':
    out('Initializing the backend...');
    out('Terraform has been successfully initialized!');
    break;
  case 'plan': {
    const planOut = argv.find((a) => a.startsWith('-out='));
    if (planOut) fs.writeFileSync(planOut.slice('-out='.length), 'fake plan');
    out('module.restreaming.aws_dynamodb_table.this: Refreshing state... [id=x]');
    if (settings.planChanges === false) {
      out('No changes. Your infrastructure matches the configuration.');
      process.exit(0);
    }
    out('Terraform will perform the following actions:');
    out('  # aws_lambda_function.api will be created');
    out('Plan: 3 to add, 0 to change, 0 to destroy.');
    process.exit(2);
  }
  case 'apply':
    out('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    break;
  case 'output':
    out(JSON.stringify(Object.fromEntries(Object.entries(settings.outputs ?? {}).map(([k, v]) => [k, { sensitive: false, type: 'string', ...v }]))));
    break;
  case 'destroy':
    out('Destroy complete! Resources: 3 destroyed.');
    break;
  case 'show':
    out(JSON.stringify({ format_version: '1.2', resource_changes: settings.resourceChanges ?? [
      { address: 'module.stream_restreaming[0].aws_lambda_function.api', type: 'aws_lambda_function', mode: 'managed', change: { actions: ['create'] } },
      { address: 'module.stream_restreaming[0].aws_lambda_function.monitor', type: 'aws_lambda_function', mode: 'managed', change: { actions: ['create'] } },
      { address: 'aws_cognito_user_pool.this[0]', type: 'aws_cognito_user_pool', mode: 'managed', change: { actions: ['create'] } },
      { address: 'data.aws_caller_identity.current', type: 'aws_caller_identity', mode: 'data', change: { actions: ['read'] } },
    ] }));
    break;
  case 'state': {
    if (settings.stateAddresses === null) {
      fs.writeSync(2, 'No state file was found!\n');
      process.exit(1);
    }
    for (const address of settings.stateAddresses ?? DEFAULT_STATE) out(address);
    break;
  }
  default:
    fs.writeSync(2, 'fake terraform: unknown command ' + command + '\n');
    process.exit(1);
}
`;

export async function createFakeTerraform(settings: FakeTerraformSettings = {}): Promise<FakeTerraform> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-terraform-'));
  // CommonJS: the temp directory has no package.json saying "type": "module".
  await writeFile(join(dir, 'terraform'), SCRIPT, { mode: 0o755 });
  await writeFile(join(dir, 'settings.json'), JSON.stringify(settings));
  const callsFile = join(dir, 'calls.jsonl');
  const calls = async (): Promise<FakeTerraformCall[]> =>
    existsSync(callsFile)
      ? (await readFile(callsFile, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FakeTerraformCall)
      : [];
  return {
    dir,
    path: [dir, process.env.PATH ?? ''].join(delimiter),
    configure: (next) => writeFile(join(dir, 'settings.json'), JSON.stringify({ ...settings, ...next })),
    calls,
    commands: async () => (await calls()).map((c) => c.command),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Terraform outputs of a complete deployment, as infra/outputs.tf names them. */
export const DEPLOYED_OUTPUTS: Record<string, { value: unknown; sensitive?: boolean }> = {
  enable_stream_restreaming: { value: true },
  region: { value: 'eu-central-1' },
  admin_url: { value: 'https://d111111abcdef8.cloudfront.net' },
  api_url: { value: 'https://abc123.execute-api.eu-central-1.amazonaws.com' },
  site_bucket_name: { value: 'ivs-restreaming-admin-site' },
  cloudfront_distribution_id: { value: 'E2QWRUHEXAMPLE' },
  cognito_issuer: { value: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Example' },
  cognito_client_id: { value: 'client123' },
  cognito_domain: { value: 'ivs-restreaming.auth.eu-central-1.amazoncognito.com' },
  cognito_scopes: { value: 'openid email profile ivs-restreaming-api/admin' },
  ivs_channel_arns: { value: ['arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456'] },
  ivs_ingest_endpoint: { value: 'rtmps://abcdef.global-contribute.live-video.net:443/app/', sensitive: true },
  ivs_stream_key: { value: 'sk_eu-central-1_SECRETSTREAMKEY', sensitive: true },
};
