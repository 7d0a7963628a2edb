/**
 * What each platform needs by default: its ingest endpoint, whether it only accepts RTMPS, and
 * the encoding profile we send unless the destination names another. Pure data.
 *
 * Every default profile stays inside the platform's published limits for its resolution and
 * frame rate (video bitrate, kbit/s). Sources are next to each entry; re-check them when a
 * platform changes its ingest.
 */
import type { Platform, Profile } from './destination';
import type { AudioCodec, VideoCodec } from './ports';

/**
 * H.264 profiles the encoder may use. Main plays everywhere (phones, consoles, TVs); High
 * compresses better where every player decodes it.
 */
export const H264_PROFILES = ['main', 'high'] as const;
export type H264Profile = (typeof H264_PROFILES)[number];

export interface PlatformPreset {
  /** Name shown to people. */
  readonly label: string;
  /** Ingest endpoint without the stream key; null when the user must give one (`custom`). */
  readonly defaultRtmpUrl: string | null;
  /** True when the platform refuses plain `rtmp://`, so we refuse it too. */
  readonly requiresRtmps: boolean;
  readonly defaultProfile: Profile;
  /** The H.264 profile the platform asks for. */
  readonly h264Profile: H264Profile;
  /**
   * What the platform's ingest takes, as it publishes it; null for `custom` (unknown). A
   * pass-through relay sends the IVS source as it is, so a source outside these needs transcode.
   */
  readonly ingestLimits: IngestLimits | null;
}

/** A platform's published ingest limits (see `sourceWarnings` in source-check.ts). */
export interface IngestLimits {
  /** Where the numbers come from. */
  readonly source: string;
  readonly videoCodecs: readonly VideoCodec[];
  /** H.264 profiles the platform asks for; absent when it takes any. */
  readonly h264Profiles?: readonly string[];
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxFramerate: number;
  /**
   * Highest video bit rate (kbit/s): the first row the source's height and frame rate fit in
   * (rows ordered from small to large); above the last row, the last row's.
   */
  readonly maxVideoKbps: readonly { readonly upToHeight: number; readonly upToFramerate: number; readonly kbps: number }[];
  readonly maxKeyframeIntervalSeconds: number;
  readonly audioCodecs: readonly AudioCodec[];
}

/**
 * Amazon IVS's own ingest limits for a STANDARD channel (Kick and Twitch ingest run on IVS):
 * up to 1080p, 60 fps, 8.5 Mbit/s, keyframe interval 2 s
 * (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/streaming-config.html,
 * https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/service-quotas.html).
 */
