import { describe, expect, it } from '@jest/globals';
import { ApiError, type DestinationView } from '../../frontend/src/api';
import {
  restartsOnSave,
  changePlatform,
  emptyForm,
  formErrorsFrom,
  formFromDestination,
  isPresetUrl,
  streamKeyPlaceholder,
  toCreateInput,
  toUpdateInput,
} from '../../frontend/src/form';
import { PLATFORM_PRESETS } from '../../lambdas/core/platforms';
import { makeDestinationView } from '../support/fixtures';

const CHANNEL_A = 'arn:aws:ivs:us-east-1:000000000000:channel/a';
const CHANNEL_B = 'arn:aws:ivs:us-east-1:000000000000:channel/b';

const EXISTING: DestinationView = makeDestinationView({
  id: 'd-1',
  platform: 'twitch',
  name: 'Twitch',
  channelArn: CHANNEL_A,
  rtmpUrl: PLATFORM_PRESETS.twitch.defaultRtmpUrl,
  streamKeyMasked: '••••wxyz',
  profile: '720p30-4500',
});

describe('emptyForm', () => {
  it('starts as an enabled YouTube destination with its ingest URL and profile on the first channel', () => {
    expect(emptyForm([CHANNEL_A, CHANNEL_B])).toEqual({
      platform: 'youtube',
      name: '',
      rtmpUrl: PLATFORM_PRESETS.youtube.defaultRtmpUrl,
      streamKey: '',
      mode: 'passthrough',
      profile: PLATFORM_PRESETS.youtube.defaultProfile,
      channelArn: CHANNEL_A,
      enabled: true,
    });
  });

  it("starts in the deployment's default relay mode", () => {
    expect(emptyForm([CHANNEL_A], 'youtube', 'transcode').mode).toBe('transcode');
  });

  it('leaves the ingest URL empty for a custom destination and the channel empty when none is known', () => {
    expect(emptyForm([], 'custom')).toMatchObject({ rtmpUrl: '', channelArn: '' });
  });
});

describe('changePlatform', () => {
  it('replaces an untouched ingest URL and profile with the new platform presets', () => {
    const next = changePlatform(emptyForm([CHANNEL_A]), 'twitch');
    expect(next).toMatchObject({ platform: 'twitch', rtmpUrl: PLATFORM_PRESETS.twitch.defaultRtmpUrl, profile: '720p30-4500' });
  });

  it('keeps an ingest URL and profile the user changed', () => {
    const edited = { ...emptyForm([CHANNEL_A]), rtmpUrl: 'rtmps://eu.example.com/live2', profile: '480p30-2000' as const };
    expect(changePlatform(edited, 'facebook')).toMatchObject({ rtmpUrl: 'rtmps://eu.example.com/live2', profile: '480p30-2000' });
  });

  it.each([
    ['another ingest of the old platform', 'youtube', 'rtmp://a.rtmp.youtube.com/live2', 'twitch'],
    ['the old preset with a different port', 'youtube', 'rtmps://a.rtmps.youtube.com/live2', 'kick'],
    ["a third platform's preset", 'youtube', PLATFORM_PRESETS.facebook.defaultRtmpUrl, 'twitch'],
  ] as const)("replaces %s with the new platform's preset", (_label, from, rtmpUrl, to) => {
    const next = changePlatform({ ...emptyForm([CHANNEL_A], from), rtmpUrl }, to);
    expect(next.rtmpUrl).toBe(PLATFORM_PRESETS[to].defaultRtmpUrl);
    expect(isPresetUrl(next)).toBe(true);
  });

  it('says the URL is the prefilled one only while it is', () => {
    expect(isPresetUrl(emptyForm([CHANNEL_A], 'twitch'))).toBe(true);
    expect(isPresetUrl({ ...emptyForm([CHANNEL_A], 'twitch'), rtmpUrl: 'rtmps://live-fra.twitch.tv/app' })).toBe(false);
    expect(isPresetUrl(emptyForm([CHANNEL_A], 'custom'))).toBe(false);
  });

  it('clears the preset URL when switching to custom, so the user must give one', () => {
    expect(changePlatform(emptyForm([CHANNEL_A]), 'custom').rtmpUrl).toBe('');
  });
});

describe('toCreateInput', () => {
  it('maps the form to the POST body, trimming text and leaving out empty optional fields', () => {
    const state = { ...emptyForm([], 'custom'), name: '  Studio  ', streamKey: ' key-1234\n', rtmpUrl: '  ' };
    expect(toCreateInput(state)).toEqual({
      platform: 'custom',
      name: 'Studio',
      streamKey: 'key-1234',
      mode: 'passthrough',
      profile: '720p30-4500',
      enabled: true,
    });
  });

  it('sends the ingest URL and the chosen channel', () => {
    const state = { ...emptyForm([CHANNEL_A, CHANNEL_B]), name: 'YT', streamKey: 'k', channelArn: CHANNEL_B, enabled: false };
    expect(toCreateInput(state)).toEqual({
      platform: 'youtube',
      name: 'YT',
      streamKey: 'k',
      rtmpUrl: PLATFORM_PRESETS.youtube.defaultRtmpUrl,
      mode: 'passthrough',
      profile: '1080p30-6000',
      channelArn: CHANNEL_B,
      enabled: false,
    });
  });
});

