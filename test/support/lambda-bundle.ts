/**
 * Runs a built Lambda bundle the way Lambda cold-starts it: a fresh `node` process imports
 * `handler.mjs` and serves one event (`lambda-harness.mjs`). Used by the build test and by
 * `bench/lambda-bundle.ts`.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const HARNESS = fileURLToPath(new URL('./lambda-harness.mjs', import.meta.url));
const MARKER = 'LAMBDA_HARNESS_RESULT ';

export interface HarnessOutcome {
  ok: boolean;
  result?: unknown;
  error?: { name?: string; message?: string };
  timings?: { importMs: number; firstRequestMs: number; initMs: number; sinceProcessStartMs: number };
  /** The function's own log output. */
  logs: string;
}

/** The Lambda environment contract with every AWS endpoint on loopback and fake credentials. */
export function loopbackLambdaEnvironment(input: {
  dynamodbEndpoint: string;
  stubEndpoint: string;
  tables: { destinations: string; streamState: string; events: string };
}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamodbEndpoint,
    AWS_ENDPOINT_URL_IVS: input.stubEndpoint,
    AWS_ENDPOINT_URL_MEDIALIVE: input.stubEndpoint,
    AWS_ENDPOINT_URL_KMS: input.stubEndpoint,
    AWS_ENDPOINT_URL_SQS: input.stubEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: 'bundle-harness',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    DESTINATIONS_TABLE: input.tables.destinations,
    STREAM_STATE_TABLE: input.tables.streamState,
    DESTINATION_EVENTS_TABLE: input.tables.events,
    MEDIALIVE_ROLE_ARN: 'arn:aws:iam::123456789012:role/medialive',
    PROJECT_NAME: 'harness',
    IVS_CHANNEL_ARNS: 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456',
    STOP_GRACE_SECONDS: '120',
    STREAM_KEY_KMS_KEY_ID: 'alias/harness',
    CORS_ALLOW_ORIGINS: 'https://admin.example.com',
    WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/test-reconcile-work',
  };
}

/** Cold-starts `bundle` in a new `node` process and serves `event` there. */
export function invokeBundle(bundle: string, event: unknown, env: NodeJS.ProcessEnv): Promise<HarnessOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--enable-source-maps', HARNESS, bundle, JSON.stringify(event)],
      { env, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
        if (!line) {
          reject(new Error(`the harness printed no result (${error?.message ?? 'no error'}): ${stderr.slice(-2000)}`));
          return;
        }
        const outcome = JSON.parse(line.slice(MARKER.length)) as Omit<HarnessOutcome, 'logs'>;
        resolve({ ...outcome, logs: stdout.slice(0, stdout.indexOf(MARKER)) + stderr });
      },
    );
  });
}

/** An API Gateway HTTP API (payload 2.0) GET event. */
export function httpApiGet(path: string): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { origin: 'https://admin.example.com' },
    requestContext: {
      requestId: 'harness-api-1',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'harness' },
    },
    isBase64Encoded: false,
  };
}

/** The EventBridge scheduled event that triggers a full reconcile. */
export const SCHEDULED_EVENT = {
  version: '0',
  id: 'harness-schedule-1',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2025-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/harness-reconcile'],
  detail: {},
};
