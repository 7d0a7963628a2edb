/**
 * Deployment settings for `npx tsx deploy.ts`.
 *
 * Every field is optional; the value shown is the default unless it says otherwise.
 * Precedence, highest first: CLI flags (`--project-name`, `--region`, `--[no-]restreaming`) →
 * environment variables `IVS_RESTREAMING_*` → this file → defaults. The variables:
 *
 *   IVS_RESTREAMING_PROJECT_NAME, IVS_RESTREAMING_REGION,
 *   IVS_RESTREAMING_ENABLE_STREAM_RESTREAMING (boolean),
 *   IVS_RESTREAMING_CREATE_IVS_CHANNEL (boolean),
 *   IVS_RESTREAMING_IVS_CHANNEL_ARNS (comma-separated), IVS_RESTREAMING_RECONCILE_SCHEDULE,
 *   IVS_RESTREAMING_STOP_GRACE_SECONDS, IVS_RESTREAMING_IDLE_CHANNEL_TTL_SECONDS,
 *   IVS_RESTREAMING_DEFAULT_PROFILE,
 *   IVS_RESTREAMING_ENABLE_RELAYS (boolean), IVS_RESTREAMING_DEFAULT_RELAY_MODE,
 *   IVS_RESTREAMING_LOG_RETENTION_DAYS, IVS_RESTREAMING_ALARM_EMAIL,
 *   IVS_RESTREAMING_ADMIN_USERS (comma-separated; the flag: --admin-email),
 *   IVS_RESTREAMING_DELETION_PROTECTION (boolean), IVS_RESTREAMING_API_AUTH,
 *   IVS_RESTREAMING_ACKNOWLEDGE_UNAUTHENTICATED_API (boolean)
 *
 * Booleans, as variables and as flags, are true/false, yes/no, 1/0 or on/off (any case). Any
 * other IVS_RESTREAMING_* variable stops the deploy with the closest known name.
 * Everything is validated before anything runs; an error names the field and the fix.
 */
import { defineConfig } from './scripts/deploy/config-schema';

export { defineConfig };

export default defineConfig({
  // Prefix of every AWS resource name: 1–40 lower-case letters, digits and dashes.
  projectName: 'ivs-restreaming',

  // AWS region for everything. IVS channels must be in this region: IVS stream events and
  // ListStreams are regional.
  region: 'eu-central-1',

  // Master switch, the original's ENABLE_STREAM_RESTREAMING. false deploys the admin site and
  // IVS only: no restreaming Lambdas, tables, schedules or MediaLive permissions.
  enableStreamRestreaming: true,

  // Which IVS channels are restreamed. Create a new channel, list existing ones, or both:
  //   ivs: { existingChannelArns: ['arn:aws:ivs:eu-central-1:123456789012:channel/AbCdEf123456'] },
  ivs: { createChannel: true },

  // Safety-net reconcile of every channel (EventBridge schedule expression). IVS stream-state
  // events trigger a reconcile within seconds; this catches missed or late events.
  // rate(<n> minute|minutes|hour|hours|day|days) or cron(<6 fields>); rate(1 minute) is the minimum.
  reconcileSchedule: 'rate(1 minute)',

  // Seconds destinations keep running after the IVS stream goes offline (0–3600), so a short
  // encoder drop does not end the YouTube/Twitch broadcast. MediaLive bills while it waits.
  stopGraceSeconds: 120,

  // Seconds a stopped MediaLive channel is kept before it is deleted (0–86400). MediaLive charges
  // idle channels and allows only a few per region; the input stays (idle pull inputs are free),
  // and the next go-live creates a channel on it, which adds the channel's create time.
  idleChannelTtlSeconds: 600,

  // Encoding profile for new destinations: '1080p30-6000', '720p30-4500' or '480p30-2000'.
  // Unset (default) picks per platform.
  // defaultProfile: '720p30-4500',

  // Prices of the admin UI's cost panel in USD, over the us-east-1 list prices of
  // lambdas/core/costs.ts (sources in docs/costs.md). Set any of them for another region or a
  // negotiated rate, e.g. { mediaLiveInputPerHour: 0.25, dataTransferOutPerGb: 0.085 }.
  // prices: {},

  // Pass-through relays: one ECS Fargate task (ffmpeg -c copy, about $0.01 per destination-hour)
  // per live destination in mode 'passthrough', instead of a MediaLive channel (about $1 per
  // destination-hour). Creates an ECS cluster and, without infra/'s relay_subnet_ids, a VPC with
  // two public subnets; nothing of it costs anything while no relay runs. false: MediaLive only.
  enableRelays: true,

  // Mode of a new destination that names none: 'passthrough' (copy the IVS stream as it is) or
  // 'transcode' (MediaLive, with the destination's profile). Unset (default): passthrough with
  // enableRelays, else transcode. Each destination can change its own mode in the admin UI.
  // defaultRelayMode: 'transcode',

  // Retention of the Lambda log groups in days (a value CloudWatch Logs accepts: 1, 3, 5, 7, 14,
  // 30, 60, 90, 120, 150, 180, 365, ...).
  logRetentionDays: 30,

  // Alarm notifications (Lambda errors, failed MediaLive starts) go to this address; it must
  // confirm the SNS subscription. Unset (default): no e-mail subscription.
  // alarmEmail: 'ops@example.com',

  // Admin logins created in Cognito. Each new address receives a temporary password by e-mail
  // (valid 7 days): sign in to the admin UI with the address and that password, then choose a new
  // one. With none, the deploy asks for the first admin's address (with --yes it needs
  // --admin-email or IVS_RESTREAMING_ADMIN_USERS). Keep the list: removing an address deletes
  // that login.
  adminUsers: [],

  // Deletion protection of the DynamoDB tables and the Cognito user pool. `--destroy` turns it
  // off itself after asking (with --yes: --disable-deletion-protection), just before it destroys.
  deletionProtection: true,

  // How the API is protected: 'jwt' (the admin login) or 'none' — open to anyone with the URL,
  // who could add a destination pointing at their own server and receive the live stream. 'none'
  // also needs acknowledgeUnauthenticatedApi: true, and every deploy then prints a warning.
  apiAuth: 'jwt',

  // Destinations may push only to public addresses. True: also to loopback and private networks
  // (your own RTMP server in the VPC). Link-local and metadata addresses are refused regardless.
  allowPrivateRtmpTargets: false,

  // Where Terraform keeps its state: 'local' (infra/terraform.tfstate on this machine; it holds the
  // IVS stream key in clear, and the deploy warns while it is local) or an encrypted S3 bucket:
  //   terraformBackend: { s3: { bucket: 'my-tf-state', key: 'ivs-restreaming/terraform.tfstate', useLockfile: true } },
  terraformBackend: 'local',

  // Tags on every AWS resource, in addition to the project tag.
  tags: {},
});
