import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../lambdas/core/errors';
import {
  assertPlatformAcceptsUrl,
  assertPublicRtmpTarget,
  parseCreateDestination,
  parseUpdateDestination,
  PRIVATE_TARGET_MESSAGE,
} from '../../../lambdas/core/validation';

const ARN = 'arn:aws:ivs:eu-west-1:123456789012:channel/AbCdEfGhIjKl';

function validCreate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { platform: 'youtube', name: 'Main channel', streamKey: 'abcd-efgh-ijkl-mnop', ...overrides };
}

/** The ValidationError a call throws; fails the test when it throws nothing or something else. */
function validationErrorOf(call: () => unknown): ValidationError {
  try {
    call();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, but the call succeeded');
}

describe('parseCreateDestination', () => {
  it('returns the validated fields with the name trimmed', () => {
    const input = parseCreateDestination({
      platform: 'custom',
      name: '  Studio relay  ',
      streamKey: 'live_123456_AbCdEf',
      rtmpUrl: 'rtmps://relay.example.com:443/live',
      enabled: false,
      channelArn: ARN,
      profile: '480p30-2000',
    });

    expect(input).toEqual({
      platform: 'custom',
      name: 'Studio relay',
      streamKey: 'live_123456_AbCdEf',
      rtmpUrl: 'rtmps://relay.example.com:443/live',
      enabled: false,
      channelArn: ARN,
      profile: '480p30-2000',
    });
  });

  it('accepts a platform with a default endpoint without rtmpUrl and leaves optional fields out', () => {
    expect(parseCreateDestination(validCreate())).toEqual({
      platform: 'youtube',
      name: 'Main channel',
      streamKey: 'abcd-efgh-ijkl-mnop',
    });
  });

  it('names every missing required field and says what to send', () => {
    const error = validationErrorOf(() => parseCreateDestination({}));

    expect(error.issues.map((i) => i.field)).toEqual(['platform', 'name', 'streamKey']);
    expect(error.message).toContain('platform: is required: send one of youtube, twitch, facebook, kick, custom');
    expect(error.message).toContain('streamKey: is required');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual({ fields: error.issues });
  });

  it.each([
    ['an array', [], 'array'],
    ['null', null, 'null'],
    ['a string', 'platform=youtube', 'string'],
    ['a number', 42, 'number'],
  ])('rejects a body that is %s, naming the body', (_label, body, type) => {
    const error = validationErrorOf(() => parseCreateDestination(body));

    expect(error.issues).toEqual([{ field: 'body', message: `expected a JSON object, got ${type}` }]);
  });

  it('rejects unknown fields and names each of them', () => {
    const error = validationErrorOf(() => parseCreateDestination(validCreate({ key: 'x', server: 'y' })));

    expect(error.issues.map((i) => i.field)).toEqual(['key', 'server']);
    expect(error.message).toContain('key: is not a known field; allowed fields are platform, name, streamKey');
  });

  it.each([
    ['enabled', 'true', 'enabled: expected a boolean, got string'],
    ['enabled', 1, 'enabled: expected a boolean, got number'],
    ['name', 7, 'name: expected a string, got number'],
    ['streamKey', null, 'streamKey: expected a string, got null'],
    ['rtmpUrl', { href: 'rtmps://x' }, 'rtmpUrl: expected a string, got object'],
    ['platform', ['youtube'], 'platform: expected a string, got array'],
    ['profile', 720, 'profile: expected a string, got number'],
    ['channelArn', false, 'channelArn: expected a string, got boolean'],
  ])('names the JSON type when %s has the wrong type (%p)', (field, value, expected) => {
    const error = validationErrorOf(() => parseCreateDestination(validCreate({ [field]: value })));

    expect(error.message).toContain(expected);
    expect(error.issues.map((i) => i.field)).toEqual([field]);
  });

  it('rejects a platform that is not supported and lists the supported ones', () => {
    const error = validationErrorOf(() => parseCreateDestination(validCreate({ platform: 'tiktok' })));

    expect(error.issues).toEqual([{ field: 'platform', message: 'must be one of youtube, twitch, facebook, kick, custom' }]);
  });

  it('rejects a profile that is not supported and lists the supported ones', () => {
    const error = validationErrorOf(() => parseCreateDestination(validCreate({ profile: '4k60-20000' })));

    expect(error.issues).toEqual([{ field: 'profile', message: 'must be one of 1080p30-6000, 720p30-4500, 480p30-2000' }]);
  });

  describe('name', () => {
    it.each([
      ['empty', ''],
      ['only spaces', '    '],
      ['longer than 100 characters', 'n'.repeat(101)],
      ['holding a control character', 'line\u0007bell'],
      ['holding a right-to-left override', 'Main \u202Etxt.exe'],
      ['holding a left-to-right embedding', 'Main\u202Achannel'],
      ['holding a first-strong isolate', 'Main\u2068channel\u2069'],
      ['holding a right-to-left mark', 'Main\u200F'],
      ['holding an Arabic letter mark', 'Main\u061Cchannel'],
      ['holding a line separator', 'Main\u2028channel'],
    ])('rejects a name that is %s', (_label, name) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ name })));

      expect(error.issues.map((i) => i.field)).toEqual(['name']);
    });

    it('names the text-direction characters in the rule', () => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ name: 'a\u202Eb' })));

      expect(error.issues[0]?.message).toContain('without control or text-direction characters');
    });

    it.each(['Café Live', 'Канал', 'قناة البث', '配信 メイン', 'Family 👨\u200D👩\u200D👧'])('accepts the name %s', (name) => {
      expect(parseCreateDestination(validCreate({ name })).name).toBe(name);
    });

    it('accepts 100 characters once the surrounding spaces are trimmed', () => {
      const name = 'n'.repeat(100);

      expect(parseCreateDestination(validCreate({ name: `  ${name}  ` })).name).toBe(name);
    });
  });

  describe('streamKey', () => {
    it.each([
      ['empty', ''],
      ['holding a space', 'abcd efgh'],
      ['holding a tab', 'abcd\tefgh'],
      ['ending in a newline', 'abcdefgh\n'],
      ['holding a control character', 'abcd\u0000efgh'],
      ['holding a zero-width character', 'abcd\u200befgh'],
      ['longer than 512 characters', 'k'.repeat(513)],
    ])('rejects a key that is %s', (_label, streamKey) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ streamKey })));

      expect(error.issues.map((i) => i.field)).toEqual(['streamKey']);
    });

    it('accepts 512 visible characters, including punctuation platforms use in keys', () => {
      const streamKey = `FB-1234-0-Ab?s_bl=1&s_ps=1&a=${'x'.repeat(483)}`;
      expect(streamKey).toHaveLength(512);

      expect(parseCreateDestination(validCreate({ streamKey })).streamKey).toBe(streamKey);
    });
  });

  describe('rtmpUrl', () => {
    it.each([
      ['http://', 'http://live.example.com/app'],
      ['https://', 'https://live.example.com/app'],
      ['ftp://', 'ftp://live.example.com/app'],
      ['srt://', 'srt://live.example.com:9000'],
      ['no scheme', 'live.example.com/app'],
      ['a scheme in capitals', 'RTMPS://live.example.com/app'],
      ['no host', 'rtmp://'],
      ['an empty host', 'rtmps:///app'],
      ['a space', 'rtmps://live.example.com/my app'],
      ['a newline', 'rtmps://live.example.com/app\n'],
      ['an invalid port', 'rtmps://live.example.com:99999/app'],
      ['text only', 'not a url'],
    ])('rejects a URL with %s, saying what a valid one looks like', (_label, rtmpUrl) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ rtmpUrl })));

      expect(error.issues).toEqual([
        {
          field: 'rtmpUrl',
          message: 'must start with rtmp:// or rtmps:// and include a host, e.g. rtmps://live.example.com/app',
        },
      ]);
    });

    it('rejects a URL longer than 2048 characters', () => {
      const rtmpUrl = `rtmps://live.example.com/${'a'.repeat(2048)}`;

      const error = validationErrorOf(() => parseCreateDestination(validCreate({ rtmpUrl })));

      expect(error.issues).toEqual([{ field: 'rtmpUrl', message: 'must be at most 2048 characters' }]);
    });

    it.each([
      ['a user name and a password', 'rtmps://user:hunter2@live.example.com/app'],
      ['a user name only', 'rtmps://user@live.example.com/app'],
      ['a password only', 'rtmps://:hunter2@live.example.com/app'],
    ])('rejects credentials in the URL (%s) and points to streamKey', (_label, rtmpUrl) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl })));

      expect(error.issues).toEqual([
        {
          field: 'rtmpUrl',
          message:
            'must not contain a user name or password; send the endpoint only, e.g. rtmps://live.example.com/app, and the key in streamKey',
        },
      ]);
    });

    it.each([
      ['another scheme ending in rtmp', 'xrtmp://live.example.com/app'],
      ['another scheme ending in rtmps', 'srtmps://live.example.com/app'],
      ['an rtmp URL inside an https URL', 'https://live.example.com/?next=rtmp://live.example.com/app'],
      ['an rtmp URL after a space', ' rtmp://live.example.com/app'],
    ])('rejects a URL with rtmp:// anywhere but at the start (%s)', (_label, rtmpUrl) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl })));

      expect(error.issues.map((i) => i.field)).toEqual(['rtmpUrl']);
    });

    it.each([
      'rtmp://live.example.com/app',
      'rtmp://203.0.113.5:1935/live',
      'rtmps://live-api-s.facebook.com:443/rtmp/',
      'rtmps://a.rtmps.youtube.com/live2?backup=1',
      'rtmp://[2001:db8::1]:1935/app',
    ])('accepts %s', (rtmpUrl) => {
      expect(parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl })).rtmpUrl).toBe(rtmpUrl);
    });

    it.each(['facebook', 'kick'])('rejects rtmp:// for %s, which accepts only RTMPS', (platform) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ platform, rtmpUrl: 'rtmp://live.example.com/app' })));

      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.field).toBe('rtmpUrl');
      expect(error.issues[0]?.message).toMatch(/accepts only RTMPS: use an rtmps:\/\/ URL, e\.g\. rtmps:\/\//);
    });

    it.each(['youtube', 'twitch', 'custom'])('accepts rtmp:// for %s', (platform) => {
      const input = parseCreateDestination(validCreate({ platform, rtmpUrl: 'rtmp://live.example.com/app' }));

      expect(input.rtmpUrl).toBe('rtmp://live.example.com/app');
    });

    it.each([
      ['a YouTube URL', 'youtube', 'rtmps://a.rtmps.youtube.com:443/live2/qrst-uvwx-yz12-3456'],
      ['a YouTube URL on the legacy host', 'youtube', 'rtmp://a.rtmp.youtube.com/live2/qrst-uvwx-yz12-3456'],
      ['a Twitch URL', 'twitch', 'rtmps://ingest.global-contribute.live-video.net/app/live_123456_AbCdEf'],
      ['a Facebook URL', 'facebook', 'rtmps://live-api-s.facebook.com:443/rtmp/FB-1234-0-AbCd'],
      ['a Kick URL', 'kick', 'rtmps://fa723fc1b171.global-contribute.live-video.net/app/sk_us-west-2_abc'],
    ])('rejects %s with a path segment after the ingest path (the key), pointing to streamKey', (_label, platform, rtmpUrl) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ platform, rtmpUrl })));

      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.field).toBe('rtmpUrl');
      expect(error.issues[0]?.message).toMatch(
        /^looks like it ends with the stream key: send .+ ingest URL without it, e\.g\. rtmps:\/\/.+, and the key in streamKey$/,
      );
      expect(error.message).not.toContain('qrst-uvwx');
    });

    it.each([
      ['youtube', 'rtmps://b.rtmps.youtube.com:443/live2?backup=1'],
      ['youtube', 'rtmp://a.rtmp.youtube.com/live2'],
      ['twitch', 'rtmps://live-fra.twitch.tv/app'],
      ['youtube', 'rtmps://live.example.com/live2/extra'],
    ])('accepts the %s ingest URL %s, which has no key segment', (platform, rtmpUrl) => {
      expect(parseCreateDestination(validCreate({ platform, rtmpUrl })).rtmpUrl).toBe(rtmpUrl);
    });

    it.each([
      ['at the end', 'rtmp://live.example.com/app/abcd-efgh-ijkl-mnop'],
      ['in the query', 'rtmp://live.example.com/app?key=abcd-efgh-ijkl-mnop'],
      ['percent-encoded', 'rtmp://live.example.com/app/abcd%2Defgh-ijkl-mnop'],
    ])('rejects a URL that holds the stream key %s, never quoting it', (_label, rtmpUrl) => {
      const error = validationErrorOf(() =>
        parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl, streamKey: 'abcd-efgh-ijkl-mnop' })),
      );

      expect(error.issues).toEqual([
        { field: 'rtmpUrl', message: 'must not contain the stream key: send the URL without it, and the key in streamKey only' },
      ]);
      expect(JSON.stringify(error.issues) + error.message).not.toContain('abcd');
    });

    it('does not look for a key shorter than 6 characters in the URL, where it would match by chance', () => {
      const input = parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl: 'rtmp://live.example.com/live', streamKey: 'live' }));

      expect(input.rtmpUrl).toBe('rtmp://live.example.com/live');
    });

    it('requires rtmpUrl for a custom destination', () => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ platform: 'custom' })));

      expect(error.issues).toHaveLength(1);
      expect(error.message).toContain('rtmpUrl: is required for platform custom');
    });
  });

  describe('channelArn', () => {
    it.each([
      'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl',
      'arn:aws-cn:ivs:cn-north-1:123456789012:channel/abc123',
      'arn:aws-us-gov:ivs:us-gov-west-1:123456789012:channel/XYZ789',
      'arn:aws:ivs:ap-northeast-1:000000000000:channel/a',
    ])('accepts the IVS channel ARN %s', (channelArn) => {
      expect(parseCreateDestination(validCreate({ channelArn })).channelArn).toBe(channelArn);
    });

    it.each([
      ['another service', 'arn:aws:medialive:us-west-2:123456789012:channel:1234567'],
      ['a stream key resource', 'arn:aws:ivs:us-west-2:123456789012:stream-key/AbCdEfGhIjKl'],
      ['an unknown partition', 'arn:aws-xx:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl'],
      ['an 11-digit account', 'arn:aws:ivs:us-west-2:12345678901:channel/AbCdEfGhIjKl'],
      ['no region', 'arn:aws:ivs::123456789012:channel/AbCdEfGhIjKl'],
      ['no channel id', 'arn:aws:ivs:us-west-2:123456789012:channel/'],
      ['a channel id with a slash', 'arn:aws:ivs:us-west-2:123456789012:channel/Ab/Cd'],
      ['a bare channel id', 'AbCdEfGhIjKl'],
    ])('rejects %s', (_label, channelArn) => {
      const error = validationErrorOf(() => parseCreateDestination(validCreate({ channelArn })));

      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.field).toBe('channelArn');
      expect(error.issues[0]?.message).toContain('must be an IVS channel ARN');
    });
  });

  it('reports every bad field at once', () => {
    const error = validationErrorOf(() =>
      parseCreateDestination({
        platform: 'youtube',
        name: '',
        streamKey: 'a b',
        rtmpUrl: 'ftp://x',
        enabled: 'yes',
        channelArn: 'nope',
        profile: 'max',
        extra: true,
      }),
    );

    expect(error.issues.map((i) => i.field)).toEqual(['name', 'streamKey', 'rtmpUrl', 'enabled', 'channelArn', 'profile', 'extra']);
    for (const issue of error.issues) expect(error.message).toContain(`${issue.field}: ${issue.message}`);
  });

  it('never puts a received value into a message', () => {
    const secret = 'sk_live_Zq8v3SECRETKEY';
    const bodies: unknown[] = [
      validCreate({ streamKey: `${secret} with space` }),
      validCreate({ streamKey: `${secret}\u0000` }),
      validCreate({ streamKey: `${secret}${'x'.repeat(600)}` }),
      validCreate({ rtmpUrl: `ftp://${secret}.example.com/app` }),
      validCreate({ rtmpUrl: `rtmps://user:${secret}@live.example.com/app` }),
      validCreate({ platform: 'facebook', rtmpUrl: `rtmp://live.example.com/${secret}` }),
      validCreate({ platform: secret }),
      validCreate({ profile: secret }),
      validCreate({ channelArn: secret }),
      validCreate({ enabled: secret }),
      validCreate({ name: `${secret}\u0007` }),
      validCreate({ unexpected: secret }),
      secret,
    ];
    for (const body of bodies) {
      const error = validationErrorOf(() => parseCreateDestination(body));
      expect(JSON.stringify({ message: error.message, issues: error.issues, details: error.details })).not.toContain('SECRETKEY');
    }
  });
});

