/**
 * The destinations API Lambda (→ dist/lambda.zip). API Gateway HTTP API (payload 2.0) and REST
 * API (payload 1.0) events; routing, validation and error mapping live in `http.ts`, the use
 * cases in `core/destination-service.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { RestreamingDestinationService } from '../core/destination-service';
import { readEnvironment } from '../adapters/environment';
import type { Dependencies } from '../adapters/lambda/aws-dependencies';
import { createAwsDependencies, createReconciler } from '../adapters/lambda/aws-dependencies';
import { createLogger, LambdaMetrics, logPort } from '../adapters/lambda/observability';
import { KmsStreamKeyCipher } from '../adapters/kms-stream-key-cipher';
import type { AdminRequirement } from './auth';
import type { ApiEvent, ApiResult } from './http';
import { createApiHandler } from './http';

/** Builds the handler around any set of dependencies (AWS, local stack, tests). */
export function createApiLambda(deps: Dependencies, options: { admin?: AdminRequirement } = {}) {
  return async (event: ApiEvent, context?: Pick<Context, 'awsRequestId'>): Promise<ApiResult> => {
    const ownerId = context?.awsRequestId ?? randomUUID();
    const service = new RestreamingDestinationService({
      destinations: deps.destinations,
      streamStates: deps.streamStates,
      streams: deps.streams,
      cipher: deps.cipher,
      clock: deps.clock,
      ids: { newId: deps.newId },
      log: deps.log,
      reconcile: (scope) => createReconciler(deps, ownerId).reconcile(scope),
      trackedChannelArns: deps.trackedChannelArns,
      allowPrivateRtmpTargets: deps.allowPrivateRtmpTargets,
    });
    try {
      return await createApiHandler({ service, corsAllowOrigins: [...deps.corsAllowOrigins], log: deps.log, admin: options.admin ?? {} })(
        event,
        {
          awsRequestId: ownerId,
        },
      );
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
    const logger = createLogger(serviceName);
    // API Gateway gives up after 29 s. A delete of a running destination waits twice (stopped,
    // then gone): at most 8 s each, so the request answers 202 in time and the monitor finishes.
    const env = readEnvironment();
    lambdaHandler = createApiLambda(
      createAwsDependencies(
        env,
        { log: logPort(logger), metrics: new LambdaMetrics(serviceName) },
        (kms, keyId) => new KmsStreamKeyCipher(kms, keyId),
        { waitTimeoutMs: 8_000 },
      ),
      { admin: { group: env.ADMIN_GROUP, scope: env.ADMIN_SCOPE } },
    );
  }
  return lambdaHandler(event, context);
};
