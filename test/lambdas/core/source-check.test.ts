import { describe, expect, it } from '@jest/globals';
import { PLATFORMS } from '../../../lambdas/core/destination';
import { destinationWarnings, maxVideoKbps, sourceWarnings } from '../../../lambdas/core/source-check';
import { ingestLimits } from '../../../lambdas/core/platforms';
import type { SourceIngest } from '../../../lambdas/core/ports';
import { DEFAULT_SIMULATED_INGEST } from '../../../lambdas/testing/simulator';

/** What OBS sends by default for 720p30: inside every platform's limits. */
const FITS: SourceIngest = {
  streamId: 'st-1',
  video: { codec: 'h264', profile: 'main', width: 1280, height: 720, bitrateBps: 4_000_000, framerate: 30, keyframeIntervalSeconds: 2 },
  audio: { codec: 'aac', bitrateBps: 160_000, sampleRate: 48_000, channels: 2 },
};

function withVideo(video: Partial<NonNullable<SourceIngest['video']>>): SourceIngest {
  return { ...FITS, video: { ...FITS.video, ...video } };
}

const codes = (platform: (typeof PLATFORMS)[number], ingest: SourceIngest | undefined) =>
  sourceWarnings(platform, ingest).map((w) => w.code);

describe('sourceWarnings', () => {
  it('has nothing to say about a source inside every platform’s limits, or about the simulator’s default source', () => {
    for (const platform of PLATFORMS) {
      expect(sourceWarnings(platform, FITS)).toEqual([]);
      expect(sourceWarnings(platform, { streamId: 's', ...DEFAULT_SIMULATED_INGEST })).toEqual([]);
    }
  });

  it('says nothing when nothing is known of the source, or when IVS reported no members', () => {
    for (const platform of PLATFORMS) {
      expect(sourceWarnings(platform, undefined)).toEqual([]);
      expect(sourceWarnings(platform, { streamId: 's' })).toEqual([]);
      expect(sourceWarnings(platform, { streamId: 's', video: {}, audio: {} })).toEqual([]);
    }
  });

  it('never warns for a custom endpoint, whose limits are unknown', () => {
    const extreme = withVideo({
      codec: 'av1',
      width: 7680,
      height: 4320,
      bitrateBps: 90_000_000,
      framerate: 120,
      keyframeIntervalSeconds: 10,
    });
    expect(sourceWarnings('custom', extreme)).toEqual([]);
  });

  it('names the bit-rate limit and offers transcode when the source sends more than Twitch takes', () => {
    const warnings = sourceWarnings('twitch', withVideo({ width: 1920, height: 1080, bitrateBps: 8_000_000 }));
    expect(warnings).toEqual([
      {
        code: 'SOURCE_VIDEO_BITRATE',
        message:
          'Twitch takes at most 6000 kbit/s of video at this resolution; the IVS source sends 8000 kbit/s. Pass-through sends the stream as it is: use transcode for this destination.',
        field: 'mode',
      },
    ]);
  });

  it('holds the bit rate to the row of the source’s resolution and frame rate', () => {
    // Facebook: 720p30 up to 4000, 720p60 up to 6000, 1080p60 up to 9000 kbit/s.
    expect(codes('facebook', withVideo({ bitrateBps: 4_500_000 }))).toEqual(['SOURCE_VIDEO_BITRATE']);
    expect(codes('facebook', withVideo({ bitrateBps: 4_500_000, framerate: 60 }))).toEqual([]);
    expect(codes('facebook', withVideo({ width: 1920, height: 1080, framerate: 60, bitrateBps: 9_000_000 }))).toEqual([]);
    expect(codes('facebook', withVideo({ width: 1920, height: 1080, framerate: 60, bitrateBps: 9_001_000 }))).toEqual([
      'SOURCE_VIDEO_BITRATE',
    ]);
    const youtube = ingestLimits('youtube')!;
    expect(maxVideoKbps(youtube, 2160, 60)).toBe(40000);
    expect(maxVideoKbps(youtube, 1080, 60)).toBe(12000);
    expect(maxVideoKbps(youtube, 480, 30)).toBe(8000);
  });

  it('warns on a resolution above the platform’s largest', () => {
    expect(codes('kick', withVideo({ width: 2560, height: 1440, bitrateBps: 8_000_000 }))).toEqual(['SOURCE_RESOLUTION']);
    expect(sourceWarnings('facebook', withVideo({ width: 2560, height: 1440, bitrateBps: 6_000_000, framerate: 30 }))[0]?.message).toMatch(
      /^Facebook takes at most 1920x1080; the IVS source is 2560x1440\./,
    );
    expect(codes('youtube', withVideo({ width: 2560, height: 1440, bitrateBps: 8_000_000 }))).toEqual([]);
  });

  it('warns on a frame rate above 60 fps', () => {
    expect(codes('youtube', withVideo({ framerate: 120 }))).toEqual(['SOURCE_FRAMERATE']);
  });

  it('warns on a video codec the platform does not take, and on an audio codec', () => {
    expect(codes('twitch', withVideo({ codec: 'h265', profile: 'main' }))).toEqual(['SOURCE_VIDEO_CODEC']);
    expect(codes('youtube', withVideo({ codec: 'h265', profile: 'main' }))).toEqual([]);
    expect(sourceWarnings('kick', { ...FITS, audio: { codec: 'opus' } })).toEqual([
      expect.objectContaining({
        code: 'SOURCE_AUDIO_CODEC',
        message: expect.stringMatching(/^Kick takes AAC audio; the IVS source is Opus\./),
      }),
    ]);
    expect(codes('youtube', { ...FITS, audio: { codec: 'mp3' } })).toEqual([]);
  });

  it('warns Twitch about H.264 High, which its mobile players may not decode, and nobody else', () => {
    expect(codes('twitch', withVideo({ profile: 'high' }))).toEqual(['SOURCE_H264_PROFILE']);
    expect(codes('twitch', withVideo({ profile: 'constrained baseline' }))).toEqual([]);
    for (const platform of ['youtube', 'facebook', 'kick'] as const) expect(codes(platform, withVideo({ profile: 'high' }))).toEqual([]);
  });

  it('warns on keyframes further apart than the platform allows (2 s on IVS-based ingest, 4 s on YouTube and Facebook)', () => {
    expect(codes('twitch', withVideo({ keyframeIntervalSeconds: 2.5 }))).toEqual(['SOURCE_KEYFRAME_INTERVAL']);
    expect(codes('kick', withVideo({ keyframeIntervalSeconds: 4 }))).toEqual(['SOURCE_KEYFRAME_INTERVAL']);
    expect(codes('youtube', withVideo({ keyframeIntervalSeconds: 4 }))).toEqual([]);
    expect(codes('facebook', withVideo({ keyframeIntervalSeconds: 5 }))).toEqual(['SOURCE_KEYFRAME_INTERVAL']);
  });

  it('lists every limit a source crosses, in a fixed order', () => {
    const bad: SourceIngest = {
      streamId: 's',
      video: {
        codec: 'h264',
        profile: 'high',
        width: 3840,
        height: 2160,
        bitrateBps: 20_000_000,
        framerate: 120,
        keyframeIntervalSeconds: 6,
      },
      audio: { codec: 'opus' },
    };
    expect(codes('twitch', bad)).toEqual([
      'SOURCE_H264_PROFILE',
      'SOURCE_RESOLUTION',
      'SOURCE_FRAMERATE',
      'SOURCE_VIDEO_BITRATE',
      'SOURCE_KEYFRAME_INTERVAL',
      'SOURCE_AUDIO_CODEC',
    ]);
  });
});

