/**
 * Dependencies for running the real core against DynamoDB (any endpoint, e.g. dynalite), the
 * in-process simulator instead of IVS and MediaLive, and an in-process work queue. The local
 * stack, the benchmark and the system tests build both Lambdas' handlers from this.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, Log, Metrics, RelayTelemetrySource, StreamKeyCipher, WorkQueue } from '../core/ports';
import type { ReconcilerConfig } from '../core/reconciler';
import { DEFAULT_RECONCILER_CONFIG } from '../core/reconciler';
import type { RelayTimings } from '../core/relay';
import { DynamoDestinationEventLog } from '../adapters/dynamodb/destination-event-log';
import { DynamoDestinationRepository } from '../adapters/dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../adapters/dynamodb/stream-state-repository';
import type { ApiDependencies, MonitorDependencies } from '../adapters/lambda/aws-dependencies';
import { MediaLiveRelayEngine } from '../adapters/medialive/relay-engine';
import type { AwsSimulator } from './simulator';

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
}

export type SimulatedDependencies = ApiDependencies & MonitorDependencies;

export function createSimulatedDependencies(options: SimulatedDependenciesOptions): SimulatedDependencies {
  return {
    destinations: new DynamoDestinationRepository(options.doc, options.tables.destinations),
    streamStates: new DynamoStreamStateRepository(options.doc, options.tables.streamState),
    events: new DynamoDestinationEventLog(options.doc, options.tables.events, options.clock),
    streams: options.simulator.ivs,
    channels: options.simulator.ivs,
    graceSeconds: options.graceSeconds,
    engine: new MediaLiveRelayEngine(options.simulator.medialive, options.projectName, options.timings ?? options.simulator.timings()),
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
    corsAllowOrigins: options.corsAllowOrigins ?? [],
    allowPrivateRtmpTargets: options.allowPrivateRtmpTargets ?? false,
  };
}
