/**
 * The stream monitor Lambda (→ dist/monitor.zip). Every trigger calls the same reconciler with
 * a scope; each is only a hint to look now, so late, duplicate, lost or out-of-order deliveries
 * change nothing:
 * - the schedule (`rate(1 minute)`): everything — the safety net;
 * - `IVS Stream State Change`: the channel in `resources[0]`;
 * - `MediaLive Channel State Change`: the destination whose channel changed (others ignored);
 * - `MediaLive Channel Alert`: the alert is recorded on (SET) or removed from (CLEARED) the
 *   destination whose channel raised it, which is then reconciled, so its health says so;
 * - `ECS Task State Change`: the destination whose pass-through relay task moved (from the task's
 *   family; tasks that are not the project's are ignored without a call);
 * - the work queue (SQS): one destination (API intent, a look again) or one channel (a grace
 *   end), with partial-batch failure reporting so only failed messages come back.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { KMSClient } from '@aws-sdk/client-kms';
import { IvsClient } from '@aws-sdk/client-ivs';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { ReconcileResult, ReconcileScope } from '../core/reconciler';
import { NotOwnedError } from '../core/errors';
import { readEnvironment, relaySettings, type Environment } from '../adapters/environment';
import { EcsRelayEngine } from '../adapters/ecs/relay-engine';
import { RelayRouter } from '../core/relay-router';
import type { MonitorDependencies } from '../adapters/lambda/aws-dependencies';
import {
  createHealthAlerts,
  createReconciler,
  createSharedAwsAdapters,
  reconcilerConfig,
  sleep,
  systemClock,
} from '../adapters/lambda/aws-dependencies';
import { AlertChannels } from '../adapters/alerts/notifiers';
import { SnsAlertNotifier } from '../adapters/alerts/sns-alert-notifier';
import { ssmWebhookUrl } from '../adapters/alerts/ssm-webhook-url';
import { WebhookAlertNotifier } from '../adapters/alerts/webhook-alert-notifier';
import type { AlertNotifier } from '../core/ports';
import { createLogger, LambdaMetrics, logPort } from '../adapters/lambda/observability';
import { KmsStreamKeyDecrypter } from '../adapters/kms-stream-key-cipher';
import { AwsIvsStreamSource } from '../adapters/ivs-stream-source';
import { AwsMediaLiveGateway } from '../adapters/medialive/gateway';
import { CloudWatchRelayTelemetry } from '../adapters/cloudwatch/relay-telemetry';
import { MediaLiveRelayEngine } from '../adapters/medialive/relay-engine';
import { parseWorkItem } from '../adapters/sqs-work-queue';
import { IVS_CHANNEL_ARN } from '../core/destination';
import type { RelayAlert, RelayAlertEvent } from '../core/health';
import { recordRelayAlert } from '../core/destination-updates';
import { destinationOfTaskEvent, ECS_TASK_STATE_CHANGE, type EcsTaskStateChangeDetail } from '../adapters/ecs/task-events';

/** The parts of an EventBridge event the monitor reads. */
export interface MonitorEvent {
  source?: string;
  'detail-type'?: string;
  /** ISO-8601 time of the event. */
  time?: string;
  resources?: string[];
  detail?: EcsTaskStateChangeDetail & {
    /**
     * MediaLive Channel Alert (https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-alert.html):
     * `alarm_state` SET or CLEARED, `alarm_id` the same for both, `alert_type` a short name,
     * `message` the long one, `pipeline` "0" or "1".
     */
    alarm_state?: string;
    alarm_id?: string;
    alert_type?: string;
    pipeline?: string;
    event_name?: string;
    channel_name?: string;
    stream_id?: string;
    /** MediaLive Channel State Change (https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-state-change.html). */
    channel_arn?: string;
    state?: string;
    message?: string;
    pipelines_running_count?: number;
  };
}

export type MonitorScope =
  | { kind: 'ignore'; why: string }
  | { kind: 'task'; task: EcsTaskStateChangeDetail }
  | { kind: 'relay'; relayId: string }
  | { kind: 'alert'; relayId: string; state: RelayAlertEvent['state']; alert: Omit<RelayAlert, 'setAt'>; at?: string }
  | ReconcileScope;

export interface MonitorSummary {
  scope: MonitorScope['kind'];
  channels: { channelArn: string; state: string; streamId: string | null }[];
  actions: number;
  failures: number;
  busy: number;
  passes: number;
  queued: number;
  malformed: number;
  sweep: ReconcileResult['sweep'];
}

