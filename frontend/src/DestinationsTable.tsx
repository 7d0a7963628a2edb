import type { ChannelStatusView, DestinationView } from './api';
import {
  HEALTH_LABELS,
  PLATFORM_LABELS,
  STATUS_LABELS,
  channelLabel,
  formatBitrate,
  formatClock,
  formatCountdown,
  mediaLiveQuotasUrl,
  profileLabel,
  timeInState,
} from './format';

export const STARTING_HINT = 'MediaLive usually needs one to three minutes to start a channel.';

export interface RowActions {
  onToggleEnabled(destination: DestinationView, enabled: boolean): void;
  onStart(destination: DestinationView): void;
  onStop(destination: DestinationView): void;
  onEdit(destination: DestinationView): void;
  onDelete(destination: DestinationView): void;
  onHistory(destination: DestinationView): void;
}

/** Row selection for bulk enable/disable. */
export interface Selection {
  selected: ReadonlySet<string>;
  onSelect(destination: DestinationView, selected: boolean): void;
  /** Selects (or clears) every row shown. */
  onSelectAll(selected: boolean): void;
}

interface TableProps extends RowActions {
  destinations: readonly DestinationView[];
  selection: Selection;
  channels: readonly ChannelStatusView[] | null;
  /** Ids with a request on its way; their controls are disabled meanwhile. */
  busy: ReadonlySet<string>;
  now: number;
}

const CAN_START = new Set(['inactive', 'error', 'stopping']);
const CAN_STOP = new Set(['starting', 'active', 'error']);
/** What still runs during a grace period, and so stops when it ends. */
const ON_AIR = new Set(['starting', 'active']);

/**
 * Why Start is disabled, or null when it is not. The API refuses a start of a disabled
 * destination and while the channel is offline (409): the button says so beforehand.
 */
export function startBlockedReason(destination: DestinationView, channel: ChannelStatusView | undefined): string | null {
  if (!destination.enabled) return 'Turn the destination on first';
  if (channel !== undefined && channel.state !== 'LIVE') {
    return 'The IVS channel is offline: start streaming to it first; enabled destinations then start by themselves';
  }
  return null;
}

function isPaused(destination: DestinationView, channels: readonly ChannelStatusView[] | null): boolean {
  if (!destination.pausedStreamId) return false;
  const channel = channels?.find((c) => c.channelArn === destination.channelArn);
  return channel?.state === 'LIVE' && channel.streamId === destination.pausedStreamId;
}

export function DestinationsTable({ destinations, channels, busy, now, selection, ...actions }: TableProps) {
  const manyChannels = (channels?.length ?? 0) > 1;
  const allSelected = destinations.length > 0 && destinations.every((d) => selection.selected.has(d.id));
  const someSelected = destinations.some((d) => selection.selected.has(d.id));
  return (
    <table class="destinations" data-testid="destinations-table">
      <caption class="visually-hidden">Destinations</caption>
      <thead>
        <tr>
          <th scope="col" class="select-col">
            <label class="select-box">
              <input
                type="checkbox"
                checked={allSelected}
                indeterminate={someSelected && !allSelected}
                aria-label="Select all shown destinations"
                data-testid="select-all"
                onChange={(event) => selection.onSelectAll(event.currentTarget.checked)}
              />
              <span class="select-mark" aria-hidden="true" />
            </label>
          </th>
          <th scope="col">Platform</th>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Enabled</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {destinations.map((destination) => (
          <DestinationRow
            key={destination.id}
            destination={destination}
            channel={channels?.find((c) => c.channelArn === destination.channelArn)}
            paused={isPaused(destination, channels)}
            showChannel={manyChannels}
            busy={busy.has(destination.id)}
            now={now}
            selected={selection.selected.has(destination.id)}
            onSelect={selection.onSelect}
            {...actions}
          />
        ))}
      </tbody>
    </table>
  );
}

/**
 * Whether media reaches the platform: a dot (green ok, amber degraded, red failing, grey no
 * data), the measured bit rate, and what to check when it is not ok.
 */
function HealthLine({ destination: d, now }: { destination: DestinationView; now: number }) {
  const { state, bitrateKbps, message, since } = d.health;
  const bitrate = formatBitrate(bitrateKbps);
  const duration = timeInState(since, now);
  return (
    <div class={`health health-${state}`} data-testid="health" data-health={state}>
      <span class="health-dot" aria-hidden="true" />
      <span class="health-label">{HEALTH_LABELS[state]}</span>
      {bitrate && (
        <span class="health-bitrate" data-testid="health-bitrate">
          {' '}
          · {bitrate}
        </span>
      )}
      {state !== 'ok' && duration && <span class="badge-time"> for {duration}</span>}
      {state !== 'ok' && (
        <p class={state === 'failing' ? 'row-error' : 'row-note'} data-testid="health-message">
          {message}
        </p>
      )}
    </div>
  );
}

interface RowProps extends RowActions {
  destination: DestinationView;
  selected: boolean;
  onSelect: Selection['onSelect'];
  /** Its IVS channel's status; undefined until loaded. */
  channel: ChannelStatusView | undefined;
  paused: boolean;
  showChannel: boolean;
  busy: boolean;
  now: number;
}

