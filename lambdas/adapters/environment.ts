/**
 * The environment contract of both Lambdas. Terraform (`modules/stream-restreaming/lambda.tf`) and
 * the local stack set exactly these variables; AWS endpoints come only through the SDK's own
 * variables (`AWS_ENDPOINT_URL_DYNAMODB`, ...).
 */
import { z } from 'zod';
import { IVS_CHANNEL_ARN } from '../core/destination';

export const ENVIRONMENT_VARIABLES = [
  'DESTINATIONS_TABLE',
  'STREAM_STATE_TABLE',
  'MEDIALIVE_ROLE_ARN',
  'PROJECT_NAME',
  'IVS_CHANNEL_ARNS',
  'STOP_GRACE_SECONDS',
  'STREAM_KEY_KMS_KEY_ID',
  'CORS_ALLOW_ORIGINS',
  'ALLOW_PRIVATE_RTMP_TARGETS',
  'WORK_QUEUE_URL',
] as const;

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  );

export const environmentSchema = z.object({
  DESTINATIONS_TABLE: z.string().min(3),
  STREAM_STATE_TABLE: z.string().min(3),
  MEDIALIVE_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
  PROJECT_NAME: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40'),
  IVS_CHANNEL_ARNS: list.pipe(z.array(z.string().regex(IVS_CHANNEL_ARN, 'each entry must be an IVS channel ARN'))),
  STOP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
  STREAM_KEY_KMS_KEY_ID: z.string().min(1),
  CORS_ALLOW_ORIGINS: list,
  // API function only, with JWT auth: the group (cognito:groups) and/or the scope a caller's token
  // must carry (lambdas/api/auth.ts requires each one that is set). Terraform sets at most one of
  // them (modules/stream-restreaming/main.tf).
  ADMIN_GROUP: z.string().min(1).optional(),
  ADMIN_SCOPE: z.string().min(1).optional(),
  // Terraform writes tostring(bool): "true" or "false". Anything else is a mistake, not "false".
  ALLOW_PRIVATE_RTMP_TARGETS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  /** The reconcile work queue (SQS); both functions send to it, the monitor consumes it. */
  WORK_QUEUE_URL: z.string().regex(/^https:\/\/\S+$/, 'must be the https URL of the SQS work queue'),
});

export type Environment = z.infer<typeof environmentSchema>;

/** Validates the environment once, at cold start; the error names every bad variable. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid Lambda environment: ${problems}`);
  }
  return parsed.data;
}
