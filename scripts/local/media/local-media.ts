/**
 * Real media for the local stack: one RTMP ingest per local IVS channel (ports RTMP_PORT,
 * RTMP_PORT + 1, …; default 1935, OBS's default), its HLS under `/_local/hls/<channel id>/`, and
 * the stream keys OBS needs, kept in `<data dir>/ingest-keys.json` (mode 0600) so the encoder's
 * settings survive restarts. Going live and offline follow the ingest.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Log } from '../../../lambdas/core/ports';
import { serveHlsFile } from './hls-files';
import { HLS_PLAYLIST, LocalIngest } from './ingest';
import { freeLoopbackPort, type MediaTools } from './tools';

/** What the admin UI's local-mode banner shows per channel (the local ingest key is shown on purpose: it is OBS's setting). */
export interface LocalIngestView {
  channelArn: string;
  /** OBS "Server". */
  server: string;
  /** OBS "Stream Key". */
  streamKey: string;
  /** The HLS playback URL (what relays pull, what a player plays). */
  playbackUrl: string;
}

export interface LocalMedia {
  tools: MediaTools;
  ingests: ReadonlyMap<string, LocalIngest>;
  views(): LocalIngestView[];
  /** The HLS URL of a channel (also what the simulated IVS reports as its playback URL). */
  playbackUrl(channelArn: string): string;
  /** Answers `/_local/hls/<channel id>/<file>`. */
  serveHls(req: IncomingMessage, res: ServerResponse, segments: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalMediaOptions {
  tools: MediaTools;
  channelArns: readonly string[];
  dataDir: string;
  /** First RTMP port; 0 picks free ports. */
  rtmpPort: number;
  /** `http://127.0.0.1:<port>` of the local stack. */
  baseUrl: string;
  log: Log;
  onLiveChange(channelArn: string, live: boolean): void;
}

export function channelIdOf(channelArn: string): string {
  return channelArn.slice(channelArn.lastIndexOf('/') + 1);
}

/** IVS-like stream keys (`sk_<region>_<random>`), one per channel, created once. */
async function loadIngestKeys(path: string, channelArns: readonly string[]): Promise<Record<string, string>> {
  let keys: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      keys = Object.fromEntries(
        Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string' && /^[\w-]{8,}$/.test(e[1])),
      );
    }
  } catch {
    // Missing or unreadable: new keys below.
  }
  const missing = channelArns.filter((arn) => keys[arn] === undefined);
  if (missing.length > 0) {
    for (const arn of missing) keys[arn] = `sk_${arn.split(':')[3] ?? 'local'}_${randomBytes(12).toString('base64url')}`;
    await writeFile(path, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  await chmod(path, 0o600).catch(() => undefined);
  return keys;
}

/** Fails with the fix when a fixed RTMP port is taken (ffmpeg would only retry in the background). */
async function ensurePortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `RTMP port ${port} on 127.0.0.1 is in use (another local stack or RTMP server?). Stop it, or start with RTMP_PORT=<another port> (0 = any free port).`,
            )
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export async function startLocalMedia(options: LocalMediaOptions): Promise<LocalMedia> {
  if (options.rtmpPort !== 0) for (const [index] of options.channelArns.entries()) await ensurePortFree(options.rtmpPort + index);
  const keys = await loadIngestKeys(join(options.dataDir, 'ingest-keys.json'), options.channelArns);
  const ingests = new Map<string, LocalIngest>();
  const hlsDirs = new Map<string, string>();
  const playbackUrl = (arn: string): string => `${options.baseUrl}/_local/hls/${channelIdOf(arn)}/${HLS_PLAYLIST}`;
  try {
    for (const [index, channelArn] of options.channelArns.entries()) {
      const hlsDir = join(options.dataDir, 'hls', channelIdOf(channelArn));
      hlsDirs.set(channelIdOf(channelArn), hlsDir);
      const ingest = new LocalIngest({
        ffmpegPath: options.tools.ffmpeg,
        ffprobePath: options.tools.ffprobe,
        channelArn,
        port: options.rtmpPort === 0 ? await freeLoopbackPort() : options.rtmpPort + index,
        streamKey: keys[channelArn] as string,
        hlsDir,
        log: options.log,
        onLiveChange: (live) => options.onLiveChange(channelArn, live),
      });
      ingests.set(channelArn, ingest);
      await ingest.start();
    }
  } catch (error) {
    await Promise.all([...ingests.values()].map((i) => i.stop()));
    throw error;
  }
  return {
    tools: options.tools,
    ingests,
    playbackUrl,
    views: () =>
      [...ingests].map(([channelArn, ingest]) => ({
        channelArn,
        server: ingest.serverUrl,
        streamKey: keys[channelArn] as string,
        playbackUrl: playbackUrl(channelArn),
      })),
    async serveHls(req, res, segments) {
      const dir = segments.length === 2 ? hlsDirs.get(segments[0] as string) : undefined;
      if (dir === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('No such local channel: use /_local/hls/<channel id>/index.m3u8\n');
        return;
      }
      await serveHlsFile(req, res, dir, segments[1] as string);
    },
    async stop() {
      await Promise.all([...ingests.values()].map((i) => i.stop()));
    },
  };
}
