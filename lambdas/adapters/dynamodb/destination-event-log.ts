/**
 * The destination history table: one item per event, key `destinationId` (HASH) + `eventId`
 * (RANGE, time-ordered: `core/events.ts`), and `expiresAt` (epoch seconds) for DynamoDB's TTL.
 *
 * TTL deletes expired items "typically within two days", and until then they "still show up in
 * reads, queries, and scans" (https://docs.aws.amazon.com/cli/v1/reference/dynamodb/update-time-to-live.html),
 * so a read filters them out itself.
 */
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, DestinationEventLog } from '../../core/ports';
import type { DestinationEvent, DestinationEventPage, EventDetails, StoredDestinationEvent } from '../../core/events';
import { decodeCursor, DESTINATION_EVENT_KINDS, encodeCursor, EVENT_SOURCES, eventIdOf, expiresAtOf } from '../../core/events';
import { toDomainError } from './errors';

export class DynamoDestinationEventLog implements DestinationEventLog {
  /** @param tableName the `{project}-destination-events` table. */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async record(event: DestinationEvent): Promise<void> {
    const item = {
      destinationId: event.destinationId,
      eventId: eventIdOf(event.at, randomBytes(6).toString('hex')),
      at: event.at,
      kind: event.kind,
      source: event.source,
      message: event.message,
      ...(event.details && Object.keys(event.details).length > 0 ? { details: event.details } : {}),
      expiresAt: expiresAtOf(event.at),
    };
    try {
      // A new random id never exists; the condition only guards against overwriting one anyway.
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(eventId)' }));
    } catch (error) {
      throw toDomainError(error, 'PutItem', this.tableName);
    }
  }

  async list(destinationId: string, options: { limit: number; cursor?: string }): Promise<DestinationEventPage> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const events: StoredDestinationEvent[] = [];
    let start: Record<string, unknown> | undefined = after === undefined ? undefined : { destinationId, eventId: after };
    try {
      // Limit counts items read before the filter: read on until the page is full or the history ends.
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'destinationId = :id',
            FilterExpression: 'attribute_not_exists(expiresAt) OR expiresAt > :now',
            ExpressionAttributeValues: { ':id': destinationId, ':now': now },
            ScanIndexForward: false,
            Limit: options.limit - events.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          const event = fromItem(item);
          if (event) events.push(event);
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined && events.length < options.limit);
    } catch (error) {
      throw toDomainError(error, 'Query', this.tableName);
    }
    const last = events[events.length - 1];
    return start !== undefined && last ? { events, nextCursor: encodeCursor(last.eventId) } : { events };
  }
}

const KINDS: ReadonlySet<string> = new Set(DESTINATION_EVENT_KINDS);
const SOURCES: ReadonlySet<string> = new Set(EVENT_SOURCES);

/** An item as an event; an item that is not one (written by hand) is left out. */
function fromItem(item: Record<string, unknown>): StoredDestinationEvent | undefined {
  const { destinationId, eventId, at, kind, source, message, details } = item;
  if (typeof destinationId !== 'string' || typeof eventId !== 'string' || typeof at !== 'string') return undefined;
  if (typeof kind !== 'string' || !KINDS.has(kind) || typeof source !== 'string' || !SOURCES.has(source)) return undefined;
  if (typeof message !== 'string') return undefined;
  return {
    destinationId,
    eventId,
    at,
    kind: kind as StoredDestinationEvent['kind'],
    source: source as StoredDestinationEvent['source'],
    message,
    ...(details && typeof details === 'object' ? { details: details as EventDetails } : {}),
  };
}
