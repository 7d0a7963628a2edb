/**
 * Builds the ECS and SSM requests of a pass-through relay: one SSM SecureString parameter per
 * destination holding its stream key, one task definition per destination config revision, one
 * Fargate task per live destination. Pure functions; `test/lambdas/adapters/ecs/requests.test.ts`
 * checks every request against AWS's published ECS and SSM models.
 *
 * The stream key reaches the container only through the task definition's `secrets`, which names
 * the parameter (`valueFrom`) and never carries its value: ECS's agent reads it with the execution
 * role when the task starts
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html).
 * So the key is in no RunTask, RegisterTaskDefinition or DescribeTasks request or answer, and in no
 * CloudTrail record of them; the only request that carries it is the PutParameter that stores it.
 */
import { createHash } from 'node:crypto';
import type { PutParameterCommandInput } from '@aws-sdk/client-ssm';
import type { RegisterTaskDefinitionCommandInput, RunTaskCommandInput, Tag } from '@aws-sdk/client-ecs';
import type { RelaySpec } from '../../core/relay';
import { resourceTags } from '../medialive/requests';
import { FAILURE_METRICS, RELAY_METRICS_NAMESPACE } from '../cloudwatch/relay-telemetry';
import { FFMPEG_LINE_PATTERNS } from '../ffmpeg-failures';

/** Where relays run and with what: from the monitor's `RELAY_*` environment. */
export interface RelaySettings {
  /** `RELAY_CLUSTER_ARN`: `arn:aws:ecs:{region}:{account}:cluster/{name}`. */
  clusterArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** True when the subnets are public (no NAT): the task needs a public IP to reach IVS and the platform. */
  assignPublicIp: boolean;
  image: string;
  executionRoleArn: string;
  taskRoleArn: string;
  logGroupName: string;
  /** Task size in ECS units: `256` = 0.25 vCPU, memory in MiB. */
  cpu: string;
  memory: string;
}

/** RunTask's `startedBy` of every relay task: ListTasks filters on it, ECS task events carry it. */
export const RELAY_STARTED_BY = 'ivs-restreaming';

/** The relay cluster's name, as modules/stream-restreaming/relay.tf names it. */
export function relayClusterName(projectName: string): string {
  return `${projectName}-relays`;
}

/** The container's name in every relay task definition. */
export const RELAY_CONTAINER = 'relay';
/** The environment variable the container finds the stream key in (filled from `secrets`). */
export const STREAM_KEY_VARIABLE = 'STREAM_KEY';

/** The namespace and metric names of the relay's embedded metrics (read by `cloudwatch/relay-telemetry.ts`). */
export const RELAY_EMF = {
  namespace: RELAY_METRICS_NAMESPACE,
  dimensions: ['Project', 'DestinationId'],
  failures: FAILURE_METRICS,
} as const;

/** `pattern` (ERE) as an awk regular-expression literal: `/` escaped. */
function awkRegex(pattern: string): string {
  return `/${pattern.replace(/\//g, '\\/')}/`;
}

/**
 * The awk program between ffmpeg and the log: it masks the stream key in every line before the
 * line reaches CloudWatch Logs (ffmpeg names the output URL in its errors), and prints what the
 * monitor measures health from as CloudWatch embedded-metric-format lines, which CloudWatch Logs
 * turns into metrics without any other call (the `x-amzn-logs-format` header is optional:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html;
 * format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 *
 * - every `-progress` block (ffmpeg prints one each `-stats_period`): `Frames` written and
 *   `BitrateKbps` over the block (bytes over media time), high resolution;
 * - when ffmpeg ends, one count for how its run ended, from its last classified line
 *   (`ffmpeg-failures.ts`, the same patterns the local relay applies): `PublishRefused` (closed
 *   before any media, or an RTMP server error), `ConnectionDropped`, `HostUnreachable`,
 *   `SourceFailures`.
 *
 * Dimensions Project and DestinationId come from the container's environment; no value in a
 * metric line can hold the key. POSIX awk: `srand()` returns the previous seed, the time of day.
 */