/** A MediaLive channel ARN: `arn:aws:medialive:<region>:<account>:channel:<id>`; group 1 is the id. */
const MEDIALIVE_CHANNEL_ARN = /^arn:aws(?:-cn|-us-gov)?:medialive:[a-z0-9-]+:\d{12}:channel:(\d+)$/;

/** Chooses the scope of an EventBridge event. */
export function scopeOf(event: MonitorEvent): MonitorScope {
  if (event.source === 'aws.ivs' && event['detail-type'] === 'IVS Stream State Change') {
    const channelArn = event.resources?.[0];
    if (channelArn !== undefined && IVS_CHANNEL_ARN.test(channelArn)) return { kind: 'channel', channelArn };
    return { kind: 'all' };
  }
  if (event.source === 'aws.medialive') {
    const detailType = event['detail-type'];
    if (detailType !== 'MediaLive Channel State Change' && detailType !== 'MediaLive Channel Alert') {
      return { kind: 'ignore', why: 'not a channel state change or alert' };
    }
    const relayId = MEDIALIVE_CHANNEL_ARN.exec(event.detail?.channel_arn ?? event.resources?.[0] ?? '')?.[1];
    if (relayId === undefined) return { kind: 'ignore', why: 'no MediaLive channel ARN' };
    if (detailType === 'MediaLive Channel State Change') return { kind: 'relay', relayId };
    const d = event.detail ?? {};
    const state = d.alarm_state === 'SET' || d.alarm_state === 'CLEARED' ? d.alarm_state : undefined;
    if (state === undefined || !d.alarm_id) return { kind: 'ignore', why: 'an alert without alarm_state SET/CLEARED or alarm_id' };
    const at = event.time !== undefined && Number.isFinite(Date.parse(event.time)) ? new Date(event.time).toISOString() : undefined;
    return {
      kind: 'alert',
      relayId,
      state,
      alert: {
        id: d.alarm_id.slice(0, 128),
        type: (d.alert_type ?? 'MediaLive alert').slice(0, 200),
        message: (d.message ?? '').slice(0, 1000),
      },
      ...(at !== undefined ? { at } : {}),
    };
  }
  if (event.source === 'aws.ecs') {
    if (event['detail-type'] !== ECS_TASK_STATE_CHANGE) return { kind: 'ignore', why: 'not a task state change' };
    const d = event.detail ?? {};
    return {
      kind: 'task',
      task: {
        clusterArn: d.clusterArn,
        taskArn: d.taskArn ?? event.resources?.[0],
        taskDefinitionArn: d.taskDefinitionArn,
        startedBy: d.startedBy,
        lastStatus: d.lastStatus,
        desiredStatus: d.desiredStatus,
      },
    };
  }
  return { kind: 'all' };
}

export function summarize(scope: MonitorScope['kind'], result: ReconcileResult | undefined): MonitorSummary {
  if (!result) return { scope, channels: [], actions: 0, failures: 0, busy: 0, passes: 0, queued: 0, malformed: 0, sweep: 'skipped' };
  return {
    scope,
    channels: result.channels.map((c) => ({ channelArn: c.id, state: c.state, streamId: c.streamId ?? null })),
    actions:
      result.destinations.filter((d) => d.step !== null && d.outcome !== 'busy').length +
      result.orphans.filter((o) => o.step !== null).length +
      result.orphanSources.length,
    failures: [...result.destinations, ...result.orphans, ...result.orphanSources].filter((x) => x.outcome === 'failed').length,
    busy: result.destinations.filter((d) => d.outcome === 'busy').length,
    passes: result.passes,
    queued: result.queued.length,
    malformed: result.malformed.length,
    sweep: result.sweep,
  };
}

function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: { eventSource?: string }[] }).Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => r.eventSource === 'aws:sqs');
}

type MonitorContext = Partial<Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>>;

