/**
 * A real DynamoDB-API server (dynalite, in memory) on 127.0.0.1 with the tables created from the
 * production definitions. Each call starts its own server with fresh, uniquely named tables.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import {
  DESTINATION_EVENTS_TABLE_SUFFIX,
  DESTINATIONS_TABLE_SUFFIX,
  ensureTables,
  STREAM_STATE_TABLE_SUFFIX,
} from '../../lambdas/adapters/dynamodb/tables';

export interface Dynalite {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  client: DynamoDBClient;
  /** Document client with `removeUndefinedValues: true`, as the Lambdas build it. */
  doc: DynamoDBDocumentClient;
  tables: { destinations: string; streamState: string; events: string };
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;

  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const tables = {
    destinations: prefix + DESTINATIONS_TABLE_SUFFIX,
    streamState: prefix + STREAM_STATE_TABLE_SUFFIX,
    events: prefix + DESTINATION_EVENTS_TABLE_SUFFIX,
  };

  const stop = async (): Promise<void> => {
    client.destroy();
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  };

  try {
    await ensureTables(client, tables, { maxWaitSeconds: 10 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, client, doc, tables, stop };
}
