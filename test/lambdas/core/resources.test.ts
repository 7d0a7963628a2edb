import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Destination } from '../../../lambdas/core/destination';
import {
  createRequestId,
  forgetRelay,
  forgetSource,
  holdsNothing,
  markIdleDeleted,
  leaseActive,
  recordedSources,
  recordRelay,
  recordSource,
  retireUnusedSource,
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

describe('the RequestId of a create', () => {
  it('is the same for a retry of the same create and differs when any of project, destination, generation or config revision differs', () => {
    const key = fc.record({
      project: fc.constantFrom('p', 'q'),
      id: fc.constantFrom('dest-1', 'dest-2'),
      generation: fc.integer({ min: 0, max: 3 }),
      configRevision: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(key, key, (a, b) => {
        const same = a.project === b.project && a.id === b.id && a.generation === b.generation && a.configRevision === b.configRevision;
        expect(createRequestId(a.project, a) === createRequestId(b.project, b)).toBe(same);
      }),
    );
  });

  it('names the project and the destination, so requests in CloudTrail can be traced to one', () => {
    const id = createRequestId('restream', makeDestination({ id: 'dest-42', generation: 2, configRevision: 5 }));
    expect(id).toContain('restream');
    expect(id).toContain('dest-42');
  });
});

describe('lease expiry', () => {
  const leased = withLease(makeDestination(), 'me', NOW, 30);

  it('lasts up to, not including, its end', () => {
    expect(leaseActive(leased, new Date(NOW.getTime() + 29_999))).toBe(true);
    expect(leaseActive(leased, new Date(NOW.getTime() + 30_000))).toBe(false);
    expect(holdsNothing(leased, new Date(NOW.getTime() + 30_000))).toBe(true);
  });

  it('an item without a lease has no live lease and nothing to release', () => {
    const d = makeDestination();
    expect(leaseActive(d, NOW)).toBe(false);
    expect(withoutLease(d, 'me')).toBeUndefined();
  });

  it('releasing keeps everything else the item records', () => {
    const d = withLease(makeDestination({ mediaLiveChannelId: 'ch-1', mediaLiveInputId: 'in-1', generation: 2 }), 'me', NOW, 30);
    const released = withoutLease(d, 'me');
    const { lease: _lease, ...rest } = d;
    expect(released).toEqual(rest);
  });
});

describe('holdsNothing', () => {
  it.each([
    ['a relay', { mediaLiveChannelId: 'ch-1' }],
    ['a source', { mediaLiveInputId: 'in-1' }],
    ['a retired source', { staleInputIds: ['in-0'] }],
    ['a live lease', { lease: { owner: 'other', until: new Date(NOW.getTime() + 1).toISOString() } }],
  ])('is false while the item records %s (the item may not be deleted yet)', (_what, overrides) => {
    expect(holdsNothing(makeDestination(overrides), NOW)).toBe(false);
  });

  it.each([
    ['a fresh item', {}],
    ['an empty list of retired sources', { staleInputIds: [] }],
  ])('is true for %s', (_what, overrides) => {
    expect(holdsNothing(makeDestination(overrides), NOW)).toBe(true);
  });
});

describe('recording created resources', () => {
  it('records a new source', () => {
    const d = makeDestination({ generation: 2 });
    expect(recordSource(d, 'in-1')).toEqual({ ...d, mediaLiveInputId: 'in-1' });
  });

  it('records a relay with its source and the config revision it was built from', () => {
    const d = makeDestination({ mediaLiveInputId: 'in-0', configRevision: 2 });
    expect(recordRelay(d, { id: 'ch-1', sourceIds: ['in-1'] }, 2)).toEqual({
      ...d,
      mediaLiveChannelId: 'ch-1',
      mediaLiveInputId: 'in-1',
      mediaLiveConfigRevision: 2,
    });
  });

  it('a relay reported without its sources keeps the recorded source', () => {
    const d = makeDestination({ mediaLiveInputId: 'in-1' });
    expect(recordRelay(d, { id: 'ch-1', sourceIds: [] }, 1)).toMatchObject({ mediaLiveChannelId: 'ch-1', mediaLiveInputId: 'in-1' });
  });

  it('a relay adopted without a known config revision drops the revision recorded for the previous relay', () => {
    const d = makeDestination({ mediaLiveChannelId: 'ch-0', mediaLiveConfigRevision: 1 });
    const next = recordRelay(d, { id: 'ch-1', sourceIds: ['in-1'] }, undefined);
    expect(next.mediaLiveConfigRevision).toBeUndefined();
  });

  const alertOn = { id: 'a1', type: 'RTMP Connection Failure', message: 'refused', setAt: '2026-01-01T11:00:00.000Z' };

  it('a different relay starts without the alerts of the previous one', () => {
    const d = makeDestination({ mediaLiveChannelId: 'ch-0', relayAlerts: [alertOn] });
    expect(recordRelay(d, { id: 'ch-1', sourceIds: ['in-1'] }, 1).relayAlerts).toBeUndefined();
  });

  it('recording the same relay again keeps its alerts', () => {
    const d = makeDestination({ mediaLiveChannelId: 'ch-1', relayAlerts: [alertOn] });
    expect(recordRelay(d, { id: 'ch-1', sourceIds: ['in-1'] }, 1).relayAlerts).toEqual([alertOn]);
  });
});

describe('forgetting a relay', () => {
  const alertOn = { id: 'a1', type: 'RTMP Connection Failure', message: 'refused', setAt: '2026-01-01T11:00:00.000Z' };

  it('retires the recorded source, the sources it reports and the ones already retired, and drops its alerts', () => {
    const d = makeDestination({
      generation: 1,
      mediaLiveChannelId: 'ch-1',
      mediaLiveInputId: 'in-1',
      mediaLiveConfigRevision: 1,
      staleInputIds: ['in-old'],
      relayAlerts: [alertOn],
    });
    const forgotten = forgetRelay(d, 'ch-1', ['in-x']);
    expect([...(forgotten.staleInputIds ?? [])].sort()).toEqual(['in-1', 'in-old', 'in-x']);
    const { mediaLiveChannelId: _c, mediaLiveInputId: _i, mediaLiveConfigRevision: _r, relayAlerts: _a, ...rest } = d;
    expect(forgotten).toEqual({ ...rest, generation: 2, staleInputIds: forgotten.staleInputIds });
  });

  it('of a relay that is not the recorded one keeps the recorded relay, its source and alerts', () => {
    const d = markIdleDeleted(
      makeDestination({ mediaLiveChannelId: 'ch-1', mediaLiveInputId: 'in-1', mediaLiveConfigRevision: 1, relayAlerts: [alertOn] }),
      'ch-1',
    );
    const forgotten = forgetRelay(d, 'ch-other', ['in-other']);
    expect(forgotten).toEqual({ ...d, generation: d.generation + 1, staleInputIds: ['in-other'] });
  });

  it('when no relay is recorded, retires the recorded source that a relay of an interrupted create may have used', () => {
    const d = makeDestination({ generation: 1, mediaLiveInputId: 'in-1' });
    const forgotten = forgetRelay(d, 'ch-adopted', []);
    expect(forgotten.mediaLiveInputId).toBeUndefined();
    expect(forgotten.staleInputIds).toEqual(['in-1']);
  });

  it('without any source leaves no retired-source list', () => {
    const forgotten = forgetRelay(makeDestination({ mediaLiveChannelId: 'ch-1' }), 'ch-1', []);
    expect(forgotten.staleInputIds).toBeUndefined();
    expect(holdsNothing(forgotten, NOW)).toBe(true);
  });

  it('never retires the source it keeps for the next relay, even when the relay reports it', () => {
    const d = markIdleDeleted(recordRelay(makeDestination(), { id: 'ch-1', sourceIds: ['in-1'] }, 1), 'ch-1');
    const forgotten = forgetRelay(d, 'ch-1', ['in-1']);
    expect(forgotten.mediaLiveInputId).toBe('in-1');
    expect(forgotten.staleInputIds).toBeUndefined();
  });
});

describe('forgetting a source that is gone', () => {
  it('forgets the recorded source and moves the generation, so the next create makes a new one', () => {
    const d = makeDestination({ generation: 2, mediaLiveInputId: 'in-1' });
    const forgotten = forgetSource(d, 'in-1');
    const { mediaLiveInputId: _i, ...rest } = d;
    expect(forgotten).toEqual({ ...rest, generation: 3 });
    expect(createRequestId('p', forgotten)).not.toBe(createRequestId('p', d));
  });

  it('changes nothing when the item records another source (another reconcile made a new one)', () => {
    const d = makeDestination({ generation: 2, mediaLiveInputId: 'in-2' });
    expect(forgetSource(d, 'in-1')).toBe(d);
  });
});

describe('deleted sources', () => {
  it('leave the retired list and the item, the others stay', () => {
    const d = makeDestination({ generation: 1, mediaLiveInputId: 'in-1', staleInputIds: ['in-a', 'in-b'] });
    expect(sourcesDeleted(d, ['in-a'])).toEqual({ ...d, generation: 2, staleInputIds: ['in-b'] });
    const { staleInputIds: _s, mediaLiveInputId: _i, ...rest } = d;
    expect(sourcesDeleted(d, ['in-a', 'in-b', 'in-1'])).toEqual({ ...rest, generation: 2 });
  });

  it('an item without retired sources gets no retired-source list', () => {
    const d = makeDestination({ mediaLiveInputId: 'in-1' });
    expect(sourcesDeleted(d, []).staleInputIds).toBeUndefined();
    expect(sourcesDeleted(d, []).mediaLiveInputId).toBe('in-1');
  });
});

describe('an edit of what the relay pulls', () => {
  it('retires a source no relay uses yet and moves the generation', () => {
    const d = makeDestination({ generation: 1, mediaLiveInputId: 'in-1', staleInputIds: ['in-0'] });
    const { mediaLiveInputId: _i, ...rest } = d;
    expect(retireUnusedSource(d)).toEqual({ ...rest, generation: 2, staleInputIds: ['in-0', 'in-1'] });
    expect(retireUnusedSource(makeDestination({ mediaLiveInputId: 'in-1' })).staleInputIds).toEqual(['in-1']);
  });

  it.each([
    ['a relay uses the source (the relay is rebuilt, and its source with it)', { mediaLiveChannelId: 'ch-1', mediaLiveInputId: 'in-1' }],
    ['there is no source', {}],
    ['there is a relay but no recorded source', { mediaLiveChannelId: 'ch-1' }],
  ])('changes nothing when %s', (_why, overrides) => {
    const d = makeDestination(overrides);
    expect(retireUnusedSource(d)).toBe(d);
  });
});

describe('recordedSources', () => {
  it('lists the current source and the retired ones', () => {
    expect(recordedSources(makeDestination({ mediaLiveInputId: 'in-1', staleInputIds: ['in-0'] }))).toEqual(['in-1', 'in-0']);
    expect(recordedSources(makeDestination({ staleInputIds: ['in-0'] }))).toEqual(['in-0']);
    expect(recordedSources(makeDestination())).toEqual([]);
  });
});

/**
 * Random histories of the changes the reconciler makes (as it makes them: a source is created only
 * when none is recorded; a created relay reports the recorded source or none).
 */
describe('invariants over random histories', () => {
  const relayIds = fc.constantFrom('ch-1', 'ch-2', 'ch-3');
  // Sources are picked among those the item records, plus one it does not know.
  const picks = fc.uniqueArray(fc.nat({ max: 4 }), { maxLength: 3 });
  type Op =
    | { kind: 'recordSource' }
    | { kind: 'recordRelay'; id: string; withSource: boolean; revision: number | undefined }
    | { kind: 'forgetRelay'; id: string; picks: number[] }
    | { kind: 'markIdleDeleted'; id: string }
    | { kind: 'forgetSource'; picks: number[] }
    | { kind: 'sourcesDeleted'; picks: number[] }
    | { kind: 'retireUnusedSource' }
    | { kind: 'edit' }
    | { kind: 'deleteRequested' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant({ kind: 'recordSource' as const }),
    fc.record({
      kind: fc.constant('recordRelay' as const),
      id: relayIds,
      withSource: fc.boolean(),
      revision: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    }),
    fc.record({ kind: fc.constant('forgetRelay' as const), id: relayIds, picks }),
    fc.record({ kind: fc.constant('markIdleDeleted' as const), id: relayIds }),
    fc.record({ kind: fc.constant('forgetSource' as const), picks }),
    fc.record({ kind: fc.constant('sourcesDeleted' as const), picks }),
    fc.constant({ kind: 'retireUnusedSource' as const }),
    fc.constant({ kind: 'edit' as const }),
    fc.constant({ kind: 'deleteRequested' as const }),
  );

  function apply(d: Destination, o: Op, step: number): { next: Destination; gone: string[] } {
    const known = [...recordedSources(d), 'in-unknown'];
    const pick = (p: number[]): string[] => [...new Set(p.flatMap((i) => known[i % known.length] ?? []))];
    switch (o.kind) {
      case 'recordSource': // a new source, as the planner asks for one: none recorded; MediaLive never reuses an id
        return { next: d.mediaLiveInputId === undefined ? recordSource(d, `in-${step}`) : d, gone: [] };
      case 'recordRelay': {
        const sources = o.withSource && d.mediaLiveInputId !== undefined ? [d.mediaLiveInputId] : [];
        return { next: recordRelay(d, { id: o.id, sourceIds: sources }, o.revision), gone: [] };
      }
      case 'forgetRelay':
        return { next: forgetRelay(d, o.id, pick(o.picks)), gone: [] };
      case 'markIdleDeleted':
        return { next: markIdleDeleted(d, o.id), gone: [] };
      case 'forgetSource': {
        const gone = pick(o.picks).slice(0, 1);
        return { next: gone[0] === undefined ? d : forgetSource(d, gone[0]), gone };
      }
      case 'sourcesDeleted': {
        const gone = pick(o.picks);
        return { next: sourcesDeleted(d, gone), gone };
      }
      case 'retireUnusedSource':
        return { next: retireUnusedSource(d), gone: [] };
      case 'edit':
        return { next: { ...d, configRevision: d.configRevision + 1 }, gone: [] };
      case 'deleteRequested':
        return { next: { ...d, deleteRequested: true }, gone: [] };
    }
  }

  it('no source is lost from the item unless deleted or gone, none is both current and retired, and the RequestId moves on whenever something is forgotten', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        let d = makeDestination({ id: 'dest-prop', generation: 0 });
        for (const [i, o] of ops.entries()) {
          const { next, gone } = apply(d, o, i);
          // Every source recorded before is still recorded, unless it was deleted or is gone.
          for (const s of recordedSources(d)) if (!gone.includes(s)) expect(recordedSources(next)).toContain(s);
          // The current source is never also retired (it would be deleted while in use), and none twice.
          if (next.mediaLiveInputId !== undefined) expect(next.staleInputIds ?? []).not.toContain(next.mediaLiveInputId);
          expect(new Set(next.staleInputIds).size).toBe((next.staleInputIds ?? []).length);
          // The generation never goes back, and a create after a forgotten relay or source never replays an old RequestId.
          expect(next.generation).toBeGreaterThanOrEqual(d.generation);
          const forgot =
            (d.mediaLiveChannelId !== undefined && next.mediaLiveChannelId === undefined) ||
            (d.mediaLiveInputId !== undefined && next.mediaLiveInputId === undefined);
          if (forgot) expect(createRequestId('p', next)).not.toBe(createRequestId('p', d));
          // holdsNothing is exactly "records nothing and no live lease" (there is no lease here).
          expect(holdsNothing(next, NOW)).toBe(next.mediaLiveChannelId === undefined && recordedSources(next).length === 0);
          d = next;
        }
      }),
    );
  });
});