/** Builds the handler around any set of dependencies (AWS, local stack, tests). */
export function createMonitorHandler(deps: MonitorDependencies) {
  /** The latest time a reconcile may end: the function's time left, less a margin to hand off. */
  const deadlineOf = (context?: MonitorContext): Date | undefined => {
    const left = context?.getRemainingTimeInMillis?.();
    return left === undefined ? undefined : new Date(deps.clock.now().getTime() + Math.max(0, left - 15_000));
  };

  const onEvent = async (event: MonitorEvent, context?: MonitorContext): Promise<MonitorSummary> => {
    const scope = scopeOf(event);
    const owner = context?.awsRequestId ?? randomUUID();
    const options = { ...(deadlineOf(context) ? { deadline: deadlineOf(context) } : {}) };
    if (scope.kind === 'ignore') {
      deps.log.debug('Event ignored', { source: event.source, detailType: event['detail-type'], why: scope.why });
      return summarize('ignore', undefined);
    }
    if (scope.kind === 'task') {
      // A hint about one ECS task: its destination is reconciled, which describes the task itself.
      const target = destinationOfTaskEvent(scope.task, { projectName: deps.reconciler.projectName, clusterArn: deps.relayClusterArn });
      if ('ignore' in target) {
        deps.log.debug('ECS task event ignored', { taskArn: scope.task.taskArn, why: target.ignore });
        return summarize('ignore', undefined);
      }
      deps.log.info('ECS task state event received', {
        taskArn: scope.task.taskArn,
        destinationId: target.destinationId,
        lastStatus: scope.task.lastStatus,
        desiredStatus: scope.task.desiredStatus,
      });
      const result = await createReconciler(deps, owner).reconcile({ kind: 'destination', destinationId: target.destinationId }, options);
      return summarize('destination', result);
    }
    if (scope.kind === 'relay' || scope.kind === 'alert') {
      // A hint about one MediaLive channel: only this project's channels are reconciled.
      const { relayId } = scope;
      let relay;
      try {
        relay = await deps.engine.describeRelay(relayId);
      } catch (error) {
        if (!(error instanceof NotOwnedError)) throw error;
      }
      if (!relay?.destinationId) {
        deps.log.debug('MediaLive event for a channel that is not this project’s; ignored', { mediaLiveChannelId: relayId });
        return summarize('ignore', undefined);
      }
      if (scope.kind === 'alert') {
        const alert: RelayAlertEvent = {
          relayId,
          state: scope.state,
          alert: { ...scope.alert, setAt: scope.at ?? deps.clock.now().toISOString() },
        };
        const recorded = await recordRelayAlert(deps.destinations, deps.clock, relay.destinationId, alert);
        deps.log.info('MediaLive channel alert received', {
          mediaLiveChannelId: relayId,
          destinationId: relay.destinationId,
          alarmState: alert.state,
          alertType: alert.alert.type,
          recorded,
        });
      } else {
        deps.log.info('MediaLive channel state event received', {
          mediaLiveChannelId: relayId,
          destinationId: relay.destinationId,
          state: event.detail?.state,
        });
      }
      const result = await createReconciler(deps, owner).reconcile(
        { kind: 'destination', destinationId: relay.destinationId, relay },
        options,
      );
      return summarize('destination', result);
    }
    if (scope.kind === 'channel') {
      deps.log.info('IVS stream event received', {
        channelArn: scope.channelArn,
        eventName: event.detail?.event_name,
        streamId: event.detail?.stream_id,
      });
    } else if (event.source === 'aws.ivs') {
      deps.log.warn('IVS event without a channel ARN; reconciling every channel', { detailType: event['detail-type'] });
    }
    const result = await createReconciler(deps, owner).reconcile(scope, options);
    const summary = summarize(scope.kind, result);
    deps.log.info('Reconcile finished', { ...summary });
    return summary;
  };

  const onQueue = async (event: SQSEvent, context?: MonitorContext): Promise<SQSBatchResponse> => {
    const deadline = deadlineOf(context);
    const processor = new BatchProcessor(EventType.SQS);
    const record = async (message: SQSRecord): Promise<void> => {
      const item = parseWorkItem(message.body);
      if (!item) {
        // It can never become valid: retrying would only move it to the dead-letter queue later.
        deps.log.error('Work queue message is not a work item; dropped', { messageId: message.messageId });
        return;
      }
      if (Date.parse(item.notBefore) - deps.clock.now().getTime() > 1_000) {
        // Further away than SQS delays a message: send it on (chained delays).
        await deps.queue.enqueue([item]);
        return;
      }
      const scope: ReconcileScope =
        item.kind === 'channel'
          ? { kind: 'channel', channelArn: item.channelArn }
          : { kind: 'destination', destinationId: item.destinationId };
      const result = await createReconciler(deps, `${context?.awsRequestId ?? randomUUID()}/${message.messageId}`).reconcile(scope, {
        ...(deadline ? { deadline } : {}),
        attempt: item.attempt ?? 0,
      });
      deps.log.info('Queued reconcile finished', { reason: item.reason, ...summarize(scope.kind, result) });
    };
    return processPartialResponse(event, record, processor, {
      ...(context ? { context: context as Context } : {}),
      throwOnFullBatchFailure: false,
    });
  };

  function handler(event: SQSEvent, context?: MonitorContext): Promise<SQSBatchResponse>;
  function handler(event: MonitorEvent, context?: MonitorContext): Promise<MonitorSummary>;
  async function handler(event: MonitorEvent | SQSEvent, context?: MonitorContext): Promise<MonitorSummary | SQSBatchResponse> {
    try {
      return isSqsEvent(event) ? await onQueue(event, context) : await onEvent(event as MonitorEvent, context);
    } finally {
      deps.metrics.flush();
    }
  }
  return handler;
}