describe('toUpdateInput', () => {
  it('sends nothing when nothing changed and the stream key was left empty', () => {
    expect(toUpdateInput(formFromDestination(EXISTING), EXISTING)).toEqual({});
  });

  it('never pre-fills the stream key on edit', () => {
    expect(formFromDestination(EXISTING).streamKey).toBe('');
  });

  it('sends only the changed fields and a newly typed stream key', () => {
    const state = { ...formFromDestination(EXISTING), name: 'Twitch backup ', streamKey: 'new-key-9876', profile: '480p30-2000' as const };
    expect(toUpdateInput(state, EXISTING)).toEqual({ name: 'Twitch backup', streamKey: 'new-key-9876', profile: '480p30-2000' });
  });

  it('sends a changed relay mode', () => {
    const state = { ...formFromDestination(EXISTING), mode: 'transcode' as const };
    expect(toUpdateInput(state, EXISTING)).toEqual({ mode: 'transcode' });
  });

  it('sends platform and ingest URL together when the platform changes', () => {
    const state = changePlatform(formFromDestination(EXISTING), 'kick');
    expect(toUpdateInput(state, EXISTING)).toEqual({
      platform: 'kick',
      rtmpUrl: PLATFORM_PRESETS.kick.defaultRtmpUrl,
      profile: PLATFORM_PRESETS.kick.defaultProfile,
    });
  });

  it('sends a channel change and an enabled change', () => {
    const state = { ...formFromDestination(EXISTING), channelArn: CHANNEL_B, enabled: false };
    expect(toUpdateInput(state, EXISTING)).toEqual({ channelArn: CHANNEL_B, enabled: false });
  });
});

describe('streamKeyPlaceholder', () => {
  it('shows the masked key and says that an empty field keeps it', () => {
    expect(streamKeyPlaceholder('••••wxyz')).toBe('••••wxyz — leave empty to keep');
  });
});

describe('formErrorsFrom', () => {
  it('puts each field issue of a 400 next to its field and no general message', () => {
    const error = new ApiError(400, 'VALIDATION_FAILED', 'Invalid request', [
      { field: 'rtmpUrl', message: 'rtmpUrl must start with rtmp:// or rtmps://.' },
      { field: 'streamKey', message: 'streamKey must not contain whitespace.' },
    ]);
    expect(formErrorsFrom(error)).toEqual({
      fields: { rtmpUrl: 'rtmpUrl must start with rtmp:// or rtmps://.', streamKey: 'streamKey must not contain whitespace.' },
      general: null,
    });
  });

  it('joins several issues of the same field and maps nested paths to their top-level field', () => {
    const error = new ApiError(400, 'VALIDATION_FAILED', 'Invalid request', [
      { field: 'name', message: 'Too long.' },
      { field: 'name.length', message: 'At most 100 characters.' },
    ]);
    expect(formErrorsFrom(error).fields).toEqual({ name: 'Too long. At most 100 characters.' });
  });

  it('shows issues of fields the form does not have as the general message', () => {
    const error = new ApiError(400, 'VALIDATION_FAILED', 'Invalid request', [
      { field: 'colour', message: 'Unknown field.' },
      { field: '', message: 'Body must be an object.' },
    ]);
    expect(formErrorsFrom(error)).toEqual({ fields: {}, general: 'colour: Unknown field. Body must be an object.' });
  });

  it('shows the API message of a non-field error such as a conflict', () => {
    expect(formErrorsFrom(new ApiError(409, 'DESTINATION_DELETING', 'The destination is being deleted.'))).toEqual({
      fields: {},
      general: 'The destination is being deleted.',
    });
  });

  it('shows the message of an unexpected error', () => {
    expect(formErrorsFrom(new Error('boom')).general).toBe('boom');
  });
});

describe('restartsOnSave', () => {
  const live: DestinationView = { ...EXISTING, status: 'active' };

  it('warns for a change of URL, key, profile or channel of a destination on air', () => {
    expect(restartsOnSave({ streamKey: 'new-key' }, live)).toBe(true);
    expect(restartsOnSave({ rtmpUrl: 'rtmps://x.example/app' }, live)).toBe(true);
    expect(restartsOnSave({ profile: '720p30-4500' }, { ...live, status: 'starting' })).toBe(true);
    expect(restartsOnSave({ channelArn: CHANNEL_B }, live)).toBe(true);
  });

  it('does not warn for a rename, for turning it off, or for a destination that is not on air', () => {
    expect(restartsOnSave({ name: 'Renamed' }, live)).toBe(false);
    expect(restartsOnSave({ enabled: false, streamKey: 'new-key' }, live)).toBe(false);
    expect(restartsOnSave({ streamKey: 'new-key' }, { ...live, status: 'inactive' })).toBe(false);
    expect(restartsOnSave({ streamKey: 'new-key' }, { ...live, status: 'error' })).toBe(false);
  });
});