describe('parseUpdateDestination', () => {
  it('returns only the fields sent', () => {
    expect(parseUpdateDestination({ enabled: false })).toEqual({ enabled: false });
    expect(parseUpdateDestination({ name: ' Renamed ', profile: '720p30-4500' })).toEqual({
      name: 'Renamed',
      profile: '720p30-4500',
    });
  });

  it('rejects an empty object and lists the fields that can be changed', () => {
    const error = validationErrorOf(() => parseUpdateDestination({}));

    expect(error.issues).toEqual([
      {
        field: 'body',
        message: 'must contain at least one field to change: platform, name, streamKey, rtmpUrl, enabled, channelArn, profile, mode',
      },
    ]);
  });

  it('applies the same field rules as create', () => {
    const error = validationErrorOf(() =>
      parseUpdateDestination({ enabled: 'false', rtmpUrl: 'http://live.example.com/app', streamKey: '' }),
    );

    expect(error.issues.map((i) => i.field)).toEqual(['streamKey', 'rtmpUrl', 'enabled']);
    expect(error.message).toContain('enabled: expected a boolean, got string');
  });

  it('rejects unknown fields, naming them', () => {
    const error = validationErrorOf(() => parseUpdateDestination({ enabled: true, status: 'active' }));

    expect(error.issues.map((i) => i.field)).toEqual(['status']);
  });

  it('rejects rtmp:// when the same body switches to a platform that accepts only RTMPS', () => {
    const error = validationErrorOf(() => parseUpdateDestination({ platform: 'kick', rtmpUrl: 'rtmp://live.example.com/app' }));

    expect(error.issues[0]?.field).toBe('rtmpUrl');
    expect(error.issues[0]?.message).toContain('Kick accepts only RTMPS');
  });

  it('accepts a body that changes platform and URL together when they go together', () => {
    expect(parseUpdateDestination({ platform: 'kick', rtmpUrl: 'rtmps://ingest.example.com/app' })).toEqual({
      platform: 'kick',
      rtmpUrl: 'rtmps://ingest.example.com/app',
    });
    expect(parseUpdateDestination({ platform: 'custom', rtmpUrl: 'rtmp://live.example.com/app', name: 'Own server' })).toEqual({
      platform: 'custom',
      rtmpUrl: 'rtmp://live.example.com/app',
      name: 'Own server',
    });
  });

  it('rejects a body whose URL holds the key it sends', () => {
    const error = validationErrorOf(() =>
      parseUpdateDestination({ rtmpUrl: 'rtmp://live.example.com/app/new-key-1234567', streamKey: 'new-key-1234567' }),
    );

    expect(error.issues.map((i) => i.field)).toEqual(['rtmpUrl']);
  });

  it('leaves the platform/URL pairing to the service when only one of them is sent', () => {
    expect(parseUpdateDestination({ rtmpUrl: 'rtmp://live.example.com/app' })).toEqual({
      rtmpUrl: 'rtmp://live.example.com/app',
    });
    expect(parseUpdateDestination({ platform: 'custom' })).toEqual({ platform: 'custom' });
  });
});

