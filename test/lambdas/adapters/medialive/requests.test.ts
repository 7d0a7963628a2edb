import { describe, expect, it } from '@jest/globals';
import type { CreateChannelCommandInput, CreateInputCommandInput } from '@aws-sdk/client-medialive';
import { PROFILES, type Platform } from '../../../../lambdas/core/destination';
import { TAG_CONFIG_REVISION, TAG_DESTINATION, TAG_PROJECT, type ChannelSpec } from '../../../../lambdas/core/ports';
import { ENCODING_PROFILES } from '../../../../lambdas/adapters/medialive/encoding-profiles';
import { buildCreateChannelRequest, buildCreateInputRequest, resourceName } from '../../../../lambdas/adapters/medialive/requests';
import { validateMediaLiveRequest } from '../../../support/medialive-api-model';

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
];

function spec(overrides: Partial<ChannelSpec> = {}): ChannelSpec {
  return {
    projectName: 'restream-test',
    destinationId: '01J9Z3K7Q8R2M4N6P8T0V2X4Z6',
    destinationName: 'My Channel',
    requestId: '01J9Z3K7Q8R2M4N6P8T0V2X4Z6:g0:r1',
    sourceUrl: 'https://abcdef123456.us-east-1.playback.live-video.net/api/video/v1/us-east-1.123456789012.channel.AbCdEfGh1234.m3u8',
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

describe('MediaLive request builders', () => {
  describe.each(CASES)('$platform $rtmpUrl with profile $profile', ({ rtmpUrl, streamKey, profile }) => {
    const s = spec({ rtmpUrl, streamKey, profile });
    // The annotations are the type-level check: the builders return the v3 SDK's input types.
    const input: CreateInputCommandInput = buildCreateInputRequest(s);
    const channel: CreateChannelCommandInput = buildCreateChannelRequest(s, INPUT_ID);
    const encoder = channel.EncoderSettings!;
    const video = encoder.VideoDescriptions![0]!;
    const h264 = video.CodecSettings!.H264Settings!;
    const group = encoder.OutputGroups![0]!;
    const output = group.Outputs![0]!;
    const rtmpOutput = output.OutputSettings!.RtmpOutputSettings!;

    it('builds a CreateInput request that AWS’s MediaLive API model accepts', async () => {
      await expect(validateMediaLiveRequest('createInput', input)).resolves.toBeUndefined();
    });

    it('builds a CreateChannel request that AWS’s MediaLive API model accepts', async () => {
      await expect(validateMediaLiveRequest('createChannel', channel)).resolves.toBeUndefined();
    });

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
      expect(setting.Url).toBe(rtmpUrl);
      expect(setting.Url).not.toContain(streamKey);
      expect(setting.StreamName).toBe(streamKey);
      expect(occurrences(JSON.stringify(channel), JSON.stringify(streamKey).slice(1, -1))).toBe(1);
    });

    it('encodes H.264 High CBR at the profile’s size, 30 fps and bit rate', () => {
      const p = ENCODING_PROFILES[profile];
      expect(video).toMatchObject({ Width: p.width, Height: p.height });
      expect(h264).toMatchObject({
        Profile: 'HIGH',
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

describe('the MediaLive API model check', () => {
  const valid = () => buildCreateChannelRequest(spec(), INPUT_ID);

  it('rejects a CreateChannel request without a required member', async () => {
    const request = valid();
    delete (request.EncoderSettings as Partial<NonNullable<CreateChannelCommandInput['EncoderSettings']>>).TimecodeConfig;
    await expect(validateMediaLiveRequest('createChannel', request)).rejects.toThrow(/TimecodeConfig/);
  });

  it('rejects a member the model does not know', async () => {
    const request = { ...valid(), StreamKey: 'x' };
    await expect(validateMediaLiveRequest('createChannel', request)).rejects.toThrow(/StreamKey/);
  });

  it('rejects a member of the wrong type', async () => {
    const request = valid();
    (request.EncoderSettings!.VideoDescriptions![0] as { Width: unknown }).Width = 'full-width';
    await expect(validateMediaLiveRequest('createChannel', request)).rejects.toThrow(/Width/);
  });

  it('rejects a CreateInput request with an unknown member', async () => {
    await expect(validateMediaLiveRequest('createInput', { ...buildCreateInputRequest(spec()), Bogus: 1 })).rejects.toThrow(/Bogus/);
  });
});