let lambdaHandler: ReturnType<typeof createMonitorHandler> | undefined;

/**
 * The relay engines of the deployment behind one port: MediaLive (transcode) always, ECS Fargate
 * (pass-through) when RELAY_CLUSTER_ARN is set; the SDK clients are built only for what runs.
 */
export function createRelayEngine(
  env: Environment,
  clients: { ecs: () => ECSClient; ssm: () => SSMClient; mediaLive: () => MediaLiveClient },
): RelayRouter {
  const settings = relaySettings(env);
  return new RelayRouter({
    transcode: new MediaLiveRelayEngine(new AwsMediaLiveGateway(clients.mediaLive(), env.PROJECT_NAME), env.PROJECT_NAME),
    ...(settings
      ? { passthrough: new EcsRelayEngine(clients.ecs(), clients.ssm(), settings, env.PROJECT_NAME, env.STREAM_KEY_KMS_KEY_ID) }
      : {}),
  });
}

/** Builds the monitor's AWS adapters from the validated environment. */
function createAwsMonitorDependencies(): MonitorDependencies {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'stream-monitor';
  const env = readEnvironment();
  const shared = createSharedAwsAdapters(env);
  const log = logPort(createLogger(serviceName));
  const metrics = new LambdaMetrics(serviceName);
  const channels: AlertNotifier[] = [];
  if (env.ALERT_TOPIC_ARN !== undefined) channels.push(new SnsAlertNotifier(new SNSClient({}), env.ALERT_TOPIC_ARN));
  if (env.ALERT_WEBHOOK_PARAMETER !== undefined) {
    channels.push(new WebhookAlertNotifier(ssmWebhookUrl(new SSMClient({}), env.ALERT_WEBHOOK_PARAMETER, systemClock)));
  }
  return {
    ...shared,
    alerts: createHealthAlerts({
      doc: shared.doc,
      eventsTable: env.DESTINATION_EVENTS_TABLE,
      events: shared.events,
      streamStates: shared.streamStates,
      notifier: new AlertChannels(channels),
      log,
      metrics,
    }),
    streams: new AwsIvsStreamSource(new IvsClient({})),
    engine: createRelayEngine(env, {
      ecs: () => new ECSClient({}),
      ssm: () => new SSMClient({}),
      mediaLive: () => new MediaLiveClient({}),
    }),
    cipher: new KmsStreamKeyDecrypter(new KMSClient({}), env.STREAM_KEY_KMS_KEY_ID),
    // Health: one batched GetMetricData per reconcile for every running relay.
    telemetry: new CloudWatchRelayTelemetry(new CloudWatchClient({}), env.PROJECT_NAME),
    clock: systemClock,
    log,
    metrics,
    sleep,
    reconciler: reconcilerConfig(env),
    trackedChannelArns: env.IVS_CHANNEL_ARNS,
    ...(env.RELAY_CLUSTER_ARN !== undefined ? { relayClusterArn: env.RELAY_CLUSTER_ARN } : {}),
  };
}

/** The Lambda entry point; dependencies are built once per execution environment. */
export const handler = async (event: MonitorEvent | SQSEvent, context?: MonitorContext): Promise<MonitorSummary | SQSBatchResponse> => {
  lambdaHandler ??= createMonitorHandler(createAwsMonitorDependencies());
  return isSqsEvent(event) ? lambdaHandler(event, context) : lambdaHandler(event as MonitorEvent, context);
};
