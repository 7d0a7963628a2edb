import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  BY_CHANNEL_INDEX,
  destinationsTableDefinition,
  ensureTables,
  streamStateTableDefinition,
} from '../../../../lambdas/adapters/dynamodb/tables';
import { startDynalite, type Dynalite } from '../../../support/dynalite';

let db: Dynalite;

beforeAll(async () => {
  db = await startDynalite();
});

afterAll(async () => {
  await db.stop();
});

describe('table definitions', () => {
  it('key the destinations table on id with an on-demand byChannel index on channelArn projecting everything', () => {
    const table = destinationsTableDefinition('p-streaming-destinations');

    expect(table).toMatchObject({
      TableName: 'p-streaming-destinations',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: BY_CHANNEL_INDEX,
          KeySchema: [{ AttributeName: 'channelArn', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(BY_CHANNEL_INDEX).toBe('byChannel');
  });

  it('key the stream-state table on id', () => {
    expect(streamStateTableDefinition('p-stream-state')).toMatchObject({
      TableName: 'p-stream-state',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    });
  });
});

describe('ensureTables', () => {
  it('creates missing tables and returns once both are ACTIVE', async () => {
    const names = { destinations: 'fresh-streaming-destinations', streamState: 'fresh-stream-state' };

    await ensureTables(db.client, names);

    const destinations = await db.client.send(new DescribeTableCommand({ TableName: names.destinations }));
    const streamState = await db.client.send(new DescribeTableCommand({ TableName: names.streamState }));
    expect(destinations.Table?.TableStatus).toBe('ACTIVE');
    expect(destinations.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual([BY_CHANNEL_INDEX]);
    expect(streamState.Table?.TableStatus).toBe('ACTIVE');
  });

  it('leaves existing tables alone when called again', async () => {
    const before = await db.client.send(new DescribeTableCommand({ TableName: db.tables.destinations }));

    await ensureTables(db.client, db.tables);
    await ensureTables(db.client, db.tables);

    const after = await db.client.send(new DescribeTableCommand({ TableName: db.tables.destinations }));
    expect(after.Table?.CreationDateTime).toEqual(before.Table?.CreationDateTime);
    expect(after.Table?.TableStatus).toBe('ACTIVE');
  });

  it('tolerates two callers creating the same tables at once', async () => {
    const names = { destinations: 'race-streaming-destinations', streamState: 'race-stream-state' };

    await Promise.all([ensureTables(db.client, names), ensureTables(db.client, names)]);

    const table = await db.client.send(new DescribeTableCommand({ TableName: names.destinations }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
  });
});
