import { describe, expect, it } from '@jest/globals';
import type { ChannelStreamState, LiveStream, SourceIngest } from '../../../lambdas/core/ports';
import { broadcastOf, graceEndsAt, livenessOf, needsIngest, nextStreamState, withinGrace } from '../../../lambdas/core/stream-state';

const CHANNEL = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl';
const GRACE = 120;
const OFFLINE_AT = '2030-01-01T12:00:00.000Z';
const GRACE_ENDS = '2030-01-01T12:02:00.000Z';
const NOW = new Date('2030-01-01T12:01:00.000Z');
const INGEST: SourceIngest = { streamId: 'st-1', video: { codec: 'h264', width: 1280, height: 720 } };

const stream = (streamId: string, startTime = '2030-01-01T11:59:30.000Z'): LiveStream => ({ channelArn: CHANNEL, streamId, startTime });

function live(overrides: Partial<ChannelStreamState> = {}): ChannelStreamState {
  return { id: CHANNEL, state: 'LIVE', streamId: 'st-1', broadcastId: 'st-1', timestamp: '2030-01-01T11:00:00.000Z', ...overrides };
}

function offline(overrides: Partial<ChannelStreamState> = {}): ChannelStreamState {
  return {
    id: CHANNEL,
    state: 'OFFLINE',
    streamId: 'st-1',
    broadcastId: 'st-1',
    timestamp: OFFLINE_AT,
    offlineSince: OFFLINE_AT,
    ...overrides,
  };
}

describe('broadcastOf', () => {
  it('is the broadcast id, or the stream id of an item stored before broadcasts existed', () => {
    expect(broadcastOf(live({ streamId: 'st-3', broadcastId: 'st-1' }))).toBe('st-1');
    expect(broadcastOf(live({ streamId: 'st-3', broadcastId: undefined }))).toBe('st-3');
    expect(broadcastOf({})).toBeUndefined();
    expect(broadcastOf(undefined)).toBeUndefined();
  });
});

describe('graceEndsAt and withinGrace', () => {
  it('ends the grace period of an offline channel grace seconds after it went offline', () => {
    expect(graceEndsAt(offline(), GRACE)).toBe(GRACE_ENDS);
    expect(graceEndsAt(offline(), 0)).toBe(OFFLINE_AT);
  });

  it('holds it until the last millisecond before the end, not at the end', () => {
    const state = offline();
    expect(withinGrace(state, new Date(Date.parse(GRACE_ENDS) - 1), GRACE)).toBe(true);
    expect(withinGrace(state, new Date(GRACE_ENDS), GRACE)).toBe(false);
    expect(withinGrace(state, new Date(Date.parse(GRACE_ENDS) + 60_000), GRACE)).toBe(false);
  });

  it.each([
    ['a live channel', live({ offlineSince: OFFLINE_AT })],
    ['a channel never seen live', offline({ offlineSince: undefined, streamId: undefined, broadcastId: undefined })],
    ['a grace period an admin ended early', offline({ graceEndedAt: '2030-01-01T12:00:30.000Z' })],
    ['an unreadable offlineSince', offline({ offlineSince: 'yesterday' })],
  ])('has no grace period for %s', (_label, state) => {
    expect(graceEndsAt(state, GRACE)).toBeUndefined();
    expect(withinGrace(state, NOW, GRACE)).toBe(false);
  });

  it('has none for a channel it knows nothing of', () => {
    expect(graceEndsAt(undefined, GRACE)).toBeUndefined();
    expect(withinGrace(undefined, NOW, GRACE)).toBe(false);
  });
});

