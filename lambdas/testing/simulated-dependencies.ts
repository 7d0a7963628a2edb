/**
 * Dependencies for running the real core against DynamoDB (any endpoint, e.g. dynalite) and the
 * in-process simulator instead of IVS, MediaLive and KMS. The local stack, the benchmark and the
 * system tests build the Lambdas' handlers from this.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, Log, Metrics, StreamKeyCipher } from '../core/ports';
import type { ReconcilerConfig } from '../core/reconciler';
import { DEFAULT_RECONCILER_CONFIG } from '../core/reconciler';
import { DynamoDestinationRepository } from '../adapters/dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../adapters/dynamodb/stream-state-repository';
import type { Dependencies } from '../adapters/lambda/aws-dependencies';
import type { AwsSimulator } from './simulator';

export interface SimulatedDependenciesOptions {
  doc: DynamoDBDocumentClient;
  tables: { destinations: string; streamState: string };
  simulator: AwsSimulator;
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
}

export function createSimulatedDependencies(options: SimulatedDependenciesOptions): Dependencies {
  return {
    destinations: new DynamoDestinationRepository(options.doc, options.tables.destinations),
    streamStates: new DynamoStreamStateRepository(options.doc, options.tables.streamState),
    streams: options.simulator.ivs,
    mediaLive: options.simulator.medialive,
    cipher: options.cipher,
    clock: options.clock,
    log: options.log,
    metrics: options.metrics,
    sleep: options.sleep,
    newId: randomUUID,
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
