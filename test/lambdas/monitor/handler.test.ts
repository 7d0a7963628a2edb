import { describe, expect, it } from '@jest/globals';
import { scopeOf, summarize } from '../../../lambdas/monitor/handler';

const ARN = 'arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456';

describe('monitor event scope', () => {
  it('reconciles the channel named by an IVS Stream State Change event', () => {
    const event = {
      version: '0',
      source: 'aws.ivs',
      'detail-type': 'IVS Stream State Change',
      resources: [ARN],
      detail: { event_name: 'Stream Start', channel_name: 'main', stream_id: 'st-1' },
    };
    expect(scopeOf(event)).toEqual({ kind: 'channel', channelArn: ARN });
  });

  it('reconciles everything on the scheduled event', () => {
    expect(
      scopeOf({ source: 'aws.events', 'detail-type': 'Scheduled Event', resources: ['arn:aws:events:us-east-1:123456789012:rule/x'] }),
    ).toEqual({ kind: 'all' });
  });

  it('falls back to everything when an IVS event carries no usable channel ARN', () => {
    expect(scopeOf({ source: 'aws.ivs', 'detail-type': 'IVS Stream State Change', resources: [] })).toEqual({ kind: 'all' });
    expect(scopeOf({ source: 'aws.ivs', 'detail-type': 'IVS Stream State Change', resources: ['not-an-arn'] })).toEqual({ kind: 'all' });
  });

  it('reads a MediaLive Channel Alert as documented into an alert of the channel', () => {
    // https://docs.aws.amazon.com/medialive/latest/ug/monitoring-cloudwatch-json-alert.html
    const event = {
      version: '0',
      id: '154769fb-9f7c-32a1-6822-26fppppe5a58',
      'detail-type': 'MediaLive Channel Alert',
      source: 'aws.medialive',
      account: '111122223333',
      time: '2023-03-08T18:14:25Z',
      region: 'us-west-2',
      resources: ['arn:aws:medialive:us-west-2:111122223333:channel:123456'],
      detail: {
        alarm_state: 'CLEARED',
        alarm_id: '7ad616bd389832yue90aab1324bffab5b834a',
        alert_type: 'Failed to Create Output File or Socket',
        pipeline: '0',
        channel_arn: 'arn:aws:medialive:us-west-2:111122223333:channel:123456',
        message: 'MPEGTS muxer for mediaID [1] unable to open output or stream [https://<path>].',
      },
    };
    expect(scopeOf(event)).toEqual({
      kind: 'alert',
      relayId: '123456',
      state: 'CLEARED',
      alert: {
        id: '7ad616bd389832yue90aab1324bffab5b834a',
        type: 'Failed to Create Output File or Socket',
        message: 'MPEGTS muxer for mediaID [1] unable to open output or stream [https://<path>].',
      },
      at: '2023-03-08T18:14:25.000Z',
    });
    expect(scopeOf({ ...event, detail: { ...event.detail, alarm_state: 'MAYBE' } }).kind).toBe('ignore');
  });

  it('does not take another IVS event type for a stream change', () => {
    expect(scopeOf({ source: 'aws.ivs', 'detail-type': 'IVS Recording State Change', resources: [ARN] })).toEqual({ kind: 'all' });
  });
});

describe('monitor run summary', () => {
  it('counts the steps taken and failed on destinations, orphaned channels and orphaned inputs', () => {
    const summary = summarize('all', {
      channels: [{ id: ARN, state: 'LIVE', streamId: 'st-1', timestamp: '2026-01-01T00:00:00.000Z' }],
      destinations: [
        { destinationId: 'a', desired: 'on', status: 'starting', step: 'create-source', outcome: 'done', pass: 1 },
        { destinationId: 'b', desired: 'on', status: 'starting', step: 'start', outcome: 'failed', error: 'THROTTLED', pass: 1 },
        { destinationId: 'c', desired: 'on', status: 'active', step: null, outcome: 'none', pass: 1 },
        { destinationId: 'd', desired: 'on', status: 'starting', step: null, outcome: 'busy', pass: 1 },
      ],
      orphans: [{ relayId: 'ch-1', step: 'stop', outcome: 'done' }],
      orphanSources: [
        { sourceId: 'in-1', outcome: 'done' },
        { sourceId: 'in-2', outcome: 'failed' },
      ],
      malformed: [],
      sweep: 'done',
      passes: 1,
      queued: [],
    });
    expect(summary).toEqual({
      scope: 'all',
      channels: [{ channelArn: ARN, state: 'LIVE', streamId: 'st-1' }],
      actions: 5,
      failures: 2,
      busy: 1,
      passes: 1,
      queued: 0,
      malformed: 0,
      sweep: 'done',
    });
  });
});
