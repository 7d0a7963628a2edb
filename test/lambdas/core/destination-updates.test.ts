/**
 * Writing a destination item (core/destination-updates.ts) over the real DynamoDB adapter on an
 * in-process dynalite: conditional on the version read, retried on conflicts, never lost.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDestinationRepository } from '../../../lambdas/adapters/dynamodb/destination-repository';
import type { Destination } from '../../../lambdas/core/destination';
import { nextVersion, recordRelayAlert, updateDestination } from '../../../lambdas/core/destination-updates';
import { ServiceUnavailableError, VersionConflictError } from '../../../lambdas/core/errors';
import type { RelayAlert } from '../../../lambdas/core/health';
import { ManualClock } from '../../../lambdas/testing/manual-clock';
import type { Dynalite } from '../../support/dynalite';
import { dynaliteTablesPerTest } from '../../support/dynalite-per-test';
import { makeDestination } from '../../support/fixtures';

const NOW = '2026-03-01T10:00:00.000Z';

let db: Dynalite;
let repo: DynamoDestinationRepository;
let clock: ManualClock;
let reads: number;

const tables = dynaliteTablesPerTest();
beforeEach(async () => {
  db = tables();
  repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
  clock = new ManualClock(NOW);
  reads = 0;
  const get = repo.get.bind(repo);
  repo.get = async (id) => {
    reads += 1;
    return get(id);
  };
});

async function stored(overrides: Partial<Destination> = {}): Promise<Destination> {
  const d = makeDestination({ id: 'd1', ...overrides });
  await repo.create(d);
  return d;
}

/** Another writer (the API, another reconcile) lands before each of the next `times` writes. */
function raceNextPuts(times: number): void {
  let raced = 0;
  const put = repo.put.bind(repo);
  repo.put = async (next) => {
    if (raced < times) {
      raced += 1;
      const current = (await repo.get(next.id)) as Destination;
      await put({ ...current, name: `outside ${raced}`, version: current.version + 1 });
    }
    return put(next);
  };
}

const rename = (name: string) => (d: Destination) => ({ ...d, name });

describe('nextVersion', () => {
  it('bumps the version it was read at and stamps the time', () => {
    const d = makeDestination({ version: 4 });
    expect(nextVersion(d, new Date(NOW))).toEqual({ ...d, version: 5, updatedAt: NOW });
    expect(nextVersion(d, new Date(NOW), 7)).toMatchObject({ version: 8 });
  });
});

