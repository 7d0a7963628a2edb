/**
 * Will pass-through do? A pass-through relay copies the IVS source as it is, so when the source
 * is outside what a destination's platform takes (codec, H.264 profile, resolution, frame rate,
 * video bit rate, keyframe interval, audio codec), the destination should transcode instead.
 * Pure: compares the ingest IVS reported for the last stream session with the platform's
 * published limits (platforms.ts), and says which limit is crossed.
 */
import type { Destination, Platform } from './destination';
import { ingestLimits, PLATFORM_PRESETS, type IngestLimits } from './platforms';
import type { ChannelStreamState, SourceIngest } from './ports';

export const SOURCE_WARNING_CODES = [
  'SOURCE_VIDEO_CODEC',
  'SOURCE_H264_PROFILE',
  'SOURCE_RESOLUTION',
  'SOURCE_FRAMERATE',
  'SOURCE_VIDEO_BITRATE',
  'SOURCE_KEYFRAME_INTERVAL',
  'SOURCE_AUDIO_CODEC',
] as const;
export type SourceWarningCode = (typeof SOURCE_WARNING_CODES)[number];

/** A reason pass-through will not do for a destination; `field` is what fixes it. */
export interface DestinationWarning {
  code: SourceWarningCode;
  message: string;
  field?: string;
}

const CODEC_NAMES: Record<string, string> = { h264: 'H.264', h265: 'H.265 (HEVC)', av1: 'AV1', aac: 'AAC', mp3: 'MP3', opus: 'Opus' };
const name = (codec: string): string => CODEC_NAMES[codec] ?? codec;
const list = (items: readonly string[]): string => items.map(name).join(' or ');

/** The highest video bit rate (kbit/s) the platform takes at this height and frame rate. */
export function maxVideoKbps(limits: IngestLimits, height: number | undefined, framerate: number | undefined): number {
  const rows = limits.maxVideoKbps;
  const fits = rows.find((r) => (height ?? 0) <= r.upToHeight && (framerate ?? 0) <= r.upToFramerate);
  return (fits ?? rows[rows.length - 1])?.kbps ?? Number.POSITIVE_INFINITY;
}

/**
 * Why the IVS source does not fit the platform, one warning per limit crossed; empty when it
 * fits, when the platform publishes no limits (`custom`) or when nothing is known of the source.
 * A member IVS did not report is not held against the source.
 */
export function sourceWarnings(platform: Platform, ingest: SourceIngest | undefined): DestinationWarning[] {
  const limits = ingestLimits(platform);
  if (!limits || !ingest) return [];
  const label = PLATFORM_PRESETS[platform].label;
  const fix = 'Pass-through sends the stream as it is: use transcode for this destination.';
  const warnings: DestinationWarning[] = [];
  const warn = (code: SourceWarningCode, what: string): void => {
    warnings.push({ code, message: `${what} ${fix}`, field: 'mode' });
  };
  const { video, audio } = ingest;
  if (video?.codec !== undefined && !limits.videoCodecs.includes(video.codec)) {
    warn('SOURCE_VIDEO_CODEC', `${label} takes ${list(limits.videoCodecs)} video; the IVS source is ${name(video.codec)}.`);
  }
  if (video?.codec === 'h264' && video.profile !== undefined && limits.h264Profiles && !limits.h264Profiles.includes(video.profile)) {
    warn(
      'SOURCE_H264_PROFILE',
      `${label} asks for H.264 ${limits.h264Profiles.filter((p) => p !== 'constrained baseline').join(' or ')}; the IVS source is H.264 ${video.profile}, which some of its players cannot decode.`,
    );
  }
  const { width, height } = video ?? {};
  if ((width !== undefined && width > limits.maxWidth) || (height !== undefined && height > limits.maxHeight)) {
    warn(
      'SOURCE_RESOLUTION',
      `${label} takes at most ${limits.maxWidth}x${limits.maxHeight}; the IVS source is ${width ?? '?'}x${height ?? '?'}.`,
    );
  }
  if (video?.framerate !== undefined && video.framerate > limits.maxFramerate) {
    warn('SOURCE_FRAMERATE', `${label} takes at most ${limits.maxFramerate} fps; the IVS source sends ${video.framerate} fps.`);
  }
  if (video?.bitrateBps !== undefined) {
    const max = maxVideoKbps(limits, video.height, video.framerate);
    const kbps = Math.round(video.bitrateBps / 1000);
    if (kbps > max) {
      warn(
        'SOURCE_VIDEO_BITRATE',
        `${label} takes at most ${max} kbit/s of video at this resolution; the IVS source sends ${kbps} kbit/s.`,
      );
    }
  }
  if (video?.keyframeIntervalSeconds !== undefined && video.keyframeIntervalSeconds > limits.maxKeyframeIntervalSeconds) {
    warn(
      'SOURCE_KEYFRAME_INTERVAL',
      `${label} wants a keyframe at least every ${limits.maxKeyframeIntervalSeconds} s; the IVS source has one every ${Math.round(video.keyframeIntervalSeconds * 10) / 10} s.`,
    );
  }
  if (audio?.codec !== undefined && !limits.audioCodecs.includes(audio.codec)) {
    warn('SOURCE_AUDIO_CODEC', `${label} takes ${list(limits.audioCodecs)} audio; the IVS source is ${name(audio.codec)}.`);
  }
  return warnings;
}

/**
 * The warnings a destination answer carries: its platform against the last stream session of
 * its IVS channel (from the stream-state table; no IVS call).
 */
export function destinationWarnings(d: Pick<Destination, 'platform'>, state: ChannelStreamState | undefined): DestinationWarning[] {
  return sourceWarnings(d.platform, state?.ingest);
}
