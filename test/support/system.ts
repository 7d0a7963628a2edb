/**
 * The whole back end in one test process: the API and monitor handlers over a real DynamoDB API
 * (dynalite on loopback), the IVS + MediaLive simulator and real AES-GCM key encryption. Time is
 * a ManualClock; the reconciler's waits advance it instead of sleeping.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Log } from '../../lambdas/core/ports';
import { createApiLambda } from '../../lambdas/api/handler';
import type { ApiResult } from '../../lambdas/api/http';
import { createMonitorHandler } from '../../lambdas/monitor/handler';
import { LocalStreamKeyCipher } from '../../lambdas/adapters/local-stream-key-cipher';
import type { ReconcilerConfig } from '../../lambdas/core/reconciler';
import { ManualClock } from '../../lambdas/testing/manual-clock';
import type { AwsSimulatorOptions } from '../../lambdas/testing/simulator';
import { AwsSimulator } from '../../lambdas/testing/simulator';
import { createSimulatedDependencies } from '../../lambdas/testing/simulated-dependencies';
import type { Dynalite } from './dynalite';
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
}

export interface System {
  db: Dynalite;
  sim: AwsSimulator;
  clock: ManualClock;
  logs: LogLine[];
  failures: { destinationId: string; code: string }[];
  api(method: string, path: string, body?: unknown, raw?: string, headers?: Record<string, string>): Promise<ApiResult & { json: any }>;
  monitor(event?: Record<string, unknown>): Promise<unknown>;
  ivsEvent(channelArn: string, eventName: 'Stream Start' | 'Stream End'): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const channels = options.channels ?? [CHANNEL_A];
  const db = await startDynalite();
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
  const deps = createSimulatedDependencies({
    doc: db.doc,
    tables: db.tables,
    simulator: sim,
    cipher: new LocalStreamKeyCipher(randomBytes(32)),
    clock,
    log,
    metrics: { destinationFailed: (destinationId, code) => failures.push({ destinationId, code }), flush: () => undefined },
    sleep: async (ms) => {
      clock.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
    projectName: 'test',
    trackedChannelArns: channels,
    graceSeconds: options.graceSeconds ?? 120,
    corsAllowOrigins: ['http://localhost:8787'],
    allowPrivateRtmpTargets: options.allowPrivateRtmpTargets ?? false,
    // As in the API Lambda: wait at most 8 s for each MediaLive transition within one call.
    reconciler: { waitTimeoutMs: 8_000, ...options.reconciler },
  });
  const apiHandler = createApiLambda(deps);
  const monitorHandler = createMonitorHandler(deps);
  let request = 0;

  return {
    db,
    sim,
    clock,
    logs,
    failures,
    async api(method, path, body, raw, headers = {}) {
      request += 1;
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: '',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:8787', ...headers },
        requestContext: {
          accountId: '123456789012',
          apiId: 'api',
          domainName: 'api.example.com',
          domainPrefix: 'api',
          http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
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
      return { ...result, json };
    },
    monitor(event = { source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [] }) {
      request += 1;
      return monitorHandler(event, { awsRequestId: `mon-${request}` });
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