export const RELAY_AWK = [
  'function now() { srand(); return srand() }',
  'function emf(name, unit, value,   t) {',
  '  t = now() * 1000',
  `  printf "{\\"_aws\\":{\\"Timestamp\\":%.0f,\\"CloudWatchMetrics\\":[{\\"Namespace\\":\\"${RELAY_METRICS_NAMESPACE}\\",\\"Dimensions\\":[[\\"Project\\",\\"DestinationId\\"]],\\"Metrics\\":[{\\"Name\\":\\"%s\\",\\"Unit\\":\\"%s\\",\\"StorageResolution\\":1}]}]},\\"Project\\":\\"%s\\",\\"DestinationId\\":\\"%s\\",\\"%s\\":%s}\\n", t, name, unit, ENVIRON["PROJECT_NAME"], ENVIRON["DESTINATION_ID"], name, value`,
  '  fflush()',
  '}',
  '/^[a-z_0-9]+=[^ ]*$/ {',
  '  i = index($0, "="); key = substr($0, 1, i - 1); value = substr($0, i + 1)',
  '  if (key == "frame") frame = value + 0',
  '  else if (key == "total_size") size = value + 0',
  '  else if (key == "out_time_us") us = value + 0',
  '  else if (key == "progress") {',
  '    if (frame > 0) media = 1',
  '    emf("Frames", "Count", frame - lastframe)',
  '    if (us > lastus) emf("BitrateKbps", "Kilobits/Second", sprintf("%.1f", (size - lastsize) * 8000 / (us - lastus)))',
  '    lastframe = frame; lastsize = size; lastus = us',
  '  }',
  '  next',
  '}',
  '{',
  '  k = ENVIRON["STREAM_KEY"]; if (k != "") while ((i = index($0, k)) > 0) $0 = substr($0, 1, i - 1) "****" substr($0, i + length(k))',
  '  print; fflush()',
  '  l = tolower($0)',
  ...FFMPEG_LINE_PATTERNS.map((p, i) => `  ${i === 0 ? '' : 'else '}if (l ~ ${awkRegex(p.pattern)}) kind = "${p.kind}"`),
  '}',
  'END {',
  '  if (kind == "closed") kind = media ? "dropped" : "refused"',
  ...Object.entries(FAILURE_METRICS).map(([kind, metric]) => `  if (kind == "${kind}") emf("${metric}", "Count", 1)`),
  '}',
].join('\n');

/**
 * The container's program, the same for every relay and free of secrets: it copies the IVS HLS
 * playback (`-c copy`, no transcoding) to `$RTMP_URL/$STREAM_KEY` and starts ffmpeg again when it
 * ends (the platform dropped the connection, the source stalled), waiting 1 s, doubling up to 30 s,
 * and back to 1 s after a run that lasted a minute — seconds, not a new task. ffmpeg's progress
 * and log pass through {@link RELAY_AWK}, which masks the key and prints the embedded metrics.
 * POSIX sh and awk only: the image needs nothing else than ffmpeg.
 */
if (RELAY_AWK.includes("'")) throw new Error('RELAY_AWK must not contain a single quote: the shell quotes it with them');

export const RELAY_SCRIPT = [
  'delay=1',
  'while :; do',
  '  started=$(date +%s)',
  '  ffmpeg -nostdin -hide_banner -nostats -loglevel warning -progress pipe:1 -stats_period 10 \\',
  '    -rw_timeout 10000000 -live_start_index -2 -i "$SOURCE_URL" \\',
  '    -c copy -f flv -flvflags no_duration_filesize "$RTMP_URL/$STREAM_KEY" 2>&1 \\',
  `    | awk '${RELAY_AWK}'`,
  '  if [ $(( $(date +%s) - started )) -ge 60 ]; then delay=1; fi',
  '  echo "relay: ffmpeg ended; starting again in ${delay}s"',
  '  sleep "$delay"',
  '  delay=$(( delay * 2 )); if [ "$delay" -gt 30 ]; then delay=30; fi',
  'done',
].join('\n');

/** Region and account of the cluster, from its ARN. */
export function clusterLocation(clusterArn: string): { partition: string; region: string; account: string } {
  const m = /^arn:(aws[a-z-]*):ecs:([a-z0-9-]+):(\d{12}):cluster\/[A-Za-z0-9_-]+$/.exec(clusterArn);
  if (!m) throw new Error(`RELAY_CLUSTER_ARN must be an ECS cluster ARN, got ${JSON.stringify(clusterArn)}`);
  return { partition: m[1] as string, region: m[2] as string, account: m[3] as string };
}