const IVS_INGEST: IngestLimits = {
  source: 'https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/streaming-config.html',
  videoCodecs: ['h264'],
  maxWidth: 1920,
  maxHeight: 1080,
  maxFramerate: 60,
  maxVideoKbps: [{ upToHeight: 1080, upToFramerate: 60, kbps: 8500 }],
  maxKeyframeIntervalSeconds: 2,
  audioCodecs: ['aac'],
};

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
    // YouTube's live encoder settings accept H.264 High (the profile OBS sends it).
    h264Profile: 'high',
    // "Choose live encoder settings, bitrates, and resolutions"
    // (https://support.google.com/youtube/answer/2853702): H.264, HEVC or AV1 (HEVC and AV1 over
    // RTMPS); up to 4K (3840x2160) at 60 fps; keyframe frequency 2 s recommended, not more than
    // 4 s; audio AAC or MP3. Its bit-rate table gives ranges per resolution and frame rate: listed
    // here is each range's maximum, or the page's H.264 recommendation where that is higher
    // (1080p60: 12 Mbit/s). YouTube transcodes every stream; above these it warns in its stream
    // health rather than refusing.
    ingestLimits: {
      source: 'https://support.google.com/youtube/answer/2853702',
      videoCodecs: ['h264', 'h265', 'av1'],
      maxWidth: 3840,
      maxHeight: 2160,
      maxFramerate: 60,
      maxVideoKbps: [
        { upToHeight: 720, upToFramerate: 60, kbps: 8000 },
        { upToHeight: 1080, upToFramerate: 30, kbps: 8000 },
        { upToHeight: 1080, upToFramerate: 60, kbps: 12000 },
        { upToHeight: 1440, upToFramerate: 30, kbps: 25000 },
        { upToHeight: 1440, upToFramerate: 60, kbps: 30000 },
        { upToHeight: 2160, upToFramerate: 30, kbps: 35000 },
        { upToHeight: 2160, upToFramerate: 60, kbps: 40000 },
      ],
      maxKeyframeIntervalSeconds: 4,
      audioCodecs: ['aac', 'mp3'],
    },
  },
  twitch: {
    label: 'Twitch',
    // Twitch ingest list (ingest.twitch.tv/ingests, documented at
    // https://dev.twitch.tv/docs/video-broadcast/reference/ingest/): `url_template_secure` of its
    // "Default" entry, the global RTMPS endpoint that routes to the nearest ingest. The port is
    // named: RTMPS has no registered default port, and Twitch ingest runs on Amazon IVS, whose
    // RTMPS ingest is `rtmps://<ingest endpoint>:443/app/`
    // (https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/getting-started-set-up-streaming.html).
    // Twitch also accepts rtmp://, so RTMPS is preferred, not required.
    defaultRtmpUrl: 'rtmps://ingest.global-contribute.live-video.net:443/app',
    requiresRtmps: false,
    // Twitch caps ingest at 6000 kbit/s video for channels without guaranteed transcoding
    // (OBS service list: "max video bitrate": 6000), and transcoding is not guaranteed for
    // non-partners, so viewers may get only what we send. 720p30 at 4500 leaves room for audio
    // and network overhead under the cap.
    defaultProfile: '720p30-4500',
    // Twitch Creator Camp, Broadcast Recommendations
    // (https://www.twitch.tv/creatorcamp/en/paths/going-live/broadcast-recommendations/):
    // encoding profile "Main (preferred) or Baseline" — "mobile devices are unable to play
    // anything outside of baseline or main", and viewers without transcoding get our stream as is.
    h264Profile: 'main',
    // Twitch's broadcast requirements (Creator Camp above, and the Broadcast Requirements help
    // article it links): H.264, Main or Baseline, strict CBR, keyframe interval 2 s, 25/30 or
    // 50/60 fps, AAC-LC; video up to 6000 kbit/s (the cap above), up to 1080p on Twitch's IVS
    // ingest (limits as for Kick below).
    ingestLimits: {
      ...IVS_INGEST,
      source: 'https://www.twitch.tv/creatorcamp/en/paths/going-live/broadcast-recommendations/',
      h264Profiles: ['baseline', 'constrained baseline', 'main'],
      maxVideoKbps: [{ upToHeight: 1080, upToFramerate: 60, kbps: 6000 }],
    },
  },
  facebook: {
    label: 'Facebook',
    // Facebook Live Video API overview (developers.facebook.com/docs/live-video-api/overview):
    // "Data streamed to an ingest stream URL must be encrypted using the RTMPS data transfer
    // protocol" (required since 1 May 2019). This is the RTMPS server Facebook gives to streaming
    // software; the key Facebook shows goes in streamKey. Facebook shows it with a trailing
    // slash; MediaLive wants the URL without the stream name ("rtmp://host/appname",
    // RtmpOutputSettings.Destination in the MediaLive API reference) and adds the separator
    // itself, so the preset has none (the request builder strips one a user pastes, too).
    defaultRtmpUrl: 'rtmps://live-api-s.facebook.com:443/rtmp',
    requiresRtmps: true,
    // Live Video API reference, recommended settings: 1080p @ 30 FPS, 3000-6000 kbit/s video.
    // (720p30 is 1500-4000 there, so 720p30-4500 would be outside it.)
    defaultProfile: '1080p30-6000',
    h264Profile: 'high',
    // Live Video API reference, "Recommended Settings"
    // (https://developers.facebook.com/docs/live-video-api/reference): H.264/AAC required, up to
    // 1080p at 60 fps, key frames every 2 s and never more than 4 s, video bit rate ranges per
    // resolution and frame rate (their maxima here).
    ingestLimits: {
      source: 'https://developers.facebook.com/docs/live-video-api/reference',
      videoCodecs: ['h264'],
      maxWidth: 1920,
      maxHeight: 1080,
      maxFramerate: 60,
      maxVideoKbps: [
        { upToHeight: 360, upToFramerate: 30, kbps: 1000 },
        { upToHeight: 480, upToFramerate: 30, kbps: 2000 },
        { upToHeight: 720, upToFramerate: 30, kbps: 4000 },
        { upToHeight: 720, upToFramerate: 60, kbps: 6000 },
        { upToHeight: 1080, upToFramerate: 30, kbps: 6000 },
        { upToHeight: 1080, upToFramerate: 60, kbps: 9000 },
      ],
      maxKeyframeIntervalSeconds: 4,
      audioCodecs: ['aac'],
    },
  },
  kick: {
    label: 'Kick',
    // Kick ingest runs on Amazon IVS (global-contribute.live-video.net) and is RTMPS only. This
    // is the Stream URL Kick's creator dashboard (Settings → Stream) shows; an account whose
    // dashboard shows another host should send that one as rtmpUrl. Port 443 named as for Twitch
    // (Amazon IVS RTMPS ingest, see above).
    defaultRtmpUrl: 'rtmps://fa723fc1b171.global-contribute.live-video.net:443/app',
    requiresRtmps: true,
    // Amazon IVS standard channels accept up to 1080p and 8.5 Mbit/s ingest (IVS service quotas).
    defaultProfile: '1080p30-6000',
    h264Profile: 'high',
    // Kick publishes no ingest specification of its own; its ingest is Amazon IVS, so IVS's
    // limits are the ones it can hold to.
    ingestLimits: IVS_INGEST,
  },
  custom: {
    label: 'Custom RTMP(S)',
    // Any endpoint; the destination must give rtmpUrl.
    defaultRtmpUrl: null,
    requiresRtmps: false,
    defaultProfile: '720p30-4500',
    h264Profile: 'high',
    ingestLimits: null,
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

export function h264Profile(platform: Platform): H264Profile {
  return PLATFORM_PRESETS[platform].h264Profile;
}

export function ingestLimits(platform: Platform): IngestLimits | null {
  return PLATFORM_PRESETS[platform].ingestLimits;
}
