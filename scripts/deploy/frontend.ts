/**
 * Builds the admin UI (`npm run build` → frontend/dist) and writes its runtime configuration,
 * `config.json` (shape: frontend/src/config.ts `RuntimeConfig`), from the Terraform outputs.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEPLOY_ERROR_CODES, DeployStepError, DeployUserError } from './errors';
import type { ProcessRunner } from './process';
import { tail } from './terraform';

export interface RuntimeConfigFile {
  apiUrl: string;
  auth: { issuer: string; clientId: string; domain?: string; redirectUri?: string; scopes?: string } | null;
  localMode: false;
  /** The relay modes the deployment runs and the default of new destinations (the form's choice). */
  relayModes?: { offered: string[]; default: string };
}

function text(outputs: Record<string, unknown>, name: string): string | undefined {
  const value = outputs[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The runtime config for a deployment; `auth` is null when the outputs carry no Cognito client. */
export function runtimeConfigFrom(outputs: Record<string, unknown>): RuntimeConfigFile {
  const apiUrl = text(outputs, 'api_url');
  // With restreaming switched off there is no API (api_url is null); the admin UI says so.
  const restreamingOff = outputs.enable_stream_restreaming === false;
  if (!apiUrl && !restreamingOff) {
    throw new DeployUserError(
      DEPLOY_ERROR_CODES.outputsMissing,
      'Terraform has no api_url output: deploy the infrastructure first (npx tsx deploy.ts --infrastructure)',
    );
  }
  const issuer = text(outputs, 'cognito_issuer');
  const clientId = text(outputs, 'cognito_client_id');
  const auth: RuntimeConfigFile['auth'] = issuer && clientId ? { issuer, clientId } : null;
  if (auth) {
    const domain = text(outputs, 'cognito_domain');
    const adminUrl = text(outputs, 'admin_url');
    if (domain) auth.domain = domain;
    if (adminUrl) auth.redirectUri = adminUrl.endsWith('/') ? adminUrl : `${adminUrl}/`;
    // The API's admin scope: the JWT authorizer lets only access tokens carrying it through.
    const scopes = text(outputs, 'cognito_scopes');
    if (scopes) auth.scopes = scopes;
  }
  const config: RuntimeConfigFile = { apiUrl: (apiUrl ?? '').replace(/\/+$/, ''), auth, localMode: false };
  const modes = outputs.relay_modes as { offered?: unknown; default?: unknown } | null | undefined;
  if (modes && Array.isArray(modes.offered) && typeof modes.default === 'string') {
    config.relayModes = { offered: modes.offered.filter((m): m is string => typeof m === 'string'), default: modes.default };
  }
  return config;
}

export async function buildFrontend(input: {
  runner: ProcessRunner;
  rootDir: string;
  env: NodeJS.ProcessEnv;
  onLine?: (line: string) => void;
}): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await input.runner.run(npm, ['run', 'build'], { cwd: input.rootDir, env: input.env, onLine: input.onLine });
  if (result.exitCode !== 0)
    throw new DeployStepError('build the admin UI', `npm run build failed with exit code ${result.exitCode}`, tail(result.output));
}

/** Writes config.json into the built site; the build must exist. */
export async function writeRuntimeConfig(distDir: string, config: RuntimeConfigFile): Promise<void> {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new DeployUserError(DEPLOY_ERROR_CODES.frontendMissing, `${distDir} has no index.html after the build: check "npm run build"`);
  }
  await writeFile(join(distDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}
