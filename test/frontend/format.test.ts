import { describe, expect, it } from '@jest/globals';
import { PLATFORMS } from '../../lambdas/core/destination';
import { PLATFORM_PRESETS } from '../../lambdas/core/platforms';
import {
  PLATFORM_LABELS,
  channelLabel,
  formatBitrate,
  formatDuration,
  mediaLiveQuotasUrl,
  profileLabel,
  formatCountdown,
  restartGap,
  timeInState,
} from '../../frontend/src/format';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [59 * 60_000 + 59_000, '59 min'],
    [3_600_000, '1 h 00 min'],
    [3_600_000 + 5 * 60_000, '1 h 05 min'],
    [26 * 3_600_000, '1 d 2 h'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('counts a negative duration (clock skew between browser and server) as zero', () => {
    expect(formatDuration(-5000)).toBe('0 s');
  });
});

describe('timeInState', () => {
  const now = Date.parse('2024-05-01T10:05:30.000Z');

  it('is the time since the state began', () => {
    expect(timeInState('2024-05-01T10:00:00.000Z', now)).toBe('5 min');
  });

  it('is null when the start is unknown or not a date', () => {
    expect(timeInState(null, now)).toBeNull();
    expect(timeInState('', now)).toBeNull();
    expect(timeInState('yesterday', now)).toBeNull();
  });
});

describe('labels', () => {
  it('names the channel by the id at the end of its ARN', () => {
    expect(channelLabel('arn:aws:ivs:us-east-1:000000000000:channel/local')).toBe('local');
    expect(channelLabel('not-an-arn')).toBe('not-an-arn');
  });

  it('describes a profile by resolution, frame rate and bitrate', () => {
    expect(profileLabel('1080p30-6000')).toBe('1080p30 · 6 Mbit/s');
    expect(profileLabel('720p30-4500')).toBe('720p30 · 4.5 Mbit/s');
    expect(profileLabel('odd')).toBe('odd');
  });

  it('labels every platform with the name from its preset', () => {
    for (const platform of PLATFORMS) expect(PLATFORM_LABELS[platform]).toBe(PLATFORM_PRESETS[platform].label);
  });
});

describe('mediaLiveQuotasUrl', () => {
  it('opens the MediaLive page of Service Quotas in the region of the IVS channel', () => {
    expect(mediaLiveQuotasUrl('arn:aws:ivs:eu-west-1:123456789012:channel/AbCdEfGh1234')).toBe(
      'https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/medialive/quotas?region=eu-west-1',
    );
  });

  it('falls back to the console’s current region for an ARN it cannot read', () => {
    expect(mediaLiveQuotasUrl('not-an-arn')).toBe('https://console.aws.amazon.com/servicequotas/home/services/medialive/quotas');
  });
});

describe('formatBitrate', () => {
  it('shows kbit/s below 1000 and Mbit/s with one decimal from there, nothing when unmeasured', () => {
    expect(formatBitrate(850.4)).toBe('850 kbit/s');
    expect(formatBitrate(2412)).toBe('2.4 Mbit/s');
    expect(formatBitrate(null)).toBeNull();
  });
});

describe('formatCountdown', () => {
  it('shows minutes and seconds, rounding up, and never below zero', () => {
    expect(formatCountdown(92_000)).toBe('1:32');
    expect(formatCountdown(91_200)).toBe('1:32');
    expect(formatCountdown(5_000)).toBe('0:05');
    expect(formatCountdown(-3_000)).toBe('0:00');
  });
});

describe('restartGap', () => {
  it('says minutes for MediaLive and seconds for a pass-through relay', () => {
    expect(restartGap(undefined)).toEqual({ engine: 'MediaLive channel', gap: 'about one to three minutes' });
    expect(restartGap('transcode').gap).toBe('about one to three minutes');
    expect(restartGap('passthrough')).toEqual({ engine: 'pass-through relay', gap: 'a few seconds' });
  });
});
