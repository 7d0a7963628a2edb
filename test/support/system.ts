/**
 * The whole back end in one test process: the API and monitor handlers over a real DynamoDB API
 * (dynalite on loopback), the IVS + MediaLive simulator, the in-process work queue and real
 * AES-GCM key encryption. Time is a ManualClock; the driver's waits advance it instead of
 * sleeping. As in AWS, a queue message without delay reaches the monitor right after the API
 * answers (`api` delivers it), and MediaLive's state-change events are collected for
 * `deliverEvents`.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HealthAlerts } from '../../lambdas/core/alerts';
import type { AlertNotifier, Log, RelayTelemetrySource } from '../../lambdas/core/ports';
import { createApiLambda } from '../../lambdas/api/handler';
import type { ApiResult } from '../../lambdas/api/http';
import { createMonitorHandler } from '../../lambdas/monitor/handler';
import { LocalStreamKeyCipher } from '../../lambdas/adapters/local-stream-key-cipher';
import type { ReconcilerConfig } from '../../lambdas/core/reconciler';
import { ManualClock } from '../../lambdas/testing/manual-clock';
import { MemoryWorkQueue } from '../../lambdas/testing/memory-work-queue';
import type { MediaLiveChannelStateChangeEvent } from '../../lambdas/testing/simulator';
import type { EcsTaskStateChangeEvent } from '../../lambdas/adapters/ecs/task-events';
import type { AwsSimulatorOptions } from '../../lambdas/testing/simulator';
import { AwsSimulator } from '../../lambdas/testing/simulator';
import { createSimulatedDependencies } from '../../lambdas/testing/simulated-dependencies';
import { EcsSimulator } from '../../lambdas/testing/ecs-simulator';
import type { RelayMode } from '../../lambdas/core/destination';
import { ECS_MODEL, SSM_MODEL } from './aws-api-model';
import type { Dynalite, DynaliteServer, TablesOptions } from './dynalite';
import { startDynalite } from './dynalite';

export const CHANNEL_A = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';
export const CHANNEL_B = 'arn:aws:ivs:us-east-1:123456789012:channel/GhIjKl789012';

export interface LogLine {
  level: string;
  message: string;
  attributes?: Record<string, unknown>;
}

export interface SystemOptions {
  channels?: string[];
  graceSeconds?: number;
  simulator?: Omit<AwsSimulatorOptions, 'clock' | 'projectName'>;
  reconciler?: Partial<ReconcilerConfig>;
  /** Replace the recording log, e.g. with a real Powertools logger. */
  log?: Log;
  /** ALLOW_PRIVATE_RTMP_TARGETS. Default false, as in AWS. */
  allowPrivateRtmpTargets?: boolean;
  /**
   * Pass-through relays on the simulated ECS (requests checked against AWS's models), as a
   * deployment with relays has them. Default false: MediaLive only.
   */
  passthrough?: boolean;
  /** DEFAULT_RELAY_MODE. Default transcode. */
  defaultMode?: RelayMode;
  /** Where the monitor's alerts go (e.g. a webhook on loopback). Default: nowhere. */
  alertChannels?: readonly AlertNotifier[];
  /** The relays' figures for health; default: health not measured. */
  telemetry?: RelayTelemetrySource;
  /**
   * Tables on this running dynalite server (`stop` deletes them, the server stays) instead
   * of a server of the system's own: for tests that start thousands of systems.
   */
  dynalite?: DynaliteServer;
  /** With `dynalite`: recycled tables, emptied first (see `DynaliteServer.tables`). */
  recycleTables?: boolean;
  /** How the DynamoDB client reaches dynalite (test/support/dynalite.ts); default loopback HTTP. */
  dynamoTransport?: TablesOptions['transport'];
}