describe('destinationWarnings', () => {
  it('reads the ingest of the channel’s last stream session from its stream state', () => {
    const state = { id: 'arn', state: 'OFFLINE' as const, timestamp: 't', ingest: withVideo({ bitrateBps: 7_000_000 }) };
    expect(destinationWarnings({ platform: 'twitch' }, state).map((w) => w.code)).toEqual(['SOURCE_VIDEO_BITRATE']);
    expect(destinationWarnings({ platform: 'twitch' }, undefined)).toEqual([]);
    expect(destinationWarnings({ platform: 'twitch' }, { id: 'arn', state: 'LIVE', timestamp: 't' })).toEqual([]);
  });
});

describe('sourceWarnings: the messages say which limit and what the source sends', () => {
  const FIX = ' Pass-through sends the stream as it is: use transcode for this destination.';
  const messages = (platform: (typeof PLATFORMS)[number], ingest: SourceIngest) => sourceWarnings(platform, ingest).map((w) => w.message);

  it('names the video codecs the platform takes and the one the source sends, by their names', () => {
    expect(messages('twitch', withVideo({ codec: 'h265', profile: 'high' }))).toEqual([
      `Twitch takes H.264 video; the IVS source is H.265 (HEVC).${FIX}`,
    ]);
    expect(messages('youtube', withVideo({ codec: 'vp8' }))).toEqual([
      `YouTube takes H.264 or H.265 (HEVC) or AV1 video; the IVS source is vp8.${FIX}`,
    ]);
  });

  it('names the H.264 profiles the platform asks for, leaving out the variant of baseline', () => {
    expect(messages('twitch', withVideo({ profile: 'high' }))).toEqual([
      `Twitch asks for H.264 baseline or main; the IVS source is H.264 high, which some of its players cannot decode.${FIX}`,
    ]);
  });

  it('warns on a width or a height alone above the limit, showing what is not known as ?', () => {
    expect(codes('twitch', withVideo({ width: 2560, height: 1080, bitrateBps: 4_000_000 }))).toEqual(['SOURCE_RESOLUTION']);
    expect(codes('twitch', withVideo({ width: 1080, height: 1920, bitrateBps: 4_000_000 }))).toEqual(['SOURCE_RESOLUTION']);
    expect(messages('twitch', { streamId: 's', video: { height: 1440 } })).toEqual([
      `Twitch takes at most 1920x1080; the IVS source is ?x1440.${FIX}`,
    ]);
    expect(messages('twitch', { streamId: 's', video: { width: 2560 } })).toEqual([
      `Twitch takes at most 1920x1080; the IVS source is 2560x?.${FIX}`,
    ]);
  });

  it('says the frame rate limit and the source’s', () => {
    expect(messages('youtube', withVideo({ framerate: 120 }))).toEqual([
      `YouTube takes at most 60 fps; the IVS source sends 120 fps.${FIX}`,
    ]);
  });

  it('holds Kick to the IVS ingest limit of 8500 kbit/s', () => {
    expect(codes('kick', withVideo({ width: 1920, height: 1080, bitrateBps: 8_500_000 }))).toEqual([]);
    expect(codes('kick', withVideo({ width: 1920, height: 1080, bitrateBps: 9_000_000 }))).toEqual(['SOURCE_VIDEO_BITRATE']);
  });

  it('does not hold an H.264 profile IVS did not report against the source', () => {
    expect(codes('twitch', withVideo({ profile: undefined }))).toEqual([]);
  });

  it('names where each platform’s limits come from', () => {
    for (const platform of PLATFORMS) {
      const limits = ingestLimits(platform);
      if (limits) expect(limits.source).toMatch(/^https:\/\/\S+$/);
    }
  });

  it('compares whole kbit/s, as the message shows them', () => {
    expect(codes('twitch', withVideo({ width: 1920, height: 1080, bitrateBps: 6_000_400 }))).toEqual([]);
    expect(codes('twitch', withVideo({ width: 1920, height: 1080, bitrateBps: 6_000_600 }))).toEqual(['SOURCE_VIDEO_BITRATE']);
  });

  it('holds a source of unknown size and frame rate to the smallest row', () => {
    expect(messages('facebook', { streamId: 's', video: { bitrateBps: 1_500_000 } })).toEqual([
      `Facebook takes at most 1000 kbit/s of video at this resolution; the IVS source sends 1500 kbit/s.${FIX}`,
    ]);
  });

  it('says the keyframe interval to a tenth of a second', () => {
    expect(messages('twitch', withVideo({ keyframeIntervalSeconds: 2.46 }))).toEqual([
      `Twitch wants a keyframe at least every 2 s; the IVS source has one every 2.5 s.${FIX}`,
    ]);
  });

  it('names the audio codecs the platform takes', () => {
    expect(messages('youtube', { ...FITS, audio: { codec: 'opus' } })).toEqual([
      `YouTube takes AAC or MP3 audio; the IVS source is Opus.${FIX}`,
    ]);
  });
});

describe('maxVideoKbps', () => {
  it('uses the first row the height and frame rate fit, and the last row above them all', () => {
    const facebook = ingestLimits('facebook')!;
    expect(maxVideoKbps(facebook, 720, 30)).toBe(4000);
    expect(maxVideoKbps(facebook, 720, 31)).toBe(6000);
    expect(maxVideoKbps(facebook, 721, 30)).toBe(6000);
    expect(maxVideoKbps(facebook, undefined, undefined)).toBe(1000);
    expect(maxVideoKbps(facebook, 2160, 120)).toBe(9000);
  });

  it('has no limit for a platform that publishes no bit-rate rows', () => {
    expect(maxVideoKbps({ ...ingestLimits('kick')!, maxVideoKbps: [] }, 1080, 30)).toBe(Number.POSITIVE_INFINITY);
  });
});
