/**
 * The composition root shared by both Lambdas: validates the environment once and builds the
 * SDK clients once, outside the handler. Tests and the local stack build the same object with
 * other adapters (dynalite, the simulator) and pass it to the same handler factories.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IvsClient } from '@aws-sdk/client-ivs';
import { KMSClient } from '@aws-sdk/client-kms';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import type { Clock, Log, Metrics, StreamKeyCipher, StreamKeyDecrypter } from '../../core/ports';
import type { ReconcilerConfig, ReconcilerDeps } from '../../core/reconciler';
import { DEFAULT_RECONCILER_CONFIG, Reconciler } from '../../core/reconciler';
import { DynamoDestinationRepository } from '../dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../dynamodb/stream-state-repository';
import type { Environment } from '../environment';
import { AwsIvsStreamSource } from '../ivs-stream-source';
import { AwsMediaLiveGateway } from '../medialive/gateway';

/**
 * Everything the use cases and the reconciler need, whatever implements it. The API needs a
 * cipher that encrypts; the monitor gets one that can only decrypt.
 */
export interface Dependencies<C extends StreamKeyDecrypter = StreamKeyCipher> extends Omit<
  ReconcilerDeps,
  'ownerId' | 'metrics' | 'cipher'
> {
  cipher: C;
  metrics: Metrics & { flush(): void };
  newId: () => string;
  reconciler: ReconcilerConfig;
  trackedChannelArns: readonly string[];
  corsAllowOrigins: readonly string[];
  /** Accept push targets on loopback and private networks (ALLOW_PRIVATE_RTMP_TARGETS). */
  allowPrivateRtmpTargets: boolean;
}

export const systemClock: Clock = { now: () => new Date() };
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds the AWS adapters from a validated environment. */
export function createAwsDependencies<C extends StreamKeyDecrypter>(
  env: Environment,
  observability: { log: Log; metrics: Metrics & { flush(): void } },
  cipher: (kms: KMSClient, keyId: string) => C,
  overrides: Partial<ReconcilerConfig> = {},
): Dependencies<C> {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    destinations: new DynamoDestinationRepository(dynamo, env.DESTINATIONS_TABLE),
    streamStates: new DynamoStreamStateRepository(dynamo, env.STREAM_STATE_TABLE),
    streams: new AwsIvsStreamSource(new IvsClient({})),
    mediaLive: new AwsMediaLiveGateway(new MediaLiveClient({}), env.PROJECT_NAME),
    cipher: cipher(new KMSClient({}), env.STREAM_KEY_KMS_KEY_ID),
    clock: systemClock,
    log: observability.log,
    metrics: observability.metrics,
    sleep,
    newId: randomUUID,
    reconciler: {
      ...DEFAULT_RECONCILER_CONFIG,
      projectName: env.PROJECT_NAME,
      mediaLiveRoleArn: env.MEDIALIVE_ROLE_ARN,
      graceSeconds: env.STOP_GRACE_SECONDS,
      trackedChannelArns: env.IVS_CHANNEL_ARNS,
      ...overrides,
    },
    trackedChannelArns: env.IVS_CHANNEL_ARNS,
    corsAllowOrigins: env.CORS_ALLOW_ORIGINS,
    allowPrivateRtmpTargets: env.ALLOW_PRIVATE_RTMP_TARGETS,
  };
}

/** A reconciler for one invocation; `ownerId` names it in destination leases. */
export function createReconciler(deps: Dependencies<StreamKeyDecrypter>, ownerId: string): Reconciler {
  return new Reconciler({ ...deps, ownerId: () => ownerId }, deps.reconciler);
}
