/**
 * Pure builders of the MediaLive CreateInput and CreateChannel requests for one destination.
 * The tests validate their output against AWS's published MediaLive API model.
 */
import { createHash } from 'node:crypto';
import type {
  BatchUpdateScheduleCommandInput,
  CreateChannelCommandInput,
  CreateInputCommandInput,
  H264Profile,
  H264Settings,
  InputSpecification,
} from '@aws-sdk/client-medialive';
import { h264Profile } from '../../core/platforms';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT, type ChannelSpec, type IvsChannelType } from '../../core/ports';
import { SOURCE_LIMITS, effectiveEncoding } from './encoding-profiles';

/** Names that tie the parts of the encoder settings together. */
export const REFERENCE_NAMES = {
  inputAttachment: 'ivs-source',
  audioSelector: 'ivs-audio',
  videoDescription: 'video',
  audioDescription: 'audio',
  outputGroup: 'rtmp',
  output: 'rtmp-output',
  destination: 'rtmp-destination',
} as const;

/** MediaLive documents no maximum; 64 keeps names readable in the console and in CloudWatch. */
export const MAX_RESOURCE_NAME_LENGTH = 64;

/** `${projectName}-${destinationId}`, reduced to letters, digits, `-` and `_`, at most 64 characters. */
export function resourceName(spec: Pick<ChannelSpec, 'projectName' | 'destinationId'>): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-');
  const id = clean(spec.destinationId).slice(0, MAX_RESOURCE_NAME_LENGTH - 2);
  const project = clean(spec.projectName).slice(0, MAX_RESOURCE_NAME_LENGTH - id.length - 1);
  return `${project}-${id}`;
}

/**
 * The RequestId of one create call: derived from the destination, the caller's idempotency token
 * and the operation, so a retry repeats it exactly and the input and the channel never share one.
 * Shaped like a UUID, which is what the SDK itself would generate.
 */
export function deriveRequestId(spec: Pick<ChannelSpec, 'destinationId' | 'requestId'>, operation: 'input' | 'channel'): string {
  const hex = createHash('sha256').update(`${spec.destinationId}\n${spec.requestId}\n${operation}`).digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}

export function resourceTags(spec: Pick<ChannelSpec, 'projectName' | 'destinationId' | 'configRevision'>): Record<string, string> {
  return { [TAG_PROJECT]: spec.projectName, [TAG_DESTINATION]: spec.destinationId, [TAG_CONFIG_REVISION]: String(spec.configRevision) };
}

/** True for `rtmps://` endpoints, whose TLS certificate MediaLive must verify. */
export function isRtmps(url: string): boolean {
  return /^rtmps:\/\//i.test(url);
}

/** RTMPS runs over TLS on port 443 at every platform this project presets (see core/platforms.ts). */
export const RTMPS_DEFAULT_PORT = 443;

/**
 * The RTMP(S) endpoint as MediaLive's destination `Url` wants it: "the RTMP endpoint excluding
 * the stream name (eg. rtmp://host/appname)" (RtmpOutputSettings.Destination, MediaLive API
 * reference, https://docs.aws.amazon.com/medialive/latest/apireference/channels.html); MediaLive
 * joins `Url` and `StreamName` into `protocol://host:port/application_name/application_instance`
 * (https://docs.aws.amazon.com/medialive/latest/ug/rtmp-destinations.html), so a trailing slash
 * (as Facebook shows its URL) would put `//` before the key. An `rtmps://` URL without a port gets
 * 443: RTMPS has no registered default port, so it is named rather than left to MediaLive.
 */
