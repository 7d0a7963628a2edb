import { describe, expect, it } from '@jest/globals';
import type { CreateChannelCommandInput, CreateInputCommandInput } from '@aws-sdk/client-medialive';
import { PLATFORMS, PROFILES, type Platform } from '../../../../lambdas/core/destination';
import { PLATFORM_PRESETS } from '../../../../lambdas/core/platforms';
import { IVS_CHANNEL_TYPES, TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT, type ChannelSpec } from '../../../../lambdas/core/ports';
import { ENCODING_PROFILES } from '../../../../lambdas/adapters/medialive/encoding-profiles';
import {
  buildCreateChannelRequest,
  buildCreateInputRequest,
  buildReattachInputRequest,
  destinationUrl,
  resourceName,
} from '../../../../lambdas/adapters/medialive/requests';
import { mediaLiveModelViolations, validateMediaLiveRequest } from '../../../support/medialive-api-model';

const INPUT_ID = '1234567';

/** Representative endpoints and (fake) key formats of each platform. */
const ENDPOINTS: { platform: Platform; rtmpUrl: string; streamKey: string }[] = [
  { platform: 'youtube', rtmpUrl: 'rtmp://a.rtmp.youtube.com/live2', streamKey: 'abcd-efgh-ijkl-mnop-qrst' },
  { platform: 'youtube', rtmpUrl: 'rtmps://a.rtmps.youtube.com:443/live2', streamKey: 'abcd-efgh-ijkl-mnop-qrst' },
  { platform: 'twitch', rtmpUrl: 'rtmp://live.twitch.tv/app', streamKey: 'live_123456789_FakeFakeFakeFakeFake' },
  { platform: 'twitch', rtmpUrl: 'rtmps://live.twitch.tv:443/app', streamKey: 'live_123456789_FakeFakeFakeFakeFake' },
  { platform: 'facebook', rtmpUrl: 'rtmps://live-api-s.facebook.com:443/rtmp/', streamKey: 'FB-1234567890-0-FakeFakeFake' },
  { platform: 'kick', rtmpUrl: 'rtmps://fa723fc1b171.global-contribute.live-video.net:443/app/', streamKey: 'sk_us-west-2_FakeFake1234' },
  { platform: 'custom', rtmpUrl: 'rtmp://203.0.113.10:1935/live', streamKey: 'custom/key?with=chars&x=1' },
  { platform: 'custom', rtmpUrl: 'rtmps://ingest.example.com/live', streamKey: 'CUSTOM-fake-key-0001' },
  ...PLATFORMS.flatMap((platform) => {
    const url = PLATFORM_PRESETS[platform].defaultRtmpUrl;
    return url === null ? [] : [{ platform, rtmpUrl: url, streamKey: 'preset-fake-key-0001' }];
  }),
];

function spec(overrides: Partial<ChannelSpec> = {}): ChannelSpec {
  return {
    projectName: 'restream-test',
    destinationId: '01J9Z3K7Q8R2M4N6P8T0V2X4Z6',
    destinationName: 'My Channel',
    requestId: '01J9Z3K7Q8R2M4N6P8T0V2X4Z6:g0:r1',
    sourceUrl: 'https://abcdef123456.us-east-1.playback.live-video.net/api/video/v1/us-east-1.123456789012.channel.AbCdEfGh1234.m3u8',
    sourceType: 'STANDARD',
    platform: 'youtube',
    rtmpUrl: 'rtmp://a.rtmp.youtube.com/live2',
    streamKey: 'abcd-efgh-ijkl-mnop-qrst',
    profile: '1080p30-6000',
    configRevision: 1,
    roleArn: 'arn:aws:iam::123456789012:role/restream-test-medialive',
    ...overrides,
  };
}

const CASES = ENDPOINTS.flatMap((e) => PROFILES.map((profile) => ({ ...e, profile })));

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** Every platform endpoint × profile × IVS source class. */
const MODEL_CASES = CASES.flatMap((c) => IVS_CHANNEL_TYPES.map((sourceType) => ({ ...c, sourceType })));

describe('every generated request against AWS’s full MediaLive API model (botocore’s, with member constraints)', () => {
  it.each(MODEL_CASES)(
    '$platform $rtmpUrl $profile from a $sourceType channel',
    ({ platform, rtmpUrl, streamKey, profile, sourceType }) => {
      const s = spec({ platform, rtmpUrl, streamKey, profile, sourceType });
      expect(mediaLiveModelViolations('CreateInput', buildCreateInputRequest(s))).toEqual([]);
      expect(mediaLiveModelViolations('CreateChannel', buildCreateChannelRequest(s, INPUT_ID))).toEqual([]);
    },
  );

  it('accepts the re-attach schedule request', () => {
    expect(mediaLiveModelViolations('BatchUpdateSchedule', buildReattachInputRequest('1234567', 'st-AbCdEf123'))).toEqual([]);
  });
});