describe('assertPlatformAcceptsUrl', () => {
  it('accepts RTMPS for a platform that requires it and any scheme for one that does not', () => {
    expect(() => assertPlatformAcceptsUrl('facebook', 'rtmps://live-api-s.facebook.com:443/rtmp/')).not.toThrow();
    expect(() => assertPlatformAcceptsUrl('twitch', 'rtmp://live.example.com/app')).not.toThrow();
    expect(() => assertPlatformAcceptsUrl('youtube', undefined)).not.toThrow();
  });

  it('throws a ValidationError naming rtmpUrl for a merged state that breaks the pairing', () => {
    expect(validationErrorOf(() => assertPlatformAcceptsUrl('facebook', 'rtmp://x.example.com/app')).issues[0]?.field).toBe('rtmpUrl');
    expect(validationErrorOf(() => assertPlatformAcceptsUrl('custom', undefined)).message).toContain(
      'rtmpUrl: is required for platform custom',
    );
  });
});

describe('push targets', () => {
  const rejectedRtmpUrl = (rtmpUrl: string): string => {
    const error = validationErrorOf(() => parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl })));
    expect(error.issues.map((i) => i.field)).toEqual(['rtmpUrl']);
    expect(error.message).toMatch(/^rtmpUrl: /);
    return error.issues[0]!.message;
  };

  it.each([
    ['the AWS instance metadata address', 'rtmp://169.254.169.254/latest'],
    ['it in hexadecimal', 'rtmp://0xa9fea9fe/live'],
    ['it as one decimal number', 'rtmp://2852039166/live'],
    ['it in octal', 'rtmp://0251.0376.0251.0376/live'],
    ['it in two parts', 'rtmp://169.254.43518/live'],
    ['it with a trailing dot', 'rtmp://169.254.169.254./live'],
    ['it inside IPv6 (mapped)', 'rtmp://[::ffff:169.254.169.254]/live'],
    ['it inside IPv6 (NAT64)', 'rtmp://[64:ff9b::a9fe:a9fe]/live'],
    ['the ECS task metadata address', 'rtmp://169.254.170.2:1935/v4'],
    ['the AWS instance metadata IPv6 address', 'rtmp://[fd00:ec2::254]/live'],
    ['it written out in full', 'rtmps://[fd00:0ec2:0000:0000:0000:0000:0000:0254]:443/live'],
    ['Google metadata', 'rtmp://metadata.google.internal/computeMetadata'],
    ['Google metadata in capitals with a trailing dot', 'rtmp://Metadata.Google.Internal./x'],
    ['an IPv6 link-local address', 'rtmp://[fe80::1]/live'],
  ])('always rejects %s, naming rtmpUrl', (_label, rtmpUrl) => {
    expect(rejectedRtmpUrl(rtmpUrl)).toMatch(/link-local|metadata/);
  });

  it.each(['rtmp://224.0.0.1/live', 'rtmp://255.255.255.255/live', 'rtmp://[ff02::1]/live'])('rejects the group address %s', (rtmpUrl) => {
    expect(rejectedRtmpUrl(rtmpUrl)).toContain('not a multicast or broadcast address');
  });

  it('rejects a host with percent-encoding, which no ingest server has', () => {
    expect(rejectedRtmpUrl('rtmp://%6c%6fcalhost/live')).toContain('must start with rtmp:// or rtmps://');
  });

  const privateTargets = [
    'rtmp://127.0.0.1/live',
    'rtmp://127.1/live',
    'rtmp://0x7f000001/live',
    'rtmp://2130706433/live',
    'rtmp://0177.0.0.1/live',
    'rtmp://[::1]:1935/live',
    'rtmp://localhost:1935/live',
    'rtmp://LOCALHOST./live',
    'rtmp://studio.localhost/live',
    'rtmp://10.0.0.5/live',
    'rtmp://172.16.3.4/live',
    'rtmp://172.31.255.255/live',
    'rtmp://192.168.1.10/live',
    'rtmp://100.64.0.1/live',
    'rtmp://[fd12:3456::1]/live',
    'rtmp://[fc00::1]/live',
    'rtmp://0.0.0.0/live',
    'rtmp://[::]/live',
    'rtmp://[::ffff:10.0.0.5]/live',
  ];

  it.each(privateTargets)('accepts the private target %s in the field itself (the deployment decides)', (rtmpUrl) => {
    expect(parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl })).rtmpUrl).toBe(rtmpUrl);
  });

  it.each(privateTargets)('assertPublicRtmpTarget rejects %s, naming rtmpUrl and the module variable', (rtmpUrl) => {
    const error = validationErrorOf(() => assertPublicRtmpTarget(rtmpUrl));
    expect(error.issues).toEqual([{ field: 'rtmpUrl', message: PRIVATE_TARGET_MESSAGE }]);
    expect(error.message).toContain('rtmpUrl: must point at a public address');
    expect(error.message).toContain('allow_private_rtmp_targets');
  });

  it.each([
    'rtmps://a.rtmps.youtube.com:443/live2',
    'rtmp://203.0.113.5:1935/live',
    'rtmp://172.32.0.1/live',
    'rtmp://172.15.255.255/live',
    'rtmp://169.255.0.1/live',
    'rtmp://100.128.0.1/live',
    'rtmp://[2001:db8::1]:1935/app',
    'rtmp://localhost.example.com/live',
    'rtmp://metadata.google.internal.example.com/live',
  ])('accepts the public target %s', (rtmpUrl) => {
    expect(parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl })).rtmpUrl).toBe(rtmpUrl);
    expect(() => assertPublicRtmpTarget(rtmpUrl)).not.toThrow();
  });
});

