import { describe, expect, it } from '@jest/globals';
import {
  createRequestId,
  forgetRelay,
  holdsNothing,
  markIdleDeleted,
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

  it('a relay deleted for being idle is forgotten with a new generation, its source kept for the next relay', () => {
    const d = markIdleDeleted(recordRelay(makeDestination({ generation: 3 }), { id: 'ch-1', sourceIds: ['in-1'] }, 1), 'ch-1');
    expect(d.idleDeletedRelayId).toBe('ch-1');
    const forgotten = forgetRelay(d, 'ch-1', []);
    expect(forgotten).toMatchObject({ generation: 4, mediaLiveInputId: 'in-1' });
    expect(forgotten).not.toHaveProperty('mediaLiveChannelId');
    expect(forgotten).not.toHaveProperty('mediaLiveConfigRevision');
    expect(forgotten).not.toHaveProperty('idleDeletedRelayId');
    expect(forgotten).not.toHaveProperty('staleInputIds');
    expect(createRequestId('p', forgotten)).not.toBe(createRequestId('p', d));
  });

  it.each([
    ['the config changed since the relay was built (the input may pull another IVS channel)', { configRevision: 2 }],
    ['the destination is being deleted', { deleteRequested: true }],
  ])('an idle-deleted relay retires its source after all when %s', (_why, overrides) => {
    const d = markIdleDeleted(
      recordRelay(makeDestination({ generation: 3, ...overrides }), { id: 'ch-1', sourceIds: ['in-1'] }, 1),
      'ch-1',
    );
    const forgotten = forgetRelay(d, 'ch-1', []);
    expect(forgotten).toMatchObject({ staleInputIds: ['in-1'] });
    expect(forgotten).not.toHaveProperty('mediaLiveInputId');
  });

  it('marks only the recorded relay as deleted for being idle', () => {
    const d = recordRelay(makeDestination(), { id: 'ch-1', sourceIds: ['in-1'] }, 1);
    expect(markIdleDeleted(d, 'ch-other')).toBe(d);
  });
});
