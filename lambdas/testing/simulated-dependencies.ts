/**
 * Dependencies for running the real core against DynamoDB (any endpoint, e.g. dynalite), the
 * in-process simulator instead of IVS and MediaLive, and an in-process work queue. The local
 * stack, the benchmark and the system tests build both Lambdas' handlers from this.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RelayMode } from '../core/destination';
import type { AlertNotifier, Clock, Log, Metrics, RelayTelemetrySource, StreamKeyCipher, WorkQueue } from '../core/ports';
import type { ReconcilerConfig } from '../core/reconciler';
import { DEFAULT_RECONCILER_CONFIG } from '../core/reconciler';
import type { RelayTimings } from '../core/relay';
import { DynamoDestinationEventLog } from '../adapters/dynamodb/destination-event-log';
import { DynamoDestinationRepository } from '../adapters/dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../adapters/dynamodb/stream-state-repository';
import type { ApiDependencies, MonitorDependencies } from '../adapters/lambda/aws-dependencies';
import { createHealthAlerts } from '../adapters/lambda/aws-dependencies';
import { AlertChannels } from '../adapters/alerts/notifiers';
import { MediaLiveRelayEngine } from '../adapters/medialive/relay-engine';
import { ECS_TIMINGS, EcsRelayEngine } from '../adapters/ecs/relay-engine';
import type { RelaySettings } from '../adapters/ecs/requests';
import { RelayRouter } from '../core/relay-router';
import type { EcsSimulator } from './ecs-simulator';
import type { AwsSimulator } from './simulator';

/** Where simulated pass-through tasks "run": values of the shapes Terraform passes in AWS. */
export const SIMULATED_RELAY_SETTINGS: RelaySettings = {
  clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/local-relays',
  subnetIds: ['subnet-0000000a'],
  securityGroupIds: ['sg-0000000a'],
  assignPublicIp: true,
  image: 'lscr.io/linuxserver/ffmpeg:8.1.2-cli-ls76',
  executionRoleArn: 'arn:aws:iam::000000000000:role/local-relay-execution',
  taskRoleArn: 'arn:aws:iam::000000000000:role/local-relay-task',
  logGroupName: '/local/relays',
  cpu: '256',
  memory: '512',
};

export interface SimulatedDependenciesOptions {
  doc: DynamoDBDocumentClient;
  tables: { destinations: string; streamState: string; events: string };
  simulator: AwsSimulator;
  queue: WorkQueue;
  cipher: StreamKeyCipher;
  clock: Clock;
  log: Log;
  metrics: Metrics & { flush(): void };
  sleep: (ms: number) => Promise<void>;
  projectName: string;
  trackedChannelArns: readonly string[];
  graceSeconds: number;
  corsAllowOrigins?: readonly string[];
  /** Accept push targets on loopback and private networks. Default false, as in AWS. */
  allowPrivateRtmpTargets?: boolean;
  reconciler?: Partial<ReconcilerConfig>;
  /** When to look again after an engine transition; default: the simulator's own timings. */
  timings?: RelayTimings;
  /** The relays' figures for health (locally: the ffmpeg relays); without it health is not measured. */
  telemetry?: RelayTelemetrySource;
  /**
   * Pass-through relays on the simulated ECS (the tests tick it): offered only with it, as in AWS
   * only with RELAY_CLUSTER_ARN.
   */
  ecs?: { simulator: EcsSimulator; settings?: RelaySettings; timings?: RelayTimings };
  /** DEFAULT_RELAY_MODE. Default `transcode`, so tests that name no mode get MediaLive. */
  defaultMode?: RelayMode;
  /** Where alerts go (e.g. a webhook on loopback); default: no channel. */
  alertChannels?: readonly AlertNotifier[];
}

export type SimulatedDependencies = ApiDependencies & MonitorDependencies;

export function createSimulatedDependencies(options: SimulatedDependenciesOptions): SimulatedDependencies {
  const engine = new RelayRouter({
    transcode: new MediaLiveRelayEngine(options.simulator.medialive, options.projectName, options.timings ?? options.simulator.timings()),
    ...(options.ecs
      ? {
          passthrough: new EcsRelayEngine(
            options.ecs.simulator.ecs,
            options.ecs.simulator.ssm,
            options.ecs.settings ?? SIMULATED_RELAY_SETTINGS,
            options.projectName,
            'arn:aws:kms:us-east-1:000000000000:key/local',
            options.ecs.timings ?? ECS_TIMINGS,
          ),
        }
      : {}),
  });
  const streamStates = new DynamoStreamStateRepository(options.doc, options.tables.streamState);
  const events = new DynamoDestinationEventLog(options.doc, options.tables.events, options.clock);
  return {
    destinations: new DynamoDestinationRepository(options.doc, options.tables.destinations),
    streamStates,
    events,
    alerts: createHealthAlerts({
      doc: options.doc,
      eventsTable: options.tables.events,
      events,
      streamStates,
      notifier: new AlertChannels(options.alertChannels ?? []),
      log: options.log,
      metrics: options.metrics,
    }),
    streams: options.simulator.ivs,
    channels: options.simulator.ivs,
    graceSeconds: options.graceSeconds,
    engine,
    relayModes: { offered: engine.modes, defaultMode: options.defaultMode ?? 'transcode' },
    queue: options.queue,
    cipher: options.cipher,
    clock: options.clock,
    log: options.log,
    metrics: options.metrics,
    sleep: options.sleep,
    newId: randomUUID,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    reconciler: {
      ...DEFAULT_RECONCILER_CONFIG,
      projectName: options.projectName,
      mediaLiveRoleArn: 'arn:aws:iam::000000000000:role/local-medialive',
      graceSeconds: options.graceSeconds,
      trackedChannelArns: options.trackedChannelArns,
      ...options.reconciler,
    },
    trackedChannelArns: options.trackedChannelArns,
    ...(options.ecs ? { relayClusterArn: (options.ecs.settings ?? SIMULATED_RELAY_SETTINGS).clusterArn } : {}),
    corsAllowOrigins: options.corsAllowOrigins ?? [],
    allowPrivateRtmpTargets: options.allowPrivateRtmpTargets ?? false,
  };
}
