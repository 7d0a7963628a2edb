import { describe, expect, it } from '@jest/globals';
import { PLATFORMS, PROFILES } from '../../../../lambdas/core/destination';
import { buildCreateChannelRequest } from '../../../../lambdas/adapters/medialive/requests';
import { channelSpec } from '../../../support/channel-spec';
import { h264LevelArg, publishUrl, transcodeCodecArgs } from '../../../../scripts/local/media/encode-settings';
import { redact } from '../../../../scripts/local/media/ffmpeg-process';
import { relayArgs } from '../../../../scripts/local/media/relay';

function arg(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

describe('transcode settings of the local relay', () => {
  const cases = PROFILES.flatMap((profile) =>
    PLATFORMS.flatMap((platform) => (['STANDARD', 'BASIC'] as const).map((sourceType) => ({ profile, platform, sourceType }))),
  );
  it.each(cases)('$profile for $platform from a $sourceType channel encodes with the numbers of the MediaLive request', (target) => {
    const request = buildCreateChannelRequest(channelSpec(target), 'input');
    const video = request.EncoderSettings!.VideoDescriptions![0]!;
    const h264 = video.CodecSettings!.H264Settings!;
    const aac = request.EncoderSettings!.AudioDescriptions![0]!.CodecSettings!.AacSettings!;
    const args = transcodeCodecArgs(target);

    expect(arg(args, '-c:v')).toBe('libx264');
    expect(arg(args, '-profile:v')).toBe(h264.Profile!.toLowerCase());
    expect(arg(args, '-level:v')).toBe(h264LevelArg(h264.Level!));
    expect(arg(args, '-vf')).toContain(`scale=${video.Width}:${video.Height}:`);
    expect(arg(args, '-vf')).toContain(`fps=${h264.FramerateNumerator}/${h264.FramerateDenominator}`);
    // CBR: target, minimum and maximum the same; the buffer as MediaLive's BufSize.
    for (const flag of ['-b:v', '-minrate', '-maxrate']) expect(arg(args, flag)).toBe(`${h264.Bitrate! / 1000}k`);
    expect(arg(args, '-bufsize')).toBe(`${h264.BufSize! / 1000}k`);
    expect(arg(args, '-x264-params')).toContain('nal-hrd=cbr');
    expect(arg(args, '-x264-params')).toContain(`vbv-init=${h264.BufFillPct! / 100}`);
    // GOP in frames = seconds × frame rate, fixed, closed, no scene-change keyframes.
    const gopFrames = (h264.GopSize! * h264.FramerateNumerator!) / h264.FramerateDenominator!;
    expect(h264.GopSizeUnits).toBe('SECONDS');
    expect(arg(args, '-g')).toBe(String(gopFrames));
    expect(arg(args, '-keyint_min')).toBe(String(gopFrames));
    expect(arg(args, '-x264-params')).toMatch(/scenecut=0.*open-gop=0/);
    expect(arg(args, '-bf')).toBe(String(h264.GopNumBFrames));
    expect(arg(args, '-c:a')).toBe('aac');
    expect(arg(args, '-b:a')).toBe(`${aac.Bitrate! / 1000}k`);
    expect(arg(args, '-ar')).toBe(String(aac.SampleRate));
    expect(arg(args, '-ac')).toBe('2');
    expect(aac.CodingMode).toBe('CODING_MODE_2_0');
  });

  it('names H.264 levels as x264 does', () => {
    expect(h264LevelArg('H264_LEVEL_4_1')).toBe('4.1');
    expect(h264LevelArg('H264_LEVEL_3')).toBe('3');
    expect(() => h264LevelArg('H264_LEVEL_AUTO')).toThrow(/H264_LEVEL_AUTO/);
  });
});

describe('relay arguments', () => {
  it('copy mode copies every stream and publishes to URL + key as MediaLive does', () => {
    const args = relayArgs({
      mode: 'passthrough',
      profile: '720p30-4500',
      platform: 'youtube',
      sourceUrl: 'http://127.0.0.1:8787/_local/hls/local/index.m3u8',
      rtmpUrl: 'rtmp://a.rtmp.youtube.com/live2/',
      streamKey: 'abcd-efgh',
    });
    expect(arg(args, '-c')).toBe('copy');
    expect(args).not.toContain('libx264');
    expect(arg(args, '-i')).toBe('http://127.0.0.1:8787/_local/hls/local/index.m3u8');
    expect(args[args.length - 1]).toBe('rtmp://a.rtmp.youtube.com/live2/abcd-efgh');
    expect(publishUrl('rtmps://x/app/', 'k')).toBe('rtmps://x:443/app/k');
  });

  it('removes stream keys, also URL-encoded, from what ffmpeg prints', () => {
    const key = 'live_a/b+c';
    const line = `[rtmp @ 0x1] Server error: rtmp://x/app/${key} and ${encodeURIComponent(key)}`;
    const out = redact(line, [key, '']);
    expect(out).not.toContain(key);
    expect(out).not.toContain(encodeURIComponent(key));
    expect(out).toBe('[rtmp @ 0x1] Server error: rtmp://x/app/<stream key> and <stream key>');
  });
});
