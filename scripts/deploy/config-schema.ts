/**
 * The schema of `deployment.config.ts`: every deployment setting, its default and its validation.
 * The loader (`./config.ts`) merges flags, environment, file and defaults and validates once
 * against this schema; Terraform receives the result as a JSON var-file (`./terraform-vars.ts`).
 */
import { z } from 'zod';
import { PRICE_KEYS, type PriceKey } from '../../lambdas/core/costs';
import { IVS_CHANNEL_ARN, PROFILES, RELAY_MODES } from '../../lambdas/core/destination';

/** Retention periods CloudWatch Logs accepts (`PutRetentionPolicy`). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const RATE = /^rate\((\S+)\s+(\S+)\)$/;
const CRON = /^cron\((.*)\)$/;
const RATE_UNITS = ['minute', 'hour', 'day'] as const;

/**
 * Why an EventBridge schedule expression would be refused, or `undefined` when it is valid.
 * EventBridge accepts `rate(<n> <unit>)` with unit minute(s), hour(s) or day(s) — singular for 1,
 * plural above — and `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)` where
 * one of day-of-month and day-of-week is `?`. The original system shipped `rate(30 seconds)`.
 */
export function scheduleProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const [, amount = '', unit = ''] = rate;
    const singular = unit.replace(/s$/, '');
    if (!(RATE_UNITS as readonly string[]).includes(singular)) {
      return 'EventBridge rates are in minutes, hours or days; the minimum is rate(1 minute)';
    }
    if (!/^\d+$/.test(amount) || Number(amount) < 1) return 'the rate must be a whole number of at least 1, e.g. rate(1 minute)';
    const n = Number(amount);
    if (n === 1 && unit !== singular) return `use the singular for 1: rate(1 ${singular})`;
    if (n > 1 && unit === singular) return `use the plural above 1: rate(${n} ${singular}s)`;
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6)
      return 'EventBridge cron has 6 fields: cron(minutes hours day-of-month month day-of-week year), e.g. cron(0/5 * * * ? *)';
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if ((dayOfMonth === '?') === (dayOfWeek === '?'))
      return 'exactly one of day-of-month and day-of-week must be "?", e.g. cron(0/5 * * * ? *)';
    return undefined;
  }
  return 'must be rate(<n> minute[s]|hour[s]|day[s]) or cron(<6 fields>), e.g. rate(1 minute)';
}

const email = z.email({ error: 'must be an e-mail address' });

const s3Backend = z.strictObject({
  /** Existing S3 bucket that holds the Terraform state. */
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
  /** Object key of the state, e.g. `ivs-restreaming/terraform.tfstate`. */
  key: z.string().min(1, 'must name the state object, e.g. ivs-restreaming/terraform.tfstate'),
  /** Region of the state bucket; defaults to `region`. */
  region: z.string().optional(),
  /** DynamoDB table for state locking (legacy; prefer `useLockfile`). */
  dynamodbTable: z.string().min(3).optional(),
  /** S3-native state locking (`use_lockfile`, Terraform ≥ 1.10). */
  useLockfile: z.boolean().optional(),
});

