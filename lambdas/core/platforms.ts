/**
 * What each platform needs by default: its ingest endpoint, whether it only accepts RTMPS, and
 * the encoding profile we send unless the destination names another. Pure data.
 *
 * Every default profile stays inside the platform's published limits for its resolution and
 * frame rate (video bitrate, kbit/s). Sources are next to each entry; re-check them when a
 * platform changes its ingest.
 */
import type { Platform, Profile } from './destination';

export interface PlatformPreset {
  /** Name shown to people. */
  readonly label: string;
  /** Ingest endpoint without the stream key; null when the user must give one (`custom`). */
  readonly defaultRtmpUrl: string | null;
  /** True when the platform refuses plain `rtmp://`, so we refuse it too. */
  readonly requiresRtmps: boolean;
  readonly defaultProfile: Profile;
}

export const PLATFORM_PRESETS = {
  youtube: {
    label: 'YouTube',
    // YouTube Live, "Delivering Live YouTube Content via RTMPS"
    // (developers.google.com/youtube/v3/live/guides/rtmps-ingestion): protocol rtmps, port 443.
    // Host and path as in OBS Studio's service list ("YouTube - RTMPS", primary ingest server).
    // YouTube still accepts legacy rtmp://a.rtmp.youtube.com/live2, so RTMPS is preferred, not required.
    defaultRtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2',
    requiresRtmps: false,
    // YouTube's 1080p30 recommendation is well above 6000 kbit/s video; OBS caps YouTube at 51000.
    defaultProfile: '1080p30-6000',
  },
  twitch: {
    label: 'Twitch',
    // Twitch ingest list (ingest.twitch.tv/ingests, documented at dev.twitch.tv/docs/video-broadcast):
    // `url_template_secure` of its "Default" entry, the global RTMPS endpoint that routes to the
    // nearest ingest. Twitch also accepts rtmp://, so RTMPS is preferred, not required.
    defaultRtmpUrl: 'rtmps://ingest.global-contribute.live-video.net/app',
    requiresRtmps: false,
    // Twitch caps ingest at 6000 kbit/s video for channels without guaranteed transcoding
    // (OBS service list: "max video bitrate": 6000), and transcoding is not guaranteed for
    // non-partners, so viewers may get only what we send. 720p30 at 4500 leaves room for audio
    // and network overhead under the cap.
    defaultProfile: '720p30-4500',
  },
  facebook: {
    label: 'Facebook',
    // Facebook Live Video API overview (developers.facebook.com/docs/live-video-api/overview):
    // "Data streamed to an ingest stream URL must be encrypted using the RTMPS data transfer
    // protocol" (required since 1 May 2019). This is the RTMPS server Facebook gives to streaming
    // software; the key Facebook shows goes in streamKey.
    defaultRtmpUrl: 'rtmps://live-api-s.facebook.com:443/rtmp/',
    requiresRtmps: true,
    // Live Video API reference, recommended settings: 1080p @ 30 FPS, 3000-6000 kbit/s video.
    // (720p30 is 1500-4000 there, so 720p30-4500 would be outside it.)
    defaultProfile: '1080p30-6000',
  },
  kick: {
    label: 'Kick',
    // Kick ingest runs on Amazon IVS (global-contribute.live-video.net) and is RTMPS only. This
    // is the Stream URL Kick's creator dashboard (Settings → Stream) shows; an account whose
    // dashboard shows another host should send that one as rtmpUrl.
    defaultRtmpUrl: 'rtmps://fa723fc1b171.global-contribute.live-video.net/app',
    requiresRtmps: true,
    // Amazon IVS standard channels accept up to 1080p and 8.5 Mbit/s ingest (IVS service quotas).
    defaultProfile: '1080p30-6000',
  },
  custom: {
    label: 'Custom RTMP(S)',
    // Any endpoint; the destination must give rtmpUrl.
    defaultRtmpUrl: null,
    requiresRtmps: false,
    defaultProfile: '720p30-4500',
  },
} as const satisfies Record<Platform, PlatformPreset>;

/** The platform's ingest endpoint, or undefined for `custom`, which has none. */
export function defaultRtmpUrl(platform: Platform): string | undefined {
  return PLATFORM_PRESETS[platform].defaultRtmpUrl ?? undefined;
}

export function defaultProfile(platform: Platform): Profile {
  return PLATFORM_PRESETS[platform].defaultProfile;
}

export function requiresRtmps(platform: Platform): boolean {
  return PLATFORM_PRESETS[platform].requiresRtmps;
}
