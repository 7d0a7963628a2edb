/**
 * The add/edit form as pure functions: initial state, platform presets, form state → request body,
 * API errors → messages next to the right field.
 */
import {
  PLATFORMS,
  type CreateDestinationInput,
  type DestinationView,
  type Platform,
  type Profile,
  type RelayMode,
  type UpdateDestinationInput,
} from '../../lambdas/core/destination';
import { defaultProfile, defaultRtmpUrl } from '../../lambdas/core/platforms';
import { ApiError } from './api';

export interface DestinationFormState {
  platform: Platform;
  name: string;
  rtmpUrl: string;
  /** Write-only: empty on edit means "keep the current key". */
  streamKey: string;
  mode: RelayMode;
  profile: Profile;
  channelArn: string;
  enabled: boolean;
}

export const FORM_FIELDS = ['platform', 'name', 'rtmpUrl', 'streamKey', 'mode', 'profile', 'channelArn', 'enabled'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export interface FormErrors {
  fields: Partial<Record<FormField, string>>;
  /** Errors that belong to no field of the form (conflicts, network, unknown fields). */
  general: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, general: null };

function presetUrl(platform: Platform): string {
  return defaultRtmpUrl(platform) ?? '';
}

/**
 * A new destination: YouTube preset, enabled, on the first known IVS channel, in the deployment's
 * default relay mode (pass-through unless config.json says otherwise).
 */
export function emptyForm(
  channelArns: readonly string[],
  platform: Platform = 'youtube',
  mode: RelayMode = 'passthrough',
): DestinationFormState {
  return {
    platform,
    name: '',
    rtmpUrl: presetUrl(platform),
    streamKey: '',
    mode,
    profile: defaultProfile(platform),
    channelArn: channelArns[0] ?? '',
    enabled: true,
  };
}

/** The edit form of an existing destination; the stream key starts empty (kept unless replaced). */
export function formFromDestination(destination: DestinationView): DestinationFormState {
  return {
    platform: destination.platform,
    name: destination.name,
    rtmpUrl: destination.rtmpUrl,
    streamKey: '',
    mode: destination.mode,
    profile: destination.profile,
    channelArn: destination.channelArn,
    enabled: destination.enabled,
  };
}

/** `a.rtmps.youtube.com` → `youtube.com`; undefined for what is not a URL with a host. */
function siteOf(url: string): string | undefined {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === '' ? undefined : host.split('.').slice(-2).join('.');
  } catch {
    return undefined;
  }
}

/**
 * True when `url` is the platform's own: its preset, or another ingest on the same site (e.g.
 * YouTube's legacy rtmp://a.rtmp.youtube.com/live2). Such a URL must not survive a platform switch.
 */
function belongsToPlatform(url: string, platform: Platform): boolean {
  const preset = presetUrl(platform);
  if (preset === '') return false;
  return url === preset || (siteOf(url) !== undefined && siteOf(url) === siteOf(preset));
}

/** True when the URL field holds exactly the platform's prefilled ingest URL. */
export function isPresetUrl(state: Pick<DestinationFormState, 'platform' | 'rtmpUrl'>): boolean {
  return state.rtmpUrl.trim() === presetUrl(state.platform) && presetUrl(state.platform) !== '';
}

/**
 * Switches the platform. The ingest URL follows the new platform's preset unless the user typed
 * a URL of their own (one that is no platform's ingest); the profile follows unless changed.
 */
export function changePlatform(state: DestinationFormState, platform: Platform): DestinationFormState {
  const url = state.rtmpUrl.trim();
  const urlUntouched = url === '' || PLATFORMS.some((p) => belongsToPlatform(url, p));
  const profileUntouched = state.profile === defaultProfile(state.platform);
  return {
    ...state,
    platform,
    rtmpUrl: urlUntouched ? presetUrl(platform) : state.rtmpUrl,
    profile: profileUntouched ? defaultProfile(platform) : state.profile,
  };
}

/** The placeholder of the write-only key field on edit, e.g. "••••abcd — leave empty to keep". */
export function streamKeyPlaceholder(streamKeyMasked: string): string {
  return `${streamKeyMasked} — leave empty to keep`;
}

/** `POST /stream-destinations` body. Empty optional fields are left out so the API applies its defaults. */
export function toCreateInput(state: DestinationFormState): CreateDestinationInput {
  const input: CreateDestinationInput = {
    platform: state.platform,
    name: state.name.trim(),
    streamKey: state.streamKey.trim(),
    mode: state.mode,
    profile: state.profile,
    enabled: state.enabled,
  };
  const rtmpUrl = state.rtmpUrl.trim();
  if (rtmpUrl) input.rtmpUrl = rtmpUrl;
  if (state.channelArn) input.channelArn = state.channelArn;
  return input;
}

/** `PUT /stream-destinations/{id}` body: only what changed; the key only when a new one was typed. */
export function toUpdateInput(state: DestinationFormState, original: DestinationView): UpdateDestinationInput {
  const input: UpdateDestinationInput = {};
  if (state.platform !== original.platform) input.platform = state.platform;
  const name = state.name.trim();
  if (name !== original.name) input.name = name;
  const rtmpUrl = state.rtmpUrl.trim();
  if (rtmpUrl !== original.rtmpUrl) input.rtmpUrl = rtmpUrl;
  const streamKey = state.streamKey.trim();
  if (streamKey) input.streamKey = streamKey;
  if (state.mode !== original.mode) input.mode = state.mode;
  if (state.profile !== original.profile) input.profile = state.profile;
  if (state.channelArn && state.channelArn !== original.channelArn) input.channelArn = state.channelArn;
  if (state.enabled !== original.enabled) input.enabled = state.enabled;
  return input;
}

/**
 * The fields whose change rebuilds a running destination's engine (the API bumps its config
 * revision: lambdas/core/destination-service.ts, `configChanged`). A name change touches nothing
 * that runs; turning it off stops it, which the switch says by itself.
 */
const RESTARTING_FIELDS = ['rtmpUrl', 'streamKey', 'profile', 'channelArn'] as const;

/** True when saving `input` restarts `original` because it is on air (starting or active). */
export function restartsOnSave(input: UpdateDestinationInput, original: DestinationView): boolean {
  if (original.status !== 'active' && original.status !== 'starting') return false;
  if (input.enabled === false) return false;
  return RESTARTING_FIELDS.some((field) => input[field] !== undefined);
}

function isFormField(name: string): name is FormField {
  return (FORM_FIELDS as readonly string[]).includes(name);
}

/**
 * Puts each issue of an API 400 next to its field (`rtmpUrl`, `streamKey`, …); anything else — other
 * statuses, unknown fields, network failures — becomes the general message.
 */
export function formErrorsFrom(error: unknown): FormErrors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, general: error instanceof Error ? error.message : 'Something went wrong. Try again.' };
  }
  const fields: Partial<Record<FormField, string>> = {};
  const other: string[] = [];
  for (const issue of error.fieldErrors) {
    const head = issue.field.split(/[.[]/)[0] ?? '';
    if (isFormField(head)) fields[head] = fields[head] ? `${fields[head]} ${issue.message}` : issue.message;
    else other.push(issue.field ? `${issue.field}: ${issue.message}` : issue.message);
  }
  const hasFieldErrors = Object.keys(fields).length > 0;
  const general = other.length > 0 ? other.join(' ') : hasFieldErrors ? null : error.message;
  return { fields, general };
}
