import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDestinationRepository } from '../../../../lambdas/adapters/dynamodb/destination-repository';
import { DynamoStreamStateRepository } from '../../../../lambdas/adapters/dynamodb/stream-state-repository';
import { ServiceUnavailableError, ThrottledError } from '../../../../lambdas/core/errors';
import { makeDestination } from '../../../support/fixtures';

const docMock = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), {
  marshallOptions: { removeUndefinedValues: true },
});
const destinations = new DynamoDestinationRepository(doc, 'p-streaming-destinations');
const streamState = new DynamoStreamStateRepository(doc, 'p-stream-state');

beforeEach(() => {
  docMock.reset();
});

afterAll(() => {
  docMock.restore();
});

const metadata = { $metadata: {} };
const throttles = [
  ['ProvisionedThroughputExceededException', () => new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata })],
  ['ThrottlingException', () => new ThrottlingException({ message: 'slow down', ...metadata })],
  ['RequestLimitExceeded', () => new RequestLimitExceeded({ message: 'slow down', ...metadata })],
] as const;

describe('DynamoDB error mapping', () => {
  it.each(throttles)('maps %s on every destination operation to ThrottledError with the cause attached', async (_, make) => {
    const error = make();
    docMock.onAnyCommand().rejects(error);

    const calls = [
      () => destinations.get('d1'),
      () => destinations.listAll(),
      () => destinations.listByChannel('arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456'),
      () => destinations.create(makeDestination()),
      () => destinations.put(makeDestination({ version: 2 })),
      () => destinations.delete('d1', 1),
    ];

    for (const run of calls) {
      const call = run();
      await expect(call).rejects.toBeInstanceOf(ThrottledError);
      await expect(call).rejects.toHaveProperty('cause', error);
    }
  });

  it('maps other service errors to ServiceUnavailableError without copying the SDK message', async () => {
    const error = new InternalServerError({ message: 'internal detail from the service', ...metadata });
    docMock.on(GetCommand).rejects(error).on(ScanCommand).rejects(error).on(QueryCommand).rejects(error);
    docMock.on(PutCommand).rejects(error).on(DeleteCommand).rejects(error);

    const calls = [
      () => destinations.get('d1'),
      () => streamState.listAll(),
      () => streamState.put({ id: 'c', state: 'LIVE', timestamp: '2025-01-01T00:00:00.000Z' }),
    ];

    for (const run of calls) {
      const call = run();
      await expect(call).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(call).rejects.toHaveProperty('cause', error);
      await expect(call).rejects.toThrow(/InternalServerError/);
      await expect(call).rejects.not.toThrow(/internal detail/);
    }
  });

  it('maps throttling of the stream-state table to ThrottledError', async () => {
    docMock.on(GetCommand).rejects(new ThrottlingException({ message: 'slow down', ...metadata }));

    await expect(streamState.get('arn:aws:ivs:us-east-1:123456789012:channel/AbCdEf123456')).rejects.toBeInstanceOf(ThrottledError);
  });
});
