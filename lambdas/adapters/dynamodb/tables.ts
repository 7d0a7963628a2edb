/**
 * The DynamoDB tables, as `CreateTable` inputs. Terraform (`modules/stream-restreaming/dynamodb.tf`)
 * creates the same tables in AWS (with SSE, PITR and the events table's TTL, which `CreateTable`
 * here leaves out: locally nothing lives 30 days); the local
 * stack and the tests create them from these definitions with `ensureTables`.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** `{project}-streaming-destinations`. */
export const DESTINATIONS_TABLE_SUFFIX = '-streaming-destinations';
/** `{project}-stream-state`. */
export const STREAM_STATE_TABLE_SUFFIX = '-stream-state';
/** `{project}-destination-events`. */
export const DESTINATION_EVENTS_TABLE_SUFFIX = '-destination-events';
/** The events table's TTL attribute (epoch seconds). */
export const EVENTS_TTL_ATTRIBUTE = 'expiresAt';
/** The destinations GSI on `channelArn`. */
export const BY_CHANNEL_INDEX = 'byChannel';

/** Destinations: key `id`; GSI `byChannel` on `channelArn` projecting every attribute. */
export function destinationsTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'channelArn', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: BY_CHANNEL_INDEX,
        KeySchema: [{ AttributeName: 'channelArn', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Stream state: key `id` = IVS channel ARN. */
export function streamStateTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  };
}

/** Destination history: key `destinationId` + `eventId` (time-ordered), TTL on `expiresAt`. */
export function destinationEventsTableDefinition(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'destinationId', AttributeType: 'S' },
      { AttributeName: 'eventId', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'destinationId', KeyType: 'HASH' },
      { AttributeName: 'eventId', KeyType: 'RANGE' },
    ],
  };
}

/**
 * Creates whichever of the tables is missing and waits until all are ACTIVE. Safe to call
 * again on existing tables, and against a table another process is creating at the same time.
 */
export async function ensureTables(
  client: DynamoDBClient,
  names: { destinations: string; streamState: string; events?: string },
  options: { maxWaitSeconds?: number } = {},
): Promise<void> {
  const definitions = [destinationsTableDefinition(names.destinations), streamStateTableDefinition(names.streamState)];
  if (names.events !== undefined) definitions.push(destinationEventsTableDefinition(names.events));
  await Promise.all(
    definitions.map(async (definition) => {
      const tableName = definition.TableName;
      if (tableName === undefined) throw new Error('A table definition must name its table');
      if (!(await tableExists(client, tableName))) {
        try {
          await client.send(new CreateTableCommand(definition));
        } catch (error) {
          // Someone else created it between our check and our call: wait for theirs.
          if (!(error instanceof ResourceInUseException)) throw error;
        }
      }
      await waitUntilTableExists(
        { client, maxWaitTime: options.maxWaitSeconds ?? 120, minDelay: 1, maxDelay: 5 },
        { TableName: tableName },
      );
    }),
  );
}

async function tableExists(client: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
