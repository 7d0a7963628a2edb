/**
 * Fresh DynamoDB tables for every test of a file, on one dynalite server per file reached in
 * process (no socket): the jest hooks the service's unit tests share. Kept out of dynalite.ts,
 * which the benchmarks import outside jest.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { type Dynalite, DynaliteServer } from './dynalite';

/** Registers the hooks; the function it returns gives the current test's tables. */
export function dynaliteTablesPerTest(): () => Dynalite {
  let server: DynaliteServer | undefined;
  let db: Dynalite | undefined;
  beforeAll(async () => {
    server = await DynaliteServer.start();
  });
  afterAll(async () => server?.close());
  beforeEach(async () => {
    if (!server) throw new Error('dynaliteTablesPerTest: the server did not start');
    db = await server.tables({ transport: 'in-process', recycle: true });
  });
  afterEach(async () => {
    await db?.stop();
    db = undefined;
  });
  return () => {
    if (!db) throw new Error('dynaliteTablesPerTest: tables exist only inside a test or its beforeEach');
    return db;
  };
}
