import { useEffect, useRef, useState } from 'preact/hooks';
import { PLATFORMS, PROFILES, RELAY_MODES, type Platform, type Profile, type RelayMode } from '../../lambdas/core/destination';
import type { RelayModesConfig } from './config';
import { defaultProfile, defaultRtmpUrl, requiresRtmps } from '../../lambdas/core/platforms';
import type { ApiClient, ChannelStatusView, DestinationView } from './api';
import { ADD_DESTINATION, Dialog, rowControl } from './Dialog';
import { PLATFORM_LABELS, channelLabel, profileLabel, restartGap } from './format';
import {
  NO_ERRORS,
  changePlatform,
  emptyForm,
  formErrorsFrom,
  formFromDestination,
  isPresetUrl,
  restartsOnSave,
  streamKeyPlaceholder,
  toCreateInput,
  toUpdateInput,
  type DestinationFormState,
  type FormErrors,
  type FormField,
} from './form';

const HINTED = new Set<FormField>(['rtmpUrl', 'streamKey', 'channelArn']);

/** Both modes, pass-through the default, when config.json does not say (written before modes). */
const ALL_MODES: RelayModesConfig = { offered: [...RELAY_MODES], default: 'passthrough' };

/**
 * What each mode costs and when to pick it; the figures are docs/costs.md's (us-east-1 list
 * prices: Fargate arm64 0.25 vCPU / 0.5 GB plus a public IPv4 address, against a MediaLive HD
 * input and HD output). Data transfer out is the same for both at the same bit rate.
 */
export const RELAY_MODE_CHOICES: Record<RelayMode, { label: string; cost: string; when: string }> = {
  passthrough: {
    label: 'Pass-through (copy)',
    cost: 'About $0.015 an hour for the relay; starts in under a minute.',
    when: 'Sends your IVS stream as it is. Pick it when your encoder already sends what the platform accepts (H.264 and AAC, 2-second keyframes, within its bit rate and resolution) — the usual case.',
  },
  transcode: {
    label: 'Transcode (MediaLive)',
    cost: 'About $1 an hour (MediaLive HD input and output, at least 10 minutes per start); starts in 1–3 minutes.',
    when: 'Encodes the stream again with the profile below. Pick it when the platform needs a lower bit rate or resolution than you send.',
  },
};

interface DestinationFormProps {
  api: ApiClient;
  /** The destination to edit; absent to add one. */
  destination?: DestinationView;
  channels: readonly ChannelStatusView[] | null;
  /** The deployment's relay modes (config.json); default: both, pass-through first. */
  relayModes?: RelayModesConfig;
  onSaved: (destination: DestinationView) => void;
  onClose: () => void;
}

