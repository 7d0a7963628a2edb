/**
 * The environment contract of both Lambdas. Terraform (`modules/stream-restreaming/lambda.tf`) and
 * the local stack set exactly these variables; AWS endpoints come only through the SDK's own
 * variables (`AWS_ENDPOINT_URL_DYNAMODB`, ...).
 */
import { z } from 'zod';
import { PRICE_KEYS, type PriceKey } from '../core/costs';
import { IVS_CHANNEL_ARN, RELAY_MODES } from '../core/destination';
import type { RelayModeSettings } from '../core/destination-service';
import { DEFAULT_IDLE_TTL_SECONDS } from '../core/planner';
import type { RelaySettings } from './ecs/requests';

export const ENVIRONMENT_VARIABLES = [
  'DESTINATIONS_TABLE',
  'STREAM_STATE_TABLE',
  'DESTINATION_EVENTS_TABLE',
  'MEDIALIVE_ROLE_ARN',
  'PROJECT_NAME',
  'IVS_CHANNEL_ARNS',
  'STOP_GRACE_SECONDS',
  'STREAM_KEY_KMS_KEY_ID',
  'CORS_ALLOW_ORIGINS',
  'ALLOW_PRIVATE_RTMP_TARGETS',
  'WORK_QUEUE_URL',
  'DEFAULT_RELAY_MODE',
] as const;

/** Set by Terraform for the stream monitor only (the API never deletes a relay). */
export const MONITOR_ENVIRONMENT_VARIABLES = ['IDLE_CHANNEL_TTL_SECONDS'] as const;

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

/**
 * API function only: the deployment's prices as a JSON object of core/costs.ts PRICE_KEYS to
 * non-negative numbers (Terraform `prices`, jsonencode'd). Unknown keys are refused by name.
 */
const prices = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"mediaLiveInputPerHour":0.25}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.strictObject(
      Object.fromEntries(PRICE_KEYS.map((key) => [key, z.number().min(0, 'must be 0 or more').optional()])) as Record<
        PriceKey,
        z.ZodOptional<z.ZodNumber>
      >,
    ),
  )
  .optional();

const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN');

/** The monitor's pass-through settings besides RELAY_CLUSTER_ARN: all set together by Terraform's create_relays (checked by relaySettings). */
const RELAY_REQUIRED = [
  'RELAY_SUBNET_IDS',
  'RELAY_SECURITY_GROUP_IDS',
  'RELAY_IMAGE',
  'RELAY_EXECUTION_ROLE_ARN',
  'RELAY_TASK_ROLE_ARN',
  'RELAY_LOG_GROUP_NAME',
] as const;

export const environmentSchema = z.object({
  DESTINATIONS_TABLE: z.string().min(3),
  STREAM_STATE_TABLE: z.string().min(3),
  /** Destination history (`{project}-destination-events`); both functions record to it, the API reads it. */
  DESTINATION_EVENTS_TABLE: z.string().min(3),
  MEDIALIVE_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
  PROJECT_NAME: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40'),
  IVS_CHANNEL_ARNS: list.pipe(z.array(z.string().regex(IVS_CHANNEL_ARN, 'each entry must be an IVS channel ARN'))),
  STOP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
  // Monitor only: an idle MediaLive channel nobody wants is deleted after this long, its input kept
  // (docs/aws-notes.md, "Idle channels"). 0 deletes it as soon as it is idle; at most a day.
  IDLE_CHANNEL_TTL_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds, e.g. 600' })
    .int('must be a whole number of seconds, e.g. 600')
    .min(0, 'must be 0 or more seconds')
    .max(86_400, 'at most 86400 seconds (one day)')
    .default(DEFAULT_IDLE_TTL_SECONDS),
  STREAM_KEY_KMS_KEY_ID: z.string().min(1),
  CORS_ALLOW_ORIGINS: list,
  // API function only, with JWT auth: the group (cognito:groups) and/or the scope a caller's token
  // must carry (lambdas/api/auth.ts requires each one that is set). Terraform sets at most one of
  // them (modules/stream-restreaming/main.tf).
  ADMIN_GROUP: z.string().min(1).optional(),
  ADMIN_SCOPE: z.string().min(1).optional(),
  PRICES: prices,
  // Terraform writes tostring(bool): "true" or "false". Anything else is a mistake, not "false".
  ALLOW_PRIVATE_RTMP_TARGETS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  // Monitor only: where alerts go. The module's SNS topic (Terraform always sets it for the
  // monitor), and the name of an SSM SecureString holding a Slack/Discord webhook URL (optional;
  // the URL itself is never in the environment).
  ALERT_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
    .optional(),
  ALERT_WEBHOOK_PARAMETER: z
    .string()
    .regex(/^\/[A-Za-z0-9_./-]{1,1000}$/, 'must be an SSM parameter name starting with /')
    .optional(),
  /** The reconcile work queue (SQS); both functions send to it, the monitor consumes it. */
  WORK_QUEUE_URL: z.string().regex(/^https:\/\/\S+$/, 'must be the https URL of the SQS work queue'),

  // The mode of a new destination that names none. Terraform sets it for both functions (only the
  // API reads it): passthrough when the module creates relays, else transcode.
  DEFAULT_RELAY_MODE: z.enum(RELAY_MODES, { error: `must be one of ${RELAY_MODES.join(', ')}` }).default('transcode'),

  // Pass-through relays on ECS Fargate (lambdas/adapters/ecs), offered when RELAY_CLUSTER_ARN is
  // set; relaySettings (the monitor) then requires the rest (RELAY_REQUIRED).
  RELAY_CLUSTER_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]+$/, 'must be an ECS cluster ARN')
    .optional(),
  RELAY_SUBNET_IDS: list.pipe(z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'each entry must be a subnet id (subnet-…)'))),
  RELAY_SECURITY_GROUP_IDS: list.pipe(z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'each entry must be a security group id (sg-…)'))),
  RELAY_ASSIGN_PUBLIC_IP: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((v) => v === 'true'),
  RELAY_IMAGE: z.string().min(1).max(255).optional(),
  RELAY_EXECUTION_ROLE_ARN: roleArn.optional(),
  RELAY_TASK_ROLE_ARN: roleArn.optional(),
  RELAY_LOG_GROUP_NAME: z.string().min(1).max(512).optional(),
  // Fargate task size in ECS units (256 = 0.25 vCPU) and MiB.
  RELAY_TASK_CPU: z.string().regex(/^\d+$/, 'must be ECS CPU units, e.g. 256').default('256'),
  RELAY_TASK_MEMORY: z.string().regex(/^\d+$/, 'must be MiB, e.g. 512').default('512'),
});

