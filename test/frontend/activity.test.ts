import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FAST_POLL_MS, healthChanged, isChanging, pollInterval, SETTLING_MS, SLOW_POLL_MS } from '../../frontend/src/activity';
import type { ChannelStatusView, DestinationView } from '../../frontend/src/api';
import { DESTINATION_STATUSES } from '../../lambdas/core/destination';
import { makeDestinationView } from '../support/fixtures';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const ARN = 'arn:aws:ivs:us-east-1:000000000000:channel/local';
const OTHER = 'arn:aws:ivs:us-east-1:000000000000:channel/other';

function destination(status: DestinationView['status'], channelArn = ARN): DestinationView {
  return makeDestinationView({ id: `d-${status}`, name: status, status, statusSince: '2030-01-01T11:00:00.000Z', channelArn });
}

const channel = (state: 'LIVE' | 'OFFLINE', agoMs: number | null, channelArn = ARN): ChannelStatusView => ({
  channelArn,
  channelId: channelArn.slice(channelArn.lastIndexOf('/') + 1),
  state,
  streamId: state === 'LIVE' ? 'st-1' : null,
  since: agoMs === null ? null : new Date(NOW - agoMs).toISOString(),
  stopsAt: null,
});

const HOUR = 3_600_000;

describe('pollInterval', () => {
  it('polls slowly while a long stream runs steadily', () => {
    expect(pollInterval([destination('active'), destination('inactive')], [channel('LIVE', HOUR)], NOW)).toBe(SLOW_POLL_MS);
  });

  it('polls slowly with nothing live and nothing running', () => {
    expect(pollInterval([destination('inactive'), destination('error')], [channel('OFFLINE', HOUR)], NOW)).toBe(SLOW_POLL_MS);
    expect(pollInterval([], [channel('OFFLINE', null)], NOW)).toBe(SLOW_POLL_MS);
  });

  it('polls fast while a destination starts, stops or is deleted', () => {
    for (const status of ['starting', 'stopping', 'deleting'] as const) {
      expect(pollInterval([destination(status)], [channel('LIVE', HOUR)], NOW)).toBe(FAST_POLL_MS);
    }
  });

  it('polls fast for a while after a channel goes live or offline', () => {
    expect(pollInterval([destination('inactive')], [channel('LIVE', 5_000)], NOW)).toBe(FAST_POLL_MS);
    expect(pollInterval([destination('inactive')], [channel('OFFLINE', SETTLING_MS - 1)], NOW)).toBe(FAST_POLL_MS);
    expect(pollInterval([destination('inactive')], [channel('OFFLINE', SETTLING_MS)], NOW)).toBe(SLOW_POLL_MS);
  });

  it('polls fast during the grace period: offline with a destination still active on that channel', () => {
    expect(pollInterval([destination('active')], [channel('OFFLINE', HOUR)], NOW)).toBe(FAST_POLL_MS);
    expect(pollInterval([destination('active', OTHER)], [channel('OFFLINE', HOUR), channel('LIVE', HOUR, OTHER)], NOW)).toBe(SLOW_POLL_MS);
  });

  it('polls fast before the first answer and while a user action is on its way', () => {
    expect(pollInterval(null, null, NOW)).toBe(FAST_POLL_MS);
    expect(pollInterval([destination('inactive')], [channel('OFFLINE', HOUR)], NOW, true)).toBe(FAST_POLL_MS);
  });

  it('polls fast after a poll that saw a destination’s health change its state or its message', () => {
    const running = destination('active');
    const withHealth = (
      state: DestinationView['health']['state'],
      message: string,
      bitrateKbps: number | null = null,
    ): DestinationView => ({
      ...running,
      health: { state, message, bitrateKbps, since: '2030-01-01T11:59:00.000Z' },
    });
    const live = [channel('LIVE', HOUR)];
    const ok = withHealth('ok', 'Sending to the platform.', 6000);
    // Steady: slow, even when the bit rate moves.
    expect(pollInterval([ok], live, NOW, false, [withHealth('ok', 'Sending to the platform.', 5400)])).toBe(SLOW_POLL_MS);
    // Another state.
    const failing = withHealth('failing', 'Cannot reach the RTMP host: check the server URL.');
    expect(pollInterval([failing], live, NOW, false, [ok])).toBe(FAST_POLL_MS);
    // The same state with another message.
    const refused = withHealth('failing', 'The platform refused the stream: it closed the connection on publish.');
    expect(pollInterval([refused], live, NOW, false, [failing])).toBe(FAST_POLL_MS);
    // Then nothing more changes: slow again.
    expect(pollInterval([refused], live, NOW, false, [refused])).toBe(SLOW_POLL_MS);
    // A destination that appears or goes is not a health change; nor is the first poll.
    expect(healthChanged([], [ok])).toBe(false);
    expect(healthChanged([ok], [])).toBe(false);
    expect(healthChanged(null, [ok])).toBe(false);
  });

  it('is fast exactly when isChanging says so, and one of the two intervals', () => {
    const status = fc.constantFrom(...DESTINATION_STATUSES);
    const chan = fc.record({
      state: fc.constantFrom('LIVE' as const, 'OFFLINE' as const),
      ago: fc.option(fc.integer({ min: -60_000, max: 10 * HOUR })),
      other: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(status, fc.boolean())), fc.array(chan, { maxLength: 2 }), fc.boolean(), (ds, cs, pending) => {
        const destinations = ds.map(([s, other]) => destination(s, other ? OTHER : ARN));
        const channels = cs.map((c) => channel(c.state, c.ago, c.other ? OTHER : ARN));
        const interval = pollInterval(destinations, channels, NOW, pending);
        expect(interval).toBe(pending || isChanging(destinations, channels, NOW) ? FAST_POLL_MS : SLOW_POLL_MS);
        // Anything in motion is always polled fast.
        if (destinations.some((d) => d.status === 'starting' || d.status === 'stopping')) expect(interval).toBe(FAST_POLL_MS);
      }),
    );
  });
});
