/**
 * The stream monitor Lambda (→ dist/monitor.zip). Two EventBridge triggers, one reconciler:
 * - the schedule (`rate(1 minute)`) reconciles every tracked channel;
 * - `IVS Stream State Change` reconciles the channel in `resources[0]` now. The event is only a
 *   hint: the reconciler asks IVS for the channel's state, so late, duplicate or out-of-order
 *   events change nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ReconcileResult, ReconcileScope } from '../core/reconciler';
import { readEnvironment } from '../adapters/environment';
import type { Dependencies } from '../adapters/lambda/aws-dependencies';
import { createAwsDependencies, createReconciler } from '../adapters/lambda/aws-dependencies';
import { createLogger, LambdaMetrics, logPort } from '../adapters/lambda/observability';
import { KmsStreamKeyDecrypter } from '../adapters/kms-stream-key-cipher';
import type { StreamKeyDecrypter } from '../core/ports';
import { IVS_CHANNEL_ARN } from '../core/destination';

/** The parts of an EventBridge event the monitor reads. */
export interface MonitorEvent {
  source?: string;
  'detail-type'?: string;
  resources?: string[];
  detail?: { event_name?: string; channel_name?: string; stream_id?: string };
}

export interface MonitorSummary {
  scope: ReconcileScope['kind'];
  channels: { channelArn: string; state: string; streamId: string | null }[];
  actions: number;
  failures: number;
  busy: number;
}

/** Chooses the scope: the event's channel when it is an IVS stream event, else everything. */
export function scopeOf(event: MonitorEvent): ReconcileScope {
  const isStreamEvent = event.source === 'aws.ivs' && event['detail-type'] === 'IVS Stream State Change';
  const channelArn = event.resources?.[0];
  if (isStreamEvent && channelArn !== undefined && IVS_CHANNEL_ARN.test(channelArn)) return { kind: 'channel', channelArn };
  return { kind: 'all' };
}

export function summarize(scope: ReconcileScope, result: ReconcileResult): MonitorSummary {
  return {
    scope: scope.kind,
    channels: result.channels.map((c) => ({ channelArn: c.id, state: c.state, streamId: c.streamId ?? null })),
    actions:
      result.destinations.filter((d) => d.step !== null && d.outcome !== 'busy').length +
      result.orphans.filter((o) => o.step !== null).length +
      result.orphanInputs.length,
    failures: [...result.destinations, ...result.orphans, ...result.orphanInputs].filter((x) => x.outcome === 'failed').length,
    busy: result.destinations.filter((d) => d.outcome === 'busy').length,
  };
}

/** Builds the handler around any set of dependencies (AWS, local stack, tests). */
export function createMonitorHandler(deps: Dependencies<StreamKeyDecrypter>) {
  return async (event: MonitorEvent, context?: Pick<Context, 'awsRequestId'>): Promise<MonitorSummary> => {
    const scope = scopeOf(event);
    if (scope.kind === 'channel') {
      deps.log.info('IVS stream event received', {
        channelArn: scope.channelArn,
        eventName: event.detail?.event_name,
        streamId: event.detail?.stream_id,
      });
    } else if (event.source === 'aws.ivs') {
      deps.log.warn('IVS event without a channel ARN; reconciling every channel', { detailType: event['detail-type'] });
    }
    try {
      const result = await createReconciler(deps, context?.awsRequestId ?? randomUUID()).reconcile(scope);
      const summary = summarize(scope, result);
      deps.log.info('Reconcile finished', { ...summary });
      return summary;
    } finally {
      deps.metrics.flush();
    }
  };
}

let lambdaHandler: ReturnType<typeof createMonitorHandler> | undefined;

/** The Lambda entry point; dependencies are built once per execution environment. */
export const handler = async (event: MonitorEvent, context?: Pick<Context, 'awsRequestId'>): Promise<MonitorSummary> => {
  if (!lambdaHandler) {
    const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'stream-monitor';
    const logger = createLogger(serviceName);
    // The function's timeout is 120 s: a stop-then-delete chain waits at most 2 × 30 s (the default).
    lambdaHandler = createMonitorHandler(
      createAwsDependencies(
        readEnvironment(),
        { log: logPort(logger), metrics: new LambdaMetrics(serviceName) },
        (kms, keyId) => new KmsStreamKeyDecrypter(kms, keyId),
      ),
    );
  }
  return lambdaHandler(event, context);
};
