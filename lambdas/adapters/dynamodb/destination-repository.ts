/**
 * The destinations table through the DynamoDB Document client. Every write is conditional on the
 * item's `version` (optimistic locking), so the API, the scheduled reconcile and the event-driven
 * reconcile can race without losing each other's changes. Items hold exactly the `Destination`
 * fields; the stream key is only ever stored as `streamKeyCiphertext`.
 */
import {
  DeleteCommand,
  GetCommand,
  paginateQuery,
  paginateScan,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Destination, DestinationError } from '../../core/destination';
import { MalformedItemError } from '../../core/errors';
import type { DestinationRepository, DestinationScan } from '../../core/ports';
import { parseDestinationItem } from './destination-item';
import { isConditionalCheckFailed, toDomainError, versionConflict } from './errors';
import { BY_CHANNEL_INDEX } from './tables';

export class DynamoDestinationRepository implements DestinationRepository {
  /**
   * @param doc the Document client (create it with `marshallOptions.removeUndefinedValues: true`,
   *   as every composition root here does; this class leaves undefined fields out itself too).
   * @param tableName the `{project}-streaming-destinations` table.
   */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Destination | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }));
      if (out.Item === undefined) return undefined;
      const parsed = parseDestinationItem(out.Item);
      if (!parsed.ok) throw new MalformedItemError(id, parsed.problems);
      return parsed.destination;
    } catch (error) {
      if (error instanceof MalformedItemError) throw error;
      throw toDomainError(error, 'GetItem', this.tableName);
    }
  }

  async listAll(): Promise<Destination[]> {
    return (await this.scanAll()).destinations;
  }

  async scanAll(): Promise<DestinationScan> {
    const items: Record<string, unknown>[] = [];
    try {
      const pages = paginateScan({ client: this.doc }, { TableName: this.tableName, ConsistentRead: true });
      for await (const page of pages) items.push(...(page.Items ?? []));
    } catch (error) {
      throw toDomainError(error, 'Scan', this.tableName);
    }
    return toScan(items);
  }

  async markMalformed(id: string, error: DestinationError): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          // Only these attributes: the rest of the item cannot be trusted to round-trip.
          UpdateExpression: 'SET #status = :status, #lastError = :lastError, #statusSince = :at',
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#id': 'id', '#status': 'status', '#lastError': 'lastError', '#statusSince': 'statusSince' },
          ExpressionAttributeValues: { ':status': 'error', ':lastError': error, ':at': error.at },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw toDomainError(e, 'UpdateItem', this.tableName);
    }
  }

  async listByChannel(channelArn: string): Promise<DestinationScan> {
    const items: Record<string, unknown>[] = [];
    try {
      const pages = paginateQuery(
        { client: this.doc },
        {
          TableName: this.tableName,
          IndexName: BY_CHANNEL_INDEX,
          KeyConditionExpression: '#channelArn = :channelArn',
          ExpressionAttributeNames: { '#channelArn': 'channelArn' },
          ExpressionAttributeValues: { ':channelArn': channelArn },
        },
      );
      for await (const page of pages) items.push(...(page.Items ?? []));
    } catch (error) {
      throw toDomainError(error, 'Query', `${this.tableName} (index ${BY_CHANNEL_INDEX})`);
    }
    return toScan(items);
  }

  async create(destination: Destination): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(destination),
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': 'id' },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw versionConflict(error, `A destination with id "${destination.id}" already exists.`);
      }
      throw toDomainError(error, 'PutItem', this.tableName);
    }
  }

  async put(next: Destination): Promise<void> {
    const expected = next.version - 1;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(next),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expected },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw versionConflict(
          error,
          `Destination "${next.id}" was changed or deleted concurrently (expected version ${expected}); read it again and retry.`,
        );
      }
      throw toDomainError(error, 'PutItem', this.tableName);
    }
  }

  async delete(id: string, expectedVersion: number): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { id },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw versionConflict(
          error,
          `Destination "${id}" was changed or deleted concurrently (expected version ${expectedVersion}); read it again and retry.`,
        );
      }
      throw toDomainError(error, 'DeleteItem', this.tableName);
    }
  }
}

/**
 * Every field of `Destination`. `satisfies` makes the compiler reject this list when the model
 * gains or loses a field, so the item shape cannot drift from the type unnoticed.
 */
const DESTINATION_FIELDS = {
  id: true,
  platform: true,
  name: true,
  enabled: true,
  status: true,
  channelArn: true,
  rtmpUrl: true,
  streamKeyCiphertext: true,
  streamKeyHint: true,
  profile: true,
  mode: true,
  pausedStreamId: true,
  mediaLiveChannelId: true,
  mediaLiveInputId: true,
  reattachedStreamId: true,
  configRevision: true,
  mediaLiveConfigRevision: true,
  generation: true,
  idleDeletedRelayId: true,
  deleteRequested: true,
  staleInputIds: true,
  lease: true,
  lastError: true,
  health: true,
  relayAlerts: true,
  statusSince: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Record<keyof Destination, true>;

const FIELD_NAMES = Object.keys(DESTINATION_FIELDS) as (keyof Destination)[];

/**
 * Exactly the `Destination` fields of `source`, undefined ones left out: a caller's object
 * carrying extra runtime properties cannot smuggle them into the table. (Reading, the schema in
 * `destination-item.ts` drops what the model does not know.)
 */
function pickFields(source: Record<string, unknown>): Destination {
  const item: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) {
    const value = source[field];
    if (value !== undefined) item[field] = value;
  }
  return item as unknown as Destination;
}

function toItem(d: Destination): Record<string, unknown> {
  return pickFields(d as unknown as Record<string, unknown>) as unknown as Record<string, unknown>;
}

function toScan(items: readonly Record<string, unknown>[]): DestinationScan {
  const scan: DestinationScan = { destinations: [], malformed: [] };
  for (const item of items) {
    const parsed = parseDestinationItem(item);
    if (parsed.ok) scan.destinations.push(parsed.destination);
    else scan.malformed.push({ id: parsed.id, problems: parsed.problems, recordedError: parsed.recordedError });
  }
  return scan;
}
