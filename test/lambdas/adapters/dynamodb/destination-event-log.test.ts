import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDestinationEventLog } from '../../../../lambdas/adapters/dynamodb/destination-event-log';
import { ServiceUnavailableError, ValidationError } from '../../../../lambdas/core/errors';
import type { DestinationEvent } from '../../../../lambdas/core/events';
import { EVENT_ID, encodeCursor } from '../../../../lambdas/core/events';
import { ManualClock } from '../../../../lambdas/testing/manual-clock';
import { startDynalite, type Dynalite } from '../../../support/dynalite';

let db: Dynalite;
let clock: ManualClock;
let log: DynamoDestinationEventLog;

beforeAll(async () => {
  db = await startDynalite();
  clock = new ManualClock('2030-01-10T00:00:00.000Z');
  log = new DynamoDestinationEventLog(db.doc, db.tables.events, clock);
});

afterAll(async () => {
  await db.stop();
});

const event = (destinationId: string, at: string, message = 'x'): DestinationEvent => ({
  destinationId,
  at,
  kind: 'edited',
  source: 'api',
  message,
  details: { fields: ['name'] },
});

/** `n` events one second apart from `start`, recorded oldest first. */
async function recordSeries(destinationId: string, n: number, start = Date.parse('2030-01-09T00:00:00.000Z')): Promise<string[]> {
  const messages: string[] = [];
  for (let i = 0; i < n; i++) {
    const message = `event ${i}`;
    await log.record(event(destinationId, new Date(start + i * 1000).toISOString(), message));
    messages.push(message);
  }
  return messages;
}

describe('DynamoDestinationEventLog', () => {
  it('stores an event under a time-ordered id with a 30-day TTL and reads it back', async () => {
    await log.record(event('one', '2030-01-09T12:00:00.000Z', 'renamed'));
    const raw = await db.doc.send(
      new QueryCommand({
        TableName: db.tables.events,
        KeyConditionExpression: 'destinationId = :d',
        ExpressionAttributeValues: { ':d': 'one' },
      }),
    );
    const item = raw.Items?.[0] as Record<string, unknown>;
    expect(item.eventId).toMatch(EVENT_ID);
    expect(String(item.eventId).startsWith('2030-01-09T12:00:00.000Z_')).toBe(true);
    expect(item.expiresAt).toBe(Date.parse('2030-02-08T12:00:00.000Z') / 1000);
    const page = await log.list('one', { limit: 10 });
    expect(page).toEqual({
      events: [
        {
          destinationId: 'one',
          eventId: item.eventId,
          at: '2030-01-09T12:00:00.000Z',
          kind: 'edited',
          source: 'api',
          message: 'renamed',
          details: { fields: ['name'] },
        },
      ],
    });
  });

  it('keeps two events of the same millisecond apart', async () => {
    await Promise.all([
      log.record(event('same-ms', '2030-01-09T12:00:00.000Z', 'a')),
      log.record(event('same-ms', '2030-01-09T12:00:00.000Z', 'b')),
    ]);
    const page = await log.list('same-ms', { limit: 10 });
    expect(page.events.map((e) => e.message).sort()).toEqual(['a', 'b']);
  });

  it('lists newest first, page by page, until the history ends', async () => {
    const messages = await recordSeries('paged', 7);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await log.list('paged', { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.events.map((e) => e.message));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 10);
    expect(seen).toEqual([...messages].reverse());
    expect(pages).toBe(3);
  });

  it("lists only the destination's own events", async () => {
    await recordSeries('mine', 2);
    await recordSeries('mine-too', 3);
    expect((await log.list('mine', { limit: 100 })).events.map((e) => e.destinationId)).toEqual(['mine', 'mine']);
  });

  it('leaves out events past their expiry that DynamoDB has not deleted yet, and still fills the page', async () => {
    await recordSeries('ttl', 3, Date.parse('2030-01-09T00:00:00.000Z'));
    // Two expired items, newer by key than the live ones (written by hand with past expiries).
    for (const [i, at] of ['2030-01-09T23:00:00.000Z', '2030-01-09T23:30:00.000Z'].entries()) {
      await db.doc.send(
        new PutCommand({
          TableName: db.tables.events,
          Item: {
            destinationId: 'ttl',
            eventId: `${at}_00000000000${i}`,
            at,
            kind: 'edited',
            source: 'api',
            message: 'expired',
            expiresAt: Math.floor(clock.now().getTime() / 1000) - 1,
          },
        }),
      );
    }
    const page = await log.list('ttl', { limit: 2 });
    expect(page.events.map((e) => e.message)).toEqual(['event 2', 'event 1']);
  });

  it('skips an item that is not an event (written by hand) instead of failing the page', async () => {
    await db.doc.send(
      new PutCommand({
        TableName: db.tables.events,
        Item: { destinationId: 'odd', eventId: '2030-01-09T00:00:00.000Z_ffffffff', kind: 'nonsense' },
      }),
    );
    await recordSeries('odd', 1);
    expect((await log.list('odd', { limit: 10 })).events.map((e) => e.message)).toEqual(['event 0']);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(log.list('paged', { limit: 3, cursor: 'page-2' })).rejects.toBeInstanceOf(ValidationError);
    await expect(log.list('paged', { limit: 3, cursor: encodeCursor('2030-01-09T00:00:00.000Z_zz') })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('reports a table it cannot reach as a domain error, naming the table', async () => {
    const own = await startDynalite();
    try {
      await own.client.send(new DeleteTableCommand({ TableName: own.tables.events }));
      const broken = new DynamoDestinationEventLog(own.doc, own.tables.events, clock);
      const error = await broken.record(event('x', '2030-01-09T00:00:00.000Z')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as Error).message).toContain(own.tables.events);
      await expect(broken.list('x', { limit: 1 })).rejects.toBeInstanceOf(ServiceUnavailableError);
    } finally {
      await own.stop();
    }
  });
});
