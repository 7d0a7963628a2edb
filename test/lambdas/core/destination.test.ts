import { describe, expect, it } from '@jest/globals';
import {
  channelIdOf,
  isMediaLiveRelayId,
  IVS_CHANNEL_ARN,
  LEGACY_RELAY_MODE,
  MASK,
  PROFILE_VIDEO,
  PROFILES,
  streamKeyHint,
  toView,
} from '../../../lambdas/core/destination';
import { initialHealth } from '../../../lambdas/core/health';
import { makeDestination } from '../../support/fixtures';

describe('streamKeyHint', () => {
  it.each([
    ['', ''],
    ['abc', ''],
    ['abcd', 'd'],
    ['abcdefg', 'g'],
    ['abcdefgh', 'gh'],
    ['abcdefghijkl', 'jkl'],
    ['abcdefghijklmnop', 'mnop'],
    ['live-key-9f8e7d6c5b4a', '5b4a'],
  ])('shows the end of %j as %j', (key, hint) => {
    expect(streamKeyHint(key)).toBe(hint);
  });

  it('never shows more than a quarter of a key, nor more than four characters', () => {
    for (let length = 0; length <= 64; length += 1) {
      const key = 'k'.repeat(length);
      const shown = streamKeyHint(key).length;
      expect(shown * 4).toBeLessThanOrEqual(length);
      expect(shown).toBeLessThanOrEqual(4);
    }
  });

  it('tells short keys apart: a 4-character key shows one character, not nothing and not all', () => {
    expect(MASK + streamKeyHint('a1b2')).toBe('••••2');
    expect(streamKeyHint('a1b2')).not.toBe(streamKeyHint('a1b3'));
  });
});

describe('toView: what the API answers for a destination', () => {
  const stored = makeDestination({
    id: 'dest-view',
    name: 'Main channel',
    status: 'inactive',
    statusSince: '2030-01-01T00:00:00.000Z',
    streamKeyCiphertext: 'local:v1:Y2lwaGVydGV4dA==',
    streamKeyHint: 'wxyz',
    createdAt: '2029-12-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    version: 7,
  });

  it('answers every field of the contract, the key only masked, and nothing internal', () => {
    expect(toView(stored)).toStrictEqual({
      id: 'dest-view',
      platform: 'youtube',
      name: 'Main channel',
      enabled: true,
      status: 'inactive',
      statusSince: '2030-01-01T00:00:00.000Z',
      channelArn: stored.channelArn,
      rtmpUrl: stored.rtmpUrl,
      streamKeyMasked: '••••wxyz',
      profile: '1080p30-6000',
      mode: 'transcode',
      lastError: null,
      health: initialHealth('inactive', '2030-01-01T00:00:00.000Z'),
      mediaLiveChannelId: null,
      pausedStreamId: null,
      warnings: [],
      version: 7,
      createdAt: '2029-12-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(toView(stored))).not.toContain('Y2lwaGVydGV4dA');
  });

  it('answers the last error, the paused stream and the warnings it is given', () => {
    const lastError = { code: 'THROTTLED', message: 'MediaLive throttled CreateChannel; retrying.', at: '2030-01-01T00:00:00.000Z' };
    const warning = { code: 'SOURCE_VIDEO_BITRATE' as const, message: 'Too much.', field: 'mode' };
    const view = toView({ ...stored, lastError, pausedStreamId: 'st-9' }, [warning]);
    expect(view.lastError).toEqual(lastError);
    expect(view.pausedStreamId).toBe('st-9');
    expect(view.warnings).toEqual([warning]);
  });

  it('answers the stored health only while the relay is active, and the status’s own otherwise', () => {
    const health = { state: 'ok' as const, bitrateKbps: 5800, since: '2030-01-01T00:05:00.000Z', message: 'Sending 5800 kbit/s.' };
    expect(toView({ ...stored, status: 'active', health }).health).toEqual(health);
    const failed = toView({
      ...stored,
      status: 'error',
      health,
      lastError: { code: 'X', message: 'The platform refused the key.', at: 'now' },
    });
    expect(failed.health).toEqual(initialHealth('error', stored.statusSince, 'The platform refused the key.'));
    expect(failed.health.state).toBe('failing');
    expect(toView({ ...stored, status: 'active' }).health).toEqual(initialHealth('active', stored.statusSince));
  });

  it('names the MediaLive channel of a transcoding relay, not the relay id of another engine', () => {
    expect(toView({ ...stored, mediaLiveChannelId: '1234567' }).mediaLiveChannelId).toBe('1234567');
    expect(toView({ ...stored, mediaLiveChannelId: 'ecs:arn:aws:ecs:us-east-1:123456789012:task/c/abc' }).mediaLiveChannelId).toBeNull();
    expect(isMediaLiveRelayId('1234567')).toBe(true);
    expect(isMediaLiveRelayId('local:relay-1')).toBe(false);
  });
});

describe('relay modes', () => {
  it('reads an item stored before modes existed as transcode, which is what it runs (MediaLive)', () => {
    expect(LEGACY_RELAY_MODE).toBe('transcode');
  });
});

describe('IVS channel ARNs', () => {
  it('takes the channel id from the last part of the ARN', () => {
    expect(channelIdOf('arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl')).toBe('AbCdEfGhIjKl');
  });

  it('matches only a whole ARN, with any region number', () => {
    expect(IVS_CHANNEL_ARN.test('arn:aws:ivs:us-west-2:123456789012:channel/AbCd')).toBe(true);
    expect(IVS_CHANNEL_ARN.test('xarn:aws:ivs:us-west-2:123456789012:channel/AbCd')).toBe(false);
    expect(IVS_CHANNEL_ARN.test('arn:aws:ivs:us-west-2:123456789012:channel/AbCd/x')).toBe(false);
    expect(IVS_CHANNEL_ARN.exec('arn:aws:ivs:ap-southeast-12:123456789012:channel/AbCd')?.[1]).toBe('ap-southeast-12');
  });

  it('captures the region of every partition', () => {
    expect(IVS_CHANNEL_ARN.exec('arn:aws:ivs:us-west-2:123456789012:channel/AbCd')?.[1]).toBe('us-west-2');
    expect(IVS_CHANNEL_ARN.exec('arn:aws-us-gov:ivs:us-gov-west-1:123456789012:channel/AbCd')?.[1]).toBe('us-gov-west-1');
    expect(IVS_CHANNEL_ARN.exec('arn:aws-cn:ivs:cn-north-1:123456789012:channel/AbCd')?.[1]).toBe('cn-north-1');
  });
});

describe('PROFILE_VIDEO', () => {
  it.each(PROFILES)('%s renders what its name says: <height>p30-<video kbit/s>', (profile) => {
    const { height, videoBitrateKbps } = PROFILE_VIDEO[profile];
    expect(profile).toBe(`${height}p30-${videoBitrateKbps}`);
  });
});
