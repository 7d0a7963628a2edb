/**
 * Pure builders of the MediaLive CreateInput and CreateChannel requests for one destination.
 * The tests validate their output against AWS's published MediaLive API model.
 */
import { createHash } from 'node:crypto';
import type { CreateChannelCommandInput, CreateInputCommandInput, H264Settings } from '@aws-sdk/client-medialive';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT, type ChannelSpec } from '../../core/ports';
import { encodingProfile } from './encoding-profiles';

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
  const p = encodingProfile(spec.profile);
  const bitrate = p.videoBitrateKbps * 1000;
  return {
    Profile: 'HIGH',
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
  const p = encodingProfile(spec.profile);
  const n = REFERENCE_NAMES;
  return {
    Name: resourceName(spec),
    ChannelClass: 'SINGLE_PIPELINE',
    RoleArn: spec.roleArn,
    RequestId: deriveRequestId(spec, 'channel'),
    LogLevel: 'ERROR',
    Tags: resourceTags(spec),
    // IVS delivers H.264 up to 1080p at no more than 8.5 Mbit/s; the cheapest specification that covers it.
    InputSpecification: { Codec: 'AVC', Resolution: 'HD', MaximumBitrate: 'MAX_10_MBPS' },
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
    Destinations: [{ Id: n.destination, Settings: [{ Url: spec.rtmpUrl, StreamName: spec.streamKey }] }],
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
              CacheLength: 30,
              CaptionData: 'ALL',
              InputLossAction: 'EMIT_OUTPUT',
              RestartDelay: 15,
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
                  ConnectionRetryInterval: 2,
                  NumRetries: 10,
                },
              },
            },
          ],
        },
      ],
    },
  };
}
