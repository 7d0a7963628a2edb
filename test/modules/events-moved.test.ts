/**
 * events.tf moved its EventBridge rules, targets and invoke permissions from one resource block per
 * rule (`aws_cloudwatch_event_rule.schedule`, ...) into one `for_each` map
 * (`aws_cloudwatch_event_rule.this["schedule"]`, ...) with `moved` blocks. This plans the real
 * events.tf against a state that holds the resources at their old addresses, as a deployment made
 * before the map has them, and checks that Terraform moves each one and changes, creates and
 * destroys nothing. (`terraform test` cannot do this here: sharing a state between the old and
 * the new configuration needs its `state_key`, which Terraform 1.12 added; the tests run on 1.11.)
 *
 * The plan runs offline: the AWS provider from the mirror, fake credentials, no refresh, and a
 * small harness for what events.tf refers to (the monitor function, the relay cluster, the
 * variables). The old attribute values are those the module's terraform tests assert
 * (stream_restreaming.tftest.hcl, "event_rules_keep_their_names_patterns_retries_and_permissions").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execa } from 'execa';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { terraformEnv } from '../../scripts/lib/terraform-env';

const terraformBin = process.env.TERRAFORM_BIN || 'terraform';
const eventsTf = resolve(import.meta.dirname, '../../modules/stream-restreaming/events.tf');
const CHANNEL = 'arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456';
const FUNCTION_ARN = 'arn:aws:lambda:eu-central-1:123456789012:function:acme-live-stream-monitor';
const TAGS = { Project: 'acme-live' };

const HARNESS = `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.100" }
  }
}
provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "harness"
  secret_key                  = "harness"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
variable "project_name" { default = "acme-live" }
variable "reconcile_schedule_expression" { default = "rate(1 minute)" }
variable "ivs_channel_arns" { default = ["${CHANNEL}"] }
variable "create_relays" { default = false }
locals { tags = ${JSON.stringify(TAGS).replace(/:/g, ' = ')} }
resource "aws_ecs_cluster" "relays" {
  count = var.create_relays ? 1 : 0
  name  = "acme-live-relays"
}
resource "aws_lambda_function" "this" {
  for_each      = toset(["monitor"])
  function_name = "acme-live-stream-monitor"
  role          = "arn:aws:iam::123456789012:role/acme-live-stream-monitor"
  filename      = "monitor.zip"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  lifecycle {
    ignore_changes = all
  }
}
`;

/** The rules as the module had them, one resource block each: name, description, schedule or pattern, retry policy, statement id. */
const OLD_RULES = {
  schedule: [
    'acme-live-reconcile-schedule',
    'Full reconcile of every tracked IVS channel',
    'rate(1 minute)',
    null,
    300,
    3,
    'AllowReconcileSchedule',
  ],
  ivs_stream_state: [
    'acme-live-ivs-stream-state',
    'IVS stream start/end of the tracked channels',
    '',
    { 'detail-type': ['IVS Stream State Change'], resources: [CHANNEL], source: ['aws.ivs'] },
    600,
    5,
    'AllowIvsStreamStateEvents',
  ],
  medialive_channel_state: [
    'acme-live-medialive-channel-state',
    "MediaLive channel state changes (the monitor reconciles this project's)",
    '',
    { 'detail-type': ['MediaLive Channel State Change'], source: ['aws.medialive'] },
    300,
    3,
    'AllowMediaLiveChannelStateEvents',
  ],
  medialive_channel_alert: [
    'acme-live-medialive-channel-alert',
    "MediaLive channel alerts set and cleared (the monitor records this project's)",
    '',
    { 'detail-type': ['MediaLive Channel Alert'], source: ['aws.medialive'] },
    300,
    3,
    'AllowMediaLiveChannelAlertEvents',
  ],
} as const;

