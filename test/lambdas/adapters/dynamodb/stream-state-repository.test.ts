import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoStreamStateRepository } from '../../../../lambdas/adapters/dynamodb/stream-state-repository';
import type { ChannelStreamState } from '../../../../lambdas/core/ports';
import { startDynalite, type Dynalite } from '../../../support/dynalite';

let db: Dynalite;
let repo: DynamoStreamStateRepository;

beforeAll(async () => {
  db = await startDynalite();
  repo = new DynamoStreamStateRepository(db.doc, db.tables.streamState);
});

afterAll(async () => {
  await db.stop();
});

const channel = (suffix: string): string => `arn:aws:ivs:us-east-1:123456789012:channel/Chan${suffix}`;

describe('DynamoStreamStateRepository', () => {
  it('reads back a LIVE state as written', async () => {
    const state: ChannelStreamState = {
      id: channel('Live01'),
      state: 'LIVE',
      streamId: 'st-1AbCdEf',
      timestamp: '2025-01-01T10:00:00.000Z',
    };

    await repo.put(state);

    await expect(repo.get(state.id)).resolves.toEqual(state);
  });

  it('reads back an OFFLINE state with its offlineSince', async () => {
    const state: ChannelStreamState = {
      id: channel('Off01'),
      state: 'OFFLINE',
      streamId: 'st-old',
      timestamp: '2025-01-01T11:00:00.000Z',
      offlineSince: '2025-01-01T11:00:00.000Z',
    };

    await repo.put(state);

    await expect(repo.get(state.id)).resolves.toEqual(state);
  });

  it('overwrites the previous state unconditionally and drops fields the new one lacks', async () => {
    const id = channel('Flip01');
    await repo.put({ id, state: 'OFFLINE', timestamp: '2025-01-01T09:00:00.000Z', offlineSince: '2025-01-01T09:00:00.000Z' });

    await repo.put({ id, state: 'LIVE', streamId: 'st-new', timestamp: '2025-01-01T09:05:00.000Z' });

    await expect(repo.get(id)).resolves.toEqual({ id, state: 'LIVE', streamId: 'st-new', timestamp: '2025-01-01T09:05:00.000Z' });
    const raw = await db.doc.send(new GetCommand({ TableName: db.tables.streamState, Key: { id } }));
    expect(raw.Item).not.toHaveProperty('offlineSince');
  });

  it('returns undefined for a channel never seen', async () => {
    await expect(repo.get(channel('Never01'))).resolves.toBeUndefined();
  });

  it('lists every channel state', async () => {
    const own = await startDynalite();
    try {
      const repository = new DynamoStreamStateRepository(own.doc, own.tables.streamState);
      const states: ChannelStreamState[] = Array.from({ length: 5 }, (_, i) => ({
        id: channel(`List0${i}`),
        state: i % 2 === 0 ? 'LIVE' : 'OFFLINE',
        streamId: `st-${i}`,
        timestamp: `2025-01-01T0${i}:00:00.000Z`,
      }));
      for (const s of states) await repository.put(s);

      const listed = await repository.listAll();

      expect([...listed].sort((a, b) => a.id.localeCompare(b.id))).toEqual(states);
    } finally {
      await own.stop();
    }
  });

  it('ends a grace period only while the channel is still offline since the time the caller read', async () => {
    const id = channel('Grace01');
    const offlineSince = '2025-01-01T12:00:00.000Z';
    await repo.put({ id, state: 'OFFLINE', streamId: 'st-1', timestamp: offlineSince, offlineSince, broadcastId: 'st-1' });

    await expect(repo.endGrace(id, '2025-01-01T11:59:00.000Z', '2025-01-01T12:00:30.000Z')).resolves.toBe(false);
    await expect(repo.get(id)).resolves.not.toHaveProperty('graceEndedAt');
    await expect(repo.endGrace(id, offlineSince, '2025-01-01T12:00:30.000Z')).resolves.toBe(true);
    await expect(repo.get(id)).resolves.toEqual({
      id,
      state: 'OFFLINE',
      streamId: 'st-1',
      timestamp: offlineSince,
      offlineSince,
      broadcastId: 'st-1',
      graceEndedAt: '2025-01-01T12:00:30.000Z',
    });

    // Live again in between: the write is refused and the live state stays whole.
    await repo.put({ id, state: 'LIVE', streamId: 'st-2', timestamp: '2025-01-01T12:01:00.000Z' });
    await expect(repo.endGrace(id, offlineSince, '2025-01-01T12:01:05.000Z')).resolves.toBe(false);
    await expect(repo.get(id)).resolves.toEqual({ id, state: 'LIVE', streamId: 'st-2', timestamp: '2025-01-01T12:01:00.000Z' });
    // A channel never seen: nothing is created.
    await expect(repo.endGrace(channel('Never01'), offlineSince, offlineSince)).resolves.toBe(false);
    await expect(repo.get(channel('Never01'))).resolves.toBeUndefined();
  });
});