export type Environment = z.infer<typeof environmentSchema>;

/**
 * The ECS relay settings; undefined when pass-through is not deployed (no RELAY_CLUSTER_ARN).
 * Only the monitor runs relays and calls this: it fails at cold start, naming every missing
 * RELAY_* variable, when the cluster is set without the rest. (The API gets RELAY_CLUSTER_ARN
 * alone, to know that pass-through is offered.)
 */
export function relaySettings(env: Environment): RelaySettings | undefined {
  if (env.RELAY_CLUSTER_ARN === undefined) return undefined;
  const missing = RELAY_REQUIRED.filter((name) => {
    const value = env[name];
    return value === undefined || value.length === 0;
  });
  if (missing.length > 0) {
    throw new Error(
      `Invalid Lambda environment: ${missing.map((name) => `${name}: is required when RELAY_CLUSTER_ARN is set`).join('; ')}`,
    );
  }
  return {
    clusterArn: env.RELAY_CLUSTER_ARN,
    subnetIds: env.RELAY_SUBNET_IDS,
    securityGroupIds: env.RELAY_SECURITY_GROUP_IDS,
    assignPublicIp: env.RELAY_ASSIGN_PUBLIC_IP,
    image: env.RELAY_IMAGE as string,
    executionRoleArn: env.RELAY_EXECUTION_ROLE_ARN as string,
    taskRoleArn: env.RELAY_TASK_ROLE_ARN as string,
    logGroupName: env.RELAY_LOG_GROUP_NAME as string,
    cpu: env.RELAY_TASK_CPU,
    memory: env.RELAY_TASK_MEMORY,
  };
}

/**
 * The relay modes the deployment runs: pass-through only with relays (RELAY_CLUSTER_ARN, which
 * Terraform sets for both functions with create_relays).
 */
export function relayModes(env: Environment): RelayModeSettings {
  return {
    offered: env.RELAY_CLUSTER_ARN === undefined ? ['transcode'] : ['passthrough', 'transcode'],
    defaultMode: env.DEFAULT_RELAY_MODE,
  };
}

/** Validates the environment once, at cold start; the error names every bad variable. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (parsed.success && parsed.data.DEFAULT_RELAY_MODE === 'passthrough' && parsed.data.RELAY_CLUSTER_ARN === undefined) {
    problems.push(
      'DEFAULT_RELAY_MODE: passthrough needs RELAY_CLUSTER_ARN (a deployment with relays, create_relays = true); use transcode',
    );
  }
  if (!parsed.success || problems.length > 0) throw new Error(`Invalid Lambda environment: ${problems.join('; ')}`);
  return parsed.data;
}
