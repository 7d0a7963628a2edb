import { describe, expect, it } from '@jest/globals';
import { scopeOf } from '../../../lambdas/monitor/handler';

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
