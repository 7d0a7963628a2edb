import { describe, expect, it } from '@jest/globals';
import {
  createRequestId,
  forgetRelay,
  holdsNothing,
  leaseActive,
  recordRelay,
  sourcesDeleted,
  withLease,
  withoutLease,
} from '../../../lambdas/core/resources';
import { makeDestination } from '../../support/fixtures';

const NOW = new Date('2026-01-01T12:00:00.000Z');

describe('leases', () => {
  it('an expired lease holds nothing', () => {
    const d = makeDestination({ lease: { owner: 'dead', until: new Date(NOW.getTime() - 1).toISOString() } });
    expect(leaseActive(d, NOW)).toBe(false);
    expect(leaseActive({ lease: { owner: 'x', until: new Date(NOW.getTime() + 1).toISOString() } }, NOW)).toBe(true);
    expect(holdsNothing(d, NOW)).toBe(true);
  });

  it('release removes only its own lease, never another reconciler’s', () => {
    const leased = withLease(makeDestination(), 'me', NOW, 30);
    expect(leased.lease).toEqual({ owner: 'me', until: '2026-01-01T12:00:30.000Z' });
    expect(withoutLease(leased, 'someone-else')).toBeUndefined();
    expect(withoutLease(leased, 'me')).not.toHaveProperty('lease');
  });

  it('a destination under a live lease does not hold nothing (it may not be deleted)', () => {
    expect(holdsNothing(withLease(makeDestination(), 'me', NOW, 30), NOW)).toBe(false);
  });
});

describe('recorded resources and the RequestId', () => {
  it('a forgotten relay retires its source and moves the generation, so the next create gets a new RequestId', () => {
    const d = recordRelay(makeDestination({ generation: 3 }), { id: 'ch-1', sourceIds: ['in-1'] }, 1);
    const before = createRequestId('p', d);
    const forgotten = forgetRelay(d, 'ch-1', []);
    expect(forgotten).toMatchObject({ generation: 4, staleInputIds: ['in-1'] });
    expect(forgotten).not.toHaveProperty('mediaLiveChannelId');
    expect(createRequestId('p', forgotten)).not.toBe(before);
    expect(holdsNothing(forgotten, NOW)).toBe(false);
    expect(holdsNothing(sourcesDeleted(forgotten, ['in-1']), NOW)).toBe(true);
  });
});
