import { describe, expect, it, jest } from '@jest/globals';
import { ConfigError, loadRuntimeConfig, parseRuntimeConfig } from '../../frontend/src/config';

describe('parseRuntimeConfig', () => {
  it('reads the relay modes the deployment offers and their default', () => {
    expect(parseRuntimeConfig({ relayModes: { offered: ['transcode'], default: 'transcode' } }).relayModes).toEqual({
      offered: ['transcode'],
      default: 'transcode',
    });
    expect(parseRuntimeConfig({}).relayModes).toBeUndefined();
    expect(() => parseRuntimeConfig({ relayModes: { offered: ['transcode'], default: 'passthrough' } })).toThrow(
      'config.relayModes.default must be one of config.relayModes.offered.',
    );
    expect(() => parseRuntimeConfig({ relayModes: { offered: 'both', default: 'transcode' } })).toThrow('config.relayModes must be');
  });

  it('reads the local stack config: same-origin API, no login, local mode', () => {
    expect(parseRuntimeConfig({ apiUrl: '', auth: null, localMode: true })).toEqual({ apiUrl: '', auth: null, localMode: true });
  });

  it("reads the local stack's real-media ingests for the banner, and why media is simulated", () => {
    const ingest = {
      channelArn: 'arn:aws:ivs:us-east-1:000000000000:channel/local',
      server: 'rtmp://127.0.0.1:1935/app',
      streamKey: 'sk_us-east-1_abc123def456',
      playbackUrl: 'http://127.0.0.1:8787/_local/hls/local/index.m3u8',
    };
    expect(
      parseRuntimeConfig({ apiUrl: '', auth: null, localMode: true, localMedia: { real: true, reason: null, ingests: [ingest] } }),
    ).toEqual({
      apiUrl: '',
      auth: null,
      localMode: true,
      localMedia: { real: true, reason: null, ingests: [ingest] },
    });
    expect(
      parseRuntimeConfig({ localMode: true, localMedia: { real: false, reason: 'ffmpeg could not be run', ingests: [] } }).localMedia,
    ).toEqual({
      real: false,
      reason: 'ffmpeg could not be run',
      ingests: [],
    });
    expect(() => parseRuntimeConfig({ localMode: true, localMedia: { real: true, ingests: [{ ...ingest, server: 1 }] } })).toThrow(
      /localMedia\.ingests\[\]\.server/,
    );
  });

  it('reads a deployed config with Cognito and drops trailing slashes', () => {
    const config = parseRuntimeConfig({
      apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/',
      auth: {
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC/',
        clientId: 'client-1',
        domain: 'https://restream.auth.eu-west-1.amazoncognito.com/',
        scopes: ['openid', 'email'],
      },
    });
    expect(config).toEqual({
      apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      auth: {
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC',
        clientId: 'client-1',
        domain: 'restream.auth.eu-west-1.amazoncognito.com',
        scopes: 'openid email',
      },
      localMode: false,
    });
  });

  it.each([
    [null, 'config.json must hold a JSON object.'],
    [{ apiUrl: 'ftp://x' }, 'config.apiUrl must be an http(s) URL, or empty for the same origin.'],
    [{ apiUrl: 7 }, 'config.apiUrl must be a string.'],
    [{ apiUrl: '', auth: 'cognito' }, 'config.auth must be an object or null.'],
    [{ apiUrl: '', auth: { clientId: 'c' } }, 'config.auth.issuer is required.'],
    [{ apiUrl: '', auth: { issuer: 'https://i' } }, 'config.auth.clientId is required.'],
  ])('rejects %j naming the wrong field', (raw, message) => {
    expect(() => parseRuntimeConfig(raw)).toThrow(new ConfigError(message));
  });
});

describe('loadRuntimeConfig', () => {
  it('fetches and validates config.json', async () => {
    const fetchMock = jest.fn<typeof fetch>(async () => new Response(JSON.stringify({ apiUrl: '', auth: null, localMode: true })));
    await expect(loadRuntimeConfig(fetchMock, 'http://127.0.0.1/config.json')).resolves.toMatchObject({ localMode: true });
    expect(fetchMock).toHaveBeenCalledWith('http://127.0.0.1/config.json');
  });

  it('says which file is missing when the server answers 404', async () => {
    const fetchMock = jest.fn<typeof fetch>(async () => new Response('not found', { status: 404 }));
    await expect(loadRuntimeConfig(fetchMock, '/config.json')).rejects.toThrow('Could not load /config.json: HTTP 404.');
  });

  it('says the file is not JSON when the server answers with HTML', async () => {
    const fetchMock = jest.fn<typeof fetch>(async () => new Response('<!doctype html>'));
    await expect(loadRuntimeConfig(fetchMock, '/config.json')).rejects.toThrow('/config.json is not valid JSON.');
  });
});
