/**
 * One local stack for a test file: a temporary directory, the admin UI (built fresh with vite, or
 * a placeholder page for tests that never open it), `npm start`'s stack on free ports with a log
 * that keeps every line (the stream-key checks read it), and, with real media, local RTMP sinks.
 * `stop()` stops the sinks and the stack and removes the directory.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Log } from '../../lambdas/core/ports';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../scripts/local-stack';
import { RtmpSink } from '../../scripts/local/media/sink';
import { freeLoopbackPort } from '../../scripts/local/media/tools';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** One line the stack logged. */
export interface LoggedLine {
  at: number;
  level: string;
  message: string;
  attributes?: Record<string, unknown>;
}

/** A log that drops everything. */
export const QUIET_LOG: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A log that keeps every line in `lines`. */
export function recordingLog(lines: LoggedLine[]): Log {
  const record =
    (level: string) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      lines.push({ at: Date.now(), level, message, attributes });
    };
  return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

/** The admin UI as the sources are now, built into `outDir` (frontend/dist is left alone). */
export async function buildAdminUi(outDir: string): Promise<void> {
  await execa('vite', ['build', 'frontend', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    preferLocal: true,
    stdin: 'ignore',
  });
}

export type StackHarnessOptions = Omit<LocalStackOptions, 'port' | 'dataDir' | 'distDir' | 'buildUiIfMissing' | 'print'> & {
  /** `build`: the real admin UI, for browser tests; `placeholder` (default): a one-line page. */
  ui?: 'build' | 'placeholder';
};

export interface SinkHarnessOptions {
  streamKey: string;
  /** Default: a free loopback port. A sink started again on the same port is the same platform back. */
  port?: number;
}

export interface StackHarness {
  /** The temporary directory: `data/` (the stack's), `dist/` (the UI), the sinks' files. */
  readonly work: string;
  readonly stack: LocalStack;
  /** Every line the stack logged (unless the options gave a log of their own). */
  readonly logs: LoggedLine[];
  /** A local RTMP sink (the stack's ffmpeg, the stack's log) taking `streamKey`, started; `stop()` stops it too. */
  startSink(options: SinkHarnessOptions): Promise<RtmpSink>;
  stop(): Promise<void>;
}

/** Starts the stack on a free HTTP port (and free RTMP ports with real media). */
export async function startStackHarness(name: string, options: StackHarnessOptions = {}): Promise<StackHarness> {
  const { ui = 'placeholder', ...stackOptions } = options;
  const work = await mkdtemp(join(tmpdir(), `${name}-`));
  const logs: LoggedLine[] = [];
  const log = stackOptions.log ?? recordingLog(logs);
  const sinks: RtmpSink[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(sinks.map((sink) => sink.stop()));
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  };
  let stack: LocalStack | undefined;
  try {
    const dist = join(work, 'dist');
    if (ui === 'build') {
      await buildAdminUi(dist);
    } else {
      await mkdir(dist, { recursive: true });
      await writeFile(join(dist, 'index.html'), '<!doctype html><title>admin</title>');
    }
    stack = await startLocalStack({
      port: 0,
      ...(stackOptions.realMedia ? { rtmpPort: 0 } : {}),
      ...stackOptions,
      log,
      dataDir: join(work, 'data'),
      distDir: dist,
      buildUiIfMissing: false,
      print: () => undefined,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const started = stack;
  return {
    work,
    stack: started,
    logs,
    async startSink({ streamKey, port }) {
      if (!started.media) throw new Error('startSink needs the stack with real media (realMedia: true and ffmpeg installed)');
      const sink = new RtmpSink({
        ffmpegPath: started.media.tools.ffmpeg,
        port: port ?? (await freeLoopbackPort()),
        streamKey,
        outputPrefix: join(work, `sink-${sinks.length + 1}`),
        log,
      });
      sinks.push(sink);
      sink.start();
      return sink;
    },
    stop,
  };
}
