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