export function destinationUrl(rtmpUrl: string): string {
  let url = rtmpUrl.replace(/\/+$/, '');
  const authority = /^(rtmps:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (authority && !/:\d+$/.test(authority[2] as string)) {
    url = `${authority[1]}${authority[2]}:${RTMPS_DEFAULT_PORT}${authority[3]}`;
  }
  return url;
}

/**
 * How long one output keeps trying to reach its platform before MediaLive gives up on it (and,
 * with its single output, stops the channel: "When the retries expire, this output stops. The
 * channel stops because the single output has lost its connection",
 * https://docs.aws.amazon.com/medialive/latest/ug/rtmp-connection.html).
 *
 * - `RestartDelay`: "If a streaming output fails, number of seconds to wait until a restart is
 *   initiated" (RtmpGroupSettings);
 * - `ConnectionRetryInterval`: "Number of seconds to wait before retrying a connection … if the
 *   connection is lost"; `NumRetries`: "Number of retry attempts" (RtmpOutputSettings);
 * - `CacheLength` + `CacheFullBehavior` DISCONNECT_IMMEDIATELY: a platform that stalls for
 *   30 s is disconnected and enters the same restart-and-retry path ("Clear the media cache, and
 *   reconnect after restartDelay seconds").
 *
 * 15 s + 60 × 5 s = 315 s: a platform may be unreachable for more than 5 minutes (a restart of
 * its ingest, a network incident) before the channel stops and a new billing minimum starts.
 */
export const RTMP_RECONNECT = {
  restartDelaySeconds: 15,
  connectionRetryIntervalSeconds: 5,
  numRetries: 60,
  cacheLengthSeconds: 30,
} as const;

/**
 * The channel's input specification: MediaLive bills the input by it and sizes the pipeline by
 * it ("MediaLive uses these values for billing and resource allocation … You pay for the option
 * that you specify", https://docs.aws.amazon.com/medialive/latest/ug/input-specification.html;
 * prices by codec, resolution and bit rate at https://aws.amazon.com/medialive/pricing/). IVS
 * delivers H.264 (AVC); the resolution class follows the IVS channel type (SD for BASIC,
 * HD otherwise), and 10 Mbit/s, MediaLive's lowest class, covers IVS's 8.5 Mbit/s maximum.
 */
export function inputSpecification(sourceType: IvsChannelType): InputSpecification {
  return { Codec: 'AVC', Resolution: SOURCE_LIMITS[sourceType].inputResolution, MaximumBitrate: 'MAX_10_MBPS' };
}

const H264_PROFILE: Record<ReturnType<typeof h264Profile>, H264Profile> = { main: 'MAIN', high: 'HIGH' };

/**
 * `CreateInput` for the IVS HLS playback URL. One source makes a single-class input, which is
 * what a SINGLE_PIPELINE channel pulls from (a standard-class input would need two URLs).
 */
export function buildCreateInputRequest(spec: ChannelSpec): CreateInputCommandInput {
  return {
    Name: resourceName(spec),
    Type: 'URL_PULL',
    Sources: [{ Url: spec.sourceUrl }],
    RequestId: deriveRequestId(spec, 'input'),
    Tags: resourceTags(spec),
  };
}

function h264Settings(spec: ChannelSpec): H264Settings {
  const p = effectiveEncoding(spec.profile, spec.sourceType);
  const bitrate = p.videoBitrateKbps * 1000;
  return {
    Profile: H264_PROFILE[h264Profile(spec.platform)],
    Level: p.h264Level,
    RateControlMode: 'CBR',
    Bitrate: bitrate,
    BufSize: 2 * bitrate,
    BufFillPct: 90,
    FramerateControl: 'SPECIFIED',
    FramerateNumerator: p.framerateNumerator,
    FramerateDenominator: p.framerateDenominator,
    ParControl: 'SPECIFIED',
    ParNumerator: 1,
    ParDenominator: 1,
    ScanType: 'PROGRESSIVE',
    // A keyframe exactly every 2 seconds: fixed closed GOP, no extra I-frames on scene changes.
    GopSize: p.gopSeconds,
    GopSizeUnits: 'SECONDS',
    GopClosedCadence: 1,
    GopNumBFrames: 2,
    GopBReference: 'DISABLED',
    SubgopLength: 'FIXED',
    SceneChangeDetect: 'DISABLED',
    MinIInterval: 0,
    EntropyEncoding: 'CABAC',
    AdaptiveQuantization: 'MEDIUM',
    LookAheadRateControl: 'MEDIUM',
    SpatialAq: 'ENABLED',
    TemporalAq: 'ENABLED',
    FlickerAq: 'ENABLED',
    ColorMetadata: 'INSERT',
    AfdSignaling: 'NONE',
    TimecodeInsertion: 'DISABLED',
    Syntax: 'DEFAULT',
  };
}

/**
 * `CreateChannel`: SINGLE_PIPELINE, the input attached once, one H.264 + AAC encode and one RTMP
 * output group. The endpoint goes to `Url`, the stream key only to `StreamName`.
 */
export function buildCreateChannelRequest(spec: ChannelSpec, inputId: string): CreateChannelCommandInput {
  const p = effectiveEncoding(spec.profile, spec.sourceType);
  const n = REFERENCE_NAMES;
  return {
    Name: resourceName(spec),
    ChannelClass: 'SINGLE_PIPELINE',
    RoleArn: spec.roleArn,
    RequestId: deriveRequestId(spec, 'channel'),
    LogLevel: 'ERROR',
    Tags: resourceTags(spec),
    InputSpecification: inputSpecification(spec.sourceType),
    InputAttachments: [
      {
        InputId: inputId,
        InputAttachmentName: n.inputAttachment,
        InputSettings: {
          SourceEndBehavior: 'CONTINUE',
          InputFilter: 'AUTO',
          DeblockFilter: 'DISABLED',
          DenoiseFilter: 'DISABLED',
          AudioSelectors: [{ Name: n.audioSelector }],
          NetworkInputSettings: {
            ServerValidation: 'CHECK_CRYPTOGRAPHY_AND_VALIDATE_NAME',
            // No Bandwidth: MediaLive takes the highest rendition of the IVS multivariant playlist.
            HlsInputSettings: { BufferSegments: 3, Retries: 10, RetryInterval: 2 },
          },
        },
      },
    ],
    Destinations: [{ Id: n.destination, Settings: [{ Url: destinationUrl(spec.rtmpUrl), StreamName: spec.streamKey }] }],
    EncoderSettings: {
      TimecodeConfig: { Source: 'SYSTEMCLOCK' },
      GlobalConfiguration: {
        InputEndAction: 'NONE',
        OutputTimingSource: 'SYSTEM_CLOCK',
        SupportLowFramerateInputs: 'DISABLED',
        // While the IVS source is gone (e.g. during the stop grace period) keep sending black
        // frames, so the platforms keep one continuous broadcast.
        InputLossBehavior: {
          RepeatFrameMsec: 1000,
          BlackFrameMsec: 10_000,
          InputLossImageType: 'COLOR',
          InputLossImageColor: '000000',
        },
      },
      VideoDescriptions: [
        {
          Name: n.videoDescription,
          Width: p.width,
          Height: p.height,
          ScalingBehavior: 'DEFAULT',
          RespondToAfd: 'NONE',
          Sharpness: 50,
          CodecSettings: { H264Settings: h264Settings(spec) },
        },
      ],
      AudioDescriptions: [
        {
          Name: n.audioDescription,
          AudioSelectorName: n.audioSelector,
          AudioTypeControl: 'FOLLOW_INPUT',
          LanguageCodeControl: 'FOLLOW_INPUT',
          CodecSettings: {
            AacSettings: {
              Bitrate: p.audioBitrateKbps * 1000,
              SampleRate: p.audioSampleRateHz,
              CodingMode: 'CODING_MODE_2_0',
              Profile: 'LC',
              RateControlMode: 'CBR',
              InputType: 'NORMAL',
              RawFormat: 'NONE',
              Spec: 'MPEG4',
            },
          },
        },
      ],
      OutputGroups: [
        {
          Name: n.outputGroup,
          OutputGroupSettings: {
            RtmpGroupSettings: {
              AuthenticationScheme: 'COMMON',
              CacheFullBehavior: 'DISCONNECT_IMMEDIATELY',
              CacheLength: RTMP_RECONNECT.cacheLengthSeconds,
              CaptionData: 'ALL',
              InputLossAction: 'EMIT_OUTPUT',
              RestartDelay: RTMP_RECONNECT.restartDelaySeconds,
            },
          },
          Outputs: [
            {
              OutputName: n.output,
              VideoDescriptionName: n.videoDescription,
              AudioDescriptionNames: [n.audioDescription],
              OutputSettings: {
                RtmpOutputSettings: {
                  Destination: { DestinationRefId: n.destination },
                  ...(isRtmps(spec.rtmpUrl) ? { CertificateMode: 'VERIFY_AUTHENTICITY' as const } : {}),
                  ConnectionRetryInterval: RTMP_RECONNECT.connectionRetryIntervalSeconds,
                  NumRetries: RTMP_RECONNECT.numRetries,
                },
              },
            },
          ],
        },
      ],
    },
  };
}

/** The schedule action that re-attaches the input for one IVS stream; unique per stream id. */
export function reattachActionName(streamId: string): string {
  return `reattach-${streamId}`;
}

/**
 * `BatchUpdateSchedule` with an immediate input switch to the channel's own input attachment,
 * for an IVS stream that came back (new stream id) while the channel kept RUNNING.
 *
 * The channel has `InputEndAction: NONE`, with which MediaLive, once its input has ended, "will
 * transcode either black, a solid color, or a user specified slate images per the Input Loss
 * Behavior configuration until the next input switch occurs (which is controlled through the
 * Channel Schedule API)" (GlobalConfiguration.InputEndAction, MediaLive API reference). An
 * immediate switch is passed to a single-pipeline channel at once: "The channel stops ingesting
 * the current input and starts ingesting the specified input"
 * (https://docs.aws.amazon.com/medialive/latest/ug/x-actions-in-schedule-ips.html), and "you can
 * switch to a specific input as many times as you want"
 * (https://docs.aws.amazon.com/medialive/latest/ug/ips-limits.html). A restart (stop + start)
 * would also re-read the input but costs a stop, a start of a minute or more, a gap at the
 * platforms and a new billing minimum. The action name carries the stream id, so a repeat for
 * the same stream is refused by MediaLive as a duplicate rather than switching twice.
 */
export function buildReattachInputRequest(channelId: string, streamId: string): BatchUpdateScheduleCommandInput {
  return {
    ChannelId: channelId,
    Creates: {
      ScheduleActions: [
        {
          ActionName: reattachActionName(streamId),
          ScheduleActionStartSettings: { ImmediateModeScheduleActionStartSettings: {} },
          ScheduleActionSettings: { InputSwitchSettings: { InputAttachmentNameReference: REFERENCE_NAMES.inputAttachment } },
        },
      ],
    },
  };
}
