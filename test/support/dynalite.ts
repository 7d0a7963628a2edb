/**
 * A real DynamoDB-API server (dynalite, in memory) on 127.0.0.1 with the tables created from the
 * production definitions. `startDynalite` starts its own server with fresh, uniquely named tables;
 * `DynaliteServer` keeps one server for many short-lived sets of tables (the model test runs
 * thousands of histories, each on fresh tables).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BatchWriteCommandInput, BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import {
  DESTINATION_EVENTS_TABLE_SUFFIX,
  DESTINATIONS_TABLE_SUFFIX,
  destinationEventsTableDefinition,
  destinationsTableDefinition,
  ensureTables,
  STREAM_STATE_TABLE_SUFFIX,
  streamStateTableDefinition,
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

export interface TablesOptions {
  /**
   * `loopback` (default): the SDK client talks HTTP to the server, as the Lambdas talk to
   * DynamoDB. `in-process`: the client hands each signed request to dynalite's request handler
   * directly, without a socket. The same requests and answers (the SDK still serialises, signs
   * and parses; dynalite still validates and executes); only the TCP round trip is left out. For
   * tests that make many thousands of calls (the model test).
   */
  transport?: 'loopback' | 'in-process';
}

/** One dynalite server; each `tables()` makes a fresh set of tables (and its own client) on it. */
export class DynaliteServer {
  /** Recycled tables, emptied when handed out again. */
  private readonly spare: Dynalite['tables'][] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<DynaliteServer> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new DynaliteServer(server, `http://127.0.0.1:${port}`);
  }

  /**
   * Fresh, uniquely named tables on this server, with a client of their own. Their `stop` deletes
   * them and leaves the server running; with `recycle`, `stop` keeps them instead and a later
   * `tables({ recycle: true })` empties them and hands them out again (emptying three small
   * tables costs a few calls, making three costs a dozen).
   */
  async tables(options: TablesOptions & { recycle?: boolean } = {}): Promise<Dynalite> {
    const client = this.client(options.transport ?? 'loopback');
    const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const recycled = options.recycle ? this.spare.pop() : undefined;
    const tables = recycled ?? {
      destinations: `test-${randomUUID().slice(0, 8)}${DESTINATIONS_TABLE_SUFFIX}`,
      streamState: '',
      events: '',
    };
    if (!recycled) {
      const prefix = tables.destinations.slice(0, -DESTINATIONS_TABLE_SUFFIX.length);
      tables.streamState = prefix + STREAM_STATE_TABLE_SUFFIX;
      tables.events = prefix + DESTINATION_EVENTS_TABLE_SUFFIX;
    }
    const stop = async (): Promise<void> => {
      if (options.recycle) this.spare.push(tables);
      // Dropping the tables frees what they hold in the server's memory.
      else
        await Promise.all(
          Object.values(tables).map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)),
        );
      client.destroy();
    };
    try {
      if (recycled) {
        await emptyTables(doc, tables);
      } else {
        // Made over loopback HTTP whatever the transport: the waiter for ACTIVE needs the server's
        // timer to fire before it asks, which a call without a socket can outrun (then it sleeps 1 s).
        const maker = options.transport === 'in-process' ? this.client('loopback') : client;
        await ensureTables(maker, tables, { maxWaitSeconds: 10 }).finally(() => maker !== client && maker.destroy());
      }
    } catch (error) {
      await stop();
      throw error;
    }
    return { endpoint: this.endpoint, client, doc, tables, stop };
  }

  private client(transport: NonNullable<TablesOptions['transport']>): DynamoDBClient {
    return new DynamoDBClient({
      region: 'us-east-1',
      endpoint: this.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
      ...(transport === 'in-process' ? { requestHandler: inProcessHandler(this.server.listeners('request')[0] as RequestListener) } : {}),
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }
}

export async function startDynalite(options: TablesOptions = {}): Promise<Dynalite> {
  const server = await DynaliteServer.start();
  try {
    const db = await server.tables(options);
    return {
      ...db,
      stop: async () => {
        db.client.destroy();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Deletes every item of the tables (their keys from the production definitions). */
async function emptyTables(doc: DynamoDBDocumentClient, tables: Dynalite['tables']): Promise<void> {
  const definitions = [
    destinationsTableDefinition(tables.destinations),
    streamStateTableDefinition(tables.streamState),
    destinationEventsTableDefinition(tables.events),
  ];
  for (const definition of definitions) {
    const TableName = definition.TableName as string;
    const keys = (definition.KeySchema ?? []).map((k) => k.AttributeName as string);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName,
          ConsistentRead: true,
          ProjectionExpression: keys.map((_, i) => `#k${i}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(keys.map((k, i) => [`#k${i}`, k])),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      startKey = page.LastEvaluatedKey;
      const items = page.Items ?? [];
      for (let i = 0; i < items.length; i += 25) {
        let requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string] | undefined = items
          .slice(i, i + 25)
          .map((Key) => ({ DeleteRequest: { Key } }));
        while (requests && requests.length > 0) {
          const answer: BatchWriteCommandOutput = await doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } }));
          requests = answer.UnprocessedItems?.[TableName];
        }
      }
    } while (startKey);
  }
}

interface SignedRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * An SDK request handler that calls dynalite's HTTP request listener in process: the request is
 * an event emitter with the signed request's method, path, headers and body, the response
 * collects what dynalite writes.
 */
function inProcessHandler(listener: RequestListener) {
  return {
    metadata: { handlerProtocol: 'in-process' },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
    handle: (request: SignedRequest) =>
      new Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Uint8Array } }>((resolve) => {
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(request.query ?? {})) {
          for (const v of Array.isArray(value) ? value : [value]) query.append(name, v ?? '');
        }
        const search = query.toString();
        const req = Object.assign(new EventEmitter(), {
          method: request.method,
          url: search === '' ? request.path : `${request.path}?${search}`,
          headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
        });
        const headers: Record<string, string> = {};
        const res = {
          statusCode: 200,
          setHeader: (name: string, value: unknown) => {
            headers[name.toLowerCase()] = String(value);
          },
          end: (body?: string) => {
            resolve({ response: { statusCode: res.statusCode, headers, body: Buffer.from(body ?? '') } });
          },
        };
        listener(req as never, res as never);
        const body = request.body;
        if (typeof body === 'string' && body !== '') req.emit('data', Buffer.from(body, 'utf8'));
        else if (body instanceof Uint8Array && body.byteLength > 0)
          req.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
        req.emit('end');
      }),
  };
}