function DestinationRow({ destination: d, channel, paused, showChannel, busy, now, selected, onSelect, ...actions }: RowProps) {
  const duration = timeInState(d.statusSince, now);
  const stopsAt = channel?.stopsAt ? Date.parse(channel.stopsAt) : Number.NaN;
  const inGrace = ON_AIR.has(d.status) && Number.isFinite(stopsAt);
  const startBlocked = startBlockedReason(d, channel);
  const deleting = d.status === 'deleting';
  const sinceTitle = d.statusSince ? `Since ${formatClock(d.statusSince, now)}` : undefined;
  return (
    <tr
      data-testid="destination-row"
      data-id={d.id}
      data-status={d.status}
      data-platform={d.platform}
      data-enabled={String(d.enabled)}
      data-selected={String(selected)}
      class={deleting ? 'row-deleting' : undefined}
    >
      <td class="select-col">
        <label class="select-box">
          <input
            type="checkbox"
            checked={selected}
            disabled={deleting}
            aria-label={`Select ${d.name}`}
            data-testid="select-row"
            onChange={(event) => onSelect(d, event.currentTarget.checked)}
          />
          <span class="select-mark" aria-hidden="true" />
        </label>
      </td>
      <td data-label="Platform">
        <div class="cell">
          <span class={`platform platform-${d.platform}`}>{PLATFORM_LABELS[d.platform]}</span>
        </div>
      </td>
      <td data-label="Name">
        <div class="cell">
          <span class="dest-name" data-testid="destination-name">
            {d.name}
          </span>
          <span class="dest-meta">
            {profileLabel(d.profile)}
            {showChannel && ` · ${channelLabel(d.channelArn)}`}
          </span>
          {d.warnings.length > 0 && (
            // Where the IVS source is outside the platform's limits: pass-through would send it as is.
            <ul class="row-warnings" data-testid="source-warnings" aria-label={`Source warnings: ${d.name}`}>
              {d.warnings.map((w) => (
                <li key={w.code} class="row-warning" data-testid="source-warning" data-code={w.code}>
                  <span aria-hidden="true">⚠ </span>
                  {w.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      </td>
      <td data-label="Status">
        <div class="cell">
          <span class={`badge badge-${d.status}`} data-testid="status-badge" title={sinceTitle}>
            {STATUS_LABELS[d.status]}
          </span>
          {duration && <span class="badge-time"> for {duration}</span>}
          {d.status === 'active' && <HealthLine destination={d} now={now} />}
          {d.status === 'starting' && !inGrace && <p class="row-note">Usually one to three minutes.</p>}
          {inGrace && (
            <p
              class="row-note row-grace"
              data-testid="grace-countdown"
              title={`The stream ended; it stops at ${formatClock(new Date(stopsAt).toISOString(), now)}`}
            >
              {stopsAt > now ? `Stream ended — stopping in ${formatCountdown(stopsAt - now)}` : 'Stream ended — stopping now'}
            </p>
          )}
          {d.status === 'error' && d.lastError && (
            <p class="row-error" data-testid="last-error">
              {d.lastError.message}
              {d.lastError.code === 'QUOTA_EXCEEDED' && (
                <>
                  {' '}
                  <a href={mediaLiveQuotasUrl(d.channelArn)} target="_blank" rel="noopener noreferrer" data-testid="quota-link">
                    Request a MediaLive quota increase
                  </a>
                </>
              )}
            </p>
          )}
          {paused && d.status === 'inactive' && (
            <p class="row-note" data-testid="paused-note">
              Stopped for this stream; starts again with the next one.
            </p>
          )}
          {!d.enabled && !deleting && <p class="row-note">Disabled: does not start when the channel goes live.</p>}
        </div>
      </td>
      <td data-label="Enabled">
        <div class="cell">
          <label class="switch">
            <input
              type="checkbox"
              role="switch"
              checked={d.enabled}
              disabled={busy || deleting}
              aria-label={`Enabled: ${d.name}`}
              data-testid="enabled-switch"
              onChange={(event) => actions.onToggleEnabled(d, event.currentTarget.checked)}
            />
            <span class="switch-track" aria-hidden="true" />
            <span class="switch-text" aria-hidden="true">
              {d.enabled ? 'On' : 'Off'}
            </span>
          </label>
        </div>
      </td>
      <td data-label="Actions" class="actions">
        <div class="cell">
          <button
            type="button"
            class="btn btn-small"
            disabled={busy || startBlocked !== null || !CAN_START.has(d.status)}
            title={startBlocked ?? undefined}
            aria-label={`Start ${d.name}`}
            aria-describedby={startBlocked === null ? undefined : `start-blocked-${d.id}`}
            data-testid="start-button"
            onClick={() => actions.onStart(d)}
          >
            Start
          </button>
          {startBlocked !== null && (
            <span class="visually-hidden" id={`start-blocked-${d.id}`} data-testid="start-blocked-reason">
              {startBlocked}
            </span>
          )}
          <button
            type="button"
            class="btn btn-small"
            disabled={busy || !CAN_STOP.has(d.status)}
            aria-label={`Stop ${d.name}`}
            data-testid="stop-button"
            onClick={() => actions.onStop(d)}
          >
            Stop
          </button>
          <button
            type="button"
            class="btn btn-small"
            disabled={busy || deleting}
            aria-label={`Edit ${d.name}`}
            data-testid="edit-button"
            onClick={() => actions.onEdit(d)}
          >
            Edit
          </button>
          <button
            type="button"
            class="btn btn-small"
            aria-label={`History of ${d.name}`}
            data-testid="history-button"
            onClick={() => actions.onHistory(d)}
          >
            History
          </button>
          <button
            type="button"
            class="btn btn-small btn-danger-quiet"
            disabled={busy || deleting}
            aria-label={`Delete ${d.name}`}
            data-testid="delete-button"
            onClick={() => actions.onDelete(d)}
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}