describe('nextStreamState', () => {
  describe('when IVS reports a stream', () => {
    it('records a first go-live as a new broadcast begun by the stream', () => {
      expect(nextStreamState(CHANNEL, undefined, stream('st-1'), NOW, GRACE)).toStrictEqual({
        next: { id: CHANNEL, state: 'LIVE', streamId: 'st-1', broadcastId: 'st-1', timestamp: '2030-01-01T11:59:30.000Z' },
        changed: true,
        transition: { from: 'OFFLINE', to: 'LIVE', streamId: 'st-1' },
      });
    });

    it('writes nothing while the same stream goes on', () => {
      const previous = live({ ingest: INGEST });
      const change = nextStreamState(CHANNEL, previous, stream('st-1'), NOW, GRACE);
      expect(change).toStrictEqual({ next: previous, changed: false });
    });

    it('continues the broadcast when a live channel reports a new stream (a reconnect), keeping the last ingest', () => {
      const change = nextStreamState(CHANNEL, live({ streamId: 'st-2', broadcastId: 'st-1', ingest: INGEST }), stream('st-3'), NOW, GRACE);
      expect(change).toStrictEqual({
        next: { id: CHANNEL, state: 'LIVE', streamId: 'st-3', broadcastId: 'st-1', timestamp: '2030-01-01T11:59:30.000Z', ingest: INGEST },
        changed: true,
        transition: { from: 'LIVE', to: 'LIVE', streamId: 'st-3' },
      });
    });

    it('continues the broadcast of an item stored before broadcasts existed from its stream id', () => {
      const change = nextStreamState(CHANNEL, live({ streamId: 'st-2', broadcastId: undefined }), stream('st-3'), NOW, GRACE);
      expect(change.next.broadcastId).toBe('st-2');
    });

    it('continues the broadcast when the stream comes back inside the grace period', () => {
      const change = nextStreamState(CHANNEL, offline({ streamId: 'st-2', broadcastId: 'st-1' }), stream('st-3'), NOW, GRACE);
      expect(change.next).toStrictEqual({
        id: CHANNEL,
        state: 'LIVE',
        streamId: 'st-3',
        broadcastId: 'st-1',
        timestamp: '2030-01-01T11:59:30.000Z',
      });
      expect(change.transition).toStrictEqual({ from: 'OFFLINE', to: 'LIVE', streamId: 'st-3' });
    });

    it('begins a new broadcast when the stream comes back after the grace period', () => {
      const after = new Date(Date.parse(GRACE_ENDS) + 1000);
      expect(nextStreamState(CHANNEL, offline(), stream('st-2'), after, GRACE).next.broadcastId).toBe('st-2');
    });

    it('begins a new broadcast when an admin ended the grace period early, and forgets that ending', () => {
      const change = nextStreamState(CHANNEL, offline({ graceEndedAt: '2030-01-01T12:00:30.000Z' }), stream('st-2'), NOW, GRACE);
      expect(change.next.broadcastId).toBe('st-2');
      expect(change.next).not.toHaveProperty('graceEndedAt');
      expect(change.next).not.toHaveProperty('offlineSince');
    });

    it('takes the time it observed the stream when IVS gives no start time', () => {
      expect(nextStreamState(CHANNEL, undefined, stream('st-1', ''), NOW, GRACE).next.timestamp).toBe(NOW.toISOString());
    });
  });

  describe('when IVS reports no stream', () => {
    it('records a live channel going offline now, keeping its stream, broadcast and last ingest', () => {
      expect(
        nextStreamState(CHANNEL, live({ streamId: 'st-2', broadcastId: 'st-1', ingest: INGEST }), undefined, NOW, GRACE),
      ).toStrictEqual({
        next: {
          id: CHANNEL,
          state: 'OFFLINE',
          timestamp: NOW.toISOString(),
          offlineSince: NOW.toISOString(),
          streamId: 'st-2',
          broadcastId: 'st-1',
          ingest: INGEST,
        },
        changed: true,
        transition: { from: 'LIVE', to: 'OFFLINE', streamId: 'st-2' },
      });
    });

    it('keeps the stream id as the broadcast of an item stored before broadcasts existed', () => {
      const change = nextStreamState(CHANNEL, live({ streamId: 'st-2', broadcastId: undefined }), undefined, NOW, GRACE);
      expect(change.next.broadcastId).toBe('st-2');
    });

    it('records a live channel with no known stream going offline without inventing ids', () => {
      const change = nextStreamState(CHANNEL, live({ streamId: undefined, broadcastId: undefined }), undefined, NOW, GRACE);
      expect(change).toStrictEqual({
        next: { id: CHANNEL, state: 'OFFLINE', timestamp: NOW.toISOString(), offlineSince: NOW.toISOString() },
        changed: true,
        transition: { from: 'LIVE', to: 'OFFLINE' },
      });
    });

    it('writes nothing for a channel already offline, so its grace period keeps its start', () => {
      const previous = offline();
      expect(nextStreamState(CHANNEL, previous, undefined, NOW, GRACE)).toStrictEqual({ next: previous, changed: false });
    });

    it('remembers a channel seen for the first time offline, with no grace period to honour', () => {
      expect(nextStreamState(CHANNEL, undefined, undefined, NOW, GRACE)).toStrictEqual({
        next: { id: CHANNEL, state: 'OFFLINE', timestamp: NOW.toISOString() },
        changed: true,
      });
    });
  });
});

describe('needsIngest', () => {
  it('asks IVS once per live stream session', () => {
    expect(needsIngest(live({ streamId: 'st-1' }))).toBe(true);
    expect(needsIngest(live({ streamId: 'st-1', ingest: INGEST }))).toBe(false);
    expect(needsIngest(live({ streamId: 'st-2', ingest: INGEST }))).toBe(true);
  });

  it('never asks for an offline channel, a live one with no known stream, or an unknown one', () => {
    expect(needsIngest(offline({ ingest: undefined }))).toBe(false);
    expect(needsIngest(live({ streamId: undefined }))).toBe(false);
    expect(needsIngest(live({ streamId: undefined, ingest: INGEST }))).toBe(false);
    expect(needsIngest(undefined)).toBe(false);
  });
});

describe('livenessOf', () => {
  it('says a channel it knows nothing of is offline with no grace period', () => {
    expect(livenessOf(undefined)).toStrictEqual({ live: false });
  });

  it('gives the planner a live channel with its stream and broadcast', () => {
    expect(livenessOf(live({ streamId: 'st-3', broadcastId: 'st-1' }))).toStrictEqual({
      live: true,
      streamId: 'st-3',
      broadcastId: 'st-1',
    });
    expect(livenessOf(live({ streamId: 'st-3', broadcastId: undefined }))).toStrictEqual({
      live: true,
      streamId: 'st-3',
      broadcastId: 'st-3',
    });
  });

  it('gives an offline channel the start of its grace period', () => {
    expect(livenessOf(offline())).toStrictEqual({ live: false, streamId: 'st-1', broadcastId: 'st-1', offlineSince: OFFLINE_AT });
  });

  it('gives no grace period to a channel whose grace an admin ended, or that was never seen live', () => {
    expect(livenessOf(offline({ graceEndedAt: '2030-01-01T12:00:30.000Z' }))).toStrictEqual({
      live: false,
      streamId: 'st-1',
      broadcastId: 'st-1',
    });
    expect(livenessOf({ id: CHANNEL, state: 'OFFLINE', timestamp: OFFLINE_AT })).toStrictEqual({ live: false });
  });

  it('gives no grace period to a live channel, whatever its item still holds', () => {
    expect(livenessOf(live({ offlineSince: OFFLINE_AT }))).not.toHaveProperty('offlineSince');
  });
});
