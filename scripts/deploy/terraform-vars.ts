/**
 * The deployment settings as Terraform variables of the root configuration (`infra/`), written
 * as a JSON var-file and passed with `-var-file`. Names are infra/variables.tf's.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { DeploymentConfig } from './config-schema';

export interface LambdaZipPaths {
  api: string;
  monitor: string;
  /** base64 SHA-256 of each zip, when they were built in this run. */
  hashes?: { api: string; monitor: string };
}

/**
 * Variables infra/ may lack without anything being lost: alternative spellings and values
 * Terraform can compute itself. Any other undeclared variable is reported.
 */
const OPTIONAL_VARIABLES = new Set([
  'alarm_email',
  'alarm_emails',
  'alert_webhook_parameter_name',
  'api_lambda_source_code_hash',
  'monitor_lambda_source_code_hash',
]);

export function terraformVariables(
  config: DeploymentConfig,
  zips: LambdaZipPaths,
  infraDir: string,
  overrides: { deletionProtection?: boolean } = {},
): Record<string, unknown> {
  const variables: Record<string, unknown> = {
    project_name: config.projectName,
    region: config.region,
    enable_stream_restreaming: config.enableStreamRestreaming,
    create_ivs_channel: config.ivs.createChannel,
    ivs_channel_arns: [...config.ivs.existingChannelArns],
    reconcile_schedule_expression: config.reconcileSchedule,
    stop_grace_seconds: config.stopGraceSeconds,
    idle_channel_ttl_seconds: config.idleChannelTtlSeconds,
    log_retention_days: config.logRetentionDays,
    admin_users: [...config.adminUsers],
    deletion_protection: overrides.deletionProtection ?? config.deletionProtection,
    api_auth: config.apiAuth,
    acknowledge_unauthenticated_api: config.acknowledgeUnauthenticatedApi,
    allow_private_rtmp_targets: config.allowPrivateRtmpTargets,
    enable_relays: config.enableRelays,
    // Relative to infra/ (Terraform runs with -chdir=infra), so no machine's path reaches the state.
    api_lambda_zip_path: relative(infraDir, zips.api),
    monitor_lambda_zip_path: relative(infraDir, zips.monitor),
    tags: { ...config.tags },
  };
  if (config.defaultProfile !== undefined) variables.default_profile = config.defaultProfile;
  const prices = Object.fromEntries(Object.entries(config.prices).filter(([, value]) => value !== undefined));
  if (Object.keys(prices).length > 0) variables.prices = prices;
  if (config.defaultRelayMode !== undefined) variables.default_relay_mode = config.defaultRelayMode;
  if (config.alarmEmail !== undefined) {
    variables.alarm_email = config.alarmEmail;
    variables.alarm_emails = [config.alarmEmail];
  }
  if (config.alertWebhookParameter !== undefined) variables.alert_webhook_parameter_name = config.alertWebhookParameter;
  if (zips.hashes) {
    variables.api_lambda_source_code_hash = zips.hashes.api;
    variables.monitor_lambda_source_code_hash = zips.hashes.monitor;
  }
  return variables;
}

/**
 * Keeps the variables infra/ declares (Terraform warns about undeclared ones in a var-file) and
 * names the dropped ones that were not expected to be missing.
 */
export function onlyDeclared(
  variables: Record<string, unknown>,
  declared: Set<string> | undefined,
): { variables: Record<string, unknown>; undeclared: string[] } {
  if (!declared) {
    // infra/ not readable: pass one spelling of the alarm address only.
    const { alarm_emails: _list, ...rest } = variables;
    return { variables: rest, undeclared: [] };
  }
  const kept: Record<string, unknown> = {};
  const undeclared: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (declared.has(name)) kept[name] = value;
    else if (!OPTIONAL_VARIABLES.has(name)) undeclared.push(name);
  }
  return { variables: kept, undeclared };
}

export async function writeVarFile(path: string, variables: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(variables, null, 2)}\n`);
}