function clean(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** The task-definition family prefix of a project (IAM scopes RegisterTaskDefinition to it). */
export function familyPrefix(projectName: string): string {
  return `${clean(projectName)}-relay-`;
}

/** One family per destination; its revisions are the destination's config revisions. */
export function familyName(projectName: string, destinationId: string): string {
  return `${familyPrefix(projectName)}${clean(destinationId)}`.slice(0, 255);
}

/** The destination of a family of this project; undefined for any other family. */
export function destinationOfFamily(projectName: string, family: string): string | undefined {
  const prefix = familyPrefix(projectName);
  return family.startsWith(prefix) && family.length > prefix.length ? family.slice(prefix.length) : undefined;
}

/** `/{project}/stream-keys/{destinationId}`: the SecureString holding one destination's key. */
export function streamKeyParameterName(projectName: string, destinationId: string): string {
  return `/${projectName}/stream-keys/${destinationId}`;
}

/** The parameter's full ARN, as `secrets[].valueFrom` and IAM name it. */
export function streamKeyParameterArn(settings: Pick<RelaySettings, 'clusterArn'>, projectName: string, destinationId: string): string {
  const { partition, region, account } = clusterLocation(settings.clusterArn);
  return `arn:${partition}:ssm:${region}:${account}:parameter${streamKeyParameterName(projectName, destinationId)}`;
}

/**
 * RunTask's clientToken: derived like MediaLive's RequestIds from the destination and the caller's
 * idempotency token, so a retried start returns the task the first one started instead of a
 * second one. ECS allows up to 64 characters 33–126
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html).
 */
export function runTaskClientToken(spec: Pick<RelaySpec, 'destinationId' | 'requestId'>): string {
  return createHash('sha256').update(`${spec.destinationId}\n${spec.requestId}\nrun-task`).digest('hex');
}

/** The tags of every task and task definition (the keys of MediaLive's resources), as ECS lists them. */
export function ecsTags(spec: Pick<RelaySpec, 'projectName' | 'destinationId' | 'configRevision'>): Tag[] {
  return Object.entries(resourceTags(spec)).map(([key, value]) => ({ key, value }));
}

/** ECS's tag list as a record. */
export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.key !== undefined) out[t.key] = t.value ?? '';
  return out;
}

/** Stores (or replaces) the destination's stream key, encrypted with the module's KMS key. */
export function buildPutStreamKeyRequest(spec: RelaySpec, kmsKeyId: string): PutParameterCommandInput {
  return {
    Name: streamKeyParameterName(spec.projectName, spec.destinationId),
    Description: 'IVS Restreaming: stream key of one destination, read by its relay task',
    Value: spec.streamKey,
    Type: 'SecureString',
    KeyId: kmsKeyId,
    Overwrite: true,
    Tier: 'Standard',
  };
}

/** The task definition of one destination config revision: Fargate, arm64, the key from SSM. */
export function buildRegisterTaskDefinitionRequest(spec: RelaySpec, settings: RelaySettings): RegisterTaskDefinitionCommandInput {
  const { region } = clusterLocation(settings.clusterArn);
  return {
    family: familyName(spec.projectName, spec.destinationId),
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    // Graviton: about 20% less per vCPU-hour than x86 (docs/costs.md); the image is multi-arch.
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    cpu: settings.cpu,
    memory: settings.memory,
    executionRoleArn: settings.executionRoleArn,
    taskRoleArn: settings.taskRoleArn,
    containerDefinitions: [
      {
        name: RELAY_CONTAINER,
        image: settings.image,
        essential: true,
        entryPoint: ['/bin/sh', '-c'],
        command: [RELAY_SCRIPT],
        environment: [
          { name: 'SOURCE_URL', value: spec.sourceUrl },
          { name: 'RTMP_URL', value: spec.rtmpUrl.replace(/\/+$/, '') },
          // The dimensions of the embedded metrics the monitor reads health from.
          { name: 'PROJECT_NAME', value: spec.projectName },
          { name: 'DESTINATION_ID', value: spec.destinationId },
        ],
        secrets: [{ name: STREAM_KEY_VARIABLE, valueFrom: streamKeyParameterArn(settings, spec.projectName, spec.destinationId) }],
        readonlyRootFilesystem: true,
        stopTimeout: 10,
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': settings.logGroupName, 'awslogs-region': region, 'awslogs-stream-prefix': 'relay' },
        },
      },
    ],
    tags: ecsTags(spec),
  };
}

/** Starts the destination's task; idempotent by its clientToken. No overrides: nothing secret to pass. */
export function buildRunTaskRequest(spec: RelaySpec, taskDefinitionArn: string, settings: RelaySettings): RunTaskCommandInput {
  return {
    cluster: settings.clusterArn,
    taskDefinition: taskDefinitionArn,
    launchType: 'FARGATE',
    count: 1,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: settings.subnetIds,
        securityGroups: settings.securityGroupIds,
        assignPublicIp: settings.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    clientToken: runTaskClientToken(spec),
    startedBy: RELAY_STARTED_BY,
    tags: ecsTags(spec),
  };
}
