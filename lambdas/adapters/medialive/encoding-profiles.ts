/**
 * What MediaLive renders for each destination profile. YouTube, Twitch and Facebook all require a
 * keyframe every 2 seconds and YouTube refuses a stream without audio, so every profile has a
 * fixed 2-second closed GOP and an AAC track.
 */
import type { H264Level } from '@aws-sdk/client-medialive';
import type { Profile } from '../../core/destination';

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
    height: 1080,
    ...FRAMERATE_30,
    videoBitrateKbps: 6000,
    h264Level: 'H264_LEVEL_4_1',
    gopSeconds: KEYFRAME_INTERVAL_SECONDS,
    ...AUDIO,
  },
  '720p30-4500': {
    width: 1280,
    height: 720,
    ...FRAMERATE_30,
    videoBitrateKbps: 4500,
    h264Level: 'H264_LEVEL_3_1',
    gopSeconds: KEYFRAME_INTERVAL_SECONDS,
    ...AUDIO,
  },
  '480p30-2000': {
    width: 854,
    height: 480,
    ...FRAMERATE_30,
    videoBitrateKbps: 2000,
    h264Level: 'H264_LEVEL_3_1',
    gopSeconds: KEYFRAME_INTERVAL_SECONDS,
    ...AUDIO,
  },
} as const satisfies Record<Profile, EncodingProfile>;

export function encodingProfile(profile: Profile): EncodingProfile {
  return ENCODING_PROFILES[profile];
}
