/**
 * The composition roots of the two Lambdas: each validates the environment once and builds only
 * the SDK clients its function uses, outside the handler. The API gets DynamoDB, KMS Encrypt and
 * the work queue; the monitor gets everything the reconciler needs. Tests and the local stack
 * build the same objects with other adapters (dynalite, the simulator, an in-process queue) and
 * pass them to the same handler factories.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { PriceKey } from '../../core/costs';
import type {
  ChannelDirectory,
  Clock,
  DestinationEventLog,
  DestinationRepository,
  Log,
  Metrics,
  StreamKeyDecrypter,
  StreamKeyEncrypter,
  StreamSource,
  StreamStateRepository,
  WorkQueue,
} from '../../core/ports';
import type { RelayModeSettings } from '../../core/destination-service';
import type { ReconcilerConfig, ReconcilerDeps } from '../../core/reconciler';
import { HealthAlerts } from '../../core/alerts';
import type { AlertNotifier } from '../../core/ports';
import { DynamoAlertGate } from '../dynamodb/alert-gate';
import { DEFAULT_RECONCILER_CONFIG, Reconciler } from '../../core/reconciler';
import { DynamoDestinationEventLog } from '../dynamodb/destination-event-log';
import { DynamoDestinationRepository } from '../dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../dynamodb/stream-state-repository';
import type { Environment } from '../environment';
import { SqsWorkQueue } from '../sqs-work-queue';

/** What the API Lambda needs: no relay engine, no IVS, and a cipher that can only encrypt. */
export interface ApiDependencies {
  destinations: DestinationRepository;
  streamStates: StreamStateRepository;
  /** Destination history: the API records its actions and serves the events route. */
  events: DestinationEventLog;
  cipher: StreamKeyEncrypter;
  queue: WorkQueue;
  /** IVS, for a manual stop the stream-state table cannot answer yet. */
  streams: StreamSource;
  /** IVS channels' endpoints and stream keys (the console's encoder settings and preview). */
  channels: ChannelDirectory;
  graceSeconds: number;
  clock: Clock;
  log: Log;
  metrics: Metrics & { flush(): void };
  newId: () => string;
  trackedChannelArns: readonly string[];
  corsAllowOrigins: readonly string[];
  /** Accept push targets on loopback and private networks (ALLOW_PRIVATE_RTMP_TARGETS). */
  allowPrivateRtmpTargets: boolean;
  /** The deployment's prices over core/costs.ts DEFAULT_PRICES (PRICES); none: the defaults. */
  priceOverrides?: Partial<Record<PriceKey, number>>;
  /** The relay modes offered and the default (RELAY_CLUSTER_ARN, DEFAULT_RELAY_MODE). */
  relayModes: RelayModeSettings;
}

/** What the stream monitor needs: the reconciler's ports (a cipher that can only decrypt). */
export interface MonitorDependencies extends Omit<ReconcilerDeps, 'ownerId' | 'metrics' | 'cipher' | 'alerts'> {
  /** Health and relay transitions → history and alerts (what the health code calls, too). */
  alerts: HealthAlerts;
  cipher: StreamKeyDecrypter;
  metrics: Metrics & { flush(): void };
  reconciler: ReconcilerConfig;
  trackedChannelArns: readonly string[];
  /** RELAY_CLUSTER_ARN: ECS task events of other clusters are ignored; absent without relays. */
  relayClusterArn?: string;
}

export interface Observability {
  log: Log;
  metrics: Metrics & { flush(): void };
}

export const systemClock: Clock = { now: () => new Date() };
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The parts both functions share: the tables (history included) and the work queue. */
export function createSharedAwsAdapters(env: Environment) {
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return {
    doc: dynamo,
    destinations: new DynamoDestinationRepository(dynamo, env.DESTINATIONS_TABLE),
    streamStates: new DynamoStreamStateRepository(dynamo, env.STREAM_STATE_TABLE),
    events: new DynamoDestinationEventLog(dynamo, env.DESTINATION_EVENTS_TABLE, systemClock),
    queue: new SqsWorkQueue(new SQSClient({}), env.WORK_QUEUE_URL, systemClock),
  };
}

/** The reconciler's settings from the environment. */
export function reconcilerConfig(env: Environment, overrides: Partial<ReconcilerConfig> = {}): ReconcilerConfig {
  return {
    ...DEFAULT_RECONCILER_CONFIG,
    projectName: env.PROJECT_NAME,
    mediaLiveRoleArn: env.MEDIALIVE_ROLE_ARN,
    graceSeconds: env.STOP_GRACE_SECONDS,
    idleTtlSeconds: env.IDLE_CHANNEL_TTL_SECONDS,
    trackedChannelArns: env.IVS_CHANNEL_ARNS,
    ...overrides,
  };
}

export const newId = randomUUID;

/** The monitor's alerts: the history table (events and the durable rate limit) and the channels. */
export function createHealthAlerts(input: {
  doc: DynamoDBDocumentClient;
  eventsTable: string;
  events: DestinationEventLog;
  streamStates: StreamStateRepository;
  notifier: AlertNotifier;
  log: Log;
  metrics: Pick<Metrics, 'auxiliaryReadFailed'>;
}): HealthAlerts {
  return new HealthAlerts({
    events: input.events,
    notifier: input.notifier,
    gate: new DynamoAlertGate(input.doc, input.eventsTable),
    streamStates: input.streamStates,
    log: input.log,
    metrics: input.metrics,
  });
}

/** A reconciler for one invocation; `ownerId` names it in destination leases. */
export function createReconciler(deps: MonitorDependencies, ownerId: string): Reconciler {
  return new Reconciler({ ...deps, ownerId: () => ownerId }, deps.reconciler);
}
