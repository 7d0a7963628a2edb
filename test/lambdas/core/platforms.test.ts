import { describe, expect, it } from '@jest/globals';
import { PLATFORMS, PROFILES } from '../../../lambdas/core/destination';
import type { Platform, Profile } from '../../../lambdas/core/destination';
import { PLATFORM_PRESETS, defaultProfile, defaultRtmpUrl, h264Profile, requiresRtmps } from '../../../lambdas/core/platforms';
import { parseCreateDestination } from '../../../lambdas/core/validation';

const WITH_ENDPOINT = PLATFORMS.filter((p) => p !== 'custom');

/**
 * The most video bitrate (kbit/s) each platform publishes for 1080p30/720p30/480p30 ingest.
 * YouTube: OBS service list "max video bitrate" 51000. Twitch: 6000 (OBS service list, Twitch
 * broadcast guidelines). Facebook: Live Video API reference ranges (1080p30 3000-6000, 720p30
 * 1500-4000, 480p30 600-2000). Kick: Amazon IVS standard channel, 8500.
 */
const MAX_VIDEO_KBPS: Record<Exclude<Platform, 'custom'>, Record<Profile, number>> = {
  youtube: { '1080p30-6000': 51000, '720p30-4500': 51000, '480p30-2000': 51000 },
  twitch: { '1080p30-6000': 6000, '720p30-4500': 6000, '480p30-2000': 6000 },
  facebook: { '1080p30-6000': 6000, '720p30-4500': 4000, '480p30-2000': 2000 },
  kick: { '1080p30-6000': 8500, '720p30-4500': 8500, '480p30-2000': 8500 },
};

function videoKbps(profile: Profile): number {
  return Number(profile.split('-')[1]);
}

describe('PLATFORM_PRESETS', () => {
  it('has a preset for every platform', () => {
    expect(Object.keys(PLATFORM_PRESETS).sort()).toEqual([...PLATFORMS].sort());
  });

  it('uses the ingest endpoints the platforms publish, RTMPS where offered', () => {
    expect(defaultRtmpUrl('youtube')).toBe('rtmps://a.rtmps.youtube.com:443/live2');
    expect(defaultRtmpUrl('twitch')).toBe('rtmps://ingest.global-contribute.live-video.net:443/app');
    expect(defaultRtmpUrl('facebook')).toBe('rtmps://live-api-s.facebook.com:443/rtmp');
    expect(defaultRtmpUrl('kick')).toBe('rtmps://fa723fc1b171.global-contribute.live-video.net:443/app');
  });

  it.each(WITH_ENDPOINT)('names the port of an RTMPS endpoint and ends %s’s URL without a slash', (platform) => {
    const url = defaultRtmpUrl(platform)!;
    if (url.startsWith('rtmps://')) expect(url).toMatch(/^rtmps:\/\/[^/]+:443\//);
    expect(url.endsWith('/')).toBe(false);
  });

  it('asks for H.264 Main on Twitch, whose mobile players need Main or Baseline', () => {
    expect(h264Profile('twitch')).toBe('main');
    expect(PLATFORMS.filter((p) => h264Profile(p) === 'main')).toEqual(['twitch']);
  });

  it('has no default endpoint for custom destinations', () => {
    expect(defaultRtmpUrl('custom')).toBeUndefined();
  });

  it.each(WITH_ENDPOINT)('gives %s a default endpoint that the API itself accepts', (platform) => {
    const rtmpUrl = defaultRtmpUrl(platform);

    expect(parseCreateDestination({ platform, name: 'n', streamKey: 'k', rtmpUrl }).rtmpUrl).toBe(rtmpUrl);
  });

  it('requires RTMPS for Facebook and Kick only', () => {
    expect(PLATFORMS.filter((p) => requiresRtmps(p))).toEqual(['facebook', 'kick']);
  });

  it.each(PLATFORMS)('gives %s a default profile MediaLive renders', (platform) => {
    expect(PROFILES).toContain(defaultProfile(platform));
  });

  it.each(WITH_ENDPOINT)("keeps %s's default profile within the platform's published video bitrate", (platform) => {
    const profile = defaultProfile(platform);

    expect(videoKbps(profile)).toBeLessThanOrEqual(MAX_VIDEO_KBPS[platform][profile]);
  });

  it('has a label for every platform', () => {
    for (const platform of PLATFORMS) expect(PLATFORM_PRESETS[platform].label.length).toBeGreaterThan(0);
  });
});
