/**
 * Search and filter of the destination list (shown once there are more than FILTER_THRESHOLD
 * destinations): free text over the name, platform and channel, and one channel, platform and
 * status each. Pure: the screen keeps the criteria, this says which rows they keep, in order.
 */
import type { DestinationView } from './api';
import { channelLabel, PLATFORM_LABELS } from './format';

/** More destinations than this get the search and filter bar. */
export const FILTER_THRESHOLD = 20;

export interface DestinationFilter {
  /** Words that must each appear in the name, platform or channel (any case). */
  text: string;
  /** A channel ARN, or '' for any. */
  channelArn: string;
  platform: DestinationView['platform'] | '';
  status: DestinationView['status'] | '';
}

export const NO_FILTER: DestinationFilter = { text: '', channelArn: '', platform: '', status: '' };

export function isFiltering(filter: DestinationFilter): boolean {
  return filter.text.trim() !== '' || filter.channelArn !== '' || filter.platform !== '' || filter.status !== '';
}

/** Whether one destination passes every criterion. */
export function matches(destination: DestinationView, filter: DestinationFilter): boolean {
  if (filter.channelArn !== '' && destination.channelArn !== filter.channelArn) return false;
  if (filter.platform !== '' && destination.platform !== filter.platform) return false;
  if (filter.status !== '' && destination.status !== filter.status) return false;
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack =
    `${destination.name} ${PLATFORM_LABELS[destination.platform]} ${destination.platform} ${channelLabel(destination.channelArn)}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** The destinations the filter keeps, in their order; all of them below the threshold. */
export function applyFilter(destinations: readonly DestinationView[], filter: DestinationFilter): readonly DestinationView[] {
  if (destinations.length <= FILTER_THRESHOLD || !isFiltering(filter)) return destinations;
  return destinations.filter((d) => matches(d, filter));
}
