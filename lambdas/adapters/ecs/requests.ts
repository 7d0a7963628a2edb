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

/** The container's name in every relay task definition. */
export const RELAY_CONTAINER = 'relay';
/** The environment variable the container finds the stream key in (filled from `secrets`). */
export const STREAM_KEY_VARIABLE = 'STREAM_KEY';

/**
 * The container's program, the same for every relay and free of secrets: it copies the IVS HLS
 * playback (`-c copy`, no transcoding) to `$RTMP_URL/$STREAM_KEY` and starts ffmpeg again when it
 * ends (the platform dropped the connection, the source stalled), waiting 1 s, doubling up to 30 s,
 * and back to 1 s after a run that lasted a minute — seconds, not a new task. ffmpeg's output
 * passes through awk, which masks the key before a line reaches CloudWatch Logs (ffmpeg names the
 * output URL in its errors). POSIX sh and awk only: the image needs nothing else than ffmpeg.
 */
export const RELAY_SCRIPT = [
  'delay=1',
  'while :; do',
  '  started=$(date +%s)',
  '  ffmpeg -nostdin -hide_banner -loglevel warning -rw_timeout 10000000 -live_start_index -2 -i "$SOURCE_URL" \\',
  '    -c copy -f flv -flvflags no_duration_filesize "$RTMP_URL/$STREAM_KEY" 2>&1 \\',
  '    | awk \'{ k = ENVIRON["STREAM_KEY"]; if (k != "") while ((i = index($0, k)) > 0) $0 = substr($0, 1, i - 1) "****" substr($0, i + length(k)); print; fflush() }\'',
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
    startedBy: 'ivs-restreaming',
    tags: ecsTags(spec),
  };
}
