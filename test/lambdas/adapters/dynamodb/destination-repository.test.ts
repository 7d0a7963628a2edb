import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDestinationRepository } from '../../../../lambdas/adapters/dynamodb/destination-repository';
import { ServiceUnavailableError, VersionConflictError } from '../../../../lambdas/core/errors';
import { startDynalite, type Dynalite } from '../../../support/dynalite';
import { makeDestination } from '../../../support/fixtures';

let db: Dynalite;
let repo: DynamoDestinationRepository;

beforeAll(async () => {
  db = await startDynalite();
  repo = new DynamoDestinationRepository(db.doc, db.tables.destinations);
});

afterAll(async () => {
  await db.stop();
});

const CHANNEL_A = 'arn:aws:ivs:us-east-1:123456789012:channel/ChannelAAAA01';
const CHANNEL_B = 'arn:aws:ivs:us-east-1:123456789012:channel/ChannelBBBB02';

function uniqueId(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}`;
}

describe('DynamoDestinationRepository', () => {
  it('reads back exactly what create wrote, optional fields included', async () => {
    const destination = makeDestination({
      id: uniqueId('full'),
      pausedStreamId: 'st-1',
      mediaLiveChannelId: '1234567',
      mediaLiveInputId: '7654321',
      mediaLiveConfigRevision: 1,
      deleteRequested: false,
      staleInputIds: ['111', '222'],
      lease: { owner: 'reconcile-1', until: '2025-01-01T00:01:00.000Z' },
      lastError: { code: 'WRONG_STATE', message: 'channel is stopping', at: '2025-01-01T00:00:30.000Z' },
    });

    await repo.create(destination);

    await expect(repo.get(destination.id)).resolves.toEqual(destination);
  });

  it('leaves undefined optional fields out of the stored item', async () => {
    const destination = makeDestination({ id: uniqueId('sparse'), pausedStreamId: undefined });

    await repo.create(destination);

    const raw = await db.doc.send(new GetCommand({ TableName: db.tables.destinations, Key: { id: destination.id } }));
    expect(raw.Item).not.toHaveProperty('pausedStreamId');
    expect(Object.keys(raw.Item ?? {}).sort()).toEqual(
      Object.entries(destination)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k)
        .sort(),
    );
  });

  it('stores only Destination fields even when the object carries extra properties', async () => {
    const destination = makeDestination({ id: uniqueId('extra') });
    const withExtra = { ...destination, streamKey: 'must-not-be-stored', view: { masked: true } };

    await repo.create(withExtra);

    const raw = await db.doc.send(new GetCommand({ TableName: db.tables.destinations, Key: { id: destination.id } }));
    expect(raw.Item).not.toHaveProperty('streamKey');
    expect(raw.Item).not.toHaveProperty('view');
  });

  it('drops attributes the model does not know when reading an item', async () => {
    const destination = makeDestination({ id: uniqueId('legacy') });
    await db.doc.send(new PutCommand({ TableName: db.tables.destinations, Item: { ...destination, streamKey: 'legacy-plain-key' } }));

    const read = await repo.get(destination.id);

    expect(read).toEqual(destination);
    expect(read).not.toHaveProperty('streamKey');
  });

  it('returns undefined for an id that does not exist', async () => {
    await expect(repo.get(uniqueId('missing'))).resolves.toBeUndefined();
  });

  it('refuses to create a destination whose id already exists', async () => {
    const destination = makeDestination({ id: uniqueId('dup') });
    await repo.create(destination);

    await expect(repo.create({ ...destination, name: 'second' })).rejects.toBeInstanceOf(VersionConflictError);
    await expect(repo.get(destination.id)).resolves.toMatchObject({ name: destination.name });
  });

  it('replaces the item when the stored version is the one before next.version', async () => {
    const destination = makeDestination({ id: uniqueId('put'), version: 1 });
    await repo.create(destination);

    await repo.put({ ...destination, name: 'renamed', version: 2 });
    await repo.put({ ...destination, name: 'renamed again', status: 'starting', version: 3 });

    await expect(repo.get(destination.id)).resolves.toMatchObject({ name: 'renamed again', status: 'starting', version: 3 });
  });

  it('removes optional fields that the new version no longer has', async () => {
    const destination = makeDestination({ id: uniqueId('clear'), pausedStreamId: 'st-9', version: 1 });
    await repo.create(destination);

    await repo.put({ ...destination, pausedStreamId: undefined, version: 2 });

    const read = await repo.get(destination.id);
    expect(read).not.toHaveProperty('pausedStreamId');
  });

  it('rejects a put based on a stale version and keeps the newer item', async () => {
    const destination = makeDestination({ id: uniqueId('stale'), version: 1 });
    await repo.create(destination);
    await repo.put({ ...destination, name: 'winner', version: 2 });

    // A second writer that also read version 1.
    const loser = repo.put({ ...destination, name: 'loser', version: 2 });

    await expect(loser).rejects.toBeInstanceOf(VersionConflictError);
    await expect(repo.get(destination.id)).resolves.toMatchObject({ name: 'winner', version: 2 });
  });

  it('lets exactly one of two concurrent writers of the same version win', async () => {
    const destination = makeDestination({ id: uniqueId('race'), version: 4 });
    await repo.create(destination);

    const results = await Promise.allSettled([
      repo.put({ ...destination, name: 'a', version: 5 }),
      repo.put({ ...destination, name: 'b', version: 5 }),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(VersionConflictError);
  });

  it('rejects a put of a destination that does not exist', async () => {
    const ghost = makeDestination({ id: uniqueId('ghost'), version: 2 });

    await expect(repo.put(ghost)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(repo.get(ghost.id)).resolves.toBeUndefined();
  });

  it('deletes the item when the stored version matches', async () => {
    const destination = makeDestination({ id: uniqueId('del'), version: 3 });
    await repo.create(destination);

    await repo.delete(destination.id, 3);

    await expect(repo.get(destination.id)).resolves.toBeUndefined();
  });

  it('refuses to delete when the stored version differs, and keeps the item', async () => {
    const destination = makeDestination({ id: uniqueId('del-stale'), version: 3 });
    await repo.create(destination);

    await expect(repo.delete(destination.id, 2)).rejects.toBeInstanceOf(VersionConflictError);
    await expect(repo.get(destination.id)).resolves.toEqual(destination);
  });

  it('reports a conflict when deleting an item that is already gone', async () => {
    await expect(repo.delete(uniqueId('gone'), 1)).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('lists only the destinations of the asked channel through the byChannel index', async () => {
    const onA = [
      makeDestination({ id: uniqueId('a1'), channelArn: CHANNEL_A }),
      makeDestination({ id: uniqueId('a2'), channelArn: CHANNEL_A }),
    ];
    const onB = makeDestination({ id: uniqueId('b1'), channelArn: CHANNEL_B });
    for (const d of [...onA, onB]) await repo.create(d);

    const listed = (await repo.listByChannel(CHANNEL_A)).destinations;

    expect(listed.map((d) => d.id).sort()).toEqual(onA.map((d) => d.id).sort());
    expect(listed).toContainEqual(onA[0]);
  });

  it('returns an empty list for a channel without destinations', async () => {
    await expect(repo.listByChannel('arn:aws:ivs:us-east-1:123456789012:channel/NoDestinations')).resolves.toEqual({
      destinations: [],
      malformed: [],
    });
  });
});

describe('DynamoDestinationRepository.listAll', () => {
  let own: Dynalite;

  beforeAll(async () => {
    own = await startDynalite();
  });

  afterAll(async () => {
    await own.stop();
  });

  it('returns every item when the table spans several Scan pages', async () => {
    const repository = new DynamoDestinationRepository(own.doc, own.tables.destinations);
    // ~300 KB per item: a 1 MB Scan page holds at most three, so eight items need three pages.
    const bulk = 'x'.repeat(300 * 1024);
    const destinations = Array.from({ length: 8 }, (_, i) => makeDestination({ id: `page-${i}`, name: `${i}-${bulk}` }));
    for (const d of destinations) await repository.create(d);
    const send = jest.spyOn(own.doc, 'send');

    const listed = await repository.listAll();

    const scans = send.mock.calls.filter(([command]) => command instanceof ScanCommand);
    send.mockRestore();
    expect(scans.length).toBeGreaterThan(1);
    expect(listed.map((d) => d.id).sort()).toEqual(destinations.map((d) => d.id).sort());
    expect(listed).toContainEqual(destinations[5]);
  });

  it('returns an empty list for an empty table', async () => {
    const empty = await startDynalite();
    try {
      await expect(new DynamoDestinationRepository(empty.doc, empty.tables.destinations).listAll()).resolves.toEqual([]);
    } finally {
      await empty.stop();
    }
  });
});

describe('DynamoDestinationRepository against failing servers', () => {
  it('maps a server that cannot be reached to ServiceUnavailableError', async () => {
    const down = await startDynalite();
    const repository = new DynamoDestinationRepository(down.doc, down.tables.destinations);
    await down.stop();

    await expect(repository.get('x')).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('maps a missing table to ServiceUnavailableError naming the table', async () => {
    const repository = new DynamoDestinationRepository(db.doc, 'no-such-table');

    const result = repository.create(makeDestination());

    await expect(result).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(result).rejects.toThrow(/no-such-table/);
  });
});