describe('messages: each names the field and says what to send instead', () => {
  const EXAMPLE_ARN = 'arn:aws:ivs:us-west-2:123456789012:channel/AbCdEfGhIjKl';
  const issuesOf = (body: unknown) => validationErrorOf(() => parseCreateDestination(body)).issues;

  it('says what to send for each missing required field', () => {
    expect(issuesOf({})).toEqual([
      { field: 'platform', message: 'is required: send one of youtube, twitch, facebook, kick, custom' },
      { field: 'name', message: 'is required: send a name of 1-100 characters' },
      { field: 'streamKey', message: 'is required: send the stream key exactly as the platform shows it' },
    ]);
  });

  it.each([
    ['platform', 1, 'expected a string, got number; send one of youtube, twitch, facebook, kick, custom'],
    ['name', true, 'expected a string, got boolean; send a name of 1-100 characters'],
    ['streamKey', 12345678, 'expected a string, got number; send the stream key exactly as the platform shows it'],
    ['rtmpUrl', 42, 'expected a string, got number; send an rtmp:// or rtmps:// URL with a host, e.g. rtmps://live.example.com/app'],
    ['enabled', 'true', 'expected a boolean, got string; send true or false'],
    ['channelArn', null, `expected a string, got null; send an IVS channel ARN, e.g. ${EXAMPLE_ARN}`],
    ['profile', 720, 'expected a string, got number; send one of 1080p30-6000, 720p30-4500, 480p30-2000'],
    [
      'mode',
      [],
      'expected a string, got array; send passthrough (copy the IVS stream as it is) or transcode (MediaLive, with the profile)',
    ],
  ])('says what to send when %s has the wrong JSON type (%p)', (field, value, message) => {
    expect(issuesOf(validCreate({ [field]: value }))).toEqual([{ field, message }]);
  });

  it.each([
    ['name', '', 'must not be empty or only spaces'],
    ['name', 'n'.repeat(101), 'must be at most 100 characters'],
    [
      'name',
      'Main\u202Echannel',
      'must be 1-100 characters (spaces at either end do not count) without control or text-direction characters',
    ],
    ['streamKey', '', 'must not be empty; paste the key exactly as the platform shows it'],
    ['streamKey', 'k'.repeat(513), 'must be at most 512 characters'],
    [
      'streamKey',
      'abcd efgh',
      'must be 1-512 visible characters without spaces or control characters; paste the key exactly as the platform shows it',
    ],
    ['channelArn', 'nope', `must be an IVS channel ARN (arn:aws:ivs:<region>:<12-digit account>:channel/<id>), e.g. ${EXAMPLE_ARN}`],
    [
      'mode',
      'copy',
      'must be one of passthrough, transcode: passthrough copies the IVS stream as it is, transcode encodes it again with the profile (MediaLive)',
    ],
  ])('names the rule %s breaks (%p)', (field, value, message) => {
    expect(issuesOf(validCreate({ [field]: value }))).toEqual([{ field, message }]);
  });

  it('reports only the first rule a field breaks', () => {
    expect(issuesOf(validCreate({ streamKey: `${'k'.repeat(600)} x` }))).toEqual([
      { field: 'streamKey', message: 'must be at most 512 characters' },
    ]);
  });

  it('joins the issues into one message, field by field', () => {
    const error = validationErrorOf(() => parseCreateDestination(validCreate({ name: '', enabled: 1 })));
    expect(error.message).toBe('name: must not be empty or only spaces; enabled: expected a boolean, got number; send true or false');
  });

  it('shows an unknown field printable and clipped, never whole', () => {
    const longKey = `x${'y'.repeat(99)}`;
    expect(issuesOf(validCreate({ 'stream\u0000Key': 'v', [longKey]: 'v' })).map((i) => i.field)).toEqual([
      'stream?Key',
      `x${'y'.repeat(63)}…`,
    ]);
    expect(issuesOf(validCreate({ [`x${'y'.repeat(63)}`]: 'v' })).map((i) => i.field)).toEqual([`x${'y'.repeat(63)}`]);
  });

  it.each([
    [
      'youtube',
      'rtmps://a.rtmps.youtube.com:443/live2/qrst-uvwx',
      "YouTube's ingest URL without it, e.g. rtmps://a.rtmps.youtube.com:443/live2",
    ],
    [
      'facebook',
      'rtmps://live-api-s.facebook.com:443/rtmp/FB-1',
      "Facebook's ingest URL without it, e.g. rtmps://live-api-s.facebook.com:443/rtmp",
    ],
  ])('points %s to its own ingest URL when the URL ends with a key', (platform, rtmpUrl, what) => {
    expect(issuesOf(validCreate({ platform, rtmpUrl }))).toEqual([
      { field: 'rtmpUrl', message: `looks like it ends with the stream key: send ${what}, and the key in streamKey` },
    ]);
  });

  it.each([
    ['facebook', 'Facebook accepts only RTMPS: use an rtmps:// URL, e.g. rtmps://live-api-s.facebook.com:443/rtmp'],
    ['kick', 'Kick accepts only RTMPS: use an rtmps:// URL, e.g. rtmps://fa723fc1b171.global-contribute.live-video.net:443/app'],
  ])('shows %s’s own RTMPS endpoint when it refuses rtmp://', (platform, message) => {
    expect(issuesOf(validCreate({ platform, rtmpUrl: 'rtmp://live.example.com/app' }))).toEqual([{ field: 'rtmpUrl', message }]);
  });

  it('says what a custom destination must send as rtmpUrl', () => {
    expect(issuesOf(validCreate({ platform: 'custom' }))).toEqual([
      {
        field: 'rtmpUrl',
        message: 'is required for platform custom: send the endpoint of your RTMP(S) server, e.g. rtmps://live.example.com/app',
      },
    ]);
  });

  it.each([
    [
      'rtmp://metadata.google.internal/computeMetadata',
      "must not point at a cloud metadata service (169.254.169.254, fd00:ec2::254, metadata.google.internal): use the platform's ingest URL",
    ],
    [
      'rtmp://[fe80::1]/live',
      "must not point at a link-local address (169.254.0.0/16, fe80::/10): those reach the machine the engine runs on, not a streaming server; use the platform's ingest URL",
    ],
    ['rtmp://224.0.0.1/live', 'must point at one server, not a multicast or broadcast address'],
  ])('says why the target %s is refused and what to send', (rtmpUrl, message) => {
    expect(issuesOf(validCreate({ platform: 'custom', rtmpUrl }))).toEqual([{ field: 'rtmpUrl', message }]);
  });
});