describe('MediaLive request builders', () => {
  describe.each(CASES)('$platform $rtmpUrl with profile $profile', ({ platform, rtmpUrl, streamKey, profile }) => {
    const s = spec({ platform, rtmpUrl, streamKey, profile });
    // The annotations are the type-level check: the builders return the v3 SDK's input types.
    const input: CreateInputCommandInput = buildCreateInputRequest(s);
    const channel: CreateChannelCommandInput = buildCreateChannelRequest(s, INPUT_ID);
    const encoder = channel.EncoderSettings!;
    const video = encoder.VideoDescriptions![0]!;
    const h264 = video.CodecSettings!.H264Settings!;
    const group = encoder.OutputGroups![0]!;
    const output = group.Outputs![0]!;
    const rtmpOutput = output.OutputSettings!.RtmpOutputSettings!;

    it('pulls the IVS playback URL through one URL_PULL source, without the stream key', () => {
      expect(input).toMatchObject({ Type: 'URL_PULL', Sources: [{ Url: s.sourceUrl }] });
      expect(input.Sources).toHaveLength(1);
      expect(JSON.stringify(input)).not.toContain(streamKey);
    });

    it('creates a SINGLE_PIPELINE channel attached to the input, with one destination setting', () => {
      expect(channel.ChannelClass).toBe('SINGLE_PIPELINE');
      expect(channel.RoleArn).toBe(s.roleArn);
      expect(channel.InputAttachments).toHaveLength(1);
      expect(channel.InputAttachments![0]!.InputId).toBe(INPUT_ID);
      expect(channel.Destinations).toHaveLength(1);
      expect(channel.Destinations![0]!.Settings).toHaveLength(1);
    });

    it('sends the endpoint as Url and the stream key only as StreamName', () => {
      const setting = channel.Destinations![0]!.Settings![0]!;
      expect(setting.Url).toBe(destinationUrl(rtmpUrl));
      expect(setting.Url).not.toContain(streamKey);
      expect(setting.StreamName).toBe(streamKey);
      expect(occurrences(JSON.stringify(channel), JSON.stringify(streamKey).slice(1, -1))).toBe(1);
    });

    it('gives MediaLive a Url without the stream name, a trailing slash or an implicit RTMPS port', () => {
      const url = channel.Destinations![0]!.Settings![0]!.Url!;
      // MediaLive appends "/" + StreamName: a trailing slash would make "//" before the key.
      expect(url.endsWith('/')).toBe(false);
      expect(url.replace(/^rtmps?:\/\//, '')).not.toContain('//');
      if (url.startsWith('rtmps://')) expect(url).toMatch(/^rtmps:\/\/[^/]+:\d+(\/|$)/);
    });

    it(`encodes H.264 ${platform === 'twitch' ? 'Main' : 'High'} CBR at the profile’s size, 30 fps and bit rate`, () => {
      const p = ENCODING_PROFILES[profile];
      expect(video).toMatchObject({ Width: p.width, Height: p.height });
      expect(h264).toMatchObject({
        Profile: platform === 'twitch' ? 'MAIN' : 'HIGH',
        RateControlMode: 'CBR',
        Bitrate: Number(profile.split('-')[1]) * 1000,
        FramerateControl: 'SPECIFIED',
        FramerateNumerator: 30,
        FramerateDenominator: 1,
        ScanType: 'PROGRESSIVE',
      });
      expect(video.Height).toBe(Number(profile.split('p')[0]));
    });

    it('puts a keyframe exactly every 2 seconds', () => {
      expect(h264).toMatchObject({ GopSize: 2, GopSizeUnits: 'SECONDS', GopClosedCadence: 1, SceneChangeDetect: 'DISABLED' });
    });

    it('always carries an AAC stereo track at 160 kbit/s and 48 kHz', () => {
      expect(encoder.AudioDescriptions).toHaveLength(1);
      expect(encoder.AudioDescriptions![0]!.CodecSettings!.AacSettings).toMatchObject({
        Bitrate: 160_000,
        SampleRate: 48_000,
        CodingMode: 'CODING_MODE_2_0',
      });
      expect(output.AudioDescriptionNames).toEqual([encoder.AudioDescriptions![0]!.Name]);
    });

    it('references only names that exist in the same request', () => {
      const selectors = channel.InputAttachments![0]!.InputSettings!.AudioSelectors!.map((a) => a.Name);
      expect(selectors).toContain(encoder.AudioDescriptions![0]!.AudioSelectorName);
      expect(encoder.VideoDescriptions!.map((v) => v.Name)).toContain(output.VideoDescriptionName);
      for (const name of output.AudioDescriptionNames!) {
        expect(encoder.AudioDescriptions!.map((a) => a.Name)).toContain(name);
      }
      expect(channel.Destinations!.map((d) => d.Id)).toContain(rtmpOutput.Destination!.DestinationRefId);
      expect(encoder.TimecodeConfig?.Source).toBeDefined();
      expect(group.OutputGroupSettings!.RtmpGroupSettings).toBeDefined();
    });

    it(`${rtmpUrl.startsWith('rtmps') ? 'verifies' : 'does not ask to verify'} the server certificate`, () => {
      if (rtmpUrl.startsWith('rtmps://')) expect(rtmpOutput.CertificateMode).toBe('VERIFY_AUTHENTICITY');
      else expect(rtmpOutput.CertificateMode).toBeUndefined();
    });

    it('tags the input and the channel with the project and the destination id', () => {
      const tags = { [TAG_PROJECT]: s.projectName, [TAG_DESTINATION]: s.destinationId, [TAG_CONFIG_REVISION]: String(s.configRevision) };
      expect(input.Tags).toEqual(tags);
      expect(channel.Tags).toEqual(tags);
    });
  });

  it('derives the same RequestIds from the same spec', () => {
    expect(buildCreateInputRequest(spec()).RequestId).toBe(buildCreateInputRequest(spec()).RequestId);
    expect(buildCreateChannelRequest(spec(), INPUT_ID).RequestId).toBe(buildCreateChannelRequest(spec(), INPUT_ID).RequestId);
  });

  it('derives different RequestIds for the input and the channel, for another destination and for another token', () => {
    const ids = [
      buildCreateInputRequest(spec()).RequestId,
      buildCreateChannelRequest(spec(), INPUT_ID).RequestId,
      buildCreateInputRequest(spec({ destinationId: 'other-destination' })).RequestId,
      buildCreateChannelRequest(spec({ destinationId: 'other-destination' }), INPUT_ID).RequestId,
      buildCreateInputRequest(spec({ requestId: 'another-token' })).RequestId,
      buildCreateChannelRequest(spec({ requestId: 'another-token' }), INPUT_ID).RequestId,
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('names both resources after the project and the destination id', () => {
    const s = spec();
    expect(buildCreateInputRequest(s).Name).toBe('restream-test-01J9Z3K7Q8R2M4N6P8T0V2X4Z6');
    expect(buildCreateChannelRequest(s, INPUT_ID).Name).toBe('restream-test-01J9Z3K7Q8R2M4N6P8T0V2X4Z6');
  });

  it('keeps resource names within 64 safe characters and keeps the whole destination id', () => {
    const name = resourceName({ projectName: 'p'.repeat(40), destinationId: 'b1f3c2d4-1234-4abc-9def-0123456789ab/x y' });
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name.endsWith('-b1f3c2d4-1234-4abc-9def-0123456789ab-x-y')).toBe(true);
  });

  it('has an encoding profile for every profile of the destination model', () => {
    expect(Object.keys(ENCODING_PROFILES).sort()).toEqual([...PROFILES].sort());
  });
});

describe('platform rules in the requests', () => {
  it('strips the trailing slash of Facebook’s URL so that no "//" comes before the key', () => {
    const url = buildCreateChannelRequest(spec({ platform: 'facebook', rtmpUrl: 'rtmps://live-api-s.facebook.com:443/rtmp/' }), INPUT_ID)
      .Destinations![0]!.Settings![0]!.Url;
    expect(url).toBe('rtmps://live-api-s.facebook.com:443/rtmp');
  });

  it('names port 443 for an RTMPS URL without a port and keeps a given port', () => {
    expect(destinationUrl('rtmps://ingest.global-contribute.live-video.net/app')).toBe(
      'rtmps://ingest.global-contribute.live-video.net:443/app',
    );
    expect(destinationUrl('rtmps://fa723fc1b171.global-contribute.live-video.net/app/')).toBe(
      'rtmps://fa723fc1b171.global-contribute.live-video.net:443/app',
    );
    expect(destinationUrl('rtmps://ingest.example.com:8443/live')).toBe('rtmps://ingest.example.com:8443/live');
    expect(destinationUrl('rtmps://[2001:db8::1]/live')).toBe('rtmps://[2001:db8::1]:443/live');
    expect(destinationUrl('rtmp://a.rtmp.youtube.com/live2')).toBe('rtmp://a.rtmp.youtube.com/live2');
  });

  it('encodes H.264 Main for Twitch and High elsewhere', () => {
    const profileOf = (platform: Platform) =>
      buildCreateChannelRequest(spec({ platform }), INPUT_ID).EncoderSettings!.VideoDescriptions![0]!.CodecSettings!.H264Settings!.Profile;
    expect(Object.fromEntries(PLATFORMS.map((p) => [p, profileOf(p)]))).toEqual({
      youtube: 'HIGH',
      twitch: 'MAIN',
      facebook: 'HIGH',
      kick: 'HIGH',
      custom: 'HIGH',
    });
  });

  it.each(PROFILES)('does not upscale a BASIC IVS channel (≤ 480p, ≤ 1.5 Mbit/s) to %s and specifies an SD input', (profile) => {
    const channel = buildCreateChannelRequest(spec({ profile, sourceType: 'BASIC' }), INPUT_ID);
    const video = channel.EncoderSettings!.VideoDescriptions![0]!;
    expect(video.Height).toBeLessThanOrEqual(480);
    expect(video.Width).toBeLessThanOrEqual(854);
    expect(video.CodecSettings!.H264Settings!.Bitrate).toBeLessThanOrEqual(1_500_000);
    expect(channel.InputSpecification).toEqual({ Codec: 'AVC', Resolution: 'SD', MaximumBitrate: 'MAX_10_MBPS' });
  });

  it.each(['STANDARD', 'ADVANCED_SD', 'ADVANCED_HD'] as const)(
    'keeps the profile for a %s channel and specifies an HD input',
    (sourceType) => {
      const channel = buildCreateChannelRequest(spec({ profile: '1080p30-6000', sourceType }), INPUT_ID);
      expect(channel.EncoderSettings!.VideoDescriptions![0]).toMatchObject({ Width: 1920, Height: 1080 });
      expect(channel.InputSpecification).toEqual({ Codec: 'AVC', Resolution: 'HD', MaximumBitrate: 'MAX_10_MBPS' });
    },
  );
});

describe('RTMP output resilience', () => {
  it('keeps trying a platform for at least 5 minutes before the output (and so the channel) gives up', () => {
    const channel = buildCreateChannelRequest(spec(), INPUT_ID);
    const group = channel.EncoderSettings!.OutputGroups![0]!;
    const groupSettings = group.OutputGroupSettings!.RtmpGroupSettings!;
    const output = group.Outputs![0]!.OutputSettings!.RtmpOutputSettings!;
    // RestartDelay before the reconnect attempts, then NumRetries attempts ConnectionRetryInterval apart.
    const toleratedSeconds = groupSettings.RestartDelay! + output.NumRetries! * output.ConnectionRetryInterval!;
    expect(groupSettings.RestartDelay).toBeGreaterThan(0); // 0 would mean "never restart"
    expect(toleratedSeconds).toBeGreaterThanOrEqual(300);
    // A stalled platform is disconnected and enters the same restart path, and black frames
    // keep flowing while the IVS source is away.
    expect(groupSettings).toMatchObject({ CacheFullBehavior: 'DISCONNECT_IMMEDIATELY', InputLossAction: 'EMIT_OUTPUT' });
  });
});

describe('the input re-attach request', () => {
  it('switches immediately to the channel’s own input attachment, named after the stream', () => {
    const request = buildReattachInputRequest('1234567', 'st-AbCdEf123');
    const channel = buildCreateChannelRequest(spec(), INPUT_ID);
    expect(request).toEqual({
      ChannelId: '1234567',
      Creates: {
        ScheduleActions: [
          {
            ActionName: 'reattach-st-AbCdEf123',
            ScheduleActionStartSettings: { ImmediateModeScheduleActionStartSettings: {} },
            ScheduleActionSettings: {
              InputSwitchSettings: { InputAttachmentNameReference: channel.InputAttachments![0]!.InputAttachmentName },
            },
          },
        ],
      },
    });
    expect(channel.EncoderSettings!.GlobalConfiguration!.InputEndAction).toBe('NONE');
  });
});

describe('the MediaLive API model check', () => {
  const valid = () => buildCreateChannelRequest(spec(), INPUT_ID);
  type Encoder = NonNullable<CreateChannelCommandInput['EncoderSettings']>;

  it('accepts the unchanged request (the mutations below are what it rejects)', () => {
    expect(() => validateMediaLiveRequest('CreateChannel', valid())).not.toThrow();
  });

  it('rejects a CreateChannel request without a required member', () => {
    const request = valid();
    delete (request.EncoderSettings as Partial<Encoder>).TimecodeConfig;
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(/EncoderSettings\.TimecodeConfig: required/);
  });

  it('rejects a member the model does not know', () => {
    const request = { ...valid(), StreamKey: 'x' };
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(/StreamKey: unknown member/);
  });

  it('rejects a member of the wrong type', () => {
    const request = valid();
    (request.EncoderSettings!.VideoDescriptions![0] as { Width: unknown }).Width = 'full-width';
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(/Width: expected an integer/);
  });

  it('rejects a value outside the enum', () => {
    const request = valid();
    (request.EncoderSettings!.VideoDescriptions![0]!.CodecSettings!.H264Settings as { Profile: string }).Profile = 'ULTRA';
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(/H264Settings\.Profile: "ULTRA" is not one of/);
  });

  it('rejects an RTMP certificate mode outside the model’s enum', () => {
    const request = valid();
    const rtmp = request.EncoderSettings!.OutputGroups![0]!.Outputs![0]!.OutputSettings!.RtmpOutputSettings!;
    (rtmp as { CertificateMode: string }).CertificateMode = 'TRUST_ME';
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(
      /RtmpOutputSettings\.CertificateMode: "TRUST_ME" is not one of/,
    );
  });

  it('rejects a bit rate below the model’s minimum (H264Settings.Bitrate ≥ 1000)', () => {
    const request = valid();
    request.EncoderSettings!.VideoDescriptions![0]!.CodecSettings!.H264Settings!.Bitrate = 999;
    expect(mediaLiveModelViolations('CreateChannel', request)).toEqual([
      'CreateChannel.EncoderSettings.VideoDescriptions[0].CodecSettings.H264Settings.Bitrate: value 999 is below the minimum 1000',
    ]);
  });

  it('rejects a number above the model’s maximum (Sharpness ≤ 100)', () => {
    const request = valid();
    request.EncoderSettings!.VideoDescriptions![0]!.Sharpness = 101;
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(/Sharpness: value 101 is above the maximum 100/);
  });

  it('rejects a string longer than the model allows (output group name ≤ 32 characters)', () => {
    const request = valid();
    request.EncoderSettings!.OutputGroups![0]!.Name = 'g'.repeat(33);
    expect(mediaLiveModelViolations('CreateChannel', request)).toEqual([
      'CreateChannel.EncoderSettings.OutputGroups[0].Name: length 33 is above the maximum 32',
    ]);
  });

  it('rejects a string shorter than the model allows (input loss colour is 6 hex digits)', () => {
    const request = valid();
    request.EncoderSettings!.GlobalConfiguration!.InputLossBehavior!.InputLossImageColor = '000';
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(/InputLossImageColor: length 3 is below the minimum 6/);
  });

  it('rejects a CreateInput type outside the model’s enum', () => {
    expect(mediaLiveModelViolations('CreateInput', { ...buildCreateInputRequest(spec()), Type: 'HLS_PULL' })).toEqual([
      expect.stringMatching(/^CreateInput\.Type: "HLS_PULL" is not one of UDP_PUSH, .*URL_PULL/),
    ]);
  });

  it('rejects a member of list type given a single value', () => {
    const request = valid();
    (request.EncoderSettings!.OutputGroups![0]!.Outputs![0] as { AudioDescriptionNames: unknown }).AudioDescriptionNames = 'audio_1';
    expect(() => validateMediaLiveRequest('CreateChannel', request)).toThrow(/AudioDescriptionNames: expected a list/);
  });

  it('rejects a CreateInput request with an unknown member', () => {
    expect(() => validateMediaLiveRequest('CreateInput', { ...buildCreateInputRequest(spec()), Bogus: 1 })).toThrow(/Bogus/);
  });

  it('rejects a schedule request without its channel id', () => {
    const { ChannelId: _omit, ...request } = buildReattachInputRequest('1', 'st-1');
    expect(() => validateMediaLiveRequest('BatchUpdateSchedule', request)).toThrow(/ChannelId: required/);
  });
});
