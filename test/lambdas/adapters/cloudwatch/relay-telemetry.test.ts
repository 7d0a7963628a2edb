/**
 * The CloudWatch figures of running relays: one GetMetricData for all of them (two only beyond
 * 500 queries), requests that fit AWS's published CloudWatch model, and answers shaped like the
 * API reference's (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html)
 * read into the figures the health rule turns into a state.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchRelayTelemetry,
  MAX_QUERIES_PER_REQUEST,
  PERIOD_SECONDS,
  RELAY_METRICS_NAMESPACE,
} from '../../../../lambdas/adapters/cloudwatch/relay-telemetry';
import { assessHealth } from '../../../../lambdas/core/health';
import type { TelemetryTarget } from '../../../../lambdas/core/ports';
import { CLOUDWATCH_MODEL } from '../../../support/aws-api-model';

const NOW = new Date('2030-01-01T12:00:04.000Z');
const cw = mockClient(CloudWatchClient);
const telemetry = () => new CloudWatchRelayTelemetry(new CloudWatchClient({ region: 'us-east-1' }), 'restream');

const ML: TelemetryTarget = { engine: 'medialive', relayId: '1234567', destinationId: 'dest-ml' };
const ECS: TelemetryTarget = {
  engine: 'ecs',
  relayId: 'arn:aws:ecs:us-east-1:123456789012:task/restream-relays/0a1b2c3d4e5f',
  destinationId: 'dest-ecs',
};

/** Period starts, newest first, `n` periods back from the last complete one before NOW. */
function periods(n: number): Date[] {
  const last = Math.floor(NOW.getTime() / 1000 / PERIOD_SECONDS) * PERIOD_SECONDS * 1000 - PERIOD_SECONDS * 1000;
  return Array.from({ length: n }, (_, i) => new Date(last - i * PERIOD_SECONDS * 1000));
}

function result(id: string, values: number[]): MetricDataResult {
  return { Id: id, Label: id, Timestamps: periods(values.length), Values: values, StatusCode: 'Complete' };
}

beforeEach(() => {
  cw.reset();
});

describe('the request', () => {
  it('asks for every running relay in one GetMetricData that fits the CloudWatch model', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [], Messages: [] });
    await telemetry().read([ML, ECS], NOW);
    expect(cw).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input as GetMetricDataCommandInput;
    expect(CLOUDWATCH_MODEL.violations('GetMetricData', input)).toEqual([]);
    const metrics = input.MetricDataQueries!.map((q) => `${q.MetricStat!.Metric!.Namespace}/${q.MetricStat!.Metric!.MetricName}`);
    expect(metrics).toEqual([
      'AWS/MediaLive/ActiveOutputs',
      'AWS/MediaLive/ActiveAlerts',
      'AWS/MediaLive/NetworkOut',
      `${RELAY_METRICS_NAMESPACE}/BitrateKbps`,
      `${RELAY_METRICS_NAMESPACE}/Frames`,
      `${RELAY_METRICS_NAMESPACE}/PublishRefused`,
      `${RELAY_METRICS_NAMESPACE}/HostUnreachable`,
      `${RELAY_METRICS_NAMESPACE}/ConnectionDropped`,
      `${RELAY_METRICS_NAMESPACE}/SourceFailures`,
    ]);
    expect(input.MetricDataQueries![0]!.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'OutputGroupName', Value: 'rtmp' },
      { Name: 'ChannelId', Value: '1234567' },
      { Name: 'Pipeline', Value: '0' },
    ]);
    expect(input.MetricDataQueries![3]!.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'Project', Value: 'restream' },
      { Name: 'DestinationId', Value: 'dest-ecs' },
    ]);
    expect(new Set(input.MetricDataQueries!.map((q) => q.Id)).size).toBe(9);
    for (const q of input.MetricDataQueries!) expect(q.Id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
    expect(input.ScanBy).toBe('TimestampDescending');
  });

  it('splits only beyond 500 queries, and follows NextToken', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const many = Array.from({ length: 100 }, (_, i): TelemetryTarget => ({ ...ECS, relayId: `task-${i}`, destinationId: `d-${i}` }));
    await telemetry().read(many, NOW);
    const sizes = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length);
    expect(sizes).toEqual([MAX_QUERIES_PER_REQUEST, 600 - MAX_QUERIES_PER_REQUEST]);

    cw.reset();
    cw.on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [result('r0_outputs', [1])], NextToken: 'page-2' })
      .resolvesOnce({ MetricDataResults: [result('r0_networkOut', [4.4])] });
    const figures = await telemetry().read([ML], NOW);
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(figures.get(ML.relayId)?.bitrateKbps).toBeCloseTo(4400);
  });
});