export function DestinationForm({ api, destination, channels, relayModes = ALL_MODES, onSaved, onClose }: DestinationFormProps) {
  const channelArns = (channels ?? []).map((c) => c.channelArn);
  const [state, setState] = useState<DestinationFormState>(() =>
    destination ? formFromDestination(destination) : emptyForm(channelArns, 'youtube', relayModes.default),
  );
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saving, setSaving] = useState(false);
  /** Saving restarts a destination on air: the admin is told first and confirms. */
  const [confirmRestart, setConfirmRestart] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  // After a rejected save, move focus to the first field the API complained about.
  useEffect(() => {
    const first = (Object.keys(errors.fields) as FormField[])[0];
    if (first) formRef.current?.querySelector<HTMLElement>(`#f-${first}`)?.focus();
  }, [errors]);

  const update = (patch: Partial<DestinationFormState>, field: FormField): void => {
    setState((previous) => ({ ...previous, ...patch }));
    setConfirmRestart(false);
    if (errors.fields[field]) setErrors((previous) => ({ ...previous, fields: { ...previous.fields, [field]: undefined } }));
  };

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (saving) return;
    if (destination && !confirmRestart && restartsOnSave(toUpdateInput(state, destination), destination)) {
      setConfirmRestart(true);
      return;
    }
    setSaving(true);
    setErrors(NO_ERRORS);
    try {
      const saved = destination
        ? await api.updateDestination(destination.id, toUpdateInput(state, destination))
        : await api.createDestination(toCreateInput(state));
      onSaved(saved);
    } catch (error) {
      setErrors(formErrorsFrom(error));
      setSaving(false);
    }
  };

  const fieldProps = (field: FormField) => {
    const message = errors.fields[field];
    return {
      id: `f-${field}`,
      name: field,
      'aria-invalid': message ? ('true' as const) : undefined,
      'aria-describedby': [message ? `f-${field}-error` : '', HINTED.has(field) ? `f-${field}-hint` : ''].join(' ').trim() || undefined,
    };
  };

  const fieldError = (field: FormField) => {
    const message = errors.fields[field];
    return message ? (
      <p class="field-error" id={`f-${field}-error`} data-testid={`field-error-${field}`}>
        {message}
      </p>
    ) : null;
  };

  const custom = state.platform === 'custom';
  const title = destination ? `Edit ${destination.name}` : 'Add destination';

  return (
    <Dialog
      title={title}
      onClose={onClose}
      testId="destination-form"
      returnFocusTo={destination ? rowControl(destination.id, 'edit-button') : ADD_DESTINATION}
      wide
    >
      <form ref={formRef} class="form" onSubmit={submit} noValidate>
        {errors.general && (
          <p class="form-error" role="alert" data-testid="form-error">
            {errors.general}
          </p>
        )}

        <div class="field">
          <label for="f-platform">Platform</label>
          <select
            {...fieldProps('platform')}
            value={state.platform}
            onChange={(event) => {
              setState((previous) => changePlatform(previous, event.currentTarget.value as Platform));
              setErrors((previous) => ({ ...previous, fields: { ...previous.fields, platform: undefined, rtmpUrl: undefined } }));
            }}
          >
            {PLATFORMS.map((platform) => (
              <option key={platform} value={platform}>
                {PLATFORM_LABELS[platform]}
              </option>
            ))}
          </select>
          {fieldError('platform')}
        </div>

        <div class="field">
          <label for="f-name">Name</label>
          <input
            {...fieldProps('name')}
            type="text"
            value={state.name}
            maxLength={100}
            autoComplete="off"
            placeholder={`e.g. ${PLATFORM_LABELS[state.platform]} main`}
            onInput={(event) => update({ name: event.currentTarget.value }, 'name')}
          />
          {fieldError('name')}
        </div>

        <div class="field">
          <label for="f-rtmpUrl">Ingest URL</label>
          <input
            {...fieldProps('rtmpUrl')}
            type="text"
            inputMode="url"
            value={state.rtmpUrl}
            autoComplete="off"
            spellcheck={false}
            placeholder="rtmps://ingest.example.com/live"
            onInput={(event) => update({ rtmpUrl: event.currentTarget.value }, 'rtmpUrl')}
          />
          {fieldError('rtmpUrl')}
          <p class="field-hint" id="f-rtmpUrl-hint">
            {custom
              ? 'rtmp:// or rtmps:// address of the ingest server, without the stream key.'
              : `${
                  isPresetUrl(state)
                    ? `Prefilled with ${PLATFORM_LABELS[state.platform]}'s ingest server; change it only if the platform shows you another one.`
                    : `${PLATFORM_LABELS[state.platform]}'s usual ingest server is ${defaultRtmpUrl(state.platform) ?? ''}; keep this one only if the platform shows it to you.`
                } The stream key goes in its own field, not in the URL.${
                  requiresRtmps(state.platform) ? ` ${PLATFORM_LABELS[state.platform]} accepts rtmps:// only.` : ''
                }`}
          </p>
        </div>

        <div class="field">
          <label for="f-streamKey">Stream key</label>
          <input
            {...fieldProps('streamKey')}
            type="password"
            value={state.streamKey}
            autoComplete="new-password"
            spellcheck={false}
            placeholder={destination ? streamKeyPlaceholder(destination.streamKeyMasked) : 'Paste the key from the platform'}
            onInput={(event) => update({ streamKey: event.currentTarget.value }, 'streamKey')}
          />
          {fieldError('streamKey')}
          <p class="field-hint" id="f-streamKey-hint">
            Stored encrypted and never shown again{destination ? '; type a new key to replace it' : ''}.
          </p>
        </div>

        <fieldset class="field" id="f-mode" tabIndex={-1} data-testid="relay-mode">
          <legend>Relay mode</legend>
          {RELAY_MODES.map((mode) => {
            const offered = relayModes.offered.includes(mode);
            const choice = RELAY_MODE_CHOICES[mode];
            return (
              <div class="field-inline" key={mode}>
                <input
                  type="radio"
                  id={`f-mode-${mode}`}
                  name="mode"
                  value={mode}
                  checked={state.mode === mode}
                  disabled={!offered && state.mode !== mode}
                  aria-describedby={`f-mode-${mode}-hint`}
                  onChange={() => update({ mode }, 'mode')}
                />
                <label for={`f-mode-${mode}`}>
                  {choice.label}
                  {mode === relayModes.default ? ' (default)' : ''}
                </label>
                <p class="field-hint" id={`f-mode-${mode}-hint`}>
                  {choice.when} {choice.cost}
                  {offered ? '' : ' Not enabled in this deployment: deploy with enableRelays: true to offer it.'}
                </p>
              </div>
            );
          })}
          <p class="field-hint">Data sent to the platform costs the same in both modes (about $0.24 an hour at 6 Mbit/s).</p>
          {fieldError('mode')}
        </fieldset>

        <div class="field">
          <label for="f-profile">Encoding profile</label>
          <select
            {...fieldProps('profile')}
            value={state.profile}
            onChange={(event) => update({ profile: event.currentTarget.value as Profile }, 'profile')}
          >
            {PROFILES.map((profile) => (
              <option key={profile} value={profile}>
                {profileLabel(profile)}
                {profile === defaultProfile(state.platform) ? ` (default for ${PLATFORM_LABELS[state.platform]})` : ''}
              </option>
            ))}
          </select>
          {fieldError('profile')}
        </div>

        {channelArns.length > 1 && (
          <div class="field">
            <label for="f-channelArn">IVS channel</label>
            <select
              {...fieldProps('channelArn')}
              value={state.channelArn}
              onChange={(event) => update({ channelArn: event.currentTarget.value }, 'channelArn')}
            >
              {!channelArns.includes(state.channelArn) && state.channelArn && (
                <option value={state.channelArn}>{channelLabel(state.channelArn)}</option>
              )}
              {channelArns.map((arn) => (
                <option key={arn} value={arn}>
                  {channelLabel(arn)}
                </option>
              ))}
            </select>
            {fieldError('channelArn')}
            <p class="field-hint" id="f-channelArn-hint">
              The destination follows this channel: it starts when the channel goes live.
            </p>
          </div>
        )}
        {channelArns.length <= 1 && fieldError('channelArn')}

        <div class="field field-inline">
          <input
            {...fieldProps('enabled')}
            type="checkbox"
            checked={state.enabled}
            onChange={(event) => update({ enabled: event.currentTarget.checked }, 'enabled')}
          />
          <label for="f-enabled">Enabled: start automatically when the channel goes live</label>
          {fieldError('enabled')}
        </div>

        {confirmRestart && destination && <RestartWarning destination={destination} />}

        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={saving} data-testid="save-destination">
            {saving ? 'Saving…' : confirmRestart ? 'Save and restart' : destination ? 'Save changes' : 'Add destination'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Shown before a save that restarts a destination on air: what happens and how long the gap is. */
function RestartWarning({ destination }: { destination: DestinationView }) {
  // `mode` (passthrough / transcode) comes with pass-through relays; without it the engine is MediaLive.
  const { engine, gap } = restartGap((destination as DestinationView & { mode?: string }).mode);
  return (
    <div class="warning" role="alert" data-testid="restart-warning">
      <strong>{destination.name} is live.</strong> Saving restarts it: its {engine} stops and starts again with the new settings, so{' '}
      {PLATFORM_LABELS[destination.platform]} gets no video for {gap}. Press “Save and restart” to go ahead, or Cancel.
    </div>
  );
}
