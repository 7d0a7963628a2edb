import type { ChannelStatusView, DestinationView } from './api';
import { DESTINATION_STATUSES, PLATFORMS } from '../../lambdas/core/destination';
import type { DestinationFilter } from './filter';
import { isFiltering, NO_FILTER } from './filter';
import { channelLabel, PLATFORM_LABELS, STATUS_LABELS } from './format';

interface FilterBarProps {
  filter: DestinationFilter;
  onChange(filter: DestinationFilter): void;
  destinations: readonly DestinationView[];
  channels: readonly ChannelStatusView[] | null;
  shown: number;
}

/** Search and filter by channel, platform and status (only with more than 20 destinations). */
export function FilterBar({ filter, onChange, destinations, channels, shown }: FilterBarProps) {
  const channelArns = [...new Set([...(channels ?? []).map((c) => c.channelArn), ...destinations.map((d) => d.channelArn)])];
  const set = (change: Partial<DestinationFilter>): void => onChange({ ...filter, ...change });
  return (
    <div class="toolbar" role="search" data-testid="filter-bar">
      <div class="toolbar-field toolbar-search">
        <label for="filter-text">Search</label>
        <input
          id="filter-text"
          type="search"
          value={filter.text}
          placeholder="Name, platform or channel"
          data-testid="filter-text"
          onInput={(event) => set({ text: event.currentTarget.value })}
        />
      </div>
      {channelArns.length > 1 && (
        <div class="toolbar-field">
          <label for="filter-channel">Channel</label>
          <select
            id="filter-channel"
            value={filter.channelArn}
            data-testid="filter-channel"
            onChange={(e) => set({ channelArn: e.currentTarget.value })}
          >
            <option value="">All channels</option>
            {channelArns.map((arn) => (
              <option key={arn} value={arn}>
                {channelLabel(arn)}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="toolbar-field">
        <label for="filter-platform">Platform</label>
        <select
          id="filter-platform"
          value={filter.platform}
          data-testid="filter-platform"
          onChange={(e) => set({ platform: e.currentTarget.value as DestinationFilter['platform'] })}
        >
          <option value="">All platforms</option>
          {PLATFORMS.map((p) => (
            <option key={p} value={p}>
              {PLATFORM_LABELS[p]}
            </option>
          ))}
        </select>
      </div>
      <div class="toolbar-field">
        <label for="filter-status">Status</label>
        <select
          id="filter-status"
          value={filter.status}
          data-testid="filter-status"
          onChange={(e) => set({ status: e.currentTarget.value as DestinationFilter['status'] })}
        >
          <option value="">All statuses</option>
          {DESTINATION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <p class="toolbar-count" role="status" data-testid="filter-count">
        {isFiltering(filter) ? `Showing ${shown} of ${destinations.length}` : `${destinations.length} destinations`}
      </p>
      {isFiltering(filter) && (
        <button type="button" class="btn btn-small" onClick={() => onChange(NO_FILTER)} data-testid="filter-clear">
          Clear filters
        </button>
      )}
    </div>
  );
}

interface BulkBarProps {
  count: number;
  /** Rows on screen; with more than selected, a "select all" is offered (the header box is hidden on phones). */
  shown: number;
  onSelectAll(): void;
  working: boolean;
  onEnable(): void;
  onDisable(): void;
  onClear(): void;
}

/** Appears while rows are selected: enable or disable them all. */
export function BulkBar({ count, shown, onSelectAll, working, onEnable, onDisable, onClear }: BulkBarProps) {
  return (
    <div class="toolbar bulk-bar" data-testid="bulk-bar">
      <p class="toolbar-count" role="status">
        {count} selected
      </p>
      {count < shown && (
        <button type="button" class="btn btn-small btn-quiet" disabled={working} onClick={onSelectAll}>
          Select all {shown} shown
        </button>
      )}
      <button type="button" class="btn btn-small" disabled={working} onClick={onEnable} data-testid="bulk-enable">
        Enable selected
      </button>
      <button type="button" class="btn btn-small" disabled={working} onClick={onDisable} data-testid="bulk-disable">
        Disable selected
      </button>
      <button type="button" class="btn btn-small btn-quiet" disabled={working} onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}