export const deploymentConfigSchema = z
  .strictObject({
    /** Prefix of every AWS resource name: 1–40 lower-case letters, digits and dashes. */
    projectName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'use 1–40 lower-case letters, digits and dashes, starting with a letter or digit')
      .default('ivs-restreaming'),
    /** AWS region of everything, e.g. `eu-central-1`. Must be the region of the IVS channels. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region code such as eu-central-1')
      .default('eu-central-1'),
    /** Master switch (the original's `ENABLE_STREAM_RESTREAMING`): false deploys no restreaming resources. */
    enableStreamRestreaming: z.boolean().default(true),
    /** Which IVS channels to restream: create one, use existing ones, or both. */
    ivs: z
      .strictObject({
        /** Create a new IVS channel for this deployment. */
        createChannel: z.boolean().default(false),
        /** ARNs of existing IVS channels in `region`. */
        existingChannelArns: z
          .array(z.string().regex(IVS_CHANNEL_ARN, 'must be an IVS channel ARN (arn:aws:ivs:<region>:<account>:channel/<id>)'))
          .default([]),
      })
      .default({ createChannel: true, existingChannelArns: [] }),
    /** Safety-net reconcile schedule (EventBridge expression); IVS events trigger the fast path. */
    reconcileSchedule: z
      .string()
      .default('rate(1 minute)')
      .check((ctx) => {
        const problem = scheduleProblem(ctx.value);
        if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
      }),
    /** Seconds destinations keep running after the IVS stream goes offline (0–3600). */
    stopGraceSeconds: z.number().int('must be a whole number of seconds').min(0).max(3600, 'at most 3600 seconds (1 hour)').default(120),
    /** Seconds a stopped MediaLive channel is kept before it is deleted, its input kept (0–86400). */
    idleChannelTtlSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(0, 'must be 0 or more seconds')
      .max(86_400, 'at most 86400 seconds (one day)')
      .default(600),
    /** Encoding profile for new destinations; unset means per-platform defaults. */
    defaultProfile: z.enum(PROFILES, { error: `must be one of ${PROFILES.join(', ')}` }).optional(),
    /**
     * Pass-through relays (ECS Fargate, ffmpeg `-c copy`) besides MediaLive: destinations in mode
     * `passthrough` cost cents per hour instead of about $1. Creates an ECS cluster, two roles and,
     * unless infra/ is given subnets, a VPC with two public subnets (none of which costs anything
     * while no relay runs). false: every destination transcodes on MediaLive.
     */
    enableRelays: z.boolean().default(true),
    /** Mode of a new destination that names none; unset: passthrough with enableRelays, else transcode. */
    defaultRelayMode: z.enum(RELAY_MODES, { error: `must be one of ${RELAY_MODES.join(', ')}` }).optional(),
    /** CloudWatch Logs retention of the Lambda log groups, in days. */
    logRetentionDays: z
      .number()
      .default(30)
      .check((ctx) => {
        if (!(LOG_RETENTION_DAYS as readonly number[]).includes(ctx.value)) {
          ctx.issues.push({ code: 'custom', message: `CloudWatch Logs accepts ${LOG_RETENTION_DAYS.join(', ')}`, input: ctx.value });
        }
      }),
    /** Where alarms (Lambda errors, failed MediaLive starts) are e-mailed; unset means no subscription. */
    alarmEmail: email.optional(),
    /**
     * The name of an SSM SecureString you created holding a Slack/Discord webhook URL: live
     * destinations that fail and recover are announced there (and on the alarm topic). Only the
     * name is configured here; the URL is a secret and never passes through the deployment.
     */
    alertWebhookParameter: z
      .string()
      .regex(/^\/[A-Za-z0-9_./-]{1,1000}$/, 'must be an SSM parameter name starting with /, e.g. /acme-live/alert-webhook-url')
      .optional(),
    /** E-mail addresses that get an admin login (Cognito); each receives a temporary password. */
    adminUsers: z.array(email).default([]),
    /**
     * Deletion protection of the DynamoDB tables and the Cognito user pool. `--destroy` turns it
     * off itself, after asking (or with `--disable-deletion-protection`), just before it destroys.
     */
    deletionProtection: z.boolean().default(true),
    /**
     * How the API is protected: `'jwt'` (the admin login) or `'none'` (open to anyone with the URL:
     * they could add a destination pointing at their own server and receive the live stream).
     * `'none'` also needs `acknowledgeUnauthenticatedApi: true`.
     */
    apiAuth: z.enum(['jwt', 'none'], { error: "must be 'jwt' or 'none'" }).default('jwt'),
    /** The explicit acknowledgement `apiAuth: 'none'` requires. */
    acknowledgeUnauthenticatedApi: z.boolean().default(false),
    /**
     * Accept destinations whose rtmpUrl is on loopback or a private network (your own RTMP server
     * in the VPC). Link-local and metadata addresses are refused regardless.
     */
    allowPrivateRtmpTargets: z.boolean().default(false),
    /**
     * Prices of the admin UI's cost panel (GET /costs), USD, over the us-east-1 list prices in
     * lambdas/core/costs.ts (sources in docs/costs.md): e.g. `{ mediaLiveInputPerHour: 0.25 }`
     * for another region or a negotiated rate. Unknown names are refused.
     */
    prices: z
      .strictObject(
        Object.fromEntries(PRICE_KEYS.map((key) => [key, z.number().min(0, 'must be 0 or more').optional()])) as Record<
          PriceKey,
          z.ZodOptional<z.ZodNumber>
        >,
      )
      .default({}),
    /** Where Terraform keeps its state: `'local'` (infra/terraform.tfstate) or an S3 bucket. */
    terraformBackend: z.union([z.literal('local'), z.strictObject({ s3: s3Backend })]).default('local'),
    /** Tags on every AWS resource, in addition to the project tag. */
    tags: z
      .record(
        z
          .string()
          .min(1)
          .max(128)
          .refine((k) => !k.toLowerCase().startsWith('aws:'), 'tag keys starting with "aws:" are reserved'),
        z.string().max(256, 'tag values are at most 256 characters'),
      )
      .default({}),
  })
  .check((ctx) => {
    const { ivs, region, apiAuth, acknowledgeUnauthenticatedApi, enableRelays, defaultRelayMode } = ctx.value;
    if (defaultRelayMode === 'passthrough' && !enableRelays) {
      ctx.issues.push({
        code: 'custom',
        path: ['defaultRelayMode'],
        message:
          "passthrough needs enableRelays: true (pass-through relays run on ECS Fargate); set enableRelays: true or defaultRelayMode: 'transcode'",
        input: defaultRelayMode,
      });
    }
    if (apiAuth === 'none' && !acknowledgeUnauthenticatedApi) {
      ctx.issues.push({
        code: 'custom',
        path: ['apiAuth'],
        message:
          "an API without authentication lets anyone with its URL add a destination and receive the live stream; use apiAuth: 'jwt', or also set acknowledgeUnauthenticatedApi: true (IVS_RESTREAMING_ACKNOWLEDGE_UNAUTHENTICATED_API=true) to accept that",
        input: apiAuth,
      });
    }
    if (!ivs.createChannel && ivs.existingChannelArns.length === 0) {
      ctx.issues.push({ code: 'custom', path: ['ivs'], message: 'set createChannel: true or list existingChannelArns', input: ivs });
    }
    ivs.existingChannelArns.forEach((arn, i) => {
      const arnRegion = IVS_CHANNEL_ARN.exec(arn)?.[1];
      if (arnRegion && arnRegion !== region) {
        ctx.issues.push({
          code: 'custom',
          path: ['ivs', 'existingChannelArns', i],
          message: `the channel is in ${arnRegion} but region is ${region}; IVS events and ListStreams are regional, so deploy to the channel's region`,
          input: arn,
        });
      }
    });
  });

/** What `deployment.config.ts` may contain: every field is optional and has a default. */
export type DeploymentConfigInput = z.input<typeof deploymentConfigSchema>;
/** The validated, complete settings. */
export type DeploymentConfig = z.output<typeof deploymentConfigSchema>;

/** Identity function that gives `deployment.config.ts` its types; validation happens in the loader. */
export function defineConfig(config: DeploymentConfigInput): DeploymentConfigInput {
  return config;
}
