/**
 * The destinations API Lambda (→ dist/lambda.zip). API Gateway HTTP API (payload 2.0) and REST
 * API (payload 1.0) events; routing, validation and error mapping live in `http.ts`, the use
 * cases in `core/destination-service.ts`. It writes intent and puts the destination on the work
 * queue; the stream monitor does the rest, so every request answers at once.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { IvsClient } from '@aws-sdk/client-ivs';
import { KMSClient } from '@aws-sdk/client-kms';
import { PRICE_KEYS, resolvePrices, RestreamingCostReporter } from '../core/costs';
import { RestreamingDestinationService } from '../core/destination-service';
import { readEnvironment, relayModes } from '../adapters/environment';
import type { ApiDependencies } from '../adapters/lambda/aws-dependencies';
import { createSharedAwsAdapters, newId, systemClock } from '../adapters/lambda/aws-dependencies';
import { createLogger, LambdaMetrics, logPort } from '../adapters/lambda/observability';
import { KmsStreamKeyEncrypter } from '../adapters/kms-stream-key-cipher';
import { AwsIvsStreamSource } from '../adapters/ivs-stream-source';
import { AwsIvsChannelDirectory } from '../adapters/ivs-channel-directory';
import type { AdminRequirement } from './auth';
import type { ApiEvent, ApiResult } from './http';
import { createApiHandler } from './http';

/** Builds the handler around any set of dependencies (AWS, local stack, tests). */
export function createApiLambda(deps: ApiDependencies, options: { admin?: AdminRequirement } = {}) {
  const service = new RestreamingDestinationService({
    destinations: deps.destinations,
    streamStates: deps.streamStates,
    events: deps.events,
    cipher: deps.cipher,
    queue: deps.queue,
    streams: deps.streams,
    channels: deps.channels,
    graceSeconds: deps.graceSeconds,
    clock: deps.clock,
    ids: { newId: deps.newId },
    log: deps.log,
    metrics: deps.metrics,
    trackedChannelArns: deps.trackedChannelArns,
    allowPrivateRtmpTargets: deps.allowPrivateRtmpTargets,
    relayModes: deps.relayModes,
  });
  const overrides = deps.priceOverrides ?? {};
  const costs = new RestreamingCostReporter({
    destinations: deps.destinations,
    events: deps.events,
    clock: deps.clock,
    prices: resolvePrices(overrides),
    overridden: PRICE_KEYS.filter((key) => overrides[key] !== undefined),
  });
  const handle = createApiHandler({
    service,
    costs,
    corsAllowOrigins: [...deps.corsAllowOrigins],
    log: deps.log,
    admin: options.admin ?? {},
  });
  return async (event: ApiEvent, context?: Pick<Context, 'awsRequestId'>): Promise<ApiResult> => {
    try {
      return await handle(event, { awsRequestId: context?.awsRequestId ?? randomUUID() });
    } finally {
      deps.metrics.flush();
    }
  };
}

let lambdaHandler: ReturnType<typeof createApiLambda> | undefined;

/** The Lambda entry point; dependencies are built once per execution environment. */
export const handler = async (event: ApiEvent, context?: Pick<Context, 'awsRequestId'>): Promise<ApiResult> => {
  if (!lambdaHandler) {
    const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'stream-restreaming';
    const env = readEnvironment();
    const logger = createLogger(serviceName);
    const ivs = new IvsClient({});
    lambdaHandler = createApiLambda(
      {
        ...createSharedAwsAdapters(env),
        cipher: new KmsStreamKeyEncrypter(new KMSClient({}), env.STREAM_KEY_KMS_KEY_ID),
        streams: new AwsIvsStreamSource(ivs),
        channels: new AwsIvsChannelDirectory(ivs),
        graceSeconds: env.STOP_GRACE_SECONDS,
        clock: systemClock,
        log: logPort(logger),
        metrics: new LambdaMetrics(serviceName),
        newId,
        trackedChannelArns: env.IVS_CHANNEL_ARNS,
        corsAllowOrigins: env.CORS_ALLOW_ORIGINS,
        allowPrivateRtmpTargets: env.ALLOW_PRIVATE_RTMP_TARGETS,
        ...(env.PRICES ? { priceOverrides: env.PRICES } : {}),
        relayModes: relayModes(env),
      },
      { admin: { group: env.ADMIN_GROUP, scope: env.ADMIN_SCOPE } },
    );
  }
  return lambdaHandler(event, context);
};
