import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DestinationView } from '../../frontend/src/api';
import { applyFilter, FILTER_THRESHOLD, matches, NO_FILTER, type DestinationFilter } from '../../frontend/src/filter';
import { DESTINATION_STATUSES, PLATFORMS } from '../../lambdas/core/destination';
import { makeDestinationView } from '../support/fixtures';

const CHANNELS = ['arn:aws:ivs:us-east-1:000000000000:channel/main', 'arn:aws:ivs:us-east-1:000000000000:channel/second'];

function destination(i: number, overrides: Partial<DestinationView> = {}): DestinationView {
  return makeDestinationView({
    id: `d-${i}`,
    platform: PLATFORMS[i % PLATFORMS.length]!,
    name: `Destination ${i}`,
    status: DESTINATION_STATUSES[i % DESTINATION_STATUSES.length]!,
    channelArn: CHANNELS[i % 2]!,
    ...overrides,
  });
}

const list = (n: number) => Array.from({ length: n }, (_, i) => destination(i));

const filterArb: fc.Arbitrary<DestinationFilter> = fc.record({
  text: fc.oneof(fc.constant(''), fc.constantFrom('kick', 'YouTube', 'destination 1', 'second', '  ', 'nothing-like-this'), fc.string()),
  channelArn: fc.constantFrom('', ...CHANNELS),
  platform: fc.constantFrom('' as const, ...PLATFORMS),
  status: fc.constantFrom('' as const, ...DESTINATION_STATUSES),
});

describe('applyFilter', () => {
  it('keeps, in order, exactly the destinations that match every criterion', () => {
    fc.assert(
      fc.property(fc.integer({ min: FILTER_THRESHOLD + 1, max: 60 }), filterArb, (n, filter) => {
        const all = list(n);
        const kept = applyFilter(all, filter);
        expect(kept).toEqual(all.filter((d) => matches(d, filter)));
        for (const d of kept) {
          if (filter.platform) expect(d.platform).toBe(filter.platform);
          if (filter.status) expect(d.status).toBe(filter.status);
          if (filter.channelArn) expect(d.channelArn).toBe(filter.channelArn);
        }
      }),
    );
  });

  it('changes nothing at or below the threshold, where the filter bar is not shown', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: FILTER_THRESHOLD }), filterArb, (n, filter) => {
        const all = list(n);
        expect(applyFilter(all, filter)).toBe(all);
      }),
    );
  });

  it('changes nothing without criteria', () => {
    const all = list(30);
    expect(applyFilter(all, NO_FILTER)).toBe(all);
    expect(applyFilter(all, { ...NO_FILTER, text: '   ' })).toBe(all);
  });

  it('searches name, platform label and channel, every word, in any case', () => {
    const all = [
      destination(1, { name: 'Main show', platform: 'kick', channelArn: CHANNELS[0]! }),
      destination(2, { name: 'Backup show', platform: 'youtube', channelArn: CHANNELS[1]! }),
      ...list(25).map((d) => ({ ...d, id: `x-${d.id}`, name: 'Other', platform: 'twitch' as const, channelArn: CHANNELS[0]! })),
    ];
    const names = (text: string) => applyFilter(all, { ...NO_FILTER, text }).map((d) => d.name);
    expect(names('KICK')).toEqual(['Main show']);
    expect(names('show youtube')).toEqual(['Backup show']);
    expect(names('second')).toEqual(['Backup show']);
    expect(names('show twitch')).toEqual([]);
  });
});