describe('rtmpUrl edge cases', () => {
  it('accepts a URL of exactly 2048 characters', () => {
    const prefix = 'rtmps://live.example.com/';
    const rtmpUrl = prefix + 'a'.repeat(2048 - prefix.length);
    expect(parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl })).rtmpUrl).toBe(rtmpUrl);
  });

  it.each([
    ['a zero-width space', 'rtmps://live.example.com/a\u200Bb'],
    ['a NUL character', 'rtmps://live.example.com/app\u0000'],
  ])('rejects a URL holding %s, which would not reach the server as shown', (_label, rtmpUrl) => {
    expect(validationErrorOf(() => parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl }))).issues).toEqual([
      { field: 'rtmpUrl', message: 'must start with rtmp:// or rtmps:// and include a host, e.g. rtmps://live.example.com/app' },
    ]);
  });

  it('finds a key pasted into the ingest URL whatever the case of the host', () => {
    const error = validationErrorOf(() => parseCreateDestination(validCreate({ rtmpUrl: 'rtmps://A.RTMPS.YouTube.com/live2/qrst-uvwx' })));
    expect(error.issues[0]?.message).toMatch(/^looks like it ends with the stream key/);
  });

  it.each([
    ['a slash after the ingest path', 'rtmps://a.rtmps.youtube.com/live2/'],
    ['another path on the same site', 'rtmps://a.rtmps.youtube.com/other/thing'],
  ])('does not take %s for a key', (_label, rtmpUrl) => {
    expect(parseCreateDestination(validCreate({ rtmpUrl })).rtmpUrl).toBe(rtmpUrl);
  });

  it('looks for a key of 6 characters in the URL', () => {
    const error = validationErrorOf(() =>
      parseCreateDestination(validCreate({ platform: 'custom', rtmpUrl: 'rtmp://live.example.com/app/k3y456', streamKey: 'k3y456' })),
    );
    expect(error.issues.map((i) => i.field)).toEqual(['rtmpUrl']);
  });

  it('finds the key in a URL with a malformed escape, where decoding fails', () => {
    const error = validationErrorOf(() =>
      parseCreateDestination(
        validCreate({
          platform: 'custom',
          rtmpUrl: 'rtmp://live.example.com/app%zz/abcd-efgh-ijkl-mnop',
          streamKey: 'abcd-efgh-ijkl-mnop',
        }),
      ),
    );
    expect(error.issues).toEqual([
      { field: 'rtmpUrl', message: 'must not contain the stream key: send the URL without it, and the key in streamKey only' },
    ]);
  });

  it('assertPublicRtmpTarget names rtmpUrl and its rule for a URL it cannot parse', () => {
    expect(validationErrorOf(() => assertPublicRtmpTarget('not a url')).issues).toEqual([
      { field: 'rtmpUrl', message: 'must start with rtmp:// or rtmps:// and include a host, e.g. rtmps://live.example.com/app' },
    ]);
  });

  it('assertPlatformAcceptsUrl judges a URL it cannot parse by its scheme, without failing itself', () => {
    expect(validationErrorOf(() => assertPlatformAcceptsUrl('facebook', 'not a url')).issues[0]?.message).toMatch(
      /^Facebook accepts only RTMPS/,
    );
    expect(() => assertPlatformAcceptsUrl('youtube', 'not a url')).not.toThrow();
  });
});

describe('the validated input', () => {
  it('carries the mode and leaves out every optional field that was not sent', () => {
    expect(parseCreateDestination(validCreate({ mode: 'passthrough' }))).toStrictEqual({
      platform: 'youtube',
      name: 'Main channel',
      streamKey: 'abcd-efgh-ijkl-mnop',
      mode: 'passthrough',
    });
    expect(parseUpdateDestination({ mode: 'transcode' })).toStrictEqual({ mode: 'transcode' });
  });

  it('accepts an update that sends every field', () => {
    const body = {
      platform: 'custom',
      name: 'Own server',
      streamKey: 'abcd-efgh-ijkl-mnop',
      rtmpUrl: 'rtmp://live.example.com/app',
      enabled: true,
      channelArn: ARN,
      profile: '720p30-4500',
      mode: 'passthrough',
    };
    expect(parseUpdateDestination(body)).toStrictEqual(body);
  });
});