describe('MediaLive answers', () => {
  it('a channel writing its output: ok with NetworkOut as the bit rate', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [result('r0_outputs', [1, 1, 1]), result('r0_alerts', [0, 0, 0]), result('r0_networkOut', [4.62, 4.58, 4.6])],
    });
    const figures = (await telemetry().read([ML], NOW)).get(ML.relayId);
    const health = assessHealth({ status: 'active', statusSince: '2030-01-01T11:00:00.000Z', telemetry: figures, alerts: [], now: NOW });
    expect(health).toEqual({ state: 'ok', bitrateKbps: 4620, message: 'Sending to the platform.' });
  });

  it('a channel whose output is not written for a minute: failing', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        result('r0_outputs', [0, 0, 0, 0, 0, 0, 0, 0, 1]),
        result('r0_networkOut', [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 4.6]),
      ],
    });
    const figures = (await telemetry().read([ML], NOW)).get(ML.relayId);
    const health = assessHealth({ status: 'active', statusSince: '2030-01-01T11:00:00.000Z', telemetry: figures, alerts: [], now: NOW });
    expect(health.state).toBe('failing');
    expect(health.message).toMatch(/^No media sent for more than \d+ s/);
  });

  it('a channel with active alerts while it writes: degraded', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [result('r0_outputs', [1]), result('r0_alerts', [2]), result('r0_networkOut', [4.6])],
    });
    const figures = (await telemetry().read([ML], NOW)).get(ML.relayId);
    expect(
      assessHealth({ status: 'active', statusSince: '2030-01-01T11:00:00.000Z', telemetry: figures, alerts: [], now: NOW }).state,
    ).toBe('degraded');
  });

  it('a channel without a single datapoint has no figures', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [result('r0_outputs', []), result('r0_alerts', []), result('r0_networkOut', [])],
    });
    expect((await telemetry().read([ML], NOW)).has(ML.relayId)).toBe(false);
  });
});

describe('relay task answers (embedded metrics)', () => {
  it('a relay whose runs end with the connection closed on publish: failing, the key refused', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [result('r0_failure_refused', [1, 1, 0, 1]), result('r0_frames', [])] });
    const figures = (await telemetry().read([ECS], NOW)).get(ECS.relayId);
    expect(figures?.failure?.kind).toBe('refused');
    const health = assessHealth({ status: 'active', statusSince: '2030-01-01T11:59:00.000Z', telemetry: figures, alerts: [], now: NOW });
    expect(health.state).toBe('failing');
    expect(health.message).toMatch(/refused the stream/);
  });

  it('a relay writing frames: ok with its bit rate; a drop a minute back no longer counts', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        result('r0_frames', [300, 300, 300, 300, 300, 300, 300]),
        result('r0_bitrate', [2480, 2510, 2495]),
        result('r0_failure_dropped', [0, 0, 0, 0, 0, 0, 0, 1]),
      ],
    });
    const figures = (await telemetry().read([ECS], NOW)).get(ECS.relayId);
    const health = assessHealth({ status: 'active', statusSince: '2030-01-01T11:00:00.000Z', telemetry: figures, alerts: [], now: NOW });
    expect(health).toEqual({ state: 'ok', bitrateKbps: 2480, message: 'Sending to the platform.' });
  });

  it('a relay that cannot connect after media flowed: cannot reach the host', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        result('r0_frames', [0, 0, 0, 0, 0, 0, 0, 0, 0, 300]),
        result('r0_failure_unreachable', [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]),
      ],
    });
    const figures = (await telemetry().read([ECS], NOW)).get(ECS.relayId);
    const health = assessHealth({ status: 'active', statusSince: '2030-01-01T11:00:00.000Z', telemetry: figures, alerts: [], now: NOW });
    expect(health.state).toBe('failing');
    expect(health.message).toMatch(/Cannot reach the RTMP host/);
  });
});
