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

/** The filter fields chosen from a list, with the id (and test id) of their select. */
const SELECT_IDS = { channelArn: 'filter-channel', platform: 'filter-platform', status: 'filter-status' } as const;
type SelectField = keyof typeof SELECT_IDS;

interface FilterSelectProps<F extends SelectField> {
  field: F;
  label: string;
  /** The first option: no filter on this field. */
  anyLabel: string;
  values: readonly Exclude<DestinationFilter[F], ''>[];
  labelOf(value: Exclude<DestinationFilter[F], ''>): string;
  filter: DestinationFilter;
  onChange(filter: DestinationFilter): void;
}

/** One labelled select of the filter bar: "any" first, then each value. */
function FilterSelect<F extends SelectField>({ field, label, anyLabel, values, labelOf, filter, onChange }: FilterSelectProps<F>) {
  const id = SELECT_IDS[field];
  return (
    <div class="toolbar-field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={filter[field]}
        data-testid={id}
        onChange={(event) => {
          const chosen = event.currentTarget.value;
          onChange({ ...filter, [field]: values.find((value) => value === chosen) ?? '' });
        }}
      >
        <option value="">{anyLabel}</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {labelOf(value)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Search and filter by channel, platform and status (only with more than 20 destinations). */
export function FilterBar({ filter, onChange, destinations, channels, shown }: FilterBarProps) {
  const channelArns = [...new Set([...(channels ?? []).map((c) => c.channelArn), ...destinations.map((d) => d.channelArn)])];
  const selectProps = { filter, onChange };
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
          onInput={(event) => onChange({ ...filter, text: event.currentTarget.value })}
        />
      </div>
      {channelArns.length > 1 && (
        <FilterSelect
          field="channelArn"
          label="Channel"
          anyLabel="All channels"
          values={channelArns}
          labelOf={channelLabel}
          {...selectProps}
        />
      )}
      <FilterSelect
        field="platform"
        label="Platform"
        anyLabel="All platforms"
        values={PLATFORMS}
        labelOf={(platform) => PLATFORM_LABELS[platform]}
        {...selectProps}
      />
      <FilterSelect
        field="status"
        label="Status"
        anyLabel="All statuses"
        values={DESTINATION_STATUSES}
        labelOf={(status) => STATUS_LABELS[status]}
        {...selectProps}
      />
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
