/**
 * What MediaLive renders for each destination profile. YouTube, Twitch and Facebook all require a
 * keyframe every 2 seconds and YouTube refuses a stream without audio, so every profile has a
 * fixed 2-second closed GOP and an AAC track.
 */
import type { H264Level, InputResolution } from '@aws-sdk/client-medialive';
import { PROFILE_VIDEO, type Profile } from '../../core/destination';
import type { IvsChannelType } from '../../core/ports';

export interface EncodingProfile {
  width: number;
  height: number;
  framerateNumerator: number;
  framerateDenominator: number;
  /** Video bit rate in kbit/s (constant bit rate). */
  videoBitrateKbps: number;
  /** The lowest H.264 level whose macroblock rate covers width × height × frame rate. */
  h264Level: H264Level;
  /** Keyframe (IDR) interval in seconds. */
  gopSeconds: number;
  /** AAC bit rate in kbit/s. */
  audioBitrateKbps: number;
  audioSampleRateHz: number;
  audioChannels: 2;
}

const AUDIO = { audioBitrateKbps: 160, audioSampleRateHz: 48_000, audioChannels: 2 } as const;
const FRAMERATE_30 = { framerateNumerator: 30, framerateDenominator: 1 } as const;
export const KEYFRAME_INTERVAL_SECONDS = 2;

export const ENCODING_PROFILES = {
  '1080p30-6000': {
    width: 1920,
    height: PROFILE_VIDEO['1080p30-6000'].height,
    ...FRAMERATE_30,
    videoBitrateKbps: PROFILE_VIDEO['1080p30-6000'].videoBitrateKbps,
    h264Level: 'H264_LEVEL_4_1',
    gopSeconds: KEYFRAME_INTERVAL_SECONDS,
    ...AUDIO,
  },
  '720p30-4500': {
    width: 1280,
    height: PROFILE_VIDEO['720p30-4500'].height,
    ...FRAMERATE_30,
    videoBitrateKbps: PROFILE_VIDEO['720p30-4500'].videoBitrateKbps,
    h264Level: 'H264_LEVEL_3_1',
    gopSeconds: KEYFRAME_INTERVAL_SECONDS,
    ...AUDIO,
  },
  '480p30-2000': {
    width: 854,
    height: PROFILE_VIDEO['480p30-2000'].height,
    ...FRAMERATE_30,
    videoBitrateKbps: PROFILE_VIDEO['480p30-2000'].videoBitrateKbps,
    h264Level: 'H264_LEVEL_3_1',
    gopSeconds: KEYFRAME_INTERVAL_SECONDS,
    ...AUDIO,
  },
} as const satisfies Record<Profile, EncodingProfile>;

export function encodingProfile(profile: Profile): EncodingProfile {
  return ENCODING_PROFILES[profile];
}

/** What an IVS channel of one type can deliver to MediaLive's pull. */
export interface SourceLimits {
  /** Highest number of lines of the source video. */
  maxHeight: number;
  /** Highest video bit rate of the source, kbit/s. */
  maxVideoKbps: number;
  /**
   * MediaLive's coarse input resolution class, which the channel's InputSpecification names:
   * "SD is less than 720 lines, HD is 720 to 1080 lines" (InputResolution, MediaLive API model).
   */
  inputResolution: InputResolution;
}

/**
 * IVS channel types and what they carry, from the IVS API reference (CreateChannel `type`,
 * https://docs.aws.amazon.com/ivs/latest/LowLatencyAPIReference/API_CreateChannel.html and
 * https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/channel-types.html): BASIC delivers
 * the original input, "up to 480p and … up to 1.5 Mbps"; STANDARD "up to 1080p and … up to
 * 8.5 Mbps". The ADVANCED types take the same input as STANDARD; they are treated as STANDARD
 * (an HD input specification covers whatever rendition they deliver).
 */
export const SOURCE_LIMITS = {
  BASIC: { maxHeight: 480, maxVideoKbps: 1500, inputResolution: 'SD' },
  STANDARD: { maxHeight: 1080, maxVideoKbps: 8500, inputResolution: 'HD' },
  ADVANCED_SD: { maxHeight: 1080, maxVideoKbps: 8500, inputResolution: 'HD' },
  ADVANCED_HD: { maxHeight: 1080, maxVideoKbps: 8500, inputResolution: 'HD' },
} as const satisfies Record<IvsChannelType, SourceLimits>;

/**
 * The encode MediaLive renders for `profile` from a source of `sourceType`: the profile, except
 * that it never renders more lines or more video bits than the source carries — an upscaled
 * 1080p from a 480p BASIC channel costs a 1080p output and shows nothing more. The size falls to
 * the largest profile within the source's height; the bit rate to the source's.
 */
export function effectiveEncoding(profile: Profile, sourceType: IvsChannelType): EncodingProfile {
  const limits: SourceLimits = SOURCE_LIMITS[sourceType];
  const wanted = encodingProfile(profile);
  const fitting = (Object.values(ENCODING_PROFILES) as EncodingProfile[])
    .filter((p) => p.height <= Math.min(wanted.height, limits.maxHeight))
    .sort((a, b) => b.height - a.height)[0];
  const sized = fitting ?? wanted;
  return { ...sized, videoBitrateKbps: Math.min(sized.videoBitrateKbps, wanted.videoBitrateKbps, limits.maxVideoKbps) };
}