/** A version-4 state with the old addresses (and the harness's monitor function). */
function oldState(): unknown {
  const resources: unknown[] = [];
  const add = (type: string, name: string, schemaVersion: number, attributes: Record<string, unknown>, indexKey?: string) =>
    resources.push({
      mode: 'managed',
      type,
      name,
      ...(indexKey !== undefined ? { each: 'map' } : {}),
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: schemaVersion, attributes, ...(indexKey !== undefined ? { index_key: indexKey } : {}) }],
    });
  for (const [key, [name, description, schedule, pattern, age, retries, sid]] of Object.entries(OLD_RULES)) {
    const ruleArn = `arn:aws:events:eu-central-1:123456789012:rule/${name}`;
    add('aws_cloudwatch_event_rule', key, 1, {
      id: name,
      arn: ruleArn,
      name,
      name_prefix: '',
      description,
      schedule_expression: schedule,
      event_pattern: pattern === null ? null : JSON.stringify(pattern),
      event_bus_name: 'default',
      state: 'ENABLED',
      is_enabled: true,
      role_arn: '',
      force_destroy: false,
      tags: TAGS,
      tags_all: TAGS,
    });
    add('aws_cloudwatch_event_target', key, 1, {
      id: `${name}-target`,
      rule: name,
      arn: FUNCTION_ARN,
      target_id: 'target',
      event_bus_name: 'default',
      force_destroy: false,
      retry_policy: [{ maximum_event_age_in_seconds: age, maximum_retry_attempts: retries }],
    });
    add('aws_lambda_permission', key, 0, {
      id: sid,
      statement_id: sid,
      statement_id_prefix: '',
      action: 'lambda:InvokeFunction',
      function_name: 'acme-live-stream-monitor',
      principal: 'events.amazonaws.com',
      source_arn: ruleArn,
      qualifier: '',
    });
  }
  add(
    'aws_lambda_function',
    'this',
    0,
    {
      id: 'acme-live-stream-monitor',
      arn: FUNCTION_ARN,
      function_name: 'acme-live-stream-monitor',
      role: 'arn:aws:iam::123456789012:role/acme-live-stream-monitor',
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      filename: 'monitor.zip',
    },
    'monitor',
  );
  return { version: 4, terraform_version: '1.11.0', serial: 1, lineage: 'events-moved-test', outputs: {}, resources };
}

interface Change {
  address: string;
  previous_address?: string;
  change: { actions: string[] };
}

let dir: string;
let env: NodeJS.ProcessEnv;

/** `terraform plan` of the harness against the old state; the resource changes of its JSON plan. */
async function plan(createRelays: boolean): Promise<Change[]> {
  const planFile = `plan-${createRelays}.tfplan`;
  await execa(
    terraformBin,
    [
      `-chdir=${dir}`,
      'plan',
      '-refresh=false',
      '-input=false',
      '-no-color',
      '-lock=false',
      `-var=create_relays=${createRelays}`,
      `-out=${planFile}`,
    ],
    { env },
  );
  const shown = await execa(terraformBin, [`-chdir=${dir}`, 'show', '-json', '-no-color', planFile], { env, maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(shown.stdout) as { resource_changes: Change[] }).resource_changes;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'events-moved-'));
  env = await terraformEnv();
  await copyFile(eventsTf, join(dir, 'events.tf'));
  await writeFile(join(dir, 'harness.tf'), HARNESS);
  await writeFile(join(dir, 'monitor.zip'), 'zip');
  await writeFile(join(dir, 'terraform.tfstate'), JSON.stringify(oldState()));
  await execa(terraformBin, [`-chdir=${dir}`, 'init', '-backend=false', '-input=false', '-no-color'], { env });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('events.tf moved blocks', () => {
  it('move every rule, target and permission of a deployment made before the map, and change nothing', async () => {
    const changes = await plan(false);

    const moved = changes.filter((c) => c.previous_address !== undefined).map((c) => [c.previous_address, c.address]);
    const expected = Object.keys(OLD_RULES).flatMap((key) => [
      [`aws_cloudwatch_event_rule.${key}`, `aws_cloudwatch_event_rule.this["${key}"]`],
      [`aws_cloudwatch_event_target.${key}`, `aws_cloudwatch_event_target.this["${key}"]`],
      [`aws_lambda_permission.${key}`, `aws_lambda_permission.events["${key}"]`],
    ]);
    expect(moved.sort()).toEqual(expected.sort());
    expect(changes.filter((c) => c.change.actions.join() !== 'no-op').map((c) => `${c.address}: ${c.change.actions.join('+')}`)).toEqual(
      [],
    );
  }, 120_000);

  it('add only the ECS rule, its target and permission (and the cluster) when relays are switched on', async () => {
    const changes = await plan(true);

    expect(changes.filter((c) => c.change.actions.join() !== 'no-op').map((c) => `${c.address}: ${c.change.actions.join('+')}`)).toEqual([
      'aws_cloudwatch_event_rule.this["ecs_task_state"]: create',
      'aws_cloudwatch_event_target.this["ecs_task_state"]: create',
      'aws_ecs_cluster.relays[0]: create',
      'aws_lambda_permission.events["ecs_task_state"]: create',
    ]);
  }, 120_000);
});
