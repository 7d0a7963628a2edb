/**
 * Types for `dynalite` (a DynamoDB-API server on LevelDB), which ships none. Not named
 * `dynalite.d.ts`: beside `dynalite.ts` TypeScript would take it for that file's output and skip it.
 */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  export interface DynaliteOptions {
    /** Keep the data in LevelDB under this directory; in memory when absent. */
    path?: string;
    ssl?: boolean;
    /** How long a table stays CREATING / DELETING / UPDATING (default 500 ms). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** Maximum item size (default 400). */
    maxItemSizeKb?: number;
    verbose?: boolean;
    debug?: boolean;
  }

  /** A plain Node HTTP server speaking the DynamoDB API; call `listen` on it. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
