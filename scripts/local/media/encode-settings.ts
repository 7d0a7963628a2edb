/**
 * The ffmpeg arguments of a local relay, derived from the same encoding profile the MediaLive
 * request uses (lambdas/adapters/medialive/requests.ts), so a transcoding relay on this machine
 * sends what a MediaLive channel would: H.264 (High, Main for Twitch) at the profile's level, resolution and frame
 * rate, CBR with a buffer of twice the bit rate filled to 90 % at the start, a closed GOP of
 * exactly 2 s without scene-change keyframes, 2 B-frames, square pixels, and AAC-LC stereo.
 */
import type { Platform, Profile } from '../../../lambdas/core/destination';
import { h264Profile } from '../../../lambdas/core/platforms';
import type { IvsChannelType } from '../../../lambdas/core/ports';
import { effectiveEncoding } from '../../../lambdas/adapters/medialive/encoding-profiles';
import { destinationUrl } from '../../../lambdas/adapters/medialive/requests';

/** What decides the encode, as in the MediaLive request: the profile, the platform's H.264 profile, the source's limits. */
export interface EncodeTarget {
  profile: Profile;
  platform: Platform;
  sourceType: IvsChannelType;
}

/** How a relay carries a destination: copy the source as it is, or encode it with a profile. */
export const RELAY_MODES = ['passthrough', 'transcode'] as const;
export type RelayMode = (typeof RELAY_MODES)[number];

/**
 * x264 speed preset of transcoding relays. `veryfast` is what live encoders commonly use on a
 * desktop CPU; `ultrafast` would drop CABAC and B-frames, i.e. no longer be the High profile
 * MediaLive sends.
 */
export const DEFAULT_X264_PRESET = 'veryfast';

/** `H264_LEVEL_4_1` → `4.1`. */
export function h264LevelArg(level: string): string {
  const match = /^H264_LEVEL_(\d)(?:_(\d))?$/.exec(level);
  if (!match) throw new Error(`Not a fixed H.264 level: ${level}`);
  const [, major, minor] = match;
  return minor === undefined ? String(major) : `${major}.${minor}`;
}

/** Output (codec) arguments for `-c copy`: the packets go out as they came in. */
export function passthroughCodecArgs(): string[] {
  return ['-c', 'copy'];
}

/** Output (codec) arguments that encode like the MediaLive channel built for `profile`. */
export function transcodeCodecArgs(target: EncodeTarget, preset: string = DEFAULT_X264_PRESET): string[] {
  const p = effectiveEncoding(target.profile, target.sourceType);
  const fps = `${p.framerateNumerator}/${p.framerateDenominator}`;
  const gopFrames = Math.round((p.gopSeconds * p.framerateNumerator) / p.framerateDenominator);
  const kbps = p.videoBitrateKbps;
  return [
    // MediaLive's ScalingBehavior DEFAULT keeps the aspect ratio (letter- or pillar-boxed).
    '-vf',
    `scale=${p.width}:${p.height}:force_original_aspect_ratio=decrease,pad=${p.width}:${p.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps}`,
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-profile:v',
    h264Profile(target.platform),
    '-level:v',
    h264LevelArg(p.h264Level),
    '-pix_fmt',
    'yuv420p',
    '-b:v',
    `${kbps}k`,
    '-minrate',
    `${kbps}k`,
    '-maxrate',
    `${kbps}k`,
    '-bufsize',
    `${2 * kbps}k`,
    '-g',
    String(gopFrames),
    '-keyint_min',
    String(gopFrames),
    '-bf',
    '2',
    '-x264-params',
    'nal-hrd=cbr:force-cfr=1:scenecut=0:open-gop=0:b-pyramid=none:vbv-init=0.9',
    '-c:a',
    'aac',
    '-profile:a',
    'aac_low',
    '-b:a',
    `${p.audioBitrateKbps}k`,
    '-ar',
    String(p.audioSampleRateHz),
    '-ac',
    String(p.audioChannels),
  ];
}

export function codecArgs(mode: RelayMode, target: EncodeTarget, preset?: string): string[] {
  return mode === 'passthrough' ? passthroughCodecArgs() : transcodeCodecArgs(target, preset);
}

/** The URL ffmpeg publishes to: MediaLive's `Url` (no trailing slash, RTMPS on 443) + `/` + `StreamName`. */
export function publishUrl(rtmpUrl: string, streamKey: string): string {
  return `${destinationUrl(rtmpUrl)}/${streamKey}`;
}