export interface System {
  db: Dynalite;
  sim: AwsSimulator;
  /** The simulated ECS of pass-through relays; moves one task state per `tick` and driver wait. */
  ecs: EcsSimulator;
  clock: ManualClock;
  queue: MemoryWorkQueue;
  /** MediaLive state-change events not yet delivered. */
  events: MediaLiveChannelStateChangeEvent[];
  /** ECS task state-change events not yet delivered (delivered after the MediaLive ones). */
  ecsEvents: EcsTaskStateChangeEvent[];
  logs: LogLine[];
  failures: { destinationId: string; code: string }[];
  /** The stream-key cipher both handlers use, for tests that write items directly. */
  cipher: LocalStreamKeyCipher;
  /** The monitor's health transitions → history and alerts (what the health code calls). */
  alerts: HealthAlerts;
  /** Calls the API, then delivers the queue messages it sent (unless `deliver` is false). */
  api(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
    headers?: Record<string, string>,
    deliver?: boolean,
  ): Promise<ApiResult & { json: any }>;
  /** A monitor invocation; `remainingMs` is what Lambda's getRemainingTimeInMillis answers (the run's deadline). */
  monitor(event?: Record<string, unknown>, remainingMs?: number): Promise<any>;
  /** Delivers every queue message that is due now to the monitor (partial-batch failures come back later). */
  flushQueue(): Promise<number>;
  /** Delivers the MediaLive and ECS events collected so far to the monitor. */
  deliverEvents(): Promise<number>;
  /** Advances the clock, then delivers due queue messages and MediaLive events, then runs the schedule. */
  tick(advanceMs?: number): Promise<void>;
  ivsEvent(channelArn: string, eventName: 'Stream Start' | 'Stream End'): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const channels = options.channels ?? [CHANNEL_A];
  const tablesOptions = options.dynamoTransport ? { transport: options.dynamoTransport } : {};
  const db = options.dynalite
    ? await options.dynalite.tables({ ...tablesOptions, recycle: options.recycleTables === true })
    : await startDynalite(tablesOptions);
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const sim = new AwsSimulator({ ...options.simulator, clock, projectName: 'test' });
  for (const arn of channels) sim.addIvsChannel(arn);
  const logs: LogLine[] = [];
  const failures: { destinationId: string; code: string }[] = [];
  const record =
    (level: string) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      logs.push(attributes ? { level, message, attributes } : { level, message });
    };
  const log: Log = options.log ?? { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const queue = new MemoryWorkQueue(clock);
  const ecs = new EcsSimulator();
  ecs.onRequest = (service, operation, input) => (service === 'ECS' ? ECS_MODEL : SSM_MODEL).validate(operation, input);
  const events: MediaLiveChannelStateChangeEvent[] = [];
  sim.onChannelStateChange((event) => events.push(event));
  // EventBridge's ECS rule: every task state change of the relay cluster reaches the monitor.
  const ecsEvents: EcsTaskStateChangeEvent[] = [];
  ecs.now = () => clock.now();
  ecs.onTaskStateChange((event) => ecsEvents.push(event));
  const cipher = new LocalStreamKeyCipher(randomBytes(32));
  const deps = createSimulatedDependencies({
    doc: db.doc,
    tables: db.tables,
    simulator: sim,
    queue,
    cipher,
    clock,
    log,
    metrics: {
      destinationFailed: (destinationId, code) => failures.push({ destinationId, code }),
      auxiliaryReadFailed: (what, code) => failures.push({ destinationId: `(${what})`, code }),
      flush: () => undefined,
    },
    sleep: async (ms) => {
      clock.advance(ms);
      ecs.tick();
      await new Promise((resolve) => setImmediate(resolve));
    },
    projectName: 'test',
    trackedChannelArns: channels,
    graceSeconds: options.graceSeconds ?? 120,
    corsAllowOrigins: ['http://localhost:8787'],
    allowPrivateRtmpTargets: options.allowPrivateRtmpTargets ?? false,
    reconciler: { ...options.reconciler },
    ...(options.passthrough ? { ecs: { simulator: ecs } } : {}),
    ...(options.defaultMode ? { defaultMode: options.defaultMode } : {}),
    ...(options.alertChannels ? { alertChannels: options.alertChannels } : {}),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  });
  const apiHandler = createApiLambda(deps);
  const monitorHandler = createMonitorHandler(deps);
  let request = 0;

  const flushQueue = (): Promise<number> =>
    queue.deliverDue(async (event) => {
      request += 1;
      return monitorHandler(event, { awsRequestId: `sqs-${request}` });
    });
  const deliverEvents = async (): Promise<number> => {
    let delivered = 0;
    for (let event = events.shift(); event; event = events.shift()) {
      request += 1;
      await monitorHandler(event as unknown as Record<string, unknown>, { awsRequestId: `ml-${request}` });
      delivered += 1;
    }
    for (let event = ecsEvents.shift(); event; event = ecsEvents.shift()) {
      request += 1;
      await monitorHandler(event as unknown as Record<string, unknown>, { awsRequestId: `ecs-${request}` });
      delivered += 1;
    }
    return delivered;
  };

  return {
    db,
    sim,
    ecs,
    clock,
    queue,
    events,
    ecsEvents,
    logs,
    failures,
    cipher,
    alerts: deps.alerts,
    flushQueue,
    deliverEvents,
    async tick(advanceMs = 10_000) {
      clock.advance(advanceMs);
      ecs.tick();
      sim.pollStateChanges();
      await flushQueue();
      await deliverEvents();
      request += 1;
      await monitorHandler({ source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [] }, { awsRequestId: `mon-${request}` });
    },
    async api(method, path, body, raw, headers = {}, deliver = true) {
      request += 1;
      // `path` may carry a query string: API Gateway hands it over apart (rawQueryString, queryStringParameters).
      const queryAt = path.indexOf('?');
      const rawPath = queryAt === -1 ? path : path.slice(0, queryAt);
      const rawQueryString = queryAt === -1 ? '' : path.slice(queryAt + 1);
      const query: Record<string, string> = {};
      for (const [name, value] of new URLSearchParams(rawQueryString)) query[name] = name in query ? `${query[name]},${value}` : value;
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: '$default',
        rawPath,
        rawQueryString,
        ...(rawQueryString === '' ? {} : { queryStringParameters: query }),
        headers: { 'content-type': 'application/json', origin: 'http://localhost:8787', ...headers },
        requestContext: {
          accountId: '123456789012',
          apiId: 'api',
          domainName: 'api.example.com',
          domainPrefix: 'api',
          http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
          requestId: `req-${request}`,
          routeKey: '$default',
          stage: '$default',
          time: clock.now().toISOString(),
          timeEpoch: clock.now().getTime(),
        },
        isBase64Encoded: false,
        ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      };
      const result = await apiHandler(event, { awsRequestId: `req-${request}` });
      const json = result.body ? JSON.parse(result.body) : undefined;
      if (deliver) await flushQueue();
      return { ...result, json };
    },
    monitor(event = { source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [] }, remainingMs?: number) {
      request += 1;
      return monitorHandler(event as never, {
        awsRequestId: `mon-${request}`,
        ...(remainingMs === undefined ? {} : { getRemainingTimeInMillis: () => remainingMs }),
      });
    },
    ivsEvent(channelArn, eventName) {
      return {
        source: 'aws.ivs',
        'detail-type': 'IVS Stream State Change',
        resources: [channelArn],
        detail: { event_name: eventName, channel_name: 'test' },
      };
    },
    stop: () => db.stop(),
  };
}