describe('updateDestination', () => {
  it('writes the change under the next version and returns the item as stored', async () => {
    await stored({ version: 3 });
    clock.advance(1_000);
    const result = await updateDestination(repo, clock, 'd1', rename('New'));
    expect(result).toMatchObject({ name: 'New', version: 4, updatedAt: '2026-03-01T10:00:01.000Z' });
    expect(await repo.get('d1')).toEqual(result);
  });

  it('writes nothing when the change returns undefined, and returns the item as read', async () => {
    const d = await stored();
    expect(await updateDestination(repo, clock, 'd1', () => undefined)).toEqual(d);
    expect(await repo.get('d1')).toEqual(d);
  });

  it('returns undefined for an item that is gone, calling no change', async () => {
    let called = false;
    const result = await updateDestination(repo, clock, 'nope', (d) => {
      called = true;
      return d;
    });
    expect(result).toBeUndefined();
    expect(called).toBe(false);
    expect((await repo.scanAll()).destinations).toEqual([]);
  });

  it('re-reads and re-applies the change after a racing write, keeping both', async () => {
    await stored({ enabled: true });
    raceNextPuts(2);
    const result = await updateDestination(repo, clock, 'd1', (d) => ({ ...d, enabled: false }));
    expect(result).toMatchObject({ enabled: false, name: 'outside 2', version: 4 });
    expect(await repo.get('d1')).toEqual(result);
  });

  it('gives up with the conflict after five attempts by default, or the attempts given', async () => {
    await stored();
    raceNextPuts(4);
    expect(await updateDestination(repo, clock, 'd1', rename('Mine'))).toMatchObject({ name: 'Mine' });
    raceNextPuts(5);
    await expect(updateDestination(repo, clock, 'd1', rename('Again'))).rejects.toBeInstanceOf(VersionConflictError);
    raceNextPuts(2);
    await expect(updateDestination(repo, clock, 'd1', rename('Twice'), { attempts: 2 })).rejects.toBeInstanceOf(VersionConflictError);
    expect((await repo.get('d1'))?.name).toBe('outside 2');
  });

  it('does not retry an error that is no conflict', async () => {
    await stored();
    let puts = 0;
    repo.put = async () => {
      puts += 1;
      throw new ServiceUnavailableError('DynamoDB PutItem unavailable');
    };
    await expect(updateDestination(repo, clock, 'd1', rename('X'))).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(puts).toBe(1);
  });

  it('tries the item the caller knows first, without reading it', async () => {
    const d = await stored();
    reads = 0;
    const result = await updateDestination(repo, clock, 'd1', rename('Known'), { known: d });
    expect(reads).toBe(0);
    expect(result).toMatchObject({ name: 'Known', version: 2 });
  });

  it('reads the item again when the one the caller knows is stale', async () => {
    const d = await stored();
    await repo.put({ ...d, enabled: false, version: 2 });
    const result = await updateDestination(repo, clock, 'd1', rename('Known'), { known: d });
    expect(result).toMatchObject({ name: 'Known', enabled: false, version: 3 });
  });
});

describe('recordRelayAlert', () => {
  const alert = (id: string, setAt = NOW): RelayAlert => ({ id, type: 'RTMP Connection Failure', message: `alert ${id}`, setAt });

  it('records an alert about the relay the item records, and clears it again', async () => {
    await stored({ mediaLiveChannelId: 'ch-1' });
    expect(await recordRelayAlert(repo, clock, 'd1', { relayId: 'ch-1', state: 'SET', alert: alert('a1') })).toBe(true);
    expect((await repo.get('d1'))?.relayAlerts).toEqual([alert('a1')]);
    expect(await recordRelayAlert(repo, clock, 'd1', { relayId: 'ch-1', state: 'CLEARED', alert: alert('a1') })).toBe(true);
    const d = (await repo.get('d1')) as Destination;
    expect(d).not.toHaveProperty('relayAlerts');
    expect(d.version).toBe(3);
  });

  it('keeps the other alerts when one clears', async () => {
    await stored({ mediaLiveChannelId: 'ch-1', relayAlerts: [alert('a1'), alert('a2')] });
    expect(await recordRelayAlert(repo, clock, 'd1', { relayId: 'ch-1', state: 'CLEARED', alert: alert('a1') })).toBe(true);
    expect((await repo.get('d1'))?.relayAlerts).toEqual([alert('a2')]);
  });

  it('drops an alert about a relay the item no longer records, writing nothing', async () => {
    await stored({ mediaLiveChannelId: 'ch-2' });
    expect(await recordRelayAlert(repo, clock, 'd1', { relayId: 'ch-1', state: 'SET', alert: alert('a1') })).toBe(false);
    expect(await repo.get('d1')).toMatchObject({ version: 1 });
    expect((await repo.get('d1'))?.relayAlerts).toBeUndefined();
  });

  it('a repeated alert changes nothing', async () => {
    await stored({ mediaLiveChannelId: 'ch-1', relayAlerts: [alert('a1')] });
    expect(await recordRelayAlert(repo, clock, 'd1', { relayId: 'ch-1', state: 'SET', alert: alert('a1') })).toBe(false);
    expect(await repo.get('d1')).toMatchObject({ version: 1 });
  });

  it('an alert about a destination that is gone changes nothing', async () => {
    expect(await recordRelayAlert(repo, clock, 'nope', { relayId: 'ch-1', state: 'SET', alert: alert('a1') })).toBe(false);
  });
});
