/**
 * One local stack per data directory. A second `npm start` on the same `.local/` would open the
 * same dynalite files and fail deep inside the database ("Database is closed"); instead it finds
 * `stack.json` there, sees that the process it names is alive, and stops with one line naming
 * that stack's URL and pid. A file left by a stack that died is taken over.
 */
import { randomUUID } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `stack.json` holds. */
interface LockFile {
  pid: number;
  /** Tells this start's file from a later one's (the pid alone may be reused). */
  token: string;
  /** Set once the HTTP server listens. */
  url?: string;
}

/** Another stack holds the directory. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: { pid: number; url?: string },
  ) {
    super(
      `A local stack is already running on ${dataDir}: ${holder.url ?? 'still starting'} (pid ${holder.pid}). ` +
        'Use that one, stop it (Ctrl-C in its terminal), or start this one with LOCAL_DATA_DIR=<another folder>.',
    );
  }
}

export interface DataDirLock {
  /** Records the URL the stack answers on, for the message another start prints. */
  setUrl(url: string): Promise<void>;
  /** Removes the file if it is still this stack's. Safe to call twice. */
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<LockFile | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LockFile>;
    return typeof value.pid === 'number' && typeof value.token === 'string' ? (value as LockFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Claims `dataDir` for this process; throws DataDirInUseError while a live stack holds it. */
export async function claimDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, 'stack.json');
  const mine: LockFile = { pid: process.pid, token: randomUUID() };
  const write = (flag: 'wx' | 'w'): Promise<void> => writeFile(path, `${JSON.stringify(mine)}\n`, { flag, mode: 0o600 });
  try {
    await write('wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = await readLock(path);
    if (holder !== undefined && isAlive(holder.pid)) throw new DataDirInUseError(dataDir, holder);
    // Left by a stack that is gone (or unreadable): take it over.
    await write('w');
  }
  let released = false;
  return {
    async setUrl(url) {
      mine.url = url;
      await write('w');
    },
    async release() {
      if (released) return;
      released = true;
      const current = await readLock(path);
      if (current?.token === mine.token) await unlink(path).catch(() => undefined);
    },
  };
}
